"""The fast interval checker agrees with a slow minute-by-minute reference on random records.

The reference marks every minute as worked / on at-home call / on leave and reads the rules off
those marks directly, the way a person would with a pencil and a grid.  Small limits (7-day
windows, 10 h periods) make every rule fire often on two-week records.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.engine.workhours import Limits, Record, averaging_windows, check
from rounds.engine.workhours.record import PERIOD_KINDS

LIMITS = Limits(
    weekly_limit_hours=30,
    max_continuous_hours=8,
    transition_hours=2,
    rest_after_long_hours=6,
    long_period_hours=8,
    min_rest_hours=4,
    window_days=7,
    single_window_max_days=9,
)
START = datetime(2026, 3, 2)  # two weeks that include the New York spring-forward night
SLOTS = 14 * 48  # half-hour slots


def wall(slot: int) -> str:
    return (START + timedelta(minutes=30 * slot)).isoformat(timespec="minutes")


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    def intervals(max_size: int, max_len: int) -> list[tuple[int, int]]:
        starts = draw(st.lists(st.integers(0, SLOTS - 1), max_size=max_size))
        return [(s, s + draw(st.integers(1, max_len))) for s in starts]

    periods = [
        {"start": wall(s), "end": wall(e), "kind": draw(st.sampled_from(PERIOD_KINDS))}
        for s, e in intervals(10, 30)
    ]
    rotations = []
    if draw(st.booleans()):
        first = draw(st.integers(0, 6))
        rotations = [
            {"name": "A", "start": f"2026-03-{2 + first:02d}", "end": "2026-03-10"},
            {
                "name": "B",
                "start": "2026-03-11",
                "end": f"2026-03-{11 + draw(st.integers(0, 9)):02d}",
            },
        ]
    leave_days = draw(st.lists(st.integers(2, 15), max_size=3))
    return {
        "timezone": draw(st.sampled_from(["UTC", "America/New_York"])),
        "trainee": {"id": "dr-prop", "pgy": draw(st.integers(1, 2))},
        "rotations": rotations,
        "leave": [{"start": f"2026-03-{d:02d}", "end": f"2026-03-{d:02d}"} for d in leave_days],
        "periods": periods,
        "home_call": [{"start": wall(s), "end": wall(e)} for s, e in intervals(3, 30)],
    }


def minute(instant: datetime) -> int:
    return int(instant.timestamp()) // 60


def midnight(day: date, zone: ZoneInfo) -> int:
    return minute(datetime.combine(day, datetime.min.time(), zone))


def runs(marked: set[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive marked minutes as [start, end)."""
    out: list[tuple[int, int]] = []
    for m in sorted(marked):
        if out and out[-1][1] == m:
            out[-1] = (out[-1][0], m + 1)
        else:
            out.append((m, m + 1))
    return out


def minutes_of(items: Iterable[Any]) -> set[int]:
    return {m for item in items for m in range(minute(item.start), minute(item.end))}


def reference(record: Record) -> set[tuple[str, str, str]]:
    """(rule, start, end) of every violation and warning, found on a minute grid."""
    zone = record.zone
    work = minutes_of(record.periods)
    rest_work = minutes_of(p for p in record.periods if p.kind != "home_call_work")
    leave = {
        leave.start + timedelta(days=n)
        for leave in record.leave
        for n in range((leave.end - leave.start).days + 1)
    }
    # A leave day on which a period starts was worked: not leave, and warned about.
    worked_leave = {p.start.astimezone(zone).date() for p in record.periods} & leave
    leave -= worked_leave
    on_leave = {
        m for d in leave for m in range(midnight(d, zone), midnight(d + timedelta(days=1), zone))
    }

    def local_day(m: int) -> date:
        return datetime.fromtimestamp(m * 60, zone).date()

    def local(m: int) -> str:
        local_time = datetime.fromtimestamp(m * 60, zone)
        return local_time.replace(tzinfo=None).isoformat(timespec="minutes")

    found: set[tuple[str, str, str]] = set()
    everything = work | minutes_of(record.home_call)
    if everything:
        days = (local_day(min(everything)), local_day(max(everything)))
    elif record.rotations:
        days = (record.rotations[0].start, record.rotations[0].start - timedelta(days=1))
    else:
        days = None
    windows = averaging_windows(record.rotations, *days, LIMITS) if days else []
    busy = everything | on_leave
    call_starts = [
        s for s, _ in runs(minutes_of(p for p in record.periods if p.kind == "in_house_call"))
    ]
    for window in windows:
        effective = window.days - sum(1 for d in leave if window.start <= d <= window.end)
        if effective == 0:
            continue
        lo, hi = midnight(window.start, zone), midnight(window.end + timedelta(days=1), zone)
        key = (window.start.isoformat(), window.end.isoformat())
        worked = sum(1 for m in work if lo <= m < hi and m not in on_leave)
        if worked * 7 > LIMITS.weekly_limit_hours * 60 * effective:
            found.add(("weekly-hours", *key))
        free = runs({m for m in range(lo, hi) if m not in busy})
        if sum((e - s) // 1440 for s, e in free) * 7 < effective:
            found.add(("one-day-off-in-seven", *key))
        calls = sum(1 for s in call_starts if lo <= s < hi and s not in on_leave)
        if calls * 3 > effective:
            found.add(("call-every-third-night", *key))
    stretches = runs(work)
    for s, e in stretches:
        if e - s > 10 * 60:
            found.add(("max-continuous-hours", local(s), local(e)))
    for (s, e), (next_s, _) in pairwise(stretches):
        if e - s >= 8 * 60 and next_s - e < 6 * 60:
            found.add(("rest-after-24h", local(e), local(next_s)))
    rests = runs(rest_work)
    for (_, e), (next_s, _) in pairwise(rests):
        if next_s - e < 4 * 60:
            found.add(("rest-8h", local(e), local(next_s)))
    found |= {("work-on-leave", d.isoformat(), d.isoformat()) for d in worked_leave}
    if record.trainee.pgy == 1:
        for p in record.periods:
            if p.kind.startswith("moonlighting"):
                found.add(("pgy1-moonlighting", local(minute(p.start)), local(minute(p.end))))
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_fast_checker_agrees_with_the_minute_grid(data: dict[str, Any]) -> None:
    record = Record.from_json(data)
    report = check(record, LIMITS)
    fast = {
        (f.rule, f.start, f.end)
        for f in report.violations + report.warnings
        if f.rule != "overlapping-periods"
    }
    assert fast == reference(record)
    overlap = any(
        len([p for p in record.periods if minute(p.start) <= m < minute(p.end)]) > 1
        for m in minutes_of(record.periods)
    )
    assert overlap == any(f.rule == "overlapping-periods" for f in report.warnings)
    assert report.compliant == (not report.violations)
