"""Bad records are refused with the entry and the problem named, and good ones round-trip."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rounds.engine.errors import ProblemError
from rounds.engine.workhours import Record

GOOD: dict[str, Any] = {
    "timezone": "America/Chicago",
    "trainee": {"id": "dr-ola", "pgy": 2},
    "weekly_limit_hours": 88,
    "rotations": [{"name": "Neurosurgery", "start": "2026-07-01", "end": "2026-07-31"}],
    "leave": [{"start": "2026-07-20", "end": "2026-07-24"}],
    "periods": [
        {"start": "2026-07-01T07:00", "end": "2026-07-01T19:00", "kind": "clinical"},
        {"start": "2026-07-02T07:00", "end": "2026-07-03T07:00", "kind": "in_house_call"},
        {"start": "2026-07-05T09:00", "end": "2026-07-05T10:30", "kind": "home_call_work"},
    ],
    "home_call": [{"start": "2026-07-05T07:00", "end": "2026-07-06T07:00"}],
}


def refused(change: dict[str, Any] | None = None, **replace: Any) -> str:
    data = copy.deepcopy(GOOD)
    data.update(replace)
    for path, value in (change or {}).items():
        section, index, key = path.split(".")
        data[section][int(index)][key] = value
    with pytest.raises(ProblemError) as error:
        Record.from_json(data)
    return str(error.value)


def test_a_good_record_round_trips_through_json() -> None:
    record = Record.from_json(GOOD)
    assert record.to_json() == GOOD
    assert Record.from_json(record.to_json()) == record


def test_defaults_are_utc_and_no_limit_override() -> None:
    record = Record.from_json({"trainee": {"id": 17, "pgy": 1}})
    assert (record.timezone, record.weekly_limit_hours, record.trainee.id) == ("UTC", None, "17")


def test_end_before_start() -> None:
    assert refused({"periods.1.end": "2026-07-02T06:00"}) == "periods[1]: end is before start"


def test_a_period_must_last_some_time() -> None:
    message = refused({"periods.0.end": "2026-07-01T07:00"})
    assert message == "periods[0]: end is the same as start (a period must last some time)"


def test_unknown_kind() -> None:
    assert refused({"periods.0.kind": "surgery"}) == (
        "periods[0].kind: must be one of clinical, in_house_call, education, home_call_work, "
        "moonlighting_internal, moonlighting_external"
    )


def test_unknown_time_zone() -> None:
    assert refused(timezone="Mars/Base") == "timezone: unknown time zone 'Mars/Base'"


@pytest.mark.parametrize("pgy", [0, 11, 2.5, "2", True, None])
def test_pgy_must_be_1_to_10(pgy: Any) -> None:
    assert refused(trainee={"id": "dr-ola", "pgy": pgy}) == (
        "trainee.pgy: must be a whole number from 1 to 10"
    )


def test_bad_times_and_dates_are_named() -> None:
    assert refused({"periods.2.start": "July 5th"}) == (
        "periods[2].start: must be a local date and time like 2026-07-01T07:00, not 'July 5th'"
    )
    assert refused({"leave.0.end": "2026-07-32"}) == (
        "leave[0].end: must be a date like 2026-07-01, not '2026-07-32'"
    )
    assert refused({"rotations.0.start": "2026-07-01T00:00"}) == (
        "rotations[0].start: must be a date like 2026-07-01, not '2026-07-01T00:00'"
    )
    assert refused({"home_call.0.end": "2026-07-04T07:00"}) == "home_call[0]: end is before start"


def test_missing_and_unknown_fields() -> None:
    data = copy.deepcopy(GOOD)
    del data["trainee"]
    with pytest.raises(ProblemError, match=r"^trainee: is required$"):
        Record.from_json(data)
    # A typo must not silently drop the rotations (and with them the averaging windows).
    assert refused(rotation=[]).startswith("rotation: unknown field (expected one of timezone,")
    assert refused({"periods.0.kidn": "x"}) == (
        "periods[0].kidn: unknown field (expected one of start, end, kind)"
    )
    assert refused(periods={"start": "x"}) == "periods: must be a list"


def test_weekly_limit_beyond_88_is_refused() -> None:
    assert refused(weekly_limit_hours=90) == (
        "weekly_limit_hours: must be a number of hours above 0 and at most 88 "
        "(the most a Review Committee may approve)"
    )


def test_overlapping_rotations_are_refused() -> None:
    rotations = [
        {"name": "Neurosurgery", "start": "2026-07-01", "end": "2026-07-31"},
        {"name": "ICU", "start": "2026-07-15", "end": "2026-08-15"},
    ]
    assert refused(rotations=rotations) == (
        "rotations[1]: overlaps rotations[0] 'Neurosurgery' (2026-07-01 to 2026-07-31)"
    )


def test_not_an_object() -> None:
    with pytest.raises(ProblemError, match="must be an object"):
        Record.from_json([1, 2])
