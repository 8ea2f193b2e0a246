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
from rounds.engine.workhours import RULES, check
from rounds.lib.cells import group_is_shown
from rounds.people.models import Trainee
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
    academic_year,
    limits_for,
    program_zone,
    trainee_record,
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
