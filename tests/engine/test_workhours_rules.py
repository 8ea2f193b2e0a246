"""Each rule violated and satisfied at its boundary, from the rule text (ACGME_RULES.md).

Most records sit on one 28-day rotation "Wards", Sun Jul 5 - Sat Aug 1 2026, in UTC, so the
window is fixed and the arithmetic in the comments is plain hours.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from rounds.engine.errors import ProblemError
from rounds.engine.workhours import RULES, Finding, Limits, Record, check

FIRST = date(2026, 7, 5)
WARDS = {"name": "Wards", "start": "2026-07-05", "end": "2026-08-01"}


def day(n: int) -> str:
    """Day n of the rotation (0 = Jul 5) as an ISO date."""
    return (FIRST + timedelta(days=n)).isoformat()


def period(start: str, end: str, kind: str = "clinical") -> dict[str, str]:
    return {"start": start, "end": end, "kind": kind}


def record(periods: list[dict[str, str]], **extra: Any) -> Record:
    data: dict[str, Any] = {
        "trainee": {"id": "dr-ada", "pgy": 2},
        "rotations": [WARDS],
        "periods": periods,
    }
    data.update(extra)
    return Record.from_json(data)


def findings(rec: Record, rule: str, limits: Limits | None = None) -> list[Finding]:
    report = check(rec, limits)
    return [f for f in report.violations + report.warnings if f.rule == rule]


def workdays(last_shift_end: str = "20:20") -> list[dict[str, str]]:
    """24 shifts 07:00-20:20 (13h20 = 13.333 h), day off every 7th day: 24 × 13⅓ = 320.0 h."""
    return [
        period(f"{day(n)}T07:00", f"{day(n)}T{last_shift_end if n == 26 else '20:20'}")
        for n in range(28)
        if n % 7 != 6
    ]


def test_rule_table_names_every_rule_with_its_kind() -> None:
    assert RULES["weekly-hours"][0] == "violation"
    assert RULES["rest-8h"][0] == "warning"
    assert RULES["overlapping-periods"][0] == "warning"
    assert RULES["work-on-leave"][0] == "warning"
    assert set(RULES) == {
        "weekly-hours",
        "one-day-off-in-seven",
        "max-continuous-hours",
        "rest-after-24h",
        "call-every-third-night",
        "pgy1-moonlighting",
        "rest-8h",
        "overlapping-periods",
        "work-on-leave",
    }


def test_limits_reject_nonsense() -> None:
    with pytest.raises(ProblemError, match=r"limits.weekly_limit_hours: must be at most 88"):
        Limits(weekly_limit_hours=90)
    with pytest.raises(ProblemError, match=r"limits.window_days: must be a whole number"):
        Limits(window_days=27.5)  # type: ignore[arg-type]
    with pytest.raises(ProblemError, match=r"limits.min_rest_hours: must be positive"):
        Limits(min_rest_hours=0)
    assert Limits(weekly_limit_hours=88).max_period_hours == 28


def test_80_hours_a_week_exactly_is_compliant() -> None:
    # 320.0 h × 7 / 28 days = 80.0 h/week; 4 free days (Sat) each >= 34 h free.
    report = check(record(workdays()))
    assert report.compliant
    assert report.to_json() == {"compliant": True, "violations": [], "warnings": []}


def test_80_point_1_hours_a_week_is_a_violation_naming_the_window() -> None:
    # One shift 24 minutes longer: 320.4 h × 7 / 28 = 80.1 h/week.
    report = check(record(workdays(last_shift_end="20:44")))
    assert [f.rule for f in report.violations] == ["weekly-hours"]
    assert report.violations[0] == Finding(
        "weekly-hours",
        "2026-07-05",
        "2026-08-01",
        "80.1 hours/week averaged over Jul 5 - Aug 1 (limit 80): 320.4 hours in 28 days on Wards.",
    )


def test_a_hair_over_the_limit_shows_enough_decimals_to_be_over() -> None:
    # 2.4 more minutes: 320.04 h -> 80.01 h/week; "80.0 (limit 80)" would read as compliant.
    shifts = workdays()
    shifts[-1] = period(f"{day(26)}T07:00", f"{day(26)}T20:22:24")
    detail = findings(record(shifts), "weekly-hours")[0].detail
    assert detail.startswith("80.01 hours/week averaged over Jul 5 - Aug 1 (limit 80)")


def test_record_weekly_limit_overrides_the_program_limit() -> None:
    # 320.4 h is 80.1 h/week: over 80, within a Review Committee's 88.
    assert check(record(workdays("20:44"), weekly_limit_hours=88)).compliant
    assert not check(record(workdays("20:44")), Limits(weekly_limit_hours=80)).compliant
    assert check(record(workdays("20:44")), Limits(weekly_limit_hours=81)).compliant


def test_28_hours_continuous_is_the_limit() -> None:
    # 24 h + 4 h transition = 28 h: Jul 6 07:00 -> Jul 7 11:00 is allowed.
    ok = record([period(f"{day(1)}T07:00", f"{day(2)}T11:00")])
    assert findings(ok, "max-continuous-hours") == []
    over = record([period(f"{day(1)}T07:00", f"{day(2)}T11:01")])
    assert findings(over, "max-continuous-hours") == [
        Finding(
            "max-continuous-hours",
            "2026-07-06T07:00",
            "2026-07-07T11:01",
            "28h01 of continuous work from Jul 6 07:00 to Jul 7 11:01 "
            "(limit 24 + 4 for transitions).",
        )
    ]


def test_touching_periods_join_into_one_continuous_period() -> None:
    # 07:00-19:00 clinical, 19:00-07:00 call, 07:00-11:30 education: one 28.5 h stretch.
    rec = record(
        [
            period(f"{day(1)}T07:00", f"{day(1)}T19:00"),
            period(f"{day(1)}T19:00", f"{day(2)}T07:00", "in_house_call"),
            period(f"{day(2)}T07:00", f"{day(2)}T11:30", "education"),
        ]
    )
    [finding] = findings(rec, "max-continuous-hours")
    assert (finding.start, finding.end) == ("2026-07-06T07:00", "2026-07-07T11:30")
    assert finding.detail.startswith("28h30 of continuous work")
    assert findings(rec, "overlapping-periods") == []  # touching is not overlapping


def test_14_hours_off_after_24_is_enough_13h59_is_not() -> None:
    # 24 h call Jul 6 07:00 -> Jul 7 07:00; next shift 21:00 (14h00 off) vs 20:59 (13h59).
    call = period(f"{day(1)}T07:00", f"{day(2)}T07:00", "in_house_call")
    ok = record([call, period(f"{day(2)}T21:00", f"{day(3)}T07:00")])
    assert findings(ok, "rest-after-24h") == []
    short = record([call, period(f"{day(2)}T20:59", f"{day(3)}T07:00")])
    assert findings(short, "rest-after-24h") == [
        Finding(
            "rest-after-24h",
            "2026-07-07T07:00",
            "2026-07-07T20:59",
            "Only 13h59 off after 24h00 of continuous work ending Jul 7 07:00 "
            "(at least 14 needed).",
        )
    ]


def test_rest_after_24h_applies_from_exactly_24_hours_not_23h59() -> None:
    # 23h59 of work then 10 h off: not a "24 hours" period, so only the 8 h rule could apply.
    almost = record(
        [
            period(f"{day(1)}T07:00", f"{day(2)}T06:59"),
            period(f"{day(2)}T16:59", f"{day(2)}T20:00"),
        ]
    )
    assert findings(almost, "rest-after-24h") == []
    exactly = record(
        [
            period(f"{day(1)}T07:00", f"{day(2)}T07:00"),
            period(f"{day(2)}T17:00", f"{day(2)}T20:00"),
        ]
    )
    assert [f.start for f in findings(exactly, "rest-after-24h")] == ["2026-07-07T07:00"]


def test_rest_8h_is_a_warning_at_7h59_and_quiet_at_8h() -> None:
    evening = period(f"{day(1)}T07:00", f"{day(1)}T19:00")
    ok = check(record([evening, period(f"{day(2)}T03:00", f"{day(2)}T09:00")]))
    assert ok.warnings == []
    short = check(record([evening, period(f"{day(2)}T02:59", f"{day(2)}T09:00")]))
    assert short.compliant  # a "should": never a violation
    assert short.warnings == [
        Finding(
            "rest-8h",
            "2026-07-06T19:00",
            "2026-07-07T02:59",
            "Only 7h59 off between work ending Jul 6 19:00 and work starting Jul 7 02:59 "
            "(should be at least 8).",
        )
    ]


def calls(days: list[int]) -> list[dict[str, str]]:
    """In-house call nights 17:00 -> 08:00 next morning (15 h)."""
    return [period(f"{day(n)}T17:00", f"{day(n + 1)}T08:00", "in_house_call") for n in days]


def test_call_every_third_night_allows_9_in_28_days() -> None:
    # Nights 0, 3, ..., 24: 9 calls × 3 = 27 <= 28.  Between calls 57 h free: 2 days off each.
    assert check(record(calls(list(range(0, 27, 3))))).compliant


def test_a_tenth_call_in_28_days_is_too_often() -> None:
    # Add night 26: 10 × 3 = 30 > 28.
    report = check(record(calls([*range(0, 27, 3), 26])))
    assert report.violations == [
        Finding(
            "call-every-third-night",
            "2026-07-05",
            "2026-08-01",
            "10 in-house calls over Jul 5 - Aug 1, more often than every 3rd night: "
            "at most 9 allowed in 28 days on Wards.",
        )
    ]


def test_a_call_night_logged_in_two_touching_parts_is_one_call() -> None:
    nights = calls(list(range(3, 27, 3)))  # 8 calls
    nights += [
        period(f"{day(0)}T17:00", f"{day(0)}T23:59", "in_house_call"),
        period(f"{day(0)}T23:59", f"{day(1)}T08:00", "in_house_call"),
    ]
    assert check(record(nights)).compliant


def test_four_days_off_in_28_is_enough_three_is_not() -> None:
    # workdays(): days 6, 13, 20, 27 free; day 27 (Sat Aug 1) is free from Jul 31 20:20 to the
    # window end = 27h40 -> 1 day off.  Working day 27 too leaves 3.
    assert findings(record(workdays()), "one-day-off-in-seven") == []
    busy = [*workdays(), period(f"{day(27)}T07:00", f"{day(27)}T08:00")]
    assert findings(record(busy), "one-day-off-in-seven") == [
        Finding(
            "one-day-off-in-seven",
            "2026-07-05",
            "2026-08-01",
            "3 days off over Jul 5 - Aug 1, at least 4 needed for 28 days on Wards: a day off "
            "is 24 hours in a row free of work, education and at-home call.",
        )
    ]


def test_a_day_off_is_24_continuous_hours_even_across_two_calendar_days() -> None:
    # Shifts 07:00-19:00, except days 3, 10, 17, 24 which hold an evening shift 19:00-23:00.
    # Day 2 ends 19:00 and day 3 starts 19:00: exactly 24 h free (Wed 19:00 -> Thu 19:00), one
    # day off spread over two calendar days, four times.  Every other gap is 8 or 12 h.
    def month(evening_start: str) -> list[dict[str, str]]:
        shifts = [period(f"{day(n)}T07:00", f"{day(n)}T19:00") for n in range(28) if n % 7 != 3]
        evenings = [period(f"{day(n)}T{evening_start}", f"{day(n)}T23:00") for n in (3, 10, 17, 24)]
        return shifts + evenings

    assert findings(record(month("19:00")), "one-day-off-in-seven") == []
    # Starting the evening shift a minute earlier leaves 23h59: not a single day off.
    [finding] = findings(record(month("18:59")), "one-day-off-in-seven")
    assert finding.detail.startswith("0 days off over Jul 5 - Aug 1, at least 4 needed")


def test_overlapping_periods_warn_and_count_once() -> None:
    # Clinical 07:00-19:00 and education 17:00-18:00 overlap by 1 h; 12 h of work, not 13.
    rec = record(
        [
            period(f"{day(1)}T07:00", f"{day(1)}T19:00"),
            period(f"{day(1)}T17:00", f"{day(1)}T18:00", "education"),
        ],
        weekly_limit_hours=3,  # 12 h × 7 / 28 = 3.0: exactly the limit only if counted once
    )
    report = check(rec)
    assert report.compliant
    assert report.warnings == [
        Finding(
            "overlapping-periods",
            "2026-07-06T17:00",
            "2026-07-06T18:00",
            "education Jul 6 17:00 - Jul 6 18:00 overlaps clinical Jul 6 07:00 - Jul 6 19:00; "
            "the 1h00 they share are counted once.",
        )
    ]


def test_a_free_stretch_is_cut_at_the_window_edge() -> None:
    # Rotations A (Jul 5-11) and B (Jul 12-18).  A ends with 12 h free (Sat 12:00 -> midnight)
    # and B starts with 12 h free (midnight -> Sun 12:00): 24 h in a row, but split by the edge
    # it is a day off in neither window.  Every other rest is 9 to 14 h; A has 70 h, B 77 h.
    a = [period(f"{day(n)}T07:00", f"{day(n)}T17:00") for n in range(6)]
    a.append(period(f"{day(6)}T02:00", f"{day(6)}T12:00"))
    b = [period(f"{day(n)}T12:00", f"{day(n)}T23:00") for n in range(7, 14)]
    rotations = [
        {"name": "A", "start": day(0), "end": day(6)},
        {"name": "B", "start": day(7), "end": day(13)},
    ]
    report = check(record(a + b, rotations=rotations))
    assert [(f.rule, f.start) for f in report.violations] == [
        ("one-day-off-in-seven", "2026-07-05"),
        ("one-day-off-in-seven", "2026-07-12"),
    ]
    assert report.violations[0].detail.startswith("0 days off over Jul 5 - Jul 11, at least 1")


def test_a_short_rest_after_24_hours_breaks_both_rest_rules() -> None:
    # 24 h call then work again 7 h later: the violation and the 8 h warning both name it.
    rec = record(
        [
            period(f"{day(1)}T07:00", f"{day(2)}T07:00", "in_house_call"),
            period(f"{day(2)}T14:00", f"{day(2)}T16:00"),
        ]
    )
    report = check(rec)
    assert [f.rule for f in report.violations] == ["rest-after-24h"]
    assert [(f.rule, f.start, f.end) for f in report.warnings] == [
        ("rest-8h", "2026-07-07T07:00", "2026-07-07T14:00")
    ]
