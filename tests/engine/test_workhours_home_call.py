"""At-home call: not free time for days off, its work counts, and it does not break a rest."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rounds.engine.workhours import Record, check

FIRST = date(2026, 7, 5)  # rotation "Wards": Jul 5 - Aug 1 (28 days)


def day(n: int) -> str:
    return (FIRST + timedelta(days=n)).isoformat()


def record(periods: list[dict[str, str]], home_call: list[dict[str, str]]) -> Record:
    data: dict[str, Any] = {
        "trainee": {"id": "dr-noor", "pgy": 2},
        "rotations": [{"name": "Wards", "start": day(0), "end": day(27)}],
        "periods": periods,
        "home_call": home_call,
    }
    return Record.from_json(data)


def weekday_shifts() -> list[dict[str, str]]:
    """07:00-17:00 on every day but days 6, 13, 20, 27 (each free from 17:00 to 07:00: 38 h)."""
    return [
        {"start": f"{day(n)}T07:00", "end": f"{day(n)}T17:00", "kind": "clinical"}
        for n in range(28)
        if n % 7 != 6
    ]


def rules_broken(rec: Record) -> list[str]:
    report = check(rec)
    return [f.rule for f in report.violations + report.warnings]


def test_home_call_on_a_free_day_takes_the_day_off_away_even_without_work() -> None:
    assert rules_broken(record(weekday_shifts(), [])) == []
    # At-home call all of day 13 (no call-back): 4 days off become 3.
    on_call = [{"start": f"{day(13)}T00:00", "end": f"{day(14)}T00:00"}]
    report = check(record(weekday_shifts(), on_call))
    assert [f.rule for f in report.violations] == ["one-day-off-in-seven"]
    assert report.violations[0].detail.startswith("3 days off over Jul 5 - Aug 1, at least 4")


def test_home_call_overnight_between_shifts_leaves_the_day_off_alone() -> None:
    # On call 17:00 day 12 -> 07:00 day 13: day 13 is still free 07:00 -> 07:00 day 14 (24 h).
    on_call = [{"start": f"{day(12)}T17:00", "end": f"{day(13)}T07:00"}]
    assert rules_broken(record(weekday_shifts(), on_call)) == []


def test_work_done_on_home_call_counts_toward_weekly_hours() -> None:
    # 24 shifts × 10 h = 240 h.  Called in 4 h after 20 of the shifts: 320 h -> 80.0.
    shift_days = [n for n in range(28) if n % 7 != 6]
    callbacks = [
        {"start": f"{day(n)}T18:00", "end": f"{day(n)}T22:00", "kind": "home_call_work"}
        for n in shift_days[:20]
    ]
    assert "weekly-hours" not in rules_broken(record(weekday_shifts() + callbacks, []))
    # 24 more minutes after shift 21 (day 24): 320.4 h -> 80.1.
    one_more = {"start": f"{day(24)}T18:00", "end": f"{day(24)}T18:24", "kind": "home_call_work"}
    report = check(record([*weekday_shifts(), *callbacks, one_more], []))
    assert [f.rule for f in report.violations] == ["weekly-hours"]
    assert report.violations[0].detail.startswith("80.1 hours/week averaged over Jul 5 - Aug 1")


def test_home_call_work_does_not_shorten_the_8_hour_rest() -> None:
    # Shift ends 17:00, called in 22:00-23:00, next shift 07:00: 14 h off between scheduled
    # periods; the call-back (8 h before the next shift) starts no new off-duty period.
    callback = {"start": f"{day(2)}T22:00", "end": f"{day(2)}T23:00", "kind": "home_call_work"}
    assert "rest-8h" not in rules_broken(record([*weekday_shifts(), callback], []))
    # The same hour logged as clinical work leaves 8h00 then 8h00 -- still fine -- but at
    # 23:30 the rest after it is 7h30 and the warning appears.
    late = {"start": f"{day(2)}T22:30", "end": f"{day(2)}T23:30", "kind": "clinical"}
    assert "rest-8h" in rules_broken(record([*weekday_shifts(), late], []))


def test_home_call_work_joins_continuous_work() -> None:
    # A 24 h call 07:00 -> 07:00 then called in from home at 09:00: rest-after-24h counts any
    # work, so 2 h later is a violation.
    periods = [
        {"start": f"{day(1)}T07:00", "end": f"{day(2)}T07:00", "kind": "in_house_call"},
        {"start": f"{day(2)}T09:00", "end": f"{day(2)}T10:00", "kind": "home_call_work"},
    ]
    assert "rest-after-24h" in rules_broken(record(periods, []))
