"""One figure, one computation: a trainee's average weekly hours in a block reads the same on the
weekly-hours finding and on the program's compliance grid, whatever the log holds (a night that
runs into the next block, days of leave)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from rounds.workhours import selectors, services
from rounds.workhours.models import Finding, LeaveSpan, LoggedPeriod
from tests.people import SmallInstitution

NY = ZoneInfo("America/New_York")
BLOCK_3 = (date(2025, 8, 26), date(2025, 9, 22))  # of 2025-26, in four-week blocks from July 1
LEAVE = (date(2025, 9, 8), date(2025, 9, 9))


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), NY).replace(hour=hour)


def _heavy_block(small: SmallInstitution) -> None:
    """13-hour days through block 3 except two days of leave, and on its last day a night that
    ends in block 4: 5 of its 12 hours are in block 3."""
    first, last = BLOCK_3
    rows = []
    day = first
    while day < last:
        if not LEAVE[0] <= day <= LEAVE[1]:
            rows.append(LoggedPeriod(trainee=small.ana, kind="clinical", start=_at(day, 7),
                                     end=_at(day, 20)))  # fmt: skip
        day += timedelta(days=1)
    night = _at(last, 19)
    rows.append(LoggedPeriod(trainee=small.ana, kind="in_house_call", start=night,
                             end=night + timedelta(hours=12)))  # fmt: skip
    LoggedPeriod.objects.bulk_create(rows)
    LeaveSpan.objects.create(trainee=small.ana, kind="vacation", start=LEAVE[0], end=LEAVE[1])
    services.findings_refresh(trainee=small.ana, day=first)


def _grid_figure(page: str, trainee_pk: int, block: int) -> str:
    """The number in the trainee's row, in the block's column of the compliance grid."""
    grid = page.split('id="compliance-h"')[1]
    row = grid.split(f'href="{reverse("workhours:trainee", args=[trainee_pk])}"')[1]
    row = row.split("</tr>")[0]
    cell = row.split("<td")[block]
    found = re.search(r">\s*([0-9.]+)", cell)
    assert found, cell
    return found.group(1)


def test_the_block_average_reads_the_same_on_the_finding_and_on_the_grid(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    _heavy_block(small)
    finding = Finding.objects.get(trainee=small.ana, rule="weekly-hours")
    assert finding.starts_on == BLOCK_3[0]
    pd = client_as("pd.im")
    grid = pd.get(reverse("workhours:program_hours", args=[small.im.pk]) + "?year=2025")
    on_grid = _grid_figure(grid.content.decode(), small.ana.pk, 3)
    page = pd.get(reverse("workhours:finding", args=[finding.pk])).content.decode()
    in_detail = finding.detail.split(" hours/week")[0]
    shown = re.search(r"Block 3 \(Aug 26 – Sep 22\) average: <strong>([0-9.]+) hours/week", page)
    assert shown, page
    # 25 days of 13 hours and 5 hours of the night, over the 26 days not on leave.
    expected = f"{(25 * 13 + 5) / 26 * 7:.1f}"
    assert on_grid == in_detail == shown.group(1) == expected == "88.8"
    assert "(2 leave days not counted)" in finding.detail


def test_one_selector_serves_both_pages(small: SmallInstitution) -> None:
    _heavy_block(small)
    block, hours = selectors.block_average(small.ana, date(2025, 9, 1)) or (None, None)
    assert block is not None and block.number == 3 and hours == 88.8
    compliance = selectors.program_compliance(small.im, date(2026, 6, 30))
    row = next(r for r in compliance.rows if r.trainee == small.ana)
    assert row.cells[2][0] == hours
    assert selectors.block_average(small.ana, date(2025, 10, 1)) is None, "nothing logged"
