"""Averaging windows: by rotation, cut into 28-day pieces, and the gaps between rotations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from rounds.engine.errors import ProblemError
from rounds.engine.workhours import Limits, Record, Window, averaging_windows, check


@dataclass(frozen=True)
class Block:
    name: str
    start: date
    end: date


def spans(windows: list[Window]) -> list[tuple[str, str, str]]:
    return [(w.name, w.start.isoformat(), w.end.isoformat()) for w in windows]


def test_a_rotation_of_31_days_is_one_window() -> None:
    july = Block("Cardiology", date(2026, 7, 1), date(2026, 7, 31))
    windows = averaging_windows([july], date(2026, 7, 1), date(2026, 7, 31))
    assert spans(windows) == [("Cardiology", "2026-07-01", "2026-07-31")]
    assert windows[0].days == 31


def test_a_32_day_rotation_is_cut_into_28_days_and_a_4_day_remainder() -> None:
    long = Block("ICU", date(2026, 7, 1), date(2026, 8, 1))
    assert spans(averaging_windows([long], date(2026, 7, 1), date(2026, 8, 1))) == [
        ("ICU", "2026-07-01", "2026-07-28"),
        ("ICU", "2026-07-29", "2026-08-01"),
    ]


def test_a_56_day_rotation_is_two_full_windows() -> None:
    long = Block("ICU", date(2026, 7, 1), date(2026, 8, 25))
    assert spans(averaging_windows([long], date(2026, 7, 1), date(2026, 8, 25))) == [
        ("ICU", "2026-07-01", "2026-07-28"),
        ("ICU", "2026-07-29", "2026-08-25"),
    ]


def test_without_rotations_full_28_day_windows_start_on_the_first_day() -> None:
    # Jul 3 .. Aug 31 is 60 days: 28 + 28 + a third full window past the last logged day, so
    # the last four days are averaged over four weeks too, not over four days.
    assert spans(averaging_windows([], date(2026, 7, 3), date(2026, 8, 31))) == [
        ("no rotation", "2026-07-03", "2026-07-30"),
        ("no rotation", "2026-07-31", "2026-08-27"),
        ("no rotation", "2026-08-28", "2026-09-24"),
    ]


def test_days_no_rotation_covers_get_their_own_windows() -> None:
    # Work logged before, between and after rotations is still checked.  A gap stops where
    # the next rotation begins; after the last rotation the window runs its full 28 days.
    blocks = [
        Block("Wards", date(2026, 7, 10), date(2026, 7, 20)),
        Block("Clinic", date(2026, 8, 1), date(2026, 8, 10)),
    ]
    assert spans(averaging_windows(blocks, date(2026, 7, 1), date(2026, 8, 15))) == [
        ("no rotation", "2026-07-01", "2026-07-09"),
        ("Wards", "2026-07-10", "2026-07-20"),
        ("no rotation", "2026-07-21", "2026-07-31"),
        ("Clinic", "2026-08-01", "2026-08-10"),
        ("no rotation", "2026-08-11", "2026-09-07"),
    ]


def test_window_lengths_follow_the_limits() -> None:
    block = Block("Nights", date(2026, 7, 1), date(2026, 7, 20))
    limits = Limits(window_days=7, single_window_max_days=9)
    assert [w.days for w in averaging_windows([block], block.start, block.end, limits)] == [7, 7, 6]


def test_overlapping_rotations_are_refused() -> None:
    blocks = [
        Block("Wards", date(2026, 7, 1), date(2026, 7, 31)),
        Block("Clinic", date(2026, 7, 31), date(2026, 8, 20)),
    ]
    with pytest.raises(ProblemError) as error:
        averaging_windows(blocks, date(2026, 7, 1), date(2026, 8, 20))
    assert (
        str(error.value) == "rotations[1]: overlaps rotations[0] 'Wards' (2026-07-01 to 2026-07-31)"
    )


def shifts(first: date, days: int, hours: int) -> list[dict[str, str]]:
    """`hours`-long shifts from 06:00 on `days` consecutive days, every 7th day off."""
    out = []
    for n in range(days):
        if n % 7 == 6:
            continue
        d = date.fromordinal(first.toordinal() + n).isoformat()
        out.append({"start": f"{d}T06:00", "end": f"{d}T{6 + hours:02d}:00", "kind": "clinical"})
    return out


def test_a_heavy_rotation_is_not_hidden_by_a_light_one() -> None:
    # ICU Jul 5 - Aug 1: 24 shifts × 15 h = 360 h -> 90.0 h/week.
    # Clinic Aug 2 - Aug 29: 24 × 8 h = 192 h -> 48 h/week.  Averaged together: 69 h/week.
    data: dict[str, Any] = {
        "trainee": {"id": "dr-grace", "pgy": 2},
        "rotations": [
            {"name": "ICU", "start": "2026-07-05", "end": "2026-08-01"},
            {"name": "Clinic", "start": "2026-08-02", "end": "2026-08-29"},
        ],
        "periods": shifts(date(2026, 7, 5), 28, 15) + shifts(date(2026, 8, 2), 28, 8),
    }
    report = check(Record.from_json(data))
    assert [(f.rule, f.start, f.end) for f in report.violations] == [
        ("weekly-hours", "2026-07-05", "2026-08-01")
    ]
    assert report.violations[0].detail == (
        "90.0 hours/week averaged over Jul 5 - Aug 1 (limit 80): 360.0 hours in 28 days on ICU."
    )


def test_work_crossing_a_window_edge_counts_on_each_side_for_its_own_hours() -> None:
    # Two one-week rotations and a 7 h/week limit, so one night shows the clipping.
    # A call Jul 11 18:00 -> Jul 12 08:00 is 6 h in A (to midnight) and 8 h in B.
    limits = Limits(weekly_limit_hours=7, window_days=7, single_window_max_days=7)
    data: dict[str, Any] = {
        "trainee": {"id": "dr-grace", "pgy": 2},
        "rotations": [
            {"name": "A", "start": "2026-07-05", "end": "2026-07-11"},
            {"name": "B", "start": "2026-07-12", "end": "2026-07-18"},
        ],
        "periods": [
            {"start": "2026-07-11T18:00", "end": "2026-07-12T08:00", "kind": "in_house_call"}
        ],
    }
    report = check(Record.from_json(data), limits)
    # A: 6 h × 7 / 7 = 6 h/week (ok).  B: 8 h/week > 7.  The call starts in A, so B has no call.
    assert [(f.rule, f.start) for f in report.violations] == [("weekly-hours", "2026-07-12")]
    assert report.violations[0].detail.startswith("8.0 hours/week averaged over Jul 12 - Jul 18")
