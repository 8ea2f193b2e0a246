"""Imports of sites, programs and trainees: everything or nothing, every problem located."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from rounds.core.models import AuditEntry, Program, Site
from rounds.imports.services import import_file
from rounds.jobs.models import Job
from rounds.people.models import Person, SpokenLanguage, Trainee
from tests.people import SmallInstitution

TRAINEES_HEADER = "email,first_name,last_name,program,pgy,start_date,expected_end_date,languages\n"


def trainees_csv(*rows: str) -> bytes:
    return (TRAINEES_HEADER + "\n".join(rows) + "\n").encode()


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_ROW = "dana@example.org,Dana,Diaz,Internal Medicine Residency,1,2026-07-01,2029-06-30,"


def test_trainees_import_from_csv_with_languages(small: SmallInstitution) -> None:
    outcome = import_file(
        kind="trainees",
        filename="interns.csv",
        data=trainees_csv(GOOD_ROW + "spa:native; Haitian:professional"),
        by=small.users["gme"],
    )
    assert outcome.ok, outcome.problems
    assert (outcome.created, outcome.updated) == (1, 0)
    dana = Trainee.objects.get(person__email="dana@example.org")
    assert (dana.program, dana.pgy) == (small.im, 1)
    assert dict(
        SpokenLanguage.objects.filter(person=dana.person).values_list("language", "proficiency")
    ) == {"spa": "native", "hat": "professional"}
    assert AuditEntry.objects.filter(action="import", object_type="trainees").count() == 1


def test_one_broken_row_imports_nothing_and_names_row_and_column(small: SmallInstitution) -> None:
    before = Person.objects.count()
    outcome = import_file(
        kind="trainees",
        filename="interns.csv",
        data=trainees_csv(
            GOOD_ROW,
            "eli@example.org,Eli,Evans,Internal Medicine Residency,eleven,2026-07-01,2029-06-30,",
            "fay@example.org,Fay,Fox,Dermatology,1,2026-07-01,2026-06-30,",
        ),
        by=small.users["gme"],
    )
    assert not outcome.ok
    assert [str(p) for p in outcome.problems] == [
        "interns.csv, row 3, column pgy: 'eleven' is not a whole number",
        "interns.csv, row 4, column program: no program named 'Dermatology'; import it first",
        "interns.csv, row 4, column expected_end_date: must be after start_date",
    ]
    assert Person.objects.count() == before
    assert not AuditEntry.objects.filter(action="import").exists()


def test_a_repeated_record_and_a_missing_column_are_reported(small: SmallInstitution) -> None:
    repeated = import_file(
        kind="trainees", filename="t.csv", data=trainees_csv(GOOD_ROW, GOOD_ROW), by=None
    )
    assert [str(p) for p in repeated.problems] == [
        "t.csv, row 3, column email: repeats row 2 (dana@example.org)"
    ]
    missing = import_file(
        kind="sites", filename="sites.csv", data=b"name,citty\nNorth Clinic,Springfield\n", by=None
    )
    assert [str(p) for p in missing.problems] == [
        "sites.csv, row 1, column kind: required column is missing",
        "sites.csv, row 1, column citty: unknown column; expected some of: city, description, "
        "kind, name, postal_code, state, street",
    ]


def test_programs_import_from_excel_with_sites_and_positions(small: SmallInstitution) -> None:
    data = xlsx(
        [
            ["Name", "Specialty", "Kind", "ACGME number", "Length years", "Sites", "Positions"],
            [
                "Cardiology Research Track",
                "Cardiovascular Disease",
                "Non-standard program",
                None,
                2,
                "Harbor VA; Riverside Hospital",
                "2;2",
            ],
            [
                "Internal Medicine Residency",
                "Internal Medicine",
                "residency",
                1401100001,
                3,
                "Riverside Hospital",
                "12;12;12",
            ],
        ]
    )
    outcome = import_file(kind="programs", filename="programs.xlsx", data=data, by=None)
    assert outcome.ok, [str(p) for p in outcome.problems]
    assert (outcome.created, outcome.updated) == (1, 1)
    track = Program.objects.get(name="Cardiology Research Track")
    assert track.accreditation == Program.Accreditation.NOT_ACCREDITED
    assert [ps.site.name for ps in track.programsite_set.order_by("-is_primary", "site__name")] == [
        "Harbor VA",
        "Riverside Hospital",
    ]
    assert list(small.im.positions.values_list("pgy", "count")) == [(1, 12), (2, 12), (3, 12)]


def test_model_rules_come_back_as_cell_problems(small: SmallInstitution) -> None:
    data = xlsx(
        [
            ["name", "specialty", "kind", "acgme_number", "length_years", "positions"],
            ["New Residency", "Internal Medicine", "residency", "12345", 3, "4;4"],
        ]
    )
    outcome = import_file(kind="programs", filename="p.xlsx", data=data, by=None)
    assert sorted(str(p) for p in outcome.problems) == [
        "p.xlsx, row 2, column acgme_number: An ACGME program number has 10 digits.",
        "p.xlsx, row 2, column positions: gives 2 years of positions; the program has 3",
    ]
    assert not Program.objects.filter(name="New Residency").exists()


def test_files_that_cannot_be_read_say_why(small: SmallInstitution) -> None:
    assert str(import_file(kind="sites", filename="s.pdf", data=b"%PDF", by=None).problems[0]) == (
        "s.pdf: s.pdf: expected a .csv or .xlsx file, not .pdf"
    )
    latin1 = "name,kind\nHôpital Sud,hospital\n".encode("latin-1")
    problem = import_file(kind="sites", filename="s.csv", data=latin1, by=None).problems[0]
    assert "not UTF-8 text" in str(problem)
    broken = import_file(kind="sites", filename="s.xlsx", data=b"not a zip", by=None).problems[0]
    assert "not a readable Excel workbook" in str(broken)


def test_command_line_import_reports_problems_and_exits_nonzero(
    small: SmallInstitution, tmp_path: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sites.csv"  # type: ignore[operator]
    path.write_text("name,kind,city\nNorth Clinic,clinic,Springfield\nEast Clinic,community,\n")
    with pytest.raises(CommandError, match="nothing imported: 1 problem"):
        call_command("import_data", "sites", str(path))
    assert (
        "sites.csv, row 2, column kind: 'clinic' is not one of sponsor" in capsys.readouterr().err
    )
    assert not Site.objects.filter(name="East Clinic").exists()
    path.write_text("name,kind,city\nNorth Clinic,ambulatory,Springfield\n")
    call_command("import_data", "sites", str(path))
    assert "1 new, 0 updated sites" in capsys.readouterr().out
    assert Site.objects.get(name="North Clinic").slug == "north-clinic"


@pytest.mark.django_db(transaction=True)
def test_import_from_the_staff_page_runs_on_the_worker(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    upload = io.BytesIO(trainees_csv(GOOD_ROW))
    upload.name = "interns.csv"
    response = gme.post(reverse("staff:import"), {"kind": "trainees", "file": upload})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert "Queued" in gme.get(job.get_absolute_url()).content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    page = gme.get(job.get_absolute_url()).content.decode()
    assert "Imported interns.csv: 1 new, 0 updated." in page
    assert Trainee.objects.filter(person__email="dana@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_a_broken_upload_shows_each_problem_on_the_job_page(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    upload = io.BytesIO(trainees_csv(GOOD_ROW.replace(",1,", ",0,")))
    upload.name = "interns.csv"
    gme.post(reverse("staff:import"), {"kind": "trainees", "file": upload})
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    page = gme.get(Job.objects.get().get_absolute_url()).content.decode()
    assert "Nothing was imported: 1 problem in interns.csv" in page
    assert "must be a whole number from 1 to 10, not 0" in page
    assert not Trainee.objects.filter(person__email="dana@example.org").exists()
