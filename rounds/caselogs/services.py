"""Writes to case logs. Each runs in a transaction with its audit entry.

Each write checks who may make it (rounds/caselogs/access.py); `by=None` is a write by Rounds
itself (the demo), which has no person to check.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from rounds.caselogs.access import may_decide, may_log_for
from rounds.caselogs.loader import ProcedureData
from rounds.caselogs.models import CaseLog, CaseRole, Minimum, Procedure
from rounds.core.models import Site
from rounds.core.services import audit_record
from rounds.lib import today as clock
from rounds.people.models import Faculty, Trainee
from rounds.people.training import history_of


class CaseLogError(Exception):
    """A write refused, with a sentence the person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# A note says what was learnt, never who the patient was. These catch the obvious slips: a
# record or phone number (six digits or more, dashes or spaces allowed), a full date, or the
# words that introduce an identifier.
_IDENTIFIERS = [
    (re.compile(r"\d(?:[\s./-]?\d){5,}"), "a number of six or more digits (like a record number)"),
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"), "a date (like a birth date)"),
    (
        re.compile(r"\b(mrn|dob|ssn|medical record|date of birth|d\.o\.b)\b", re.IGNORECASE),
        "an identifier's name (MRN, DOB, SSN...)",
    ),
]


def note_problem(note: str) -> str | None:
    """Why `note` may identify a patient, or None."""
    for pattern, what in _IDENTIFIERS:
        if pattern.search(note):
            return (
                f"The note seems to hold a patient identifier: {what}. Notes must not identify "
                "a patient; describe the case without numbers, names or dates."
            )
    return None


def _check_entry(
    *, trainee: Trainee, day: date, procedure: Procedure, role: str, note: str
) -> None:
    today = clock.today()
    if day > today:
        raise CaseLogError(f"{day:%B %-d, %Y} is in the future: log a procedure once it is done.")
    history = history_of(trainee)
    if not history.in_training_on(day):
        raise CaseLogError(
            f"{day:%B %-d, %Y} is outside your training dates ({history.start:%B %-d, %Y} to "
            f"{history.last_day:%B %-d, %Y}, leave excepted): log procedures done in training."
        )
    if procedure.specialty_id != trainee.program.specialty_id or not procedure.active:
        raise CaseLogError(f"{procedure.name} is not on your program's procedure list.")
    if role not in CaseRole.values:
        raise CaseLogError("Choose your role: observed, assisted, performed, or supervised.")
    problem = note_problem(note)
    if problem:
        raise CaseLogError(problem)


def caselog_log(
    *,
    trainee: Trainee,
    by: Any,
    day: date,
    procedure: Procedure,
    role: str,
    supervisor: Faculty,
    site: Site | None = None,
    note: str = "",
    corrects: CaseLog | None = None,
) -> CaseLog:
    """The trainee logs a procedure (or a correction of a verified entry); it waits for the
    supervising faculty's verification."""
    if by is not None and not may_log_for(by, trainee):
        raise CaseLogError("Only the trainee logs their own procedures.")
    note = note.strip()
    _check_entry(trainee=trainee, day=day, procedure=procedure, role=role, note=note)
    with transaction.atomic():
        if corrects is not None:
            _check_correctable(trainee, corrects)
        entry = CaseLog.objects.create(
            trainee=trainee, day=day, procedure=procedure, role=role, site=site,
            supervisor=supervisor, note=note, corrects=corrects,
            logged_at=timezone.now(), logged_by=by,
        )  # fmt: skip
        audit_record(
            by=by,
            action="caselog_correct" if corrects else "caselog_log",
            instance=entry,
            summary=f"{trainee.person.full_name}: {procedure.name} ({role}) on {day}"
            + (f", correcting entry {corrects.pk}" if corrects else ""),
            changes={"procedure": procedure.code, "role": role, "day": day.isoformat(),
                     "supervisor": supervisor.pk, "corrects": corrects.pk if corrects else None},
        )  # fmt: skip
    return entry


def _check_correctable(trainee: Trainee, corrects: CaseLog, sent_again: int | None = None) -> None:
    """`corrects` may take a correction: a verified entry of the trainee's with no other open
    one (`sent_again`: the returned correction being edited, which is not another one)."""
    locked = CaseLog.objects.select_for_update().get(pk=corrects.pk)
    if locked.trainee_id != trainee.pk or locked.status != CaseLog.Status.VERIFIED:
        raise CaseLogError("Only a verified entry of your own is corrected by a new entry.")
    open_ones = locked.corrections.exclude(status=CaseLog.Status.RETURNED)
    if sent_again is not None:
        open_ones = open_ones.exclude(pk=sent_again)
    if open_ones.exists():
        raise CaseLogError(
            "This entry already has a correction (waiting or verified); correct that one instead."
        )


EDITABLE = ("day", "procedure", "role", "site", "supervisor", "note")


def caselog_resubmit(
    *,
    entry: CaseLog,
    by: Any,
    day: date,
    procedure: Procedure,
    role: str,
    supervisor: Faculty,
    site: Site | None = None,
    note: str = "",
) -> CaseLog:
    """The trainee edits an entry the faculty returned and sends it again: it waits in the
    queue of the supervisor it now names, with the same checks as a new entry. Only a returned
    entry is edited: a waiting one is not decided yet, and a verified one is locked (a mistake
    in it is corrected by a new entry). The return's comment stays on the entry, so the
    faculty sees what was asked; the audit entry keeps the fields as they were."""
    trainee = entry.trainee
    if by is not None and not may_log_for(by, trainee):
        raise CaseLogError("Only the trainee edits their own entries.")
    note = note.strip()
    _check_entry(trainee=trainee, day=day, procedure=procedure, role=role, note=note)
    with transaction.atomic():
        locked = CaseLog.objects.select_for_update().get(pk=entry.pk)
        if locked.status == CaseLog.Status.VERIFIED:
            raise CaseLogError(
                "This entry is verified and locked; correct it with a new entry instead."
            )
        if locked.status != CaseLog.Status.RETURNED:
            raise CaseLogError(
                "This entry is waiting for verification; only an entry returned to you is edited."
            )
        if locked.corrects is not None:
            _check_correctable(trainee, locked.corrects, sent_again=locked.pk)
        before = {name: _plain(getattr(locked, name)) for name in EDITABLE}
        locked.day, locked.procedure, locked.role = day, procedure, role
        locked.site, locked.supervisor, locked.note = site, supervisor, note
        locked.status, locked.decided_at, locked.decided_by = CaseLog.Status.PENDING, None, None
        locked.save()
        after = {name: _plain(getattr(locked, name)) for name in EDITABLE}
        audit_record(
            by=by,
            action="caselog_resubmit",
            instance=locked,
            summary=f"{trainee.person.full_name} edited returned entry {locked.pk} and sent it "
            f"again: {procedure.name} ({role}) on {day}",
            changes={
                "before": before,
                "after": after,
                "returned_because": locked.comment,
            },
        )
    return locked


def _plain(value: Any) -> Any:
    """A field's value as the audit log keeps it: ids for records, ISO for days."""
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "pk", value)


def _decidable(entry: CaseLog, by: Any) -> CaseLog:
    """The entry, locked for this transaction, if `by` may decide it now."""
    if by is not None and not may_decide(by, entry):
        raise CaseLogError("Only the supervising faculty named on the entry verifies it.")
    locked = CaseLog.objects.select_for_update().get(pk=entry.pk)
    if locked.status != CaseLog.Status.PENDING:
        raise CaseLogError(f"This entry was already {locked.get_status_display().lower()}.")
    return locked


def caselog_verify(*, entry: CaseLog, by: Any) -> CaseLog:
    """The supervising faculty confirms the entry; from now on it is locked."""
    with transaction.atomic():
        locked = _decidable(entry, by)
        locked.status = CaseLog.Status.VERIFIED
        locked.decided_at, locked.decided_by = timezone.now(), by
        locked.save(update_fields=["status", "decided_at", "decided_by"])
        audit_record(by=by, action="caselog_verify", instance=locked,
                     summary=f"verified {locked}", changes={"status": "verified"})  # fmt: skip
    return locked


def caselog_return(*, entry: CaseLog, by: Any, comment: str) -> CaseLog:
    """The supervising faculty sends the entry back, saying why; it does not count."""
    comment = comment.strip()
    if not comment:
        raise CaseLogError("Say why the entry goes back, so the trainee can log it right.")
    if len(comment) > 300:
        raise CaseLogError(f"The comment is {len(comment)} characters long; at most 300.")
    with transaction.atomic():
        locked = _decidable(entry, by)
        locked.status = CaseLog.Status.RETURNED
        locked.decided_at, locked.decided_by, locked.comment = timezone.now(), by, comment
        locked.save(update_fields=["status", "decided_at", "decided_by", "comment"])
        audit_record(by=by, action="caselog_return", instance=locked,
                     summary=f"returned {locked}", changes={"status": "returned",
                                                            "comment": comment})  # fmt: skip
    return locked


# ---------------------------------------------------------------- the procedure list


def procedures_load(*, data: list[ProcedureData], by: Any = None) -> tuple[int, int]:
    """Load parsed procedures, all in one transaction: each named specialty's list becomes the
    file's (procedures left out are no longer offered, kept for the entries that name them),
    and each procedure's minimums become the file's. Returns (procedures, minimums)."""
    with transaction.atomic():
        specialties = {p.specialty.pk for p in data}
        Procedure.objects.filter(specialty_id__in=specialties).update(active=False)
        minimums = 0
        for item in data:
            procedure, _ = Procedure.objects.update_or_create(
                specialty=item.specialty,
                code=item.code,
                defaults={"name": item.name, "category": item.category, "active": True},
            )
            procedure.minimums.all().delete()
            Minimum.objects.bulk_create(
                Minimum(procedure=procedure, role=m.role, by_pgy=m.by_pgy, count=m.count)
                for m in item.minimums
            )
            minimums += len(item.minimums)
        if by is not None:
            first = Procedure.objects.filter(specialty_id__in=specialties).first()
            if first is not None:
                audit_record(by=by, action="procedures_load", instance=first,
                             summary=f"loaded {len(data)} procedures", changes={})  # fmt: skip
    return len(data), minimums
