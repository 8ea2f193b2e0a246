"""Writes to work-hour logs. Each runs in one transaction with its audit row, and every change
to a log refreshes that trainee's stored findings before the transaction commits.

Concurrent writes: every write first locks the trainee's row (`_lock`), so two saves for one
trainee (a double click, two tabs) run one after the other: the overlap check sees the entry the
other just made, and the findings refresh never races itself. PostgreSQL also refuses
overlapping entries and leave by itself (exclusion constraints on the models); a form sent
twice with the same token writes once (rounds/lib/idempotency.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from rounds.core.services import audit_record
from rounds.engine.workhours import Finding as EngineFinding
from rounds.engine.workhours import check
from rounds.lib.idempotency import AlreadySubmitted, submit_once
from rounds.people.models import Trainee
from rounds.workhours.models import (
    LEAVE_NO_OVERLAP,
    MOONLIGHTING_KINDS,
    PERIOD_NO_OVERLAP,
    WINDOW_KINDS,
    EntryKind,
    Finding,
    LeaveSpan,
    LoggedPeriod,
    ViolationReview,
    WeekConfirmation,
)
from rounds.workhours.record import academic_year, limits_for, program_zone, trainee_record

MAX_ENTRY_HOURS = 36
PGY1_MOONLIGHTING = "PGY-1 residents may not moonlight (ACGME Common Program Requirements)."
M = TypeVar("M", bound=models.Model)


class WorkHoursError(Exception):
    """A change refused, with a sentence the person can act on; `field` names where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _lock(trainee: Trainee) -> None:
    """Hold the trainee's row until the transaction ends: one writer per trainee's log at a
    time (on SQLite the IMMEDIATE transaction already holds the whole database)."""
    list(Trainee.objects.select_for_update().filter(pk=trainee.pk).values_list("pk", flat=True))


def _once(*, token: str, scope: str, by: Any, model: type[M], write: Callable[[], M]) -> M:
    """`write` once per form token (rounds/lib/idempotency.py); a reused token of another
    person or form is refused with a sentence."""
    try:
        result, _first = submit_once(token=token, scope=scope, by=by, model=model, write=write)
    except AlreadySubmitted as error:
        raise WorkHoursError(error.message) from None
    return result


# --- logged periods ---------------------------------------------------------------------------


def _when(instant: datetime, trainee: Trainee) -> str:
    return f"{instant.astimezone(program_zone(trainee.program)):%a %b %-d %H:%M}"


def _validate_period(
    *, trainee: Trainee, kind: str, start: datetime, end: datetime, exclude: int | None = None
) -> None:
    if kind not in EntryKind.values:
        raise WorkHoursError(f"Unknown kind of time: {kind!r}.", "kind")
    if end <= start:
        raise WorkHoursError("The end must be after the start.", "end")
    if (end - start) > timedelta(hours=MAX_ENTRY_HOURS):
        raise WorkHoursError(
            f"One entry can be at most {MAX_ENTRY_HOURS} hours; log a longer stretch as "
            "two entries (for example the shift and the call).",
            "end",
        )
    if start > timezone.now():
        raise WorkHoursError(
            "This starts in the future; log time once you have worked it.", "start"
        )
    if kind in MOONLIGHTING_KINDS and trainee.pgy == 1:
        raise WorkHoursError(PGY1_MOONLIGHTING, "kind")
    if kind in WINDOW_KINDS:
        return
    others = LoggedPeriod.objects.filter(trainee=trainee, start__lt=end, end__gt=start)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    clash = others.exclude(kind__in=WINDOW_KINDS).first()
    if clash is not None:
        raise WorkHoursError(
            f"This overlaps your {clash.get_kind_display().lower()} from "
            f"{_when(clash.start, trainee)} to {_when(clash.end, trainee)}; change that entry "
            "instead of logging the time twice.",
            "start",
        )


def _period_changes(period: LoggedPeriod) -> dict[str, Any]:
    return {
        "kind": period.kind,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "note": period.note,
    }


def period_log(
    *,
    trainee: Trainee,
    kind: str,
    start: datetime,
    end: datetime,
    note: str = "",
    source: str = LoggedPeriod.Source.TYPED,
    token: str = "",
    by: Any,
) -> LoggedPeriod:
    """Log a stretch of time; the same form (`token`) sent twice logs it once."""

    def write() -> LoggedPeriod:
        return _period_create(
            trainee=trainee, kind=kind, start=start, end=end, note=note, source=source, by=by
        )

    with transaction.atomic():
        _lock(trainee)
        return _once(token=token, scope="workhours.log", by=by, model=LoggedPeriod, write=write)


def _period_create(
    *, trainee: Trainee, kind: str, start: datetime, end: datetime, note: str, source: str, by: Any
) -> LoggedPeriod:
    with transaction.atomic():
        _validate_period(trainee=trainee, kind=kind, start=start, end=end)
        period = LoggedPeriod(
            trainee=trainee, kind=kind, start=start, end=end, note=note, source=source
        )
        _period_save(period)
        audit_record(
            by=by,
            action="workhours.log",
            instance=period,
            summary=f"{trainee} logged {period}",
            changes=_period_changes(period),
        )
        findings_refresh(trainee=trainee, day=_local_day(trainee, start))
    return period


def period_update(
    *,
    period: LoggedPeriod,
    kind: str,
    start: datetime,
    end: datetime,
    note: str = "",
    version: datetime | None = None,
    by: Any,
) -> LoggedPeriod:
    """Change an entry; `version` is its `updated_at` when the form was opened."""
    with transaction.atomic():
        _lock(period.trainee)
        fresh = LoggedPeriod.objects.filter(pk=period.pk).select_related("trainee").first()
        if fresh is None:
            raise WorkHoursError("This entry was removed in another window after you opened it.")
        if version is not None and fresh.updated_at != version:
            raise WorkHoursError(
                "This entry was changed in another window after you opened it. Reload the "
                "page to see the change, then make yours again."
            )
        _validate_period(trainee=fresh.trainee, kind=kind, start=start, end=end, exclude=fresh.pk)
        before = _period_changes(fresh)
        fresh.kind, fresh.start, fresh.end, fresh.note = kind, start, end, note
        fresh.source = LoggedPeriod.Source.TYPED
        _period_save(fresh)
        after = _period_changes(fresh)
        audit_record(
            by=by,
            action="workhours.change",
            instance=fresh,
            summary=f"{fresh.trainee} changed {fresh}",
            changes={
                k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]
            },
        )
        old_day = _local_day(fresh.trainee, datetime.fromisoformat(before["start"]))
        new_day = _local_day(fresh.trainee, start)
        findings_refresh(trainee=fresh.trainee, day=old_day)
        if academic_year(old_day) != academic_year(new_day):
            findings_refresh(trainee=fresh.trainee, day=new_day)
    return fresh


def _period_save(period: LoggedPeriod) -> None:
    """Save, turning PostgreSQL's own overlap refusal (the check above ran under the trainee's
    lock, so only a write that bypassed it gets here) into the same sentence."""
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError as error:
        if PERIOD_NO_OVERLAP not in str(error):
            raise
        _validate_period(
            trainee=period.trainee,
            kind=period.kind,
            start=period.start,
            end=period.end,
            exclude=period.pk,
        )
        raise WorkHoursError(
            "This overlaps another entry of yours; reload the week and change that entry.",
            "start",
        ) from None


def _local_day(trainee: Trainee, instant: datetime) -> date:
    return instant.astimezone(program_zone(trainee.program)).date()


def period_remove(*, period: LoggedPeriod, by: Any) -> None:
    """Take an entry out of the log; the audit row keeps what it said. Removing an entry
    that is already gone (the button pressed twice) does nothing."""
    with transaction.atomic():
        _lock(period.trainee)
        if not LoggedPeriod.objects.filter(pk=period.pk).exists():
            return
        trainee, day = period.trainee, _local_day(period.trainee, period.start)
        audit_record(
            by=by,
            action="workhours.remove",
            instance=period,
            summary=f"{trainee} removed {period}",
            changes=_period_changes(period),
        )
        period.delete()
        findings_refresh(trainee=trainee, day=day)


def day_log_as_scheduled(*, trainee: Trainee, shifts: list[Any], by: Any) -> list[LoggedPeriod]:
    """One tap: log the day's scheduled shifts as worked. Shifts already logged are skipped."""
    created: list[LoggedPeriod] = []
    with transaction.atomic():
        _lock(trainee)  # a second tap waits for the first, then finds its shifts logged
        for shift in shifts:
            kind = "home_call" if shift.kind == "home_call" else shift.kind
            if LoggedPeriod.objects.filter(
                trainee=trainee, kind=kind, start=shift.start, end=shift.end
            ).exists():
                continue
            created.append(
                period_log(
                    trainee=trainee,
                    kind=kind,
                    start=shift.start,
                    end=shift.end,
                    note=getattr(shift, "label", "")[:200],
                    source=LoggedPeriod.Source.SCHEDULED,
                    by=by,
                )
            )
    return created


# --- leave and weeks --------------------------------------------------------------------------


def leave_record(
    *, trainee: Trainee, kind: str, start: date, end: date, token: str = "", by: Any
) -> LeaveSpan:
    """Record leave; the same form (`token`) sent twice records it once."""
    if end < start:
        raise WorkHoursError("The last day of leave is before the first.", "end")
    if (end - start).days > 120:
        raise WorkHoursError("Leave is entered at most 120 days at a time.", "end")

    def write() -> LeaveSpan:
        return _leave_create(trainee=trainee, kind=kind, start=start, end=end, by=by)

    with transaction.atomic():
        _lock(trainee)
        return _once(token=token, scope="workhours.leave", by=by, model=LeaveSpan, write=write)


def _leave_clash(trainee: Trainee, start: date, end: date) -> None:
    clash = LeaveSpan.objects.filter(trainee=trainee, start__lte=end, end__gte=start).first()
    if clash is not None:
        raise WorkHoursError(
            f"You already have {clash.get_kind_display().lower()} leave from "
            f"{clash.start:%b %-d} to {clash.end:%b %-d}; remove it first to change it.",
            "start",
        )


def _leave_create(*, trainee: Trainee, kind: str, start: date, end: date, by: Any) -> LeaveSpan:
    with transaction.atomic():
        _leave_clash(trainee, start, end)
        span = LeaveSpan(trainee=trainee, kind=kind, start=start, end=end)
        try:
            with transaction.atomic():
                span.save()
        except IntegrityError as error:
            if LEAVE_NO_OVERLAP not in str(error):
                raise
            _leave_clash(trainee, start, end)
            raise WorkHoursError("This overlaps leave you already have.", "start") from None
        audit_record(
            by=by,
            action="workhours.leave",
            instance=span,
            summary=f"{trainee} recorded {span}",
            changes={"kind": kind, "start": start.isoformat(), "end": end.isoformat()},
        )
        findings_refresh(trainee=trainee, day=start)
    return span


def leave_remove(*, span: LeaveSpan, by: Any) -> None:
    with transaction.atomic():
        _lock(span.trainee)
        if not LeaveSpan.objects.filter(pk=span.pk).exists():
            return  # removed already (the button pressed twice)
        trainee, day = span.trainee, span.start
        audit_record(
            by=by,
            action="workhours.leave_remove",
            instance=span,
            summary=f"{trainee} removed {span}",
            changes={
                "kind": span.kind,
                "start": span.start.isoformat(),
                "end": span.end.isoformat(),
            },
        )
        span.delete()
        findings_refresh(trainee=trainee, day=day)


def week_confirm(*, trainee: Trainee, week_start: date, by: Any) -> WeekConfirmation:
    with transaction.atomic():
        confirmation, created = WeekConfirmation.objects.get_or_create(
            trainee=trainee, week_start=week_start
        )
        if created:
            audit_record(
                by=by,
                action="workhours.week_confirm",
                instance=confirmation,
                summary=f"{trainee} confirmed the week of {week_start:%b %-d, %Y} complete",
                changes={"week_start": week_start.isoformat()},
            )
    return confirmation


# --- findings ---------------------------------------------------------------------------------


def finding_key(finding: EngineFinding) -> str:
    return f"{finding.rule}|{finding.start}|{finding.end}"


def findings_refresh(*, trainee: Trainee, day: date) -> tuple[int, int]:
    """Check the academic year around `day` and store what was found.

    New findings are added, ones still found get their sentence updated, ones no longer found
    are marked resolved (kept for any review they carry). Returns (open, resolved now).
    Runs under the trainee's lock, so two refreshes never both add the same finding.
    """
    with transaction.atomic():
        _lock(trainee)
        return _findings_store(trainee, day)


def _findings_store(trainee: Trainee, day: date) -> tuple[int, int]:
    first, last = academic_year(day)
    report = check(trainee_record(trainee, first, last), limits_for(trainee.program))
    warnings = report.warnings + _moonlighting_findings(trainee, first, last)
    now = timezone.now()
    stored = {
        f.key: f for f in Finding.objects.filter(trainee=trainee, starts_on__range=(first, last))
    }
    seen: set[str] = set()
    for severity, found in (("violation", report.violations), ("warning", warnings)):
        for item in found:
            if not first.isoformat() <= item.start[:10] <= last.isoformat():
                continue  # judged with the neighbouring academic year
            key = finding_key(item)
            seen.add(key)
            row = stored.get(key)
            if row is None:
                Finding.objects.create(
                    trainee=trainee,
                    severity=severity,
                    rule=item.rule,
                    start=item.start,
                    end=item.end,
                    starts_on=date.fromisoformat(item.start[:10]),
                    detail=item.detail,
                    key=key,
                )
            elif row.detail != item.detail or row.resolved_at is not None:
                row.detail, row.resolved_at = item.detail, None
                row.save(update_fields=["detail", "resolved_at"])
    gone = [f.pk for key, f in stored.items() if key not in seen and f.resolved_at is None]
    Finding.objects.filter(pk__in=gone).update(resolved_at=now)
    return len(seen), len(gone)


def _moonlighting_findings(trainee: Trainee, first: date, last: date) -> list[EngineFinding]:
    """Logged moonlighting on a day no approval covers: a warning beside the checker's (the
    moonlighting app decides which days are approved)."""
    from rounds.moonlighting.selectors import unapproved_moonlighting

    return unapproved_moonlighting(trainee, first, last)


def violation_review(*, finding: Finding, outcome: str, reason: str, by: Any) -> ViolationReview:
    reason = reason.strip()
    if outcome not in ViolationReview.Outcome.values:
        raise WorkHoursError("Choose what the review concluded.", "outcome")
    if len(reason) < 10:
        raise WorkHoursError(
            "Write the reason in a sentence (at least 10 characters): what happened and why.",
            "reason",
        )
    with transaction.atomic():
        review = ViolationReview.objects.create(
            finding=finding, outcome=outcome, reason=reason, reviewed_by=by
        )
        audit_record(
            by=by,
            action="workhours.review",
            instance=review,
            summary=f"Review of {finding.rule} for {finding.trainee}: {outcome}",
            changes={"finding": finding.pk, "outcome": outcome, "reason": reason},
        )
    return review
