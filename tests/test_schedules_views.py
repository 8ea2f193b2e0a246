"""What trainees and sites see: own schedule, planned shifts, who arrives where, who is on call,
calendar feeds, Excel export and all-or-nothing import; a block split in halves, everywhere."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from typing import Any

from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from rounds.jobs.models import Job
from rounds.jobs.services import job_run
from rounds.people.models import Trainee
from rounds.schedules.models import (
    Block,
    CalendarFeed,
    CallAssignment,
    CallSchedule,
    Rotation,
    RotationAssignment,
    RotationProgram,
    RotationSchedule,
)
from rounds.schedules.selectors import blocks_of, scheduled_shifts, trainees_at_site
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, build_schedules

NY = zoneinfo.ZoneInfo("America/New_York")


def test_planned_shifts_come_from_call_assignments_else_the_rotation_hours(
    small: SmallInstitution,
) -> None:
    x = build_schedules(small)
    assert [b.number for b in blocks_of(small.im, YEAR)] == list(range(1, 14))
    # Ana: MICU (12 h from 07:00, weekends too) in block 1, July 1-28 2026.
    shifts = scheduled_shifts(small.ana, dt.date(2026, 7, 4), dt.date(2026, 7, 5))
    assert [(s.start.hour, (s.end - s.start).seconds // 3600, s.kind, s.label, s.site)
            for s in shifts] == [(7, 12, "clinical", "MICU", "Harbor VA")] * 2  # fmt: skip
    call = CallSchedule.objects.create(program=small.im, month=dt.date(2026, 7, 1),
                                       status="published")  # fmt: skip
    start = dt.datetime(2026, 7, 4, 7, tzinfo=NY)
    CallAssignment.objects.create(
        schedule=call, trainee=small.ana, day=dt.date(2026, 7, 4), start=start,
        end=start + dt.timedelta(hours=24), kind="in_house_call", label="24h call",
        service="Medical ICU", site=small.affiliate,
    )  # fmt: skip
    shifts = scheduled_shifts(small.ana, dt.date(2026, 7, 4), dt.date(2026, 7, 5))
    assert [(s.label, s.kind) for s in shifts] == [("24h call", "in_house_call"),
                                                  ("MICU", "clinical")]  # fmt: skip
    # Wards (Ben, block 1) does not work weekends by default; drafts never count.
    assert scheduled_shifts(small.ben, dt.date(2026, 7, 4), dt.date(2026, 7, 5)) == []
    RotationAssignment.objects.filter(schedule=x.published).delete()
    assert scheduled_shifts(small.ana, dt.date(2026, 7, 6), dt.date(2026, 7, 6)) == []


def test_site_view_shows_who_arrives_with_their_real_first_day(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    block4 = x.im_blocks[3]
    stints = trainees_at_site(small.affiliate, block4.start, block4.end)
    assert [(s.trainee, s.rotation, s.first_day, s.last_day) for s in stints] == [
        (small.ben, "MICU", block4.start, x.im_blocks[4].end)  # blocks 4 and 5 are one stint
    ]
    page = client_as("coord.im").get(
        reverse("schedules:site", args=[small.affiliate.slug]) + f"?from={block4.start}"
    )
    html = page.content.decode()
    assert "Ben Baker" in html and "1</strong> arrives" in html
    assert block4.start.strftime("%a %b %-d") in html
    # Cardiology's director sees no IM residents at the site.
    other = client_as("pd.cards").get(
        reverse("schedules:site", args=[small.affiliate.slug]) + f"?from={block4.start}"
    )
    assert "Ben Baker" not in other.content.decode()


def test_a_trainee_sees_their_own_year_and_subscribes_to_a_private_feed(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    ana = client_as("resident")
    page = ana.get(reverse("schedules:mine") + f"?year={YEAR}").content.decode()
    assert "MICU" in page and "Jul 1 – Aug 25" in page and "Harbor VA" in page
    ana.post(reverse("schedules:feed_new"))
    feed = CalendarFeed.objects.get(trainee=small.ana)
    listing = ana.get(reverse("schedules:feeds")).content.decode()
    assert f"/schedules/ical/{feed.token}.ics" in listing
    ics = ana.get(reverse("schedules:ics", args=[feed.token]))
    assert ics["Content-Type"].startswith("text/calendar")
    # The feed reaches 60 days back: Ana's wards stint runs from block 4 to the end of the year.
    assert b"SUMMARY:Wards" in ics.content and b"LOCATION:Riverside Hospital" in ics.content
    ana.post(reverse("schedules:feed_revoke", args=[feed.pk]))
    assert ana.get(reverse("schedules:ics", args=[feed.token])).status_code == 404
    assert ana.get(reverse("schedules:ics", args=["guess"])).status_code == 404


def test_who_is_on_call_now(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    now = timezone.now()
    call = CallSchedule.objects.create(program=small.im, month=now.date().replace(day=1),
                                       status="published")  # fmt: skip
    CallAssignment.objects.create(
        schedule=call, trainee=small.ben, day=now.date(), start=now - dt.timedelta(hours=2),
        end=now + dt.timedelta(hours=10), kind="in_house_call", label="Night float",
        service="General medicine", site=small.sponsor,
    )  # fmt: skip
    html = client_as("faculty").get(reverse("schedules:on_call")).content.decode()
    assert "Ben Baker" in html and "Night float" in html
    elsewhere = client_as("faculty").get(reverse("schedules:on_call") + "?site=harbor-va")
    assert "Ben Baker" not in elsewhere.content.decode()


def _workbook(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "schedule.xlsx"
    return out


def _import(client: Any, url: str, rows: list[list[Any]], revision: int) -> Any:
    """Upload a workbook, run the import job as a worker would, and open the job's page."""
    response = client.post(url, {"file": _workbook(rows), "revision": revision})
    job = Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    job_run(job.pk)
    return client.get(response["Location"])


def test_excel_round_trip_and_an_import_with_errors_changes_nothing(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    exported = coord.get(reverse("schedules:export", args=[x.draft.pk]))
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["trainee_id", "trainee", "pgy", "block 1"]
    assert rows[1][:4] == [small.ana.pk, "Ana Alvarez", 2, "MICU"]
    bad = [row[:] for row in rows]
    bad[1][4] = "Cath lab"  # not an IM rotation
    bad[2][3] = "Clinic"  # Ben is PGY-1
    bad[2][5] = "MICU"  # fine on its own, but nothing is written when any cell is wrong
    response = _import(coord, reverse("schedules:import", args=[x.draft.pk]), bad, x.draft.revision)
    html = response.content.decode()
    assert "Nothing was imported: 2 problem(s)." in html
    assert "schedule.xlsx, row 2, column block_2: Ana Alvarez (PGY-2) may not rotate on" in html
    assert "row 3, column block_1: Ben Baker (PGY-1) may not rotate on" in html
    ben_block3 = RotationAssignment.objects.get(
        schedule=x.draft, trainee=small.ben, block=x.im_blocks[2]
    )
    assert ben_block3.rotation == x.wards
    good = [row[:] for row in rows]
    good[2][5] = "MICU"
    response = _import(
        coord, reverse("schedules:import", args=[x.draft.pk]), good, x.draft.revision
    )
    assert "Imported: 1 cell(s) changed." in response.content.decode()
    cell = RotationAssignment.objects.get(schedule=x.draft, trainee=small.ben, block=x.im_blocks[2])
    assert cell.rotation == x.micu


def test_a_coordinator_follows_a_service_calendar(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    coord.post(reverse("schedules:feed_new"), {"rotation": x.micu.pk})
    feed = CalendarFeed.objects.get(rotation=x.micu)
    ics = coord.get(reverse("schedules:ics", args=[feed.token])).content
    assert b"SUMMARY:MICU: Ben Baker" in ics  # blocks 4-5, inside the feed's window
    # Cardiology's director may not follow a service IM alone uses.
    assert (
        client_as("pd.cards")
        .post(reverse("schedules:feed_new"), {"rotation": x.wards.pk})
        .status_code
        == 404
    )


def _split(schedule: RotationSchedule, trainee: Trainee, block: Block, first: Rotation,
           second: Rotation) -> None:  # fmt: skip
    RotationAssignment.objects.filter(schedule=schedule, trainee=trainee, block=block).delete()
    for half, rotation in ((1, first), (2, second)):
        RotationAssignment.objects.create(
            schedule=schedule, trainee=trainee, block=block, half=half, rotation=rotation
        )


def test_a_block_in_halves_reads_right_everywhere(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    RotationProgram.objects.filter(program=small.im, rotation__in=[x.clinic, x.wards]).update(
        half_blocks=True
    )
    # Block 12 (May 5 - Jun 1, 2027) splits on May 19; it stays inside the calendar feed's window.
    block12 = x.im_blocks[11]
    for schedule in (x.published, x.draft):
        _split(schedule, small.ana, block12, x.clinic, x.wards)
    coord = client_as("coord.im")
    grid = coord.get(reverse("schedules:grid", args=[x.published.pk])).content.decode()
    assert '<td class="g0 split">Clinic/Wards</td>' in grid and "Every rule holds" in grid
    draft_grid = coord.get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    assert "Ana Alvarez, block 12: Clinic / Wards" in draft_grid
    assert "Every rule holds" in draft_grid
    # The trainee's year, the site view and the calendar use the halves' real days.
    ana = client_as("resident")
    page = ana.get(reverse("schedules:mine") + f"?year={YEAR}").content.decode()
    assert "Sep 23 – May 4</strong> Wards" in page and "May 5 – May 18</strong> Clinic" in page
    assert "May 19 – Jun 30</strong> Wards" in page
    stints = trainees_at_site(small.sponsor, dt.date(2027, 5, 10), dt.date(2027, 5, 24))
    assert [(s.trainee, s.rotation, s.first_day, s.last_day) for s in stints] == [
        (small.ben, "Wards", x.im_blocks[5].start, dt.date(2027, 6, 30)),
        (small.ana, "Clinic", dt.date(2027, 5, 5), dt.date(2027, 5, 18)),
        (small.ana, "Wards", dt.date(2027, 5, 19), dt.date(2027, 6, 30)),
    ]
    ana.post(reverse("schedules:feed_new"))
    ics = ana.get(reverse("schedules:ics", args=[CalendarFeed.objects.get().token])).content
    assert b"SUMMARY:Clinic\r\nDTSTART;VALUE=DATE:20270505\r\nDTEND;VALUE=DATE:20270519" in ics
    # Excel: "first / second"; the same workbook back changes nothing, swapped halves change one.
    exported = coord.get(reverse("schedules:export", args=[x.draft.pk]))
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][14] == "Clinic / Wards"
    url = reverse("schedules:import", args=[x.draft.pk])
    same = _import(coord, url, rows, x.draft.revision)
    assert "Imported: 0 cell(s) changed." in same.content.decode()
    x.draft.refresh_from_db()
    rows[1][14] = "MICU / Wards"
    refused = _import(coord, url, rows, x.draft.revision)
    assert "row 2, column block_12: MICU is not taken for half a block" in refused.content.decode()
    rows[1][14] = "Wards / Clinic"
    swapped = _import(coord, url, rows, x.draft.revision)
    assert "Imported: 1 cell(s) changed." in swapped.content.decode()
    cell = RotationAssignment.objects.filter(schedule=x.draft, trainee=small.ana, block=block12)
    assert sorted((a.half, a.rotation.name) for a in cell) == [(1, "Wards"), (2, "Clinic")]
    compare = coord.get(reverse("schedules:compare", args=[x.draft.pk, x.published.pk]))
    assert "Wards / Clinic" in compare.content.decode()
    # Picking one rotation in the grid makes the block whole again.
    x.draft.refresh_from_db()
    coord.post(
        reverse("schedules:cell", args=[x.draft.pk]),
        {"trainee": small.ana.pk, "block": block12.pk, "rotation": x.clinic.pk,
         "revision": x.draft.revision},
    )  # fmt: skip
    assert [(a.half, a.rotation.name) for a in cell.all()] == [(0, "Clinic")]
