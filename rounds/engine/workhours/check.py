"""The work-hour checker: one trainee's record in, a report of violations and warnings out.

Everything is computed on sorted, merged intervals of epoch seconds (real elapsed time), never on
per-minute arrays, so a year of logs checks in about a millisecond. Reading choices are in
docs/workhours.md; the rule text is ../shared/ACGME_RULES.md.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import accumulate, pairwise
from typing import Any
from zoneinfo import ZoneInfo

from rounds.engine.workhours import rules
from rounds.engine.workhours.record import (
    MOONLIGHTING_KINDS,
    Period,
    Record,
    local_iso,
    local_midnight,
)
from rounds.engine.workhours.rules import Limits, Window, averaging_windows

HOUR = 3600
DAY = 24 * HOUR
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Interval = tuple[int, int]


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One broken rule: its id, what it concerns (local ISO dates or times) and what to do."""

    rule: str
    start: str
    end: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"rule": self.rule, "start": self.start, "end": self.end, "detail": self.detail}


@dataclass(frozen=True)
class Report:
    violations: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        """Warnings (a "should") never make a record non-compliant."""
        return not self.violations

    def to_json(self) -> dict[str, Any]:
        return {
            "compliant": self.compliant,
            "violations": [finding.to_json() for finding in self.violations],
            "warnings": [finding.to_json() for finding in self.warnings],
        }


# --- interval arithmetic ----------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals, sorted; intervals that touch join (continuous work has no gap)."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(base: Sequence[Interval], cut: Sequence[Interval]) -> list[Interval]:
    """`base` minus `cut`; both merged and sorted."""
    result: list[Interval] = []
    index = 0
    for start, end in base:
        while index < len(cut) and cut[index][1] <= start:
            index += 1
        cursor = start
        probe = index
        while probe < len(cut) and cut[probe][0] < end:
            if cut[probe][0] > cursor:
                result.append((cursor, cut[probe][0]))
            cursor = max(cursor, cut[probe][1])
            probe += 1
        if cursor < end:
            result.append((cursor, end))
    return result


class Timeline:
    """Merged intervals with prefix sums, to total the time inside any window by bisection."""

    def __init__(self, merged: list[Interval]) -> None:
        self.intervals = merged
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]
        self.prefix = [0, *accumulate(end - start for start, end in merged)]

    def total_within(self, low: int, high: int) -> int:
        """Seconds covered between `low` and `high`: intervals crossing an edge are clipped."""
        first = bisect_right(self.ends, low)
        last = bisect_left(self.starts, high)
        if first >= last:
            return 0
        total = self.prefix[last] - self.prefix[first]
        total -= max(0, low - self.starts[first])
        total -= max(0, self.ends[last - 1] - high)
        return total

    def gaps_within(self, low: int, high: int) -> list[Interval]:
        """The uncovered stretches between `low` and `high`, cut at both edges."""
        gaps: list[Interval] = []
        cursor = low
        for index in range(bisect_right(self.ends, low), bisect_left(self.starts, high)):
            if self.starts[index] > cursor:
                gaps.append((cursor, self.starts[index]))
            cursor = max(cursor, self.ends[index])
        if cursor < high:
            gaps.append((cursor, high))
        return gaps


# --- formatting for people --------------------------------------------------------------------


def hours_text(seconds: float, limit: float | None = None) -> str:
    """Hours with one decimal; two when one would round a value over the limit down to it."""
    text = f"{seconds / HOUR:.1f}"
    if limit is not None and seconds / HOUR > limit and float(text) <= limit:
        text = f"{seconds / HOUR:.2f}"
    return text


def duration_text(seconds: int) -> str:
    """Hours and minutes ("13h59"): a rest of 13h59 must never read as "14.0 hours"."""
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours}h{minutes:02d}"


def number_text(value: float) -> str:
    return f"{value:g}"


def day_text(day: date, with_year: bool = False) -> str:
    text = f"{MONTHS[day.month - 1]} {day.day}"
    return f"{text}, {day.year}" if with_year else text


def span_text(window: Window) -> str:
    with_year = window.start.year != window.end.year
    return f"{day_text(window.start, with_year)} - {day_text(window.end, with_year)}"


def moment_text(instant: int, zone: ZoneInfo) -> str:
    # Built by hand: strftime is locale-dependent and the slowest part of a long report.
    local = datetime.fromtimestamp(instant, zone)
    return f"{MONTHS[local.month - 1]} {local.day} {local.hour:02d}:{local.minute:02d}"


def rotation_text(window: Window) -> str:
    return "" if window.name == rules.NO_ROTATION else f" on {window.name}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# --- the checker ------------------------------------------------------------------------------


def seconds(instant: datetime) -> int:
    return int(instant.timestamp())


def period_interval(period: Period) -> Interval:
    return (seconds(period.start), seconds(period.end))


@dataclass(frozen=True)
class WindowSpan:
    """A window as instants, with the leave inside it already taken out of its day count."""

    window: Window
    low: int
    high: int
    effective_days: int
    leave_days: int


class Checker:
    """Holds one record's merged timelines; each rule is one method."""

    def __init__(self, record: Record, limits: Limits) -> None:
        self.record = record
        self.zone = record.zone
        self.limits = limits
        self.weekly_limit = (
            record.weekly_limit_hours
            if record.weekly_limit_hours is not None
            else limits.weekly_limit_hours
        )
        self.periods = sorted(record.periods, key=lambda p: (p.start, p.end))
        self.intervals = [period_interval(period) for period in self.periods]
        # A day of leave with work logged on it was worked: it counts as a working day (its
        # hours, its in-house call, its place in the averages) and gets a warning naming it.
        declared = self._leave_dates()
        self.worked_leave = {
            day: [p for p in self.periods if p.start.astimezone(self.zone).date() == day]
            for day in sorted(declared)
        }
        self.worked_leave = {day: found for day, found in self.worked_leave.items() if found}
        self.leave_dates = declared - set(self.worked_leave)
        leave = merge(self._day_interval(day) for day in self.leave_dates)
        self.leave = Timeline(leave)
        self.work = merge(self.intervals)
        self.countable_work = Timeline(subtract(self.work, leave))
        # In-house call periods that touch or overlap are one call (a night logged in two parts).
        self.calls = merge(
            interval
            for period, interval in zip(self.periods, self.intervals, strict=True)
            if period.kind == "in_house_call"
        )
        home_call = [(seconds(c.start), seconds(c.end)) for c in record.home_call]
        self.busy = Timeline(merge([*self.work, *home_call, *leave]))
        self.violations: list[Finding] = []
        self.warnings: list[Finding] = []

    def _leave_dates(self) -> set[date]:
        dates: set[date] = set()
        for leave in self.record.leave:
            dates.update(
                leave.start + timedelta(days=n) for n in range((leave.end - leave.start).days + 1)
            )
        return dates

    def _day_interval(self, day: date) -> Interval:
        return (
            seconds(local_midnight(day, self.zone)),
            seconds(local_midnight(day + timedelta(days=1), self.zone)),
        )

    def report(self) -> Report:
        for span in self._window_spans():
            self.check_weekly_hours(span)
            self.check_days_off(span)
            self.check_call_frequency(span)
        self.check_continuous_periods()
        self.check_rest_8h()
        self.check_overlaps()
        self.check_moonlighting()
        self.check_work_on_leave()
        return Report(
            sorted(self.violations, key=finding_order), sorted(self.warnings, key=finding_order)
        )

    # windows

    def _activity_days(self) -> tuple[date, date] | None:
        """First and last local day with any work or at-home call."""
        instants = [
            *self.intervals,
            *((seconds(c.start), seconds(c.end)) for c in self.record.home_call),
        ]
        if not instants:
            return None
        first = min(start for start, _ in instants)
        last = (
            max(end for _, end in instants) - 1
        )  # a period ending at midnight ends the day before
        return (
            datetime.fromtimestamp(first, self.zone).date(),
            datetime.fromtimestamp(last, self.zone).date(),
        )

    def _window_spans(self) -> list[WindowSpan]:
        days = self._activity_days()
        if days is None:
            if not self.record.rotations:
                return []
            first = min(rotation.start for rotation in self.record.rotations)
            days = (first, first - timedelta(days=1))  # no activity: only the rotations' windows
        first_day, last_day = days
        spans = []
        for window in averaging_windows(self.record.rotations, first_day, last_day, self.limits):
            spans.append(replace(self.span(window.start, window.end), window=window))
        return [span for span in spans if span.effective_days > 0]

    def _window_note(self, span: WindowSpan) -> str:
        leave = f" ({plural(span.leave_days, 'leave day')} not counted)" if span.leave_days else ""
        return f"{plural(span.effective_days, 'day')}{leave}{rotation_text(span.window)}"

    def _window_finding(self, rule: str, span: WindowSpan, detail: str) -> Finding:
        return Finding(rule, span.window.start.isoformat(), span.window.end.isoformat(), detail)

    def span(self, start: date, end: date) -> WindowSpan:
        """Local days `start` to `end` (inclusive) as instants, their leave days counted."""
        window = Window(start, end, "")
        leave_days = sum(
            1 for n in range(window.days) if start + timedelta(days=n) in self.leave_dates
        )
        low = seconds(local_midnight(start, self.zone))
        high = seconds(local_midnight(end + timedelta(days=1), self.zone))
        return WindowSpan(window, low, high, window.days - leave_days, leave_days)

    def per_week(self, span: WindowSpan) -> tuple[int, float]:
        """Seconds worked in the span (leave days out) and that as seconds per week over the
        days not on leave: the one computation of a weekly average, findings and pages alike."""
        worked = self.countable_work.total_within(span.low, span.high)
        return worked, worked * 7 / span.effective_days if span.effective_days > 0 else 0.0

    def check_weekly_hours(self, span: WindowSpan) -> None:
        worked, per_week = self.per_week(span)
        if per_week <= self.weekly_limit * HOUR:
            return
        detail = (
            f"{hours_text(per_week, self.weekly_limit)} hours/week averaged over "
            f"{span_text(span.window)} (limit {number_text(self.weekly_limit)}): "
            f"{hours_text(worked)} hours in {self._window_note(span)}."
        )
        self.violations.append(self._window_finding(rules.WEEKLY_HOURS, span, detail))

    def check_days_off(self, span: WindowSpan) -> None:
        free = self.busy.gaps_within(span.low, span.high)
        days_off = sum((end - start) // DAY for start, end in free)
        per_seven = self.limits.days_off_per_seven
        if days_off * 7 >= span.effective_days * per_seven:
            return
        needed = -(-span.effective_days * per_seven // 7)
        detail = (
            f"{plural(days_off, 'day')} off over {span_text(span.window)}, at least {needed} "
            f"needed for {self._window_note(span)}: a day off is 24 hours in a row free of "
            "work, education and at-home call."
        )
        self.violations.append(self._window_finding(rules.ONE_DAY_OFF_IN_SEVEN, span, detail))

    def check_call_frequency(self, span: WindowSpan) -> None:
        count = sum(
            1
            for start, _ in self.calls
            if span.low <= start < span.high and self.leave.total_within(start, start + 1) == 0
        )
        nth = self.limits.call_every_nth_night
        if count * nth <= span.effective_days:
            return
        allowed = span.effective_days // nth
        detail = (
            f"{plural(count, 'in-house call')} over {span_text(span.window)}, more often than "
            f"every {ordinal(nth)} night: at most {allowed} allowed in {self._window_note(span)}."
        )
        self.violations.append(self._window_finding(rules.CALL_EVERY_THIRD_NIGHT, span, detail))

    # continuous periods

    def _period_finding(self, rule: str, start: int, end: int, detail: str) -> Finding:
        start_text = local_iso(datetime.fromtimestamp(start, self.zone), self.zone, "start")
        end_text = local_iso(datetime.fromtimestamp(end, self.zone), self.zone, "end")
        return Finding(rule, start_text, end_text, detail)

    def check_continuous_periods(self) -> None:
        longest = self.limits.max_period_hours * HOUR
        long_period = self.limits.long_period_hours * HOUR
        rest = self.limits.rest_after_long_hours * HOUR
        for start, end in self.work:
            if end - start > longest:
                detail = (
                    f"{duration_text(end - start)} of continuous "
                    f"work from {moment_text(start, self.zone)} to {moment_text(end, self.zone)} "
                    f"(limit {number_text(self.limits.max_continuous_hours)} + "
                    f"{number_text(self.limits.transition_hours)} for transitions)."
                )
                self.violations.append(
                    self._period_finding(rules.MAX_CONTINUOUS_HOURS, start, end, detail)
                )
        for (start, end), (next_start, _) in pairwise(self.work):
            if end - start >= long_period and next_start - end < rest:
                detail = (
                    f"Only {duration_text(next_start - end)} off after "
                    f"{duration_text(end - start)} of continuous work ending "
                    f"{moment_text(end, self.zone)} (at least "
                    f"{number_text(self.limits.rest_after_long_hours)} needed)."
                )
                self.violations.append(
                    self._period_finding(rules.REST_AFTER_24H, end, next_start, detail)
                )

    def check_rest_8h(self) -> None:
        # Work while on at-home call does not break an off-duty period (rule text).
        work = merge(
            interval
            for period, interval in zip(self.periods, self.intervals, strict=True)
            if period.kind != "home_call_work"
        )
        least = self.limits.min_rest_hours * HOUR
        for (_, end), (next_start, _) in pairwise(work):
            if next_start - end < least:
                detail = (
                    f"Only {duration_text(next_start - end)} off between work ending "
                    f"{moment_text(end, self.zone)} and work starting "
                    f"{moment_text(next_start, self.zone)} "
                    f"(should be at least {number_text(self.limits.min_rest_hours)})."
                )
                self.warnings.append(self._period_finding(rules.REST_8H, end, next_start, detail))

    def check_overlaps(self) -> None:
        reach_index = -1  # the period reaching furthest so far
        for index, (start, end) in enumerate(self.intervals):
            if reach_index >= 0 and start < self.intervals[reach_index][1]:
                other = self.periods[reach_index]
                overlap_end = min(end, self.intervals[reach_index][1])
                detail = (
                    f"{describe(self.periods[index], self.zone)} overlaps "
                    f"{describe(other, self.zone)}; the "
                    f"{duration_text(overlap_end - start)} they share are counted once."
                )
                self.warnings.append(
                    self._period_finding(rules.OVERLAPPING_PERIODS, start, overlap_end, detail)
                )
            if reach_index < 0 or end > self.intervals[reach_index][1]:
                reach_index = index

    def check_moonlighting(self) -> None:
        if self.record.trainee.pgy != 1:
            return
        for period, (start, end) in zip(self.periods, self.intervals, strict=True):
            if period.kind in MOONLIGHTING_KINDS:
                detail = (
                    f"PGY-1 trainee {self.record.trainee.id} logged "
                    f"{describe(period, self.zone)}; PGY-1 residents may not moonlight."
                )
                self.violations.append(
                    self._period_finding(rules.PGY1_MOONLIGHTING, start, end, detail)
                )

    def check_work_on_leave(self) -> None:
        for day, periods in self.worked_leave.items():
            said = "; ".join(describe(p, self.zone) for p in periods)
            detail = (
                f"Work logged on {day:%a %b} {day.day}, {day.year}, a day of leave: {said}. "
                "It is counted as a working day; correct the log or the leave."
            )
            self.warnings.append(
                Finding(rules.WORK_ON_LEAVE, day.isoformat(), day.isoformat(), detail)
            )


def finding_order(finding: Finding) -> tuple[str, str, str]:
    return (finding.start, finding.end, finding.rule)


def describe(period: Period, zone: ZoneInfo) -> str:
    kind = period.kind.replace("_", " ")
    start, end = seconds(period.start), seconds(period.end)
    return f"{kind} {moment_text(start, zone)} - {moment_text(end, zone)}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def check(record: Record, limits: Limits | None = None) -> Report:
    """Check one trainee's record against the ACGME work-hour rules."""
    return Checker(record, limits or Limits()).report()


def weekly_average(record: Record, start: date, end: date) -> float | None:
    """Hours a week worked from `start` to `end` (local days, inclusive), days on leave left out
    of both the hours and the days, exactly as the weekly-hours rule judges an averaging window;
    None when every day is leave. Pages showing an average use this, so they agree with the
    findings."""
    return weekly_averages(record, [(start, end)])[0]


def weekly_averages(record: Record, spans: Sequence[tuple[date, date]]) -> list[float | None]:
    """`weekly_average` for several spans of one record, reading the record once."""
    checker = Checker(record, Limits())
    out: list[float | None] = []
    for start, end in spans:
        span = checker.span(start, end)
        out.append(checker.per_week(span)[1] / HOUR if span.effective_days > 0 else None)
    return out
