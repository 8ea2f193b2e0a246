"""Daylight saving: times are New York wall-clock, every duration is real elapsed time.

2026-03-08: clocks jump 02:00 EST -> 03:00 EDT (07:00 UTC); a night 19:00 -> 07:00 is 11 h.
2026-11-01: clocks fall back 02:00 EDT -> 01:00 EST (06:00 UTC); that night is 13 h.
"""

from __future__ import annotations

from typing import Any

from rounds.engine.workhours import Finding, Limits, Record, check

NEW_YORK = "America/New_York"


def record(periods: list[dict[str, str]], **extra: Any) -> Record:
    data: dict[str, Any] = {
        "timezone": NEW_YORK,
        "trainee": {"id": "dr-sam", "pgy": 2},
        "periods": periods,
    }
    data.update(extra)
    return Record.from_json(data)


def work(start: str, end: str, kind: str = "clinical") -> dict[str, str]:
    return {"start": start, "end": end, "kind": kind}


def weekly_detail(rec: Record, limit: float) -> str:
    report = check(rec, Limits(weekly_limit_hours=limit))
    return next(f.detail for f in report.violations if f.rule == "weekly-hours")


def test_the_spring_forward_night_is_11_hours() -> None:
    # One night in a 28-day window: 11 h × 7 / 28 = 2.75 h/week.
    rec = record([work("2026-03-07T19:00", "2026-03-08T07:00", "in_house_call")])
    assert "11.0 hours in 28 days" in weekly_detail(rec, limit=1)
    assert check(rec, Limits(weekly_limit_hours=2.75)).compliant


def test_the_fall_back_night_is_13_hours() -> None:
    rec = record([work("2026-10-31T19:00", "2026-11-01T07:00", "in_house_call")])
    assert "13.0 hours in 28 days" in weekly_detail(rec, limit=1)
    assert not check(rec, Limits(weekly_limit_hours=3.25 - 0.01)).compliant
    assert check(rec, Limits(weekly_limit_hours=3.25)).compliant


def test_28_wall_clock_hours_across_fall_back_are_29_real_hours() -> None:
    # Sat 07:00 -> Sun 11:00 reads as 28 h on the clock, but the night had 25 hours.
    rec = record([work("2026-10-31T07:00", "2026-11-01T11:00")])
    assert check(rec).violations == [
        Finding(
            "max-continuous-hours",
            "2026-10-31T07:00",
            "2026-11-01T11:00",
            "29h00 of continuous work from Oct 31 07:00 to Nov 1 11:00 "
            "(limit 24 + 4 for transitions).",
        )
    ]


def test_28_wall_clock_hours_across_spring_forward_are_27_real_hours() -> None:
    rec = record([work("2026-03-07T07:00", "2026-03-08T11:00")])
    assert [f.rule for f in check(rec).violations] == []


def test_a_24_hour_clock_day_in_spring_is_only_23_hours_of_work() -> None:
    # 07:00 -> 07:00 across spring forward is 23 h: not a 24-h period, so 10 h off is fine.
    rec = record(
        [work("2026-03-07T07:00", "2026-03-08T07:00"), work("2026-03-08T17:00", "2026-03-08T20:00")]
    )
    assert [f.rule for f in check(rec).violations] == []
    # In autumn the same clock times are 25 h of work, and 10 h off is too little.
    autumn = record(
        [work("2026-10-31T07:00", "2026-11-01T07:00"), work("2026-11-01T17:00", "2026-11-01T20:00")]
    )
    assert [f.rule for f in check(autumn).violations] == ["rest-after-24h"]
    assert "after 25h00 of continuous work" in check(autumn).violations[0].detail


def test_the_spring_forward_day_has_only_23_hours_so_alone_it_is_no_day_off() -> None:
    # Work ends Sat 23:59 and starts again Mon 00:00: Sunday Mar 8 is free, but lasts 23h01.
    # The window is Mar 1 - Mar 28 and everything else is worked to leave 3 days off: 28 days
    # need 4, and the "free" Sunday does not make up the fourth.
    free_days = {"2026-03-08", "2026-03-14", "2026-03-21", "2026-03-28"}
    periods = []
    for n in range(1, 29):
        d = f"2026-03-{n:02d}"
        if d not in free_days:
            periods.append(work(f"{d}T00:00", f"{d}T12:00"))
            periods.append(work(f"{d}T20:00", f"{d}T23:59"))
    rotation = [{"name": "March", "start": "2026-03-01", "end": "2026-03-28"}]
    report = check(record(periods, rotations=rotation))
    days_off = [f for f in report.violations if f.rule == "one-day-off-in-seven"]
    # Mar 14 and 21: 23:59 -> 00:00 two days later = 24h01 -> a day off each; Mar 28 from
    # 23:59 Mar 27 to the window end = 24h01 -> one.  Mar 8: 23h01 -> none.  3 < 4.
    assert [f.detail[:40] for f in days_off] == ["3 days off over Mar 1 - Mar 28, at least"]


def test_a_nonexistent_spring_time_is_read_to_keep_the_period_long() -> None:
    # 02:30 does not exist on Mar 8.  As an end it is read as the latest instant it could mean,
    # 03:30 EDT, so Sat 02:00 -> "Sun 02:30" is 24h30 of work; then 10 h off is too little.
    rec = record(
        [work("2026-03-07T02:00", "2026-03-08T02:30"), work("2026-03-08T13:30", "2026-03-08T15:00")]
    )
    [finding] = check(rec).violations
    assert (finding.rule, finding.start, finding.end) == (
        "rest-after-24h",
        "2026-03-08T03:30",
        "2026-03-08T13:30",
    )
    assert finding.detail.startswith("Only 10h00 off after 24h30 of continuous work")


def test_an_ambiguous_autumn_time_reads_early_as_a_start_and_late_as_an_end() -> None:
    # 01:30 on Nov 1 happens twice.  Sat 01:30 EDT -> Sun 01:30 as an end = the second one
    # (EST): 25 h, not 24.  An explicit offset picks the first one: 24 h exactly.
    late = record([work("2026-10-31T01:30", "2026-11-01T01:30")])
    exact = record([work("2026-10-31T01:30", "2026-11-01T01:30-04:00")])
    limits = Limits(max_continuous_hours=20, transition_hours=4)  # flag anything over 24 h
    assert [f.detail[:5] for f in check(late, limits).violations] == ["25h00"]
    assert check(exact, limits).violations == []
    # The record keeps the instant: the ambiguous end goes back out with its offset.
    assert exact.to_json()["periods"][0]["end"] == "2026-11-01T01:30-04:00"
    assert late.to_json()["periods"][0]["end"] == "2026-11-01T01:30"
    assert Record.from_json(exact.to_json()) == exact


def test_findings_inside_the_repeated_hour_carry_their_offset() -> None:
    # A 24 h call ending at the second 01:15 (EST) and work again 3 h later.
    rec = record(
        [
            work("2026-10-31T02:15", "2026-11-01T01:15-05:00", "in_house_call"),
            work("2026-11-01T04:15", "2026-11-01T08:00"),
        ]
    )
    finding = next(f for f in check(rec).violations if f.rule == "rest-after-24h")
    # As a start, a bare "01:15" would be read as the first (EDT) one: the offset says which.
    assert finding.start == "2026-11-01T01:15-05:00"
    assert finding.end == "2026-11-01T04:15"
