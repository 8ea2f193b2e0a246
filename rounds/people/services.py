"""Writes to trainees' dated training history: each service adds one event, never changes one.

Every service checks the event against the history so far, saves it, brings the trainee's row
(program, PGY level, dates, closed status) to the last recorded state and writes the audit row,
in one transaction. `trainee_event_preview` says what an event would change before it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from rounds.core.models import Program
from rounds.core.services import audit_record
from rounds.people.models import Trainee, TrainingEvent
from rounds.people.training import History, history_build, history_of

Kind = TrainingEvent.Kind


class TrainingError(Exception):
    """A training event that cannot be recorded; the message says what to change."""


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _d(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


# ---------------------------------------------------------------- checking an event


def _check(trainee: Trainee, before: History, event: TrainingEvent) -> None:
    name = trainee.person.full_name
    day = event.effective_date
    if before.finished and event.kind != Kind.START:
        raise TrainingError(
            f"{name}'s training was closed ({before.finished[0]}) on {_d(before.finished[1])}; "
            "nothing can be recorded after that."
        )
    if event.kind == Kind.START:
        end = event.end_date or before.expected_end
        if end <= day:
            raise TrainingError(f"The expected end ({_d(end)}) must come after the start.")
        return
    if event.kind == Kind.EXTENSION:
        assert event.end_date is not None
        if event.end_date <= before.expected_end:
            raise TrainingError(
                f"An extension must move the expected end past {_d(before.expected_end)}."
            )
        return
    if not before.start <= day <= before.last_day:
        raise TrainingError(
            f"{_d(day)} is outside {name}'s training ({_d(before.start)} to {_d(before.last_day)})."
        )
    if event.kind == Kind.LEAVE:
        _check_leave(before, event)
    if event.kind == Kind.TRANSFER and event.program_id == before.program_on(day):
        raise TrainingError(f"{name} is already in that program on {_d(day)}.")
    if event.kind == Kind.PROMOTION and event.pgy == before.pgy_on(day):
        raise TrainingError(f"{name} is already PGY-{event.pgy} on {_d(day)}.")


def _check_leave(before: History, event: TrainingEvent) -> None:
    assert event.end_date is not None
    first, last = event.effective_date, event.end_date
    if last < first:
        raise TrainingError("The last day of leave must not come before the first.")
    if last > before.last_day:
        raise TrainingError(
            f"The leave runs past the end of training ({_d(before.last_day)}); "
            "record an extension first."
        )
    for a, b in before.leaves:
        if a <= last and first <= b:
            raise TrainingError(f"A leave of absence from {_d(a)} to {_d(b)} overlaps these days.")


# ---------------------------------------------------------------- previewing


@dataclass
class Preview:
    """What an event changes: sentences about the dates, and what rests on the days it takes."""

    changes: list[str] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)
    days_out: list[date] = field(default_factory=list)  # in training before, not after


def trainee_event_preview(*, trainee: Trainee, event: TrainingEvent) -> Preview:
    """Raise TrainingError if the event cannot be recorded, else say what it changes."""
    events = list(trainee.training_events.all())
    before = history_build(trainee, events)
    _check(trainee, before, event)
    after = history_build(trainee, [*events, event])
    preview = Preview()
    first = min(before.start, after.start)
    last = max(before.last_day, after.last_day)
    was, now = set(before.days_in(first, last)), set(after.days_in(first, last))
    preview.days_out = sorted(was - now)
    gained = sorted(now - was)
    if (before.start, before.last_day) != (after.start, after.last_day):
        preview.changes.append(
            f"Training: {_d(before.start)} to {_d(before.last_day)} becomes "
            f"{_d(after.start)} to {_d(after.last_day)}."
        )
    if preview.days_out:
        preview.changes.append(f"Out of training: {_runs(preview.days_out)}.")
    if gained:
        preview.changes.append(f"Newly in training: {_runs(gained)}.")
    day = event.effective_date
    if after.pgy_on(day) != before.pgy_on(day):
        preview.changes.append(
            f"PGY level from {_d(day)}: PGY-{before.pgy_on(day)} becomes PGY-{after.pgy_on(day)}."
        )
    if after.program_on(day) != before.program_on(day):
        names = dict(Program.objects.values_list("pk", "name"))
        preview.changes.append(
            f"Program from {_d(day)}: {names.get(before.program_on(day))} becomes "
            f"{names.get(after.program_on(day))}."
        )
    preview.consequences = _resting_on(trainee, preview.days_out)
    return preview


def _runs(days: list[date]) -> str:
    """Days said as runs: 'Oct 1, 2026 to Nov 11, 2026 (42 days)'."""
    runs: list[list[date]] = []
    for day in days:
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    said = [_d(r[0]) if len(r) == 1 else f"{_d(r[0])} to {_d(r[-1])} ({len(r)} days)" for r in runs]
    return "; ".join(said)


def _resting_on(trainee: Trainee, days: list[date]) -> list[str]:
    """Published rotation cells and call shifts that fall on days leaving training."""
    if not days:
        return []
    from rounds.schedules.models import CallAssignment, Rotation, RotationAssignment

    out_days = set(days)
    first, last = days[0], days[-1]
    cells = (
        RotationAssignment.objects.filter(
            trainee=trainee,
            schedule__status="published",
            block__start__lte=last,
            block__end__gte=first,
            rotation__kind__in=[k for k in Rotation.Kind.values if k != Rotation.Kind.VACATION],
        )
        .select_related("block", "rotation", "schedule__program")
        .order_by("block__start")
    )
    found = []
    for cell in cells:
        a, b = cell.block.half_range(cell.half)
        if any(a + timedelta(days=i) in out_days for i in range((b - a).days + 1)):
            found.append(f"{cell.block} on {cell.rotation.name}")
    lines = []
    if found:
        lines.append(
            f"{len(found)} published rotation cell{'s fall' if len(found) != 1 else ' falls'} on "
            "these "
            f"days and will be left out of the next solve: {', '.join(found)}."
        )
    shifts = CallAssignment.objects.filter(
        trainee=trainee, schedule__status="published", day__in=sorted(out_days)
    ).order_by("day")
    if shifts:
        said = ", ".join(f"{s.day:%b %-d}" for s in shifts[:10])
        lines.append(
            f"{len(shifts)} published call shift{'s fall' if len(shifts) != 1 else ' falls'} on "
            "these "
            f"days ({said}); rebuild or swap them."
        )
    return lines


# ---------------------------------------------------------------- recording


def _record(trainee: Trainee, event: TrainingEvent, by: Any) -> TrainingEvent:
    with transaction.atomic():
        trainee = Trainee.objects.select_for_update().select_related("person").get(pk=trainee.pk)
        event.trainee = trainee
        preview = trainee_event_preview(trainee=trainee, event=event)
        event.recorded_by = _user(by)
        event.save()
        after = history_of(trainee)
        _sync_row(trainee, after)
        audit_record(
            by=by,
            action="create",
            instance=event,
            summary=f"{event.get_kind_display()} of {trainee.person.full_name} "
            f"from {event.effective_date}",
            changes={"changes": preview.changes, "reason": event.reason},
        )
    return event


def _sync_row(trainee: Trainee, history: History) -> None:
    """The row holds the last recorded state, for pages and code that read it."""
    trainee.start_date = history.start
    trainee.expected_end_date = history.expected_end
    trainee.pgy = history.levels[-1][1]
    trainee.program_id = history.programs[-1][1]
    if history.finished:
        trainee.status = history.finished[0]
    elif trainee.status == Trainee.Status.LEAVE and history.leaves:
        trainee.status = Trainee.Status.ACTIVE  # the leave is dated now
    trainee.save(update_fields=["start_date", "expected_end_date", "pgy", "program", "status"])


def training_event_draft(
    *,
    trainee: Trainee,
    kind: str,
    first_day: date,
    last_day: date | None = None,
    program: Program | None = None,
    pgy: int | None = None,
    reason: str = "",
) -> TrainingEvent:
    """An unsaved event of any kind, for a preview or for `training_event_record`.

    `first_day` is the event's date (a start, a leave's first day, the day an extension is
    decided, the first day in the new program or at the new level, the last day in training
    for a completion or withdrawal); `last_day` is a leave's last day, an extension's new
    expected end, or a start's expected end.
    """
    if kind not in Kind.values:
        raise TrainingError(f"{kind!r} is not a kind of training event.")
    if kind in (Kind.LEAVE, Kind.EXTENSION) and last_day is None:
        what = "the last day of leave" if kind == Kind.LEAVE else "the new expected end"
        raise TrainingError(f"Give {what}.")
    if kind == Kind.TRANSFER and program is None:
        raise TrainingError("Choose the program the trainee transfers to.")
    if kind == Kind.PROMOTION and pgy is None:
        raise TrainingError("Give the new PGY level.")
    if pgy is not None and not 1 <= pgy <= 10:
        raise TrainingError("A PGY level is between 1 and 10.")
    history = history_of(trainee)
    event = TrainingEvent(
        trainee=trainee, kind=kind, effective_date=first_day, reason=reason,
        end_date=last_day if kind in (Kind.LEAVE, Kind.EXTENSION, Kind.START) else None,
        pgy=pgy if kind in (Kind.START, Kind.TRANSFER, Kind.PROMOTION) else None,
    )  # fmt: skip
    if event.pgy is not None:
        event.from_pgy = history.pgy_on(first_day)
    if kind == Kind.TRANSFER:
        assert program is not None
        event.program = program
        event.from_program_id = history.program_on(first_day)
    return event


def training_event_record(*, event: TrainingEvent, by: Any) -> TrainingEvent:
    """Check, save and audit an event made by `training_event_draft`."""
    return _record(event.trainee, event, by)


def trainee_start_set(
    *,
    trainee: Trainee,
    start: date,
    expected_end: date | None = None,
    pgy: int | None = None,
    reason: str = "",
    by: Any,
) -> TrainingEvent:
    """The start of training (an off-cycle start, or a start moved): a new start supersedes."""
    event = training_event_draft(
        trainee=trainee, kind=Kind.START, first_day=start, last_day=expected_end, pgy=pgy,
        reason=reason,
    )  # fmt: skip
    return _record(trainee, event, by)


def trainee_leave_of_absence_record(
    *, trainee: Trainee, first_day: date, last_day: date, reason: str = "", by: Any
) -> TrainingEvent:
    event = training_event_draft(
        trainee=trainee, kind=Kind.LEAVE, first_day=first_day, last_day=last_day, reason=reason
    )
    return _record(trainee, event, by)


def trainee_extend(
    *, trainee: Trainee, new_end: date, decided_on: date, reason: str = "", by: Any
) -> TrainingEvent:
    event = training_event_draft(
        trainee=trainee, kind=Kind.EXTENSION, first_day=decided_on, last_day=new_end,
        reason=reason,
    )  # fmt: skip
    return _record(trainee, event, by)


def trainee_transfer(
    *,
    trainee: Trainee,
    program: Program,
    first_day: date,
    pgy: int | None = None,
    reason: str = "",
    by: Any,
) -> TrainingEvent:
    event = training_event_draft(
        trainee=trainee, kind=Kind.TRANSFER, first_day=first_day, program=program, pgy=pgy,
        reason=reason,
    )  # fmt: skip
    return _record(trainee, event, by)


def trainee_promote(
    *, trainee: Trainee, pgy: int, first_day: date, reason: str = "", by: Any
) -> TrainingEvent:
    event = training_event_draft(
        trainee=trainee, kind=Kind.PROMOTION, first_day=first_day, pgy=pgy, reason=reason
    )
    return _record(trainee, event, by)


def trainee_complete(
    *, trainee: Trainee, last_day: date, reason: str = "", by: Any
) -> TrainingEvent:
    event = training_event_draft(
        trainee=trainee, kind=Kind.COMPLETION, first_day=last_day, reason=reason
    )
    return _record(trainee, event, by)


def trainee_withdraw(
    *, trainee: Trainee, last_day: date, reason: str = "", by: Any
) -> TrainingEvent:
    event = training_event_draft(
        trainee=trainee, kind=Kind.WITHDRAWAL, first_day=last_day, reason=reason
    )
    return _record(trainee, event, by)
