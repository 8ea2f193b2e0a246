"""Reads for work-hour pages and for other areas (the wellness committee's workload figures)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from rounds.core.models import Program
from rounds.engine.workhours import RULES, check, weekly_averages
from rounds.lib import today as clock
from rounds.lib.disclosure import group_is_shown
from rounds.people.models import Trainee
from rounds.people.training import history_of, trainees_in_training
from rounds.workhours.models import (
    WINDOW_KINDS,
    EntryKind,
    Finding,
    LeaveSpan,
    LoggedPeriod,
    WeekConfirmation,
)
from rounds.workhours.record import (
    PlannedPeriod,
    Record,
    academic_year,
    limits_for,
    program_zone,
    record_from,
    record_plus,
    trainee_record,
    trainee_records,
    year_blocks,
)

VIOLATION_RULES = [rule for rule, (kind, _) in RULES.items() if kind == "violation"]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Instants of local midnight at `start` and after `end` (inclusive local days)."""
    lo = datetime.combine(start, datetime.min.time(), zone)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)
    return lo, hi


def _clipped_hours(periods: Iterable[LoggedPeriod], lo: datetime, hi: datetime) -> float:
    total = 0.0
    for p in periods:
        if p.kind in WINDOW_KINDS:
            continue
        seconds = (min(p.end, hi) - max(p.start, lo)).total_seconds()
        total += max(seconds, 0.0)
    return total / 3600


def _leave_days(spans: Iterable[LeaveSpan], start: date, end: date) -> int:
    days: set[date] = set()
    for s in spans:
        day = max(s.start, start)
        while day <= min(s.end, end):
            days.add(day)
            day += timedelta(days=1)
    return len(days)


@dataclass(frozen=True)
class TraineeLog:
    """One trainee's log over local days `first` to `last`, read once: every entry overlapping
    them (by start and end, as the model orders them), every leave span overlapping them, the
    weeks confirmed in them. A page that asks many questions of the same log (the week page
    asks six) answers each from here instead of reading the rows again."""

    first: date
    last: date
    zone: ZoneInfo
    periods: tuple[LoggedPeriod, ...]
    leave: tuple[LeaveSpan, ...]
    confirmed: frozenset[date]

    def covers(self, start: date, end: date) -> bool:
        return self.first <= start and end <= self.last

    def overlapping(self, lo: datetime, hi: datetime) -> list[LoggedPeriod]:
        return [p for p in self.periods if p.start < hi and p.end > lo]

    def starting(self, lo: datetime, hi: datetime) -> list[LoggedPeriod]:
        return [p for p in self.periods if lo <= p.start < hi]

    def leave_overlapping(self, start: date, end: date) -> list[LeaveSpan]:
        return [s for s in self.leave if s.start <= end and s.end >= start]


def log_of(trainee: Trainee, first: date, last: date) -> TraineeLog:
    zone = program_zone(trainee.program)
    lo, hi = local_bounds(first, last, zone)
    return TraineeLog(
        first=first,
        last=last,
        zone=zone,
        periods=tuple(LoggedPeriod.objects.filter(trainee=trainee, start__lt=hi, end__gt=lo)),
        leave=tuple(LeaveSpan.objects.filter(trainee=trainee, start__lte=last, end__gte=first)),
        confirmed=frozenset(
            WeekConfirmation.objects.filter(
                trainee=trainee, week_start__range=(first, last)
            ).values_list("week_start", flat=True)
        ),
    )


def week_page_log(trainee: Trainee) -> TraineeLog:
    """What the week page reads: this academic year's log from its first Monday, and the four
    weeks before it that the suggestions may copy from."""
    zone = program_zone(trainee.program)
    first, last = academic_year(clock.today(zone))
    return log_of(trainee, monday_of(first) - timedelta(days=28), last)


def _covering(log: TraineeLog | None, start: date, end: date) -> TraineeLog | None:
    return log if log is not None and log.covers(start, end) else None


# --- for the wellness committee ---------------------------------------------------------------


@dataclass(frozen=True)
class ProgramWorkload:
    """A program's logged workload over a span, for showing beside survey results.

    The averages are None when fewer trainees logged than the minimum cell size (a figure about
    two people is a figure about each of them). `violations` counts open violations found in
    the logs whose finding starts in the span; it counts events, not people.
    """

    trainees_logging: int
    average_weekly_hours: float | None
    in_house_calls_per_4_weeks: float | None
    violations: int
    violations_by_rule: dict[str, int] = field(default_factory=dict)


def program_workload(program: Program, start: date, end: date) -> ProgramWorkload:
    zone = program_zone(program)
    lo, hi = local_bounds(start, end, zone)
    periods = LoggedPeriod.objects.filter(
        trainee__program=program, start__lt=hi, end__gt=lo
    ).exclude(kind__in=WINDOW_KINDS)
    by_trainee: dict[int, list[LoggedPeriod]] = defaultdict(list)
    for p in periods:
        by_trainee[p.trainee_id].append(p)
    leave: dict[int, list[LeaveSpan]] = defaultdict(list)
    for s in LeaveSpan.objects.filter(trainee_id__in=by_trainee, start__lte=end, end__gte=start):
        leave[s.trainee_id].append(s)
    span_days = (end - start).days + 1
    weekly: list[float] = []
    calls: list[float] = []
    for trainee_id, rows in by_trainee.items():
        days = span_days - _leave_days(leave[trainee_id], start, end)
        if days <= 0:
            continue
        weekly.append(_clipped_hours(rows, lo, hi) / days * 7)
        n_calls = sum(1 for p in rows if p.kind == EntryKind.IN_HOUSE_CALL and p.start >= lo)
        calls.append(n_calls / days * 28)
    shown = group_is_shown(len(by_trainee))
    found = Counter(
        Finding.objects.filter(
            trainee__program=program,
            severity=Finding.Severity.VIOLATION,
            resolved_at__isnull=True,
            starts_on__range=(start, end),
        ).values_list("rule", flat=True)
    )
    return ProgramWorkload(
        trainees_logging=len(by_trainee),
        average_weekly_hours=round(sum(weekly) / len(weekly), 1) if shown and weekly else None,
        in_house_calls_per_4_weeks=round(sum(calls) / len(calls), 1) if shown and calls else None,
        violations=sum(found.values()),
        violations_by_rule=dict(sorted(found.items())),
    )


# --- the trainee's week -----------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A shift the trainee can log with one tap: from the schedule, or last week's log."""

    start: datetime
    end: datetime
    kind: str
    label: str
    conference: bool = False  # an attended conference session (its label names it)

    @property
    def kind_label(self) -> str:
        return EntryKind(self.kind).label if self.kind in EntryKind.values else self.kind


def _schedule_reader() -> Any:
    try:
        from rounds.schedules.selectors import scheduled_shifts
    except ImportError:  # the schedules area is optional: fall back to last week's log
        return None
    return scheduled_shifts


def schedule_available() -> bool:
    return _schedule_reader() is not None


def scheduled_suggestions(trainee: Trainee, start: date, end: date) -> list[Suggestion]:
    reader = _schedule_reader()
    if reader is None:
        return []
    found = []
    for shift in reader(trainee, start, end):
        kind = shift.kind if shift.kind in EntryKind.values else EntryKind.CLINICAL
        found.append(Suggestion(shift.start, shift.end, kind, str(getattr(shift, "label", ""))))
    return found


def week_suggestions(
    trainee: Trainee, monday: date, log: TraineeLog | None = None
) -> tuple[dict[date, list[Suggestion]], str]:
    """What one tap would log on each day of the week starting `monday`, and the source.

    A week the published schedule covers is pre-filled from it (an empty day is a day off);
    otherwise each day repeats the same weekday of the trainee's last logged week (from `log`
    when it covers the four weeks before).
    """
    zone = program_zone(trainee.program)
    by_day: dict[date, list[Suggestion]] = defaultdict(list)
    shifts = scheduled_suggestions(trainee, monday, monday + timedelta(days=6))
    if shifts:
        for shift in shifts:
            by_day[shift.start.astimezone(zone).date()].append(shift)
        return _with_conferences(trainee, monday, by_day, zone), "schedule"
    for weeks_back in range(1, 5):
        shift_by = timedelta(days=7 * weeks_back)
        lo, hi = local_bounds(monday - shift_by, monday - shift_by + timedelta(days=6), zone)
        earlier_log = _covering(log, monday - shift_by, monday - shift_by + timedelta(days=6))
        rows = (
            earlier_log.starting(lo, hi)
            if earlier_log
            else list(LoggedPeriod.objects.filter(trainee=trainee, start__gte=lo, start__lt=hi))
        )
        if not rows:
            continue
        for p in rows:
            earlier = p.start.astimezone(zone).date()
            by_day[earlier + shift_by].append(
                Suggestion(
                    _same_wall_clock(p.start, shift_by, zone),
                    _same_wall_clock(p.end, shift_by, zone),
                    p.kind,
                    f"{earlier:%a %b %-d}",
                )
            )
        break
    return _with_conferences(trainee, monday, by_day, zone), "last week"


def _with_conferences(
    trainee: Trainee, monday: date, by_day: dict[date, list[Suggestion]], zone: ZoneInfo
) -> dict[date, list[Suggestion]]:
    """Add the conference sessions the trainee checked in to as education time, less any part
    that a suggested shift or a logged entry already covers (education inside a shift is
    already counted in the shift's hours; see docs/conferences.md)."""
    try:
        from rounds.conferences.selectors import attended_periods
    except ImportError:  # the conferences area is optional
        return by_day
    sessions = attended_periods(trainee, monday, monday + timedelta(days=6))
    if not sessions:
        return by_day
    lo, hi = local_bounds(monday, monday + timedelta(days=6), zone)
    logged = [
        (p.start, p.end)
        for p in LoggedPeriod.objects.filter(trainee=trainee, start__lt=hi, end__gt=lo)
    ]
    covered = logged + [(s.start, s.end) for day in by_day.values() for s in day]
    for start, end, label in sessions:
        for piece_start, piece_end in _uncovered(start, end, covered):
            by_day[piece_start.astimezone(zone).date()].append(
                Suggestion(piece_start, piece_end, EntryKind.EDUCATION, label[:200], True)
            )
    return by_day


def _uncovered(
    start: datetime, end: datetime, covered: Iterable[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) outside every interval of `covered`."""
    pieces = [(start, end)]
    for c_start, c_end in covered:
        pieces = [
            part
            for p_start, p_end in pieces
            for part in ((p_start, min(p_end, c_start)), (max(p_start, c_end), p_end))
            if part[0] < part[1]
        ]
    return pieces


def day_suggestions(trainee: Trainee, day: date) -> tuple[list[Suggestion], str]:
    """What one tap would log for `day` (see `week_suggestions`)."""
    by_day, source = week_suggestions(trainee, monday_of(day))
    return by_day.get(day, []), source


def _same_wall_clock(instant: datetime, shift: timedelta, zone: ZoneInfo) -> datetime:
    """The same local time `shift` later (a 07:00 start stays 07:00 across a clock change)."""
    local = instant.astimezone(zone).replace(tzinfo=None) + shift
    return local.replace(tzinfo=zone)


@dataclass
class DayView:
    day: date
    periods: list[LoggedPeriod]
    suggestions: list[Suggestion]
    leave: LeaveSpan | None
    hours: float
    is_future: bool
    is_today: bool

    @property
    def open_suggestions(self) -> list[Suggestion]:
        """Suggestions not logged yet whose start has come (time is logged once worked)."""
        logged = {(p.start, p.end) for p in self.periods}
        now = timezone.now()
        return [s for s in self.suggestions if (s.start, s.end) not in logged and s.start <= now]


@dataclass
class WeekView:
    trainee: Trainee
    monday: date
    days: list[DayView]
    total_hours: float
    confirmed: bool
    suggestion_source: str
    zone: ZoneInfo

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def days_to_tap(self) -> list[DayView]:
        return [d for d in self.days if d.open_suggestions]

    @property
    def is_logged(self) -> bool:
        return self.confirmed or any(d.periods or d.leave for d in self.days)


def week_view(trainee: Trainee, monday: date, log: TraineeLog | None = None) -> WeekView:
    """The week starting `monday`, day by day (from `log` when it covers the week)."""
    zone = program_zone(trainee.program)
    sunday = monday + timedelta(days=6)
    lo, hi = local_bounds(monday, sunday, zone)
    week_log = _covering(log, monday, sunday)
    if week_log is not None:
        periods = week_log.overlapping(lo, hi)
        leave = week_log.leave_overlapping(monday, sunday)
        confirmed = monday in week_log.confirmed
    else:
        periods = list(LoggedPeriod.objects.filter(trainee=trainee, start__lt=hi, end__gt=lo))
        leave = list(LeaveSpan.objects.filter(trainee=trainee, start__lte=sunday, end__gte=monday))
        confirmed = WeekConfirmation.objects.filter(trainee=trainee, week_start=monday).exists()
    today = clock.today(zone)
    days: list[DayView] = []
    by_day, source = week_suggestions(trainee, monday, log)
    for n in range(7):
        day = monday + timedelta(days=n)
        d_lo, d_hi = local_bounds(day, day, zone)
        suggestions = by_day.get(day, []) if day <= today else []
        days.append(
            DayView(
                day=day,
                periods=[p for p in periods if d_lo <= p.start < d_hi],
                suggestions=suggestions,
                leave=next((s for s in leave if s.start <= day <= s.end), None),
                # The whole of each entry on the day it started, as the entries are listed.
                hours=sum(p.hours for p in periods if d_lo <= p.start < d_hi and p.is_work),
                is_future=day > today,
                is_today=day == today,
            )
        )
    return WeekView(
        trainee=trainee,
        monday=monday,
        days=days,
        total_hours=_clipped_hours(periods, lo, hi),
        confirmed=confirmed,
        suggestion_source=source,
        zone=zone,
    )


def week_findings(trainee: Trainee, monday: date) -> list[Finding]:
    """Open findings about the week: periods in it, and averaging windows that include it."""
    sunday = monday + timedelta(days=6)
    candidates = Finding.objects.filter(
        trainee=trainee,
        resolved_at__isnull=True,
        starts_on__lte=sunday,
        starts_on__gte=monday - timedelta(days=40),
    ).prefetch_related("reviews")
    return [
        f
        for f in candidates
        if f.starts_on >= monday or (len(f.end) == 10 and f.end >= monday.isoformat())
    ]


def violation_weeks(trainee: Trainee, today: date) -> list[date]:
    """Mondays of the weeks this academic year where an open violation starts."""
    first, last = academic_year(today)
    days = Finding.objects.filter(
        trainee=trainee,
        severity=Finding.Severity.VIOLATION,
        resolved_at__isnull=True,
        starts_on__range=(first, last),
    ).values_list("starts_on", flat=True)
    return sorted({monday_of(day) for day in days})


def logged_weeks(trainee: Trainee, start: date, end: date) -> set[date]:
    """Mondays of the weeks from `start` to `end` that have anything logged or confirmed."""
    zone = program_zone(trainee.program)
    return _logged_weeks_of([trainee.pk], start, end, zone)[trainee.pk]


def _logged_weeks_of(
    trainee_ids: list[int], start: date, end: date, zone: ZoneInfo
) -> dict[int, set[date]]:
    lo, hi = local_bounds(start, end, zone)
    starts = LoggedPeriod.objects.filter(
        trainee_id__in=trainee_ids, start__gte=lo, start__lt=hi
    ).values_list("trainee_id", "start")
    leave = LeaveSpan.objects.filter(
        trainee_id__in=trainee_ids, start__lte=end, end__gte=start
    ).values_list("trainee_id", "start", "end")
    confirmed = WeekConfirmation.objects.filter(
        trainee_id__in=trainee_ids, week_start__range=(start, end)
    ).values_list("trainee_id", "week_start")
    return _weeks_logged(starts, leave, confirmed, zone)


def _logged_weeks_in(trainee_id: int, log: TraineeLog, start: date, end: date) -> set[date]:
    """`_logged_weeks_of` for one trainee, from a log that covers `start` to `end`."""
    lo, hi = local_bounds(start, end, log.zone)
    starts = [(trainee_id, p.start) for p in log.starting(lo, hi)]
    leave = [(trainee_id, s.start, s.end) for s in log.leave_overlapping(start, end)]
    confirmed = [(trainee_id, week) for week in log.confirmed if start <= week <= end]
    return _weeks_logged(starts, leave, confirmed, log.zone)[trainee_id]


def _weeks_logged(
    starts: Iterable[tuple[int, datetime]],
    leave: Iterable[tuple[int, date, date]],
    confirmed: Iterable[tuple[int, date]],
    zone: ZoneInfo,
) -> dict[int, set[date]]:
    """Mondays of the weeks with an entry starting, a day of leave, or a confirmation."""
    found: dict[int, set[date]] = defaultdict(set)
    for trainee_id, instant in starts:
        found[trainee_id].add(monday_of(instant.astimezone(zone).date()))
    for trainee_id, s, e in leave:
        week = monday_of(s)
        while week <= e:
            found[trainee_id].add(week)
            week += timedelta(days=7)
    for trainee_id, week_start in confirmed:
        found[trainee_id].add(week_start)
    return found


def missing_weeks(
    trainee: Trainee, today: date | None = None, log: TraineeLog | None = None
) -> list[date]:
    """Mondays of finished weeks this academic year (since the trainee began) not logged."""
    return missing_weeks_of([trainee], today, log)[trainee.pk]


def missing_weeks_of(
    trainees: Sequence[Trainee], today: date | None = None, log: TraineeLog | None = None
) -> dict[int, list[date]]:
    """`missing_weeks` for many trainees of one program in three queries (none for one trainee
    whose `log` covers the weeks)."""
    result: dict[int, list[date]] = {t.pk: [] for t in trainees}
    if not trainees:
        return result
    today = today or clock.today()
    year_start = academic_year(today)[0]
    last_finished = monday_of(today) - timedelta(days=7)
    earliest = monday_of(max(year_start, min(history_of(t).start for t in trainees)))
    if last_finished < earliest:
        return result
    zone = program_zone(trainees[0].program)
    end = last_finished + timedelta(days=6)
    covering = _covering(log, earliest, end)
    logged = (
        {trainees[0].pk: _logged_weeks_in(trainees[0].pk, covering, earliest, end)}
        if covering is not None and len(trainees) == 1
        else _logged_weeks_of([t.pk for t in trainees], earliest, end, zone)
    )
    for t in trainees:
        history = history_of(t)
        monday = monday_of(max(year_start, history.start))
        while monday <= last_finished:
            # A week with no day in training (leave, not started, finished) is not asked for.
            if monday not in logged[t.pk] and history.in_training_during(
                monday, monday + timedelta(days=6)
            ):
                result[t.pk].append(monday)
            monday += timedelta(days=7)
    return result


# --- running totals and rules at risk ---------------------------------------------------------


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Outlook:
    week_hours: float
    window_name: str
    window_start: date
    window_end: date
    window_average: float
    limit: float
    broken: list[str]  # open violations already in the log, this window
    at_risk: list[str]  # sentences about what the coming days would break


def outlook(trainee: Trainee, today: date | None = None, log: TraineeLog | None = None) -> Outlook:
    """Totals so far and the rules the coming days put at risk, judged by the checker (on
    `log` when it covers the academic year)."""
    zone = program_zone(trainee.program)
    today = today or clock.today(zone)
    limits = limits_for(trainee.program)
    first, last = academic_year(today)
    block = next(b for b in year_blocks(today) if b.start <= today <= b.end)
    monday = monday_of(today)
    year_log = _covering(log, min(first, monday), last)
    lo = local_bounds(min(block.start, monday), today, zone)[0]
    hi = local_bounds(today, block.end, zone)[1]
    if year_log is not None:
        periods = year_log.overlapping(lo, hi)
        leave = year_log.leave_overlapping(block.start, today)
    else:
        periods = list(LoggedPeriod.objects.filter(trainee=trainee, start__lt=hi, end__gt=lo))
        leave = list(
            LeaveSpan.objects.filter(trainee=trainee, start__lte=today, end__gte=block.start)
        )
    week_lo, week_hi = local_bounds(monday, monday + timedelta(days=6), zone)
    week_hours = _clipped_hours(periods, week_lo, week_hi)
    block_lo, now_hi = local_bounds(block.start, today, zone)
    days_so_far = (today - block.start).days + 1 - _leave_days(leave, block.start, today)
    window_average = _clipped_hours(periods, block_lo, now_hi) / max(days_so_far, 1) * 7

    if year_log is not None:
        year_lo, year_hi = local_bounds(first, last, zone)
        record = record_from(
            trainee,
            year_log.overlapping(year_lo, year_hi),
            year_log.leave_overlapping(first, last),
            first,
            last,
            zone,
        )
    else:
        record = trainee_record(trainee, first, last)
    logged = check(record, limits)
    logged_keys = {(f.rule, f.start) for f in logged.violations}
    broken = [
        f.detail
        for f in logged.violations
        if block.start.isoformat() <= f.start[:10] <= block.end.isoformat()
    ]

    coming, basis = _coming_days(trainee, today, block.end, zone, log)
    at_risk: list[str] = []
    if coming:
        planned = check(record_plus(record, coming), limits)
        at_risk += [
            f"{basis} would break this: {f.detail}"
            for f in planned.violations
            if (f.rule, f.start) not in logged_keys
        ]
    at_risk += _call_what_if(
        record, trainee, today, block.end, week_hours, coming, logged_keys, limits
    )
    return Outlook(
        week_hours=round(week_hours, 1),
        window_name=block.name,
        window_start=block.start,
        window_end=block.end,
        window_average=round(window_average, 1),
        limit=limits.weekly_limit_hours,
        broken=broken,
        at_risk=at_risk,
    )


def _coming_days(
    trainee: Trainee, today: date, until: date, zone: ZoneInfo, log: TraineeLog | None = None
) -> tuple[list[PlannedPeriod], str]:
    """The work expected after today up to `until`: the schedule, or else the last 7 days again."""
    tomorrow = today + timedelta(days=1)
    if until < tomorrow:
        return [], ""
    shifts = scheduled_suggestions(trainee, tomorrow, until)
    if shifts:
        return [
            PlannedPeriod(s.start, s.end, s.kind) for s in shifts
        ], "Your schedule for the coming days"
    lo, hi = local_bounds(today - timedelta(days=6), today, zone)
    recent_log = _covering(log, today - timedelta(days=6), today)
    recent = (
        recent_log.starting(lo, hi)
        if recent_log
        else list(LoggedPeriod.objects.filter(trainee=trainee, start__gte=lo, start__lt=hi))
    )
    limit = local_bounds(until, until, zone)[1]
    coming: list[PlannedPeriod] = []
    weeks = 1
    while recent and weeks * 7 <= (until - today).days + 7:
        for p in recent:
            start = _same_wall_clock(p.start, timedelta(days=7 * weeks), zone)
            if start >= local_bounds(tomorrow, tomorrow, zone)[0] and start < limit:
                end = _same_wall_clock(p.end, timedelta(days=7 * weeks), zone)
                coming.append(PlannedPeriod(start, end, p.kind))
        weeks += 1
    return coming, "If the rest of the block goes like your last seven days, that"


def _call_what_if(
    record: Record,
    trainee: Trainee,
    today: date,
    window_end: date,
    week_hours: float,
    coming: Sequence[PlannedPeriod],
    already: set[tuple[str, str]],
    limits: Any,
) -> list[str]:
    """Would one more 24-hour call this week break the weekly average? Say which day first."""
    zone = program_zone(trainee.program)
    sunday = monday_of(today) + timedelta(days=6)
    day = today + timedelta(days=1)
    while day <= min(sunday, window_end):
        start = datetime.combine(day, datetime.min.time(), zone).replace(hour=7)
        call = PlannedPeriod(
            start, _same_wall_clock(start, timedelta(days=1), zone), "in_house_call"
        )
        report = check(record_plus(record, [*coming, call]), limits)
        if any(
            f.rule == "weekly-hours" and (f.rule, f.start) not in already for f in report.violations
        ):
            return [
                f"You are at {week_hours:.0f} hours this week; a 24-hour call on "
                f"{DAY_NAMES[day.weekday()]} would break the {limits.weekly_limit_hours:g}-hour "
                "average."
            ]
        day += timedelta(days=1)
    return []


# --- program and institution ------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    number: int
    name: str
    start: date
    end: date


def blocks_so_far(today: date) -> list[Block]:
    return [
        Block(n, b.name, b.start, b.end)
        for n, b in enumerate(year_blocks(today), start=1)
        if b.start <= today
    ]


def _block_of(day: date, blocks: Sequence[Block]) -> int | None:
    for b in blocks:
        if b.start <= day <= b.end:
            return b.number
    return None


def block_hours(
    trainee_ids: Iterable[int], blocks: Sequence[Block], zone: ZoneInfo
) -> dict[tuple[int, int], float]:
    """Average weekly hours per (trainee, block), only where something is logged in the block.

    The one computation of this figure: the checker's own (`weekly_average`: work clipped to the
    block, overlaps counted once, leave days out of hours and days), over the block's days up to
    today. A finished block therefore reads exactly what a weekly-hours finding says of it."""
    ids = list(trainee_ids)
    if not blocks or not ids:
        return {}
    today = clock.today(zone)
    lo, hi = local_bounds(blocks[0].start, blocks[-1].end, zone)
    logged = defaultdict(set)
    for trainee_id, start in (
        LoggedPeriod.objects.filter(trainee_id__in=ids, start__lt=hi, end__gt=lo)
        .exclude(kind__in=WINDOW_KINDS)
        .values_list("trainee_id", "start")
    ):
        number = _block_of(start.astimezone(zone).date(), blocks)
        if number is not None:
            logged[trainee_id].add(number)
    trainees = Trainee.objects.filter(pk__in=list(logged))
    records = trainee_records(trainees, blocks[0].start, blocks[-1].end, zone=zone)
    result = {}
    for trainee_id, numbers in logged.items():
        spans = [(blocks[n - 1].start, min(blocks[n - 1].end, today)) for n in sorted(numbers)]
        averages = weekly_averages(records[trainee_id], spans)
        for number, average in zip(sorted(numbers), averages, strict=True):
            if average is not None:
                result[(trainee_id, number)] = round(average, 1)
    return result


def block_average(trainee: Trainee, day: date) -> tuple[Block, float] | None:
    """The block of the academic year that holds `day` and the trainee's average weekly hours in
    it, as the compliance grid shows them; None when nothing is logged in it."""
    zone = program_zone(trainee.program)
    blocks = blocks_so_far(max(day, min(clock.today(zone), academic_year(day)[1])))
    number = _block_of(day, blocks)
    if number is None:
        return None
    hours = block_hours([trainee.pk], blocks, zone).get((trainee.pk, number))
    return None if hours is None else (blocks[number - 1], hours)


def open_violations(
    trainees: Iterable[Trainee] | QuerySet[Trainee], first: date, last: date
) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(
            trainee__in=trainees,
            severity=Finding.Severity.VIOLATION,
            resolved_at__isnull=True,
            starts_on__range=(first, last),
        )
        .select_related("trainee__person", "trainee__program")
        .prefetch_related("reviews__reviewed_by")
    )


@dataclass
class TraineeRow:
    trainee: Trainee
    cells: list[tuple[float | None, int]]  # per block: average weekly hours, violations
    violations: int
    missing: list[date]


@dataclass
class TrendPoint:
    block: Block
    average_hours: float | None
    violations: int
    trainees_logging: int


@dataclass
class ProgramCompliance:
    program: Program
    blocks: list[Block]
    rows: list[TraineeRow]
    trend: list[TrendPoint]
    violations: list[Finding]
    unreviewed: int
    first: date
    last: date
    is_current: bool


def program_compliance(program: Program, today: date | None = None) -> ProgramCompliance:
    zone = program_zone(program)
    today = today or clock.today(zone)
    blocks = blocks_so_far(today)
    first, last = academic_year(today)
    # Those in training in the program at some time this year so far (by their dates).
    trainees = trainees_in_training([program], first, max(first, min(today, last)))
    hours = block_hours([t.pk for t in trainees], blocks, zone)
    missing = missing_weeks_of(trainees, today)
    # Not yet reviewed first, then the most recent.
    violations = sorted(
        open_violations(trainees, first, last),
        key=lambda f: (bool(f.reviews.all()), -f.starts_on.toordinal(), f.rule),
    )
    per_cell: Counter[tuple[int, int]] = Counter()
    for f in violations:
        number = _block_of(f.starts_on, blocks)
        if number is not None:
            per_cell[(f.trainee_id, number)] += 1
    rows = [
        TraineeRow(
            trainee=t,
            cells=[(hours.get((t.pk, b.number)), per_cell[(t.pk, b.number)]) for b in blocks],
            violations=sum(per_cell[(t.pk, b.number)] for b in blocks),
            missing=missing[t.pk],
        )
        for t in trainees
    ]
    trend = []
    for b in blocks:
        values = [hours[(t.pk, b.number)] for t in trainees if (t.pk, b.number) in hours]
        trend.append(
            TrendPoint(
                block=b,
                average_hours=round(sum(values) / len(values), 1) if values else None,
                violations=sum(per_cell[(t.pk, b.number)] for t in trainees),
                trainees_logging=len(values),
            )
        )
    return ProgramCompliance(
        program=program,
        blocks=blocks,
        # Who needs attention first: violations, then weeks not logged, then by name.
        rows=sorted(
            rows,
            key=lambda r: (
                -r.violations,
                -len(r.missing),
                r.trainee.person.last_name,
                r.trainee.person.first_name,
            ),
        ),
        trend=trend,
        violations=violations,
        unreviewed=sum(1 for f in violations if not f.reviews.all()),
        first=first,
        last=last,
        is_current=first <= clock.today(zone) <= last,
    )


@dataclass
class ProgramSummary:
    program: Program
    trainees: int
    trainees_logging: int
    trainee_weeks: float
    average_hours: float | None
    by_rule: dict[str, int]
    by_block: list[int]
    by_block_rate: list[float | None]  # violations per 100 trainee-weeks logged in the block
    unreviewed: int

    @property
    def violations(self) -> int:
        return sum(self.by_rule.values())

    @property
    def rate(self) -> float | None:
        """Violations per 100 trainee-weeks logged."""
        return round(self.violations / self.trainee_weeks * 100, 1) if self.trainee_weeks else None


@dataclass
class InstitutionSummary:
    blocks: list[Block]
    rules: list[str]
    programs: list[ProgramSummary]
    by_block_rule: list[dict[str, int]]
    first: date
    last: date


def institution_summary(today: date | None = None) -> InstitutionSummary:
    today = today or clock.today()
    blocks = blocks_so_far(today)
    first, last = academic_year(today)
    zone = ZoneInfo(str(timezone.get_current_timezone()))
    programs = list(Program.objects.order_by("name"))
    trainees = [
        (t.pk, t.program_id)
        for t in trainees_in_training(None, first, max(first, min(today, last)))
    ]
    by_program: dict[int, list[int]] = defaultdict(list)
    for pk, program_id in trainees:
        by_program[program_id].append(pk)
    hours = block_hours([pk for ids in by_program.values() for pk in ids], blocks, zone)
    findings = Finding.objects.filter(
        severity=Finding.Severity.VIOLATION,
        resolved_at__isnull=True,
        starts_on__range=(first, last),
    ).values_list("pk", "trainee__program_id", "rule", "starts_on")
    reviewed = set(
        Finding.objects.filter(reviews__isnull=False, starts_on__range=(first, last)).values_list(
            "pk", flat=True
        )
    )
    rules = VIOLATION_RULES
    by_block_rule = [{rule: 0 for rule in rules} for _ in blocks]
    program_rule: dict[int, Counter[str]] = defaultdict(Counter)
    program_block: dict[int, Counter[int]] = defaultdict(Counter)
    unreviewed: Counter[int] = Counter()
    for pk, program_id, rule, starts_on in findings:
        program_rule[program_id][rule] += 1
        number = _block_of(starts_on, blocks)
        if number is not None:
            program_block[program_id][number] += 1
            by_block_rule[number - 1][rule] = by_block_rule[number - 1].get(rule, 0) + 1
        if pk not in reviewed:
            unreviewed[program_id] += 1
    summaries = []
    for program in programs:
        ids = by_program.get(program.pk, [])
        if not ids:
            continue
        cells = [(pk, b) for pk in ids for b in blocks if (pk, b.number) in hours]
        weekly = [hours[(pk, b.number)] for pk, b in cells]
        weeks = sum(((min(b.end, today) - b.start).days + 1) / 7 for _, b in cells)
        block_weeks: dict[int, float] = defaultdict(float)
        for _, b in cells:
            block_weeks[b.number] += ((min(b.end, today) - b.start).days + 1) / 7
        rates = [
            round(program_block[program.pk][b.number] / block_weeks[b.number] * 100, 1)
            if block_weeks[b.number]
            else None
            for b in blocks
        ]
        summaries.append(
            ProgramSummary(
                program=program,
                trainees=len(ids),
                trainees_logging=len({pk for pk, _ in cells}),
                trainee_weeks=round(weeks, 1),
                average_hours=round(sum(weekly) / len(weekly), 1) if weekly else None,
                by_rule={rule: program_rule[program.pk][rule] for rule in rules},
                by_block=[program_block[program.pk][b.number] for b in blocks],
                by_block_rate=rates,
                unreviewed=unreviewed[program.pk],
            )
        )
    return InstitutionSummary(blocks, rules, summaries, by_block_rule, first, last)
