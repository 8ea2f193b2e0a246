"""Leave days come out of both sides of every average and cut free stretches at their edges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rounds.engine.workhours import Finding, Record, check

FIRST = date(2026, 7, 5)  # rotation "Wards": Jul 5 - Aug 1 (28 days)


def day(n: int) -> str:
    return (FIRST + timedelta(days=n)).isoformat()


def record(periods: list[dict[str, str]], leave: list[dict[str, str]]) -> Record:
    data: dict[str, Any] = {
        "trainee": {"id": "dr-lin", "pgy": 3},
        "rotations": [{"name": "Wards", "start": day(0), "end": day(27)}],
        "leave": leave,
        "periods": periods,
    }
    return Record.from_json(data)


def shift(
    n: int, start: str = "07:00", end: str = "19:00", kind: str = "clinical"
) -> dict[str, str]:
    return {"start": f"{day(n)}T{start}", "end": f"{day(n)}T{end}", "kind": kind}


VACATION = [{"start": day(0), "end": day(6)}]  # the first week: 21 effective days remain


def three_busy_weeks(extra_minutes: int = 0) -> list[dict[str, str]]:
    """Days 7..27 except 13, 20, 27: 18 shifts of 13h20 = 240 h; 240 × 7 / 21 = 80.0 h/week."""
    out = [shift(n, "07:00", "20:20") for n in range(7, 28) if n not in (13, 20, 27)]
    if extra_minutes:
        out[-1] = shift(26, "07:00", f"20:{20 + extra_minutes:02d}")
    return out


def test_leave_days_leave_the_average_on_both_sides() -> None:
    # Averaged over all 28 days it would be 60 h/week; over the 21 worked days it is 80.0.
    assert check(record(three_busy_weeks(), VACATION)).compliant


def test_over_80_once_leave_is_taken_out() -> None:
    # 20 more minutes: 240h20 × 7 / 21 = 80.11 -> "80.1".
    report = check(record(three_busy_weeks(extra_minutes=20), VACATION))
    assert report.violations == [
        Finding(
            "weekly-hours",
            "2026-07-05",
            "2026-08-01",
            "80.1 hours/week averaged over Jul 5 - Aug 1 (limit 80): 240.3 hours in 21 days "
            "(7 leave days not counted) on Wards.",
        )
    ]


def test_work_logged_on_a_leave_day_counts_and_is_named() -> None:
    # A 10 h shift on the vacation's first day: that day was worked, so it is a working day
    # again (250 h over 22 days, and one day off short), and a warning names it.
    report = check(record([*three_busy_weeks(), shift(0, "07:00", "17:00")], VACATION))
    assert [f.rule for f in report.violations] == ["one-day-off-in-seven"]
    assert "22 days (6 leave days not counted)" in report.violations[0].detail
    assert report.warnings == [
        Finding(
            "work-on-leave",
            "2026-07-05",
            "2026-07-05",
            "Work logged on Sun Jul 5, 2026, a day of leave: clinical Jul 5 07:00 - Jul 5 17:00. "
            "It is counted as a working day; correct the log or the leave.",
        )
    ]


def test_days_off_needed_shrink_with_leave() -> None:
    # 21 effective days need 3 days off: days 13, 20 and 27 give them (each > 24 h free).
    days_off = [
        f
        for f in check(record(three_busy_weeks(), VACATION)).violations
        if f.rule == "one-day-off-in-seven"
    ]
    assert days_off == []


def test_leave_is_not_a_day_off_and_cuts_free_stretches_at_its_edges() -> None:
    # Work every day but one: day 20 is leave.  Day 19 ends 19:00, day 21 starts 07:00: 36 h
    # without work, but 5 h before the leave day and 7 h after it: no day off there.
    # Days 6 and 13 are free (free 36 h each), 27 effective days need 4: 2 found.
    periods = [shift(n) for n in range(28) if n not in (6, 13, 20)]
    report = check(record(periods, [{"start": day(20), "end": day(20)}]))
    [finding] = [f for f in report.violations if f.rule == "one-day-off-in-seven"]
    assert finding.detail.startswith(
        "2 days off over Jul 5 - Aug 1, at least 4 needed for 27 days (1 leave day not counted)"
    )


def test_a_window_entirely_on_leave_is_skipped() -> None:
    data: dict[str, Any] = {
        "trainee": {"id": "dr-lin", "pgy": 3},
        "rotations": [{"name": "Parental leave", "start": "2026-09-01", "end": "2026-09-28"}],
        "leave": [{"start": "2026-09-01", "end": "2026-09-28"}],
        # Home call on every day would leave no free day -- but every day is leave.
        "home_call": [{"start": "2026-09-01T00:00", "end": "2026-09-29T00:00"}],
    }
    assert check(Record.from_json(data)).compliant


def test_calls_starting_on_leave_days_count_and_are_named() -> None:
    # 7 leave days: 21 effective days allow 7 calls.  Nights 7, 10, ..., 25 are 7 calls: fine.
    nights = [
        {"start": f"{day(n)}T17:00", "end": f"{day(n + 1)}T08:00", "kind": "in_house_call"}
        for n in range(7, 27, 3)
    ]
    assert check(record(nights, VACATION)).compliant
    # ... a call logged on a vacation day (day 2) is not silently dropped: the day was worked,
    # so it counts (8 calls in 22 days, 7 allowed) and the warning names the day.
    on_vacation = {"start": f"{day(2)}T17:00", "end": f"{day(3)}T08:00", "kind": "in_house_call"}
    report = check(record([*nights, on_vacation], VACATION))
    assert [f.rule for f in report.violations] == ["call-every-third-night"]
    assert "8 in-house calls" in report.violations[0].detail
    assert [(f.rule, f.start) for f in report.warnings] == [("work-on-leave", "2026-07-07")]
    # An eighth call on a working day is too many ...
    extra = {"start": f"{day(14)}T17:00", "end": f"{day(15)}T07:00", "kind": "in_house_call"}
    report = check(record([*nights, extra], VACATION))
    assert [f.rule for f in report.violations] == ["call-every-third-night"]
    assert report.violations[0].detail.endswith(
        "at most 7 allowed in 21 days (7 leave days not counted) on Wards."
    )
