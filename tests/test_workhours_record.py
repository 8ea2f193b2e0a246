"""The adapter from the database to the checker's record: zone, kinds, leave, windows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rounds.engine.workhours import check
from rounds.workhours.models import LeaveSpan, LoggedPeriod
from rounds.workhours.record import PlannedPeriod, trainee_record, year_blocks

CHICAGO = ZoneInfo("America/Chicago")


def test_record_reads_the_programs_zone_and_splits_call_windows(small) -> None:
    small.sponsor.timezone = "America/Chicago"
    small.sponsor.save()
    start = datetime(2025, 9, 6, 17, 0, tzinfo=CHICAGO)
    LoggedPeriod.objects.create(
        trainee=small.ana, kind="home_call", start=start, end=start + timedelta(hours=14)
    )
    LoggedPeriod.objects.create(
        trainee=small.ana,
        kind="home_call_work",
        start=start + timedelta(hours=6),
        end=start + timedelta(hours=8),
    )
    LeaveSpan.objects.create(trainee=small.ana, start=date(2025, 6, 28), end=date(2025, 7, 3))
    record = trainee_record(small.ana, date(2025, 7, 1), date(2026, 6, 30))
    data = record.to_json()
    assert data["timezone"] == "America/Chicago"
    assert data["home_call"] == [{"start": "2025-09-06T17:00", "end": "2025-09-07T07:00"}]
    assert data["periods"] == [
        {"start": "2025-09-06T23:00", "end": "2025-09-07T01:00", "kind": "home_call_work"}
    ]
    assert data["leave"] == [{"start": "2025-07-01", "end": "2025-07-03"}]  # clipped to the span
    # The previous year's last block comes first: a night crossing July 1 is judged in both.
    assert [r["name"] for r in data["rotations"]][:3] == ["Block 13", "Block 1", "Block 2"]


def test_blocks_are_thirteen_four_week_windows_to_june_30() -> None:
    blocks = year_blocks(date(2026, 11, 24))
    assert (blocks[0].start, blocks[0].end) == (date(2026, 7, 1), date(2026, 7, 28))
    assert (blocks[-1].start, blocks[-1].end) == (date(2027, 6, 2), date(2027, 6, 30))
    assert len(blocks) == 13


def test_what_if_periods_are_checked_with_the_log(small) -> None:
    ny = ZoneInfo("America/New_York")
    call = PlannedPeriod(
        datetime(2025, 9, 1, 7, tzinfo=ny), datetime(2025, 9, 2, 12, tzinfo=ny), "in_house_call"
    )
    report = check(trainee_record(small.ana, date(2025, 7, 1), date(2026, 6, 30), extra=[call]))
    assert [f.rule for f in report.violations] == ["max-continuous-hours"]
    assert not LoggedPeriod.objects.exists()
