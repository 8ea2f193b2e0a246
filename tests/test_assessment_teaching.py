"""Who supervised whom: the grid, a file imported all or nothing, a copy of the previous block,
contact time from the published schedules, and who attends a service on a day."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from rounds.assessment.contact import contact_time
from rounds.assessment.models import TeachingAssignment
from rounds.assessment.selectors import attending_on
from rounds.assessment.teaching import teaching_copy_previous, teaching_import
from rounds.people.models import TrainingEvent
from tests.assessment_setup import build_assessment
from tests.people import SmallInstitution


def test_a_file_with_one_bad_row_imports_nothing_and_names_row_and_column(
    small: SmallInstitution,
) -> None:
    a = build_assessment(small)
    before = TeachingAssignment.objects.count()
    start = a.x.im_blocks[4].start
    data = (
        "faculty_email,rotation,first_day,last_day\n"
        f"faculty@example.org,Wards,{start},{start + timedelta(days=6)}\n"
        f"nobody-here@example.org,Wards,{start},\n"
        f"faculty@example.org,Cath lab,{start},\n"
        f"faculty@example.org,MICU,{start + timedelta(days=3)},{start}\n"
        f"faculty@example.org,MICU,31/02/2026,\n"
    ).encode()
    outcome = teaching_import(
        program=small.im, filename="week.csv", data=data, by=small.users["coord.im"]
    )
    assert [str(p) for p in outcome.problems] == [
        "week.csv, row 3, column faculty_email: "
        "no faculty member with the email nobody-here@example.org",
        "week.csv, row 4, column rotation: "
        "Internal Medicine Residency has no rotation named 'Cath lab'",
        f"week.csv, row 5, column last_day: {start} comes before the first day "
        f"{start + timedelta(days=3)}",
        "week.csv, row 6, column first_day: '31/02/2026' is not a date; write it as YYYY-MM-DD",
    ]
    assert TeachingAssignment.objects.count() == before


def test_a_good_file_replaces_the_days_it_covers(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    a = build_assessment(small)
    day = a.x.im_blocks[4].start + timedelta(days=2)
    data = (
        f"faculty_email,rotation,site,first_day\nomar@example.org,wards,Riverside Hospital,{day}\n"
    )
    client = client_as("coord.im")
    response = client.post(
        reverse("assessment:teaching_import", args=[small.im.pk]),
        {"block": a.x.im_blocks[4].pk, "file": _upload("day.csv", data.encode())},
    )
    assert response.status_code == 302
    assert [f.person.last_name for f in attending_on(small.sponsor, "Wards", day)] == ["Other"]
    assert [
        f.person.last_name
        for f in attending_on(small.sponsor, "general medicine", day + timedelta(days=1))
    ] == ["Tester"]


def _upload(name: str, data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_a_grid_cell_sets_the_weeks_attending(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    a = build_assessment(small)
    block = a.x.im_blocks[6]
    monday = block.start + timedelta(days=(7 - block.start.weekday()) % 7)
    response = client_as("pd.im").post(
        reverse("assessment:teaching_cell", args=[small.im.pk]),
        {"block": block.pk, "rotation": a.x.wards.pk, "first_day": monday.isoformat(),
         "last_day": (monday + timedelta(days=6)).isoformat(), "faculty": [a.other.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    assert attending_on(small.sponsor, a.x.wards, monday + timedelta(days=3)) == [a.other]
    # The year-long span was cut around the week, not lost.
    assert attending_on(small.sponsor, a.x.wards, monday - timedelta(days=1)) == [a.faculty]
    assert attending_on(small.sponsor, a.x.wards, monday + timedelta(days=7)) == [a.faculty]
    page = client_as("pd.im").get(
        reverse("assessment:teaching", args=[small.im.pk]) + f"?block={block.pk}"
    )
    assert "Other, Omar" in page.content.decode()


def test_copy_from_the_previous_block_week_by_week(small: SmallInstitution) -> None:
    a = build_assessment(small)
    TeachingAssignment.objects.filter(rotation=a.x.wards).delete()
    copied = teaching_copy_previous(
        program=small.im, block=a.x.im_blocks[2], by=small.users["pd.im"]
    )
    assert copied == 5  # block 2's five weeks (Wed-Sun, three full weeks, Mon-Tue) of MICU
    b3 = a.x.im_blocks[2]
    assert attending_on(small.affiliate, a.x.micu, b3.start) == [a.faculty]
    assert attending_on(small.affiliate, a.x.micu, b3.end) == [a.faculty]


def test_contact_time_counts_days_together_and_leaves_out_leave(small: SmallInstitution) -> None:
    a = build_assessment(small)
    start, end = a.block(1)
    assert contact_time(start, end)[(small.ana.pk, a.faculty.pk)].days == 28
    assert contact_time(start, end)[(small.ana.pk, a.other.pk)].days == 1
    ben = contact_time(start, end)[(small.ben.pk, a.faculty.pk)]
    assert ben.days == 20 and ben.shifts == 0  # wards: weekdays only
    TrainingEvent.objects.create(
        trainee=small.ana,
        kind=TrainingEvent.Kind.LEAVE,
        effective_date=start,
        end_date=start + timedelta(days=6),
    )
    assert (
        contact_time(start, end, trainee_id=small.ana.pk)[(small.ana.pk, a.faculty.pk)].days == 21
    )


def test_an_excel_file_imports_too(small: SmallInstitution) -> None:
    import io

    from openpyxl import Workbook

    a = build_assessment(small)
    day = a.x.im_blocks[8].start
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Faculty email", "Rotation", "First day", "Last day"])
    sheet.append(["OMAR@example.org", "MICU", day, day + timedelta(days=2)])
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = teaching_import(
        program=small.im, filename="june.xlsx", data=buffer.getvalue(), by=small.users["pd.im"]
    )
    assert outcome.ok and outcome.created == 1
    assert attending_on(small.affiliate, "MICU", day + timedelta(days=2)) == [a.other]
    assert attending_on(small.affiliate, "MICU", day + timedelta(days=3)) == []
