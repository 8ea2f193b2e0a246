"""The one adapter from the database to the engine: a trainee's log as a checker `Record`.

Every page that shows totals or findings goes through `trainee_record`, so the program view,
the trainee's week and the institution report judge exactly the same record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from rounds.core.models import Program
from rounds.engine.workhours import HomeCall, Leave, Limits, Period, Record, Rotation, Trainee
from rounds.people.models import Trainee as TraineeModel
from rounds.people.training import history_of
from rounds.workhours.models import WINDOW_KINDS, LeaveSpan, LoggedPeriod

BLOCK_DAYS = 28


@dataclass(frozen=True)
class PlannedPeriod:
    """A period not (yet) in the log: a coming scheduled shift or a what-if."""

    start: datetime
    end: datetime
    kind: str


def program_zone(program: Program) -> ZoneInfo:
    """The program's wall clock: its primary site's time zone, else the institution default."""
    cached: ZoneInfo | None = getattr(program, "_workhours_zone", None)
    if cached is None:
        primary = program.programsite_set.filter(is_primary=True).select_related("site").first()
        cached = ZoneInfo(primary.site.timezone if primary else settings.TIME_ZONE)
        program._workhours_zone = cached  # type: ignore[attr-defined]  # one query per request
    return cached


def academic_year(day: date) -> tuple[date, date]:
    """July 1 to June 30, the year GME runs on."""
    first = date(day.year if day.month >= 7 else day.year - 1, 7, 1)
    return first, date(first.year + 1, 6, 30)


def year_blocks(day: date) -> tuple[Rotation, ...]:
    """The academic year in 13 four-week blocks, the last one running to June 30.

    Used as the averaging windows until the rotation schedule can supply real rotations, so a
    trainee's windows do not move when they log an earlier day.
    """
    first, last = academic_year(day)
    blocks: list[Rotation] = []
    start = first
    for number in range(1, 14):
        end = last if number == 13 else start + timedelta(days=BLOCK_DAYS - 1)
        blocks.append(Rotation(f"Block {number}", start, end))
        start = end + timedelta(days=1)
    return tuple(blocks)


def _blocks_around(start: date, end: date) -> tuple[Rotation, ...]:
    """Blocks covering `start` to `end` and a day either side: a night shift that crosses into
    the next academic year is judged in that year's first block, not in a one-day window."""
    lo, hi = start - timedelta(days=1), end + timedelta(days=1)
    years = sorted({academic_year(lo)[0], academic_year(start)[0], academic_year(hi)[0]})
    return tuple(b for y in years for b in year_blocks(y) if b.end >= lo and b.start <= hi)


def limits_for(program: Program) -> Limits:
    return Limits(weekly_limit_hours=program.weekly_hours_limit)


def trainee_record(
    trainee: TraineeModel,
    start: date,
    end: date,
    *,
    extra: Iterable[PlannedPeriod] = (),
    zone: ZoneInfo | None = None,
) -> Record:
    """The checker's record of `trainee` from `start` to `end` (local days, inclusive).

    `extra` adds periods that are not logged (scheduled shifts still to come, what-ifs), so the
    same checker can say what would happen if they were worked.
    """
    zone = zone or program_zone(trainee.program)
    return trainee_records([trainee], start, end, zone=zone, extra=extra)[trainee.pk]


def record_from(
    trainee: TraineeModel,
    rows: Iterable[LoggedPeriod],
    leave: Iterable[LeaveSpan],
    start: date,
    end: date,
    zone: ZoneInfo,
) -> Record:
    """`trainee_record` from rows already read: the entries overlapping the local days `start`
    to `end` and the leave spans overlapping them."""
    return _record(trainee, list(rows), list(leave), [], start, end, zone)


def record_plus(record: Record, extra: Iterable[PlannedPeriod]) -> Record:
    """`record` with `extra` added, as `trainee_record(..., extra=extra)` would read it, without
    asking the database again: what-ifs try many extras against one logged record."""
    planned = list(extra)
    periods = [*record.periods]
    periods += [Period(p.start, p.end, p.kind) for p in planned if p.kind not in WINDOW_KINDS]
    calls = [*record.home_call]
    calls += [HomeCall(p.start, p.end) for p in planned if p.kind in WINDOW_KINDS]
    return replace(
        record,
        periods=tuple(sorted(periods, key=lambda p: (p.start, p.end))),
        home_call=tuple(sorted(calls, key=lambda c: (c.start, c.end))),
    )


def trainee_records(
    trainees: Iterable[TraineeModel],
    start: date,
    end: date,
    *,
    zone: ZoneInfo,
    extra: Iterable[PlannedPeriod] = (),
) -> dict[int, Record]:
    """`trainee_record` for many trainees of one wall clock, in two queries."""
    by_id = {t.pk: t for t in trainees}
    lo = datetime.combine(start, datetime.min.time(), zone)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)
    rows: dict[int, list[LoggedPeriod]] = {pk: [] for pk in by_id}
    for row in (
        LoggedPeriod.objects.filter(trainee_id__in=list(by_id), start__lt=hi, end__gt=lo)
        .only("trainee_id", "start", "end", "kind")
        .order_by("start")
    ):
        rows[row.trainee_id].append(row)
    leave: dict[int, list[LeaveSpan]] = {pk: [] for pk in by_id}
    spans = LeaveSpan.objects.filter(trainee_id__in=list(by_id), start__lte=end, end__gte=start)
    for span in spans:
        leave[span.trainee_id].append(span)
    planned = list(extra)
    return {
        pk: _record(t, rows[pk], leave[pk], planned, start, end, zone) for pk, t in by_id.items()
    }


def _record(
    trainee: TraineeModel,
    rows: list[LoggedPeriod],
    leave: list[LeaveSpan],
    extra: list[PlannedPeriod],
    start: date,
    end: date,
    zone: ZoneInfo,
) -> Record:
    periods = [Period(r.start, r.end, r.kind) for r in rows if r.kind not in WINDOW_KINDS]
    periods += [Period(p.start, p.end, p.kind) for p in extra if p.kind not in WINDOW_KINDS]
    calls = [HomeCall(r.start, r.end) for r in rows if r.kind in WINDOW_KINDS]
    calls += [HomeCall(p.start, p.end) for p in extra if p.kind in WINDOW_KINDS]
    # Logged leave and any leave of absence in the training history; the checker warns, naming
    # the day, where work was logged on one and counts that day as worked.
    history = history_of(trainee)
    spans = [(s.start, s.end) for s in leave]
    spans += [(a, b) for a, b in history.leaves if a <= end and b >= start]
    return Record(
        trainee=Trainee(
            id=str(trainee.pk), pgy=history.pgy_on(min(end, max(start, history.start)))
        ),
        timezone=zone.key,
        rotations=_blocks_around(start, end),
        leave=tuple(Leave(max(a, start), min(b, end)) for a, b in sorted(spans)),
        periods=tuple(sorted(periods, key=lambda p: (p.start, p.end))),
        home_call=tuple(sorted(calls, key=lambda c: (c.start, c.end))),
    )
