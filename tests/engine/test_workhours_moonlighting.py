"""Moonlighting: forbidden to PGY-1, counted in weekly hours for everyone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rounds.engine.workhours import Finding, Record, check


def record(pgy: int, periods: list[dict[str, str]]) -> Record:
    data: dict[str, Any] = {
        "trainee": {"id": "dr-kim", "pgy": pgy},
        "rotations": [{"name": "Clinic", "start": "2026-07-05", "end": "2026-08-01"}],
        "periods": periods,
    }
    return Record.from_json(data)


EXTERNAL = {"start": "2026-07-11T18:00", "end": "2026-07-11T23:00", "kind": "moonlighting_external"}
INTERNAL = {"start": "2026-07-12T18:00", "end": "2026-07-12T20:00", "kind": "moonlighting_internal"}


def test_pgy1_moonlighting_is_a_violation_per_period() -> None:
    report = check(record(1, [EXTERNAL, INTERNAL]))
    assert report.violations == [
        Finding(
            "pgy1-moonlighting",
            "2026-07-11T18:00",
            "2026-07-11T23:00",
            "PGY-1 trainee dr-kim logged moonlighting external Jul 11 18:00 - Jul 11 23:00; "
            "PGY-1 residents may not moonlight.",
        ),
        Finding(
            "pgy1-moonlighting",
            "2026-07-12T18:00",
            "2026-07-12T20:00",
            "PGY-1 trainee dr-kim logged moonlighting internal Jul 12 18:00 - Jul 12 20:00; "
            "PGY-1 residents may not moonlight.",
        ),
    ]


def test_pgy2_may_moonlight() -> None:
    assert check(record(2, [EXTERNAL, INTERNAL])).compliant


def test_moonlighting_hours_count_toward_80() -> None:
    # 24 clinic days 07:00-20:00 = 312 h (78 h/week) + 8 h of moonlighting = 320 h = 80.0.
    clinic = [
        {"start": f"2026-{d:%m-%d}T07:00", "end": f"2026-{d:%m-%d}T20:00", "kind": "clinical"}
        for d in (date(2026, 7, 5) + timedelta(days=n) for n in range(28) if n % 7 != 6)
    ]
    eight = {
        "start": "2026-07-11T21:00",
        "end": "2026-07-12T05:00",
        "kind": "moonlighting_external",
    }
    assert check(record(2, [*clinic, eight])).compliant  # (rest-8h warns, but that's a "should")
    nine = {**eight, "end": "2026-07-12T05:24"}  # 320.4 h -> 80.1
    report = check(record(2, [*clinic, nine]))
    assert [f.rule for f in report.violations] == ["weekly-hours"]
    assert report.violations[0].detail.startswith("80.1 hours/week")
