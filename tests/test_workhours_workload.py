"""program_workload: the figures the wellness committee shows beside survey results."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rounds.workhours.models import Finding, LoggedPeriod
from rounds.workhours.selectors import ProgramWorkload, program_workload
from rounds.workhours.services import findings_refresh

NY = ZoneInfo("America/New_York")


def _log(trainee, day: date, hours: int, kind: str = "clinical", start_hour: int = 7) -> None:
    start = datetime.combine(day, datetime.min.time(), NY).replace(hour=start_hour)
    LoggedPeriod.objects.create(
        trainee=trainee, kind=kind, start=start, end=start + timedelta(hours=hours)
    )


def _four_weeks(trainee, hours_per_day: int, first: date = date(2025, 8, 26)) -> None:
    for n in range(28):
        if n % 7 != 6:
            _log(trainee, first + timedelta(days=n), hours_per_day)


def test_small_groups_get_counts_but_no_averages(small, settings) -> None:
    settings.ROUNDS_MIN_CELL_SIZE = 5
    _four_weeks(small.ana, 12)
    result = program_workload(small.im, date(2025, 8, 26), date(2025, 9, 22))
    assert isinstance(result, ProgramWorkload)
    assert result.trainees_logging == 1
    assert result.average_weekly_hours is None
    assert result.in_house_calls_per_4_weeks is None


def test_averages_and_violations(small, settings) -> None:
    settings.ROUNDS_MIN_CELL_SIZE = 2
    # Block 3 of the academic year runs Aug 26 - Sep 22: one averaging window.
    _four_weeks(small.ana, 15)  # 90 h/week: over the 80-hour average
    _four_weeks(small.ben, 10)  # 60 h/week
    for n in range(0, 28, 4):
        _log(small.ben, date(2025, 8, 26) + timedelta(days=n), 3, "in_house_call", start_hour=18)
    findings_refresh(trainee=small.ana, day=date(2025, 9, 1))
    result = program_workload(small.im, date(2025, 8, 26), date(2025, 9, 22))
    assert result.trainees_logging == 2
    assert result.average_weekly_hours == pytest.approx((90 + 60 + 7 * 3 / 4) / 2, abs=0.1)
    assert result.in_house_calls_per_4_weeks == pytest.approx(3.5)
    assert result.violations_by_rule == {"weekly-hours": 1}
    assert result.violations == 1
    assert Finding.objects.get(trainee=small.ana, rule="weekly-hours").detail.startswith("90")
    assert program_workload(small.cards, date(2025, 8, 26), date(2025, 9, 22)).trainees_logging == 0
