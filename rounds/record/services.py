"""Writes to the training record. Each runs in a transaction with its audit entry."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from rounds.core.models import Institution, Program
from rounds.core.services import audit_record
from rounds.imports.uploads import max_upload_bytes, upload_name
from rounds.lib import today as clock
from rounds.lib.links import absolute, absolute_url
from rounds.people.models import Person, Role, RoleAssignment, Trainee
from rounds.people.training import history_of, history_prefetch
from rounds.record.access import may_sign_letter_for
from rounds.record.models import (
    Credential,
    CredentialAlert,
    CredentialType,
    OnboardingItem,
    OnboardingTask,
    VerificationLetter,
)
from rounds.record.pdf import letter_pdf
from rounds.record.selectors import latest_credentials, letter_facts, letter_kind

logger = logging.getLogger(__name__)

# Codes are read aloud and typed: an alphabet without 0/O and 1/I/L, 20 characters (100 bits).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20


class RecordError(Exception):
    """A write refused, with a sentence the person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_normal(code: str) -> str:
    """The code as stored: capitals, dashes and spaces dropped (so "abcd efgh" also matches)."""
    return "".join(ch for ch in code.upper() if ch not in "- ")


def code_digest(code: str) -> str:
    return hashlib.sha256(code_normal(code).encode()).hexdigest()


def letter_issue(
    *, trainee: Trainee, by: Any, code: str | None = None
) -> tuple[VerificationLetter, str]:
    """The director of the trainee's program signs a letter dated today. Returns the letter and
    its verification code, which is not stored and so can be shown only now (and in the PDF).
    `code` is for the demo alone, whose codes come from its seed so they can be printed."""
    day = clock.today()
    history = history_of(trainee)
    if history.start > day:
        raise RecordError(
            f"{trainee.person.full_name} starts training on {history.start:%B %-d, %Y}; "
            "a letter can be issued from that day."
        )
    if not may_sign_letter_for(by, trainee, day):
        raise RecordError(
            "Only the program director of the trainee's program signs a verification letter."
        )
    facts = letter_facts(trainee, day)
    kind = letter_kind(history, day)
    code = code or code_new()
    signer = _signer_name(by)
    institution = Institution.objects.values_list("name", flat=True).first() or "Rounds"
    pdf = letter_pdf(
        facts=facts,
        title=VerificationLetter.Kind(kind).label,
        institution=institution,
        signer=signer,
        issued_on=day,
        code=code,
        verify_url=absolute(f"/verify/{code}/"),
    )
    with transaction.atomic():
        letter = VerificationLetter.objects.create(
            trainee=trainee,
            kind=kind,
            facts=facts,
            code_digest=code_digest(code),
            signed_by=by,
            signer_name=signer,
            signed_at=timezone.now(),
            issued_on=day,
            pdf=pdf,
        )
        audit_record(
            by=by,
            action="letter_sign",
            instance=letter,
            summary=f"{letter.get_kind_display()} for {facts['name']} signed by {signer}",
            changes={"trainee": trainee.pk, "kind": kind},
        )
    return letter, code


def _signer_name(user: Any) -> str:
    """The name as the letter prints it, before ", Program Director"."""
    person = getattr(user, "person", None)
    if person is None:
        return str(user.get_full_name() or user.get_username())
    return person.full_name


# Credentials --------------------------------------------------------------------------------

# Alerts go out when the latest credential of a type has this many days left or fewer; each
# threshold once per credential (0: it has lapsed).
ALERT_THRESHOLDS = (60, 30, 7, 0)


def credential_record(
    *,
    trainee: Trainee,
    credential_type: CredentialType,
    number: str,
    issuer: str,
    issued_on: date | None,
    expires_on: date,
    by: Any,
) -> Credential:
    """Record a licence, certification or visa (a renewal is a new row; the old one stays)."""
    number, issuer = number.strip(), issuer.strip()
    if not number or not issuer:
        raise RecordError("Give the credential's number and who issued it.")
    if issued_on and issued_on > clock.today():
        raise RecordError(f"The issue date {issued_on:%B %-d, %Y} is in the future.")
    if issued_on and expires_on <= issued_on:
        raise RecordError(
            f"The expiry date {expires_on:%B %-d, %Y} must be after the issue date "
            f"{issued_on:%B %-d, %Y}."
        )
    with transaction.atomic():
        credential = Credential.objects.create(
            trainee=trainee,
            credential_type=credential_type,
            number=number,
            issuer=issuer,
            issued_on=issued_on,
            expires_on=expires_on,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit_record(
            by=by,
            action="credential_record",
            instance=credential,
            summary=f"{credential_type} for {trainee.person.full_name}, expires {expires_on}",
            changes={"trainee": trainee.pk, "type": credential_type.code},
        )
    return credential


def alert_threshold(days_left: int) -> int | None:
    """The tightest threshold reached: 25 days left -> the 30-day alert."""
    reached = [t for t in ALERT_THRESHOLDS if days_left <= t]
    return min(reached) if reached else None


def credential_alerts_send(*, day: date) -> int:
    """Send the expiry alerts due on `day` to each trainee and their program's coordinators;
    returns how many credentials were alerted. Each (credential, threshold) is sent once: run
    twice the same day it sends nothing more; after a missed day it catches up. A mail that
    fails rolls its alert back, so the next run tries again."""
    horizon = day + timedelta(days=max(ALERT_THRESHOLDS))
    candidates = Credential.objects.filter(expires_on__lte=horizon).values_list(
        "trainee_id", flat=True
    )
    trainees = Trainee.objects.filter(pk__in=candidates).select_related("person", "program")
    trainees = trainees.prefetch_related(*history_prefetch())
    active = {t.pk: t for t in trainees if day <= history_of(t).last_day}
    sent = 0
    for (trainee_id, _), credential in latest_credentials(active).items():
        threshold = alert_threshold((credential.expires_on - day).days)
        if threshold is None or credential.alerts.filter(threshold_days=threshold).exists():
            continue
        trainee = active[trainee_id]
        if _alert_one(credential=credential, trainee=trainee, threshold=threshold, day=day):
            sent += 1
    return sent


def _alert_one(*, credential: Credential, trainee: Trainee, threshold: int, day: date) -> bool:
    try:
        with transaction.atomic():
            CredentialAlert.objects.create(
                credential=credential, threshold_days=threshold, sent_on=day
            )
            _alert_mail(credential=credential, trainee=trainee, day=day)
    except IntegrityError:
        return False  # another run sent it a moment ago
    except Exception:
        logger.exception("could not send credential alert %s", credential.pk)
        return False
    return True


def _alert_mail(*, credential: Credential, trainee: Trainee, day: date) -> None:
    what = f"{credential.credential_type} ({credential.number}, {credential.issuer})"
    if credential.expires_on < day:
        when = f"expired on {credential.expires_on:%B %-d, %Y}"
    else:
        when = f"expires on {credential.expires_on:%B %-d, %Y}"
    name = trainee.person.full_name
    send_mail(
        f"Your {credential.credential_type} {when}",
        f"Dear {trainee.person.first_name},\n\nYour {what} {when}. Renew it and record the new "
        f"one in Rounds: {absolute_url('record:trainee', trainee.pk)}\n",
        settings.DEFAULT_FROM_EMAIL,
        [trainee.person.email],
    )
    coordinators = coordinator_emails(trainee.program)
    if coordinators:
        send_mail(
            f"{name}'s {credential.credential_type} {when}",
            f"{name}'s {what} {when}.\nWho is missing or expiring what: "
            f"{absolute_url('record:credentials')}\n",
            settings.DEFAULT_FROM_EMAIL,
            coordinators,
        )


def coordinator_emails(program: Program) -> list[str]:
    """The coordinator recorded on the program and every account with its coordinator role."""
    emails = set(
        RoleAssignment.objects.filter(
            role=Role.PROGRAM_COORDINATOR, program=program, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if program.coordinator_id:
        emails.add(Person.objects.get(pk=program.coordinator_id).email)
    return sorted(e for e in emails if e)


# Onboarding ---------------------------------------------------------------------------------

# Documents are checked by their first bytes, not by the name or the type the browser claims.
DOCUMENT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def onboarding_assign(*, day: date) -> int:
    """Give every incoming trainee (first day after `day`) the items of their program and the
    institution's, due `days_before_start` before their first day (today at the earliest).
    Safe to run any number of times (daily, and after a match import); returns how many new."""
    items = list(OnboardingItem.objects.filter(site__isnull=True))  # sites': site_access.py
    query = Trainee.objects.prefetch_related(*history_prefetch()).order_by("pk")
    tasks = []
    for trainee in query:
        history = history_of(trainee)
        if history.start <= day:
            continue
        program_id = history.program_on(history.start)
        for item in items:
            if item.program_id in (None, program_id):
                due = max(day, history.start - timedelta(days=item.days_before_start))
                tasks.append(OnboardingTask(trainee=trainee, item=item, due_on=due))
    before = OnboardingTask.objects.count()
    OnboardingTask.objects.bulk_create(tasks, ignore_conflicts=True)
    return OnboardingTask.objects.count() - before


def document_problem(name: str, data: bytes) -> str | None:
    """Why an uploaded document is refused, or None."""
    if not data:
        return f"The file {name} is empty. Choose the scanned document again."
    cap = max_upload_bytes()
    if len(data) > cap:
        return (
            f"The file {name} is {len(data) / 1024 / 1024:.1f} MB; documents up to "
            f"{cap / 1024 / 1024:.0f} MB are taken. Scan it at a lower resolution."
        )
    if not any(data.startswith(magic) for magic in DOCUMENT_TYPES):
        return f"The file {name} is not a PDF, PNG or JPEG. Save or scan it as one of those."
    return None


def onboarding_complete(
    *, task: OnboardingTask, by: Any, name: str = "", data: bytes | None = None
) -> OnboardingTask:
    """Mark a task done; a document task needs its file, checked before anything is written."""
    is_document = task.item.kind == OnboardingItem.Kind.DOCUMENT
    if task.done_at:
        raise RecordError(f"“{task.item.title}” is already done.")
    if is_document:
        if data is None:
            raise RecordError(f"“{task.item.title}” needs a file: choose it, then send.")
        name = upload_name(name)
        problem = document_problem(name, data)
        if problem:
            raise RecordError(problem)
    with transaction.atomic():
        locked = OnboardingTask.objects.select_for_update().get(pk=task.pk)
        if locked.done_at:
            raise RecordError(f"“{task.item.title}” is already done.")
        locked.done_at, locked.done_by = timezone.now(), by
        if is_document and data is not None:
            locked.file_name, locked.file_data = name, data
            locked.file_type = next(t for m, t in DOCUMENT_TYPES.items() if data.startswith(m))
        locked.save()
        audit_record(
            by=by,
            action="onboarding_done",
            instance=locked,
            summary=f"{task.item.title} done for trainee {task.trainee_id}",
            changes={"file": locked.file_name} if is_document else {},
        )
    return locked
