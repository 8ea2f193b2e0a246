"""Uploads are capped (size, rows, columns) with a message saying what to do, any name a browser
sends is stored, and the file is deleted once its import has run (the job keeps the outcome)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from rounds.imports import tables
from rounds.imports.models import UploadedFile
from rounds.imports.tables import UnreadableFile, read_table
from rounds.imports.uploads import upload_keep, upload_name
from rounds.jobs.models import Job
from rounds.jobs.services import job_run
from rounds.people.models import Trainee
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules
from tests.test_imports import GOOD_ROW, trainees_csv


def _file(data: bytes, name: str) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_a_file_over_the_size_cap_is_refused_before_it_is_stored(
    small: SmallInstitution, client_as: Callable[[str], Client], settings: object
) -> None:
    settings.ROUNDS_UPLOAD_MAX_BYTES = 1024 * 1024  # type: ignore[attr-defined]
    big = trainees_csv(*[GOOD_ROW] * 20_000)  # about 1.6 MB
    page = client_as("gme").post(
        reverse("staff:import"), {"kind": "trainees", "file": _file(big, "interns.csv")}
    )
    assert page.status_code == 200
    assert (
        "The file is 1.5 MB; files up to 1 MB are imported. Split it into smaller files, or "
        "remove columns that are not imported." in page.content.decode()
    )
    assert not UploadedFile.objects.exists() and not Job.objects.exists()


def test_rows_and_columns_beyond_the_caps_are_refused_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    with pytest.raises(UnreadableFile, match="more than 3 rows; split it into files of at most 3"):
        read_table("interns.csv", trainees_csv(*[GOOD_ROW] * 4))
    assert len(read_table("interns.csv", trainees_csv(*[GOOD_ROW] * 3)).rows) == 3
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for _ in range(10):
        sheet.append(["x"] * 3)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(UnreadableFile, match="more than 3 rows"):
        read_table("big.xlsx", out.getvalue())
    wide = ",".join(f"c{i}" for i in range(tables.MAX_COLUMNS + 1)) + "\n"
    with pytest.raises(UnreadableFile, match="101 columns; at most 100 are read"):
        read_table("wide.csv", wide.encode())


def test_a_csv_field_longer_than_the_csv_module_reads_is_a_problem_not_a_crash() -> None:
    with pytest.raises(UnreadableFile, match="not a readable CSV file"):
        read_table("long.csv", b"a\n" + b"x" * 200_000 + b"\n")


def test_any_file_name_is_stored_short_and_clean() -> None:
    assert upload_name("C:\\Users\\ana\\interns.csv") == "interns.csv"
    assert upload_name("in\x00terns.csv") == "interns.csv"
    long = upload_name("x" * 300 + ".xlsx")
    assert len(long) == 120 and long.endswith("….xlsx")
    assert upload_name("\x00") == "upload"


def test_a_300_character_name_imports_and_leaves_no_upload_behind(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    name = "i" * 300 + ".csv"
    response = gme.post(
        reverse("staff:import"), {"kind": "trainees", "file": _file(trainees_csv(GOOD_ROW), name)}
    )
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert len(UploadedFile.objects.get().name) == 120
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert "1 new, 0 updated" in gme.get(job.get_absolute_url()).content.decode()
    assert Trainee.objects.filter(person__email="dana@example.org").exists()
    assert not UploadedFile.objects.exists()


def test_an_upload_nobody_imported_is_forgotten_after_a_day(small: SmallInstitution) -> None:
    old = upload_keep(filename="left.csv", data=b"a\n", by=small.users["gme"])
    UploadedFile.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    new = upload_keep(filename="new.csv", data=b"a\n", by=small.users["gme"])
    assert list(UploadedFile.objects.values_list("pk", flat=True)) == [new.pk]


def test_the_schedule_workbook_import_runs_as_a_job_and_deletes_the_file(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    x = build_schedules(small)
    coord = client_as("coord.im")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["trainee_id", "block_1"])
    sheet.append([small.ben.pk, "MICU"])
    out = io.BytesIO()
    book.save(out)
    response = coord.post(
        reverse("schedules:import", args=[x.draft.pk]),
        {"file": _file(out.getvalue(), "plan.xlsx"), "revision": x.draft.revision},
    )
    job = Job.objects.get(kind="schedule_import")
    assert response["Location"] == reverse("schedules:job", args=[job.pk])
    assert "Queued" in coord.get(response["Location"]).content.decode()
    assert UploadedFile.objects.count() == 1
    job_run(job.pk)
    page = coord.get(response["Location"]).content.decode()
    assert "Imported: 1 cell(s) changed." in page
    assert not UploadedFile.objects.exists()
