"""Year rollover: a dry run lists every change; the run does exactly that list, or nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rounds.people.models import Person, Trainee, TrainingEvent, YearRollover
from rounds.people.rollover import InternFile, RolloverError, rollover_plan, rollover_run
from rounds.people.services import trainee_extend, trainee_start_set
from rounds.people.training import history_of
from rounds.schedules.models import Block, RotationSchedule
from rounds.schedules.services import ScheduleError, schedule_create
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, build_schedules

D = dt.date
HEADER = "email,first_name,last_name,program,pgy,start_date,expected_end_date\n"
INTERNS = InternFile(
    "interns.csv",
    (
        HEADER
        + "nia@example.org,Nia,Okafor,Internal Medicine Residency,1,2027-07-01,2030-06-30\n"
        + "leo@example.org,Leo,Park,Internal Medicine Residency,1,2027-07-01,2030-06-30\n"
    ).encode(),
)
JUNE = D(YEAR + 1, 6, 15)


def trainee(small: SmallInstitution, name: str, pgy: int, start: dt.date, end: dt.date) -> Trainee:
    person = Person.objects.create(
        kind="trainee", first_name=name, last_name="Rollover", email=f"{name}@example.org"
    )
    return Trainee.objects.create(
        person=person, program=small.im, pgy=pgy, start_date=start, expected_end_date=end
    )


@pytest.fixture
def year(small: SmallInstitution) -> dict[str, Trainee]:
    build_schedules(small)
    gme = small.users["gme"]
    senior = trainee(small, "sam", 3, D(YEAR - 2, 7, 1), D(YEAR + 1, 6, 30))
    extended = trainee(small, "eve", 3, D(YEAR - 2, 7, 1), D(YEAR + 1, 6, 30))
    trainee_extend(trainee=extended, new_end=D(YEAR + 1, 9, 30), decided_on=D(YEAR, 12, 1), by=gme)
    october = trainee(small, "otto", 1, D(YEAR, 7, 1), D(YEAR + 3, 6, 30))
    trainee_start_set(
        trainee=october, start=D(YEAR, 10, 1), expected_end=D(YEAR + 3, 9, 30), by=gme
    )
    return {"senior": senior, "extended": extended, "october": october}


def test_dry_run_lists_every_change_and_writes_nothing(small, year) -> None:
    events = TrainingEvent.objects.count()
    plan = rollover_plan(year=YEAR, interns=INTERNS)
    texts = [c.text for c in plan.changes]
    assert plan.problems == []
    assert "Complete sam Rollover (Internal Medicine Residency, PGY-3) on Jun 30, 2027." in texts
    assert (
        "Promote Ana Alvarez (Internal Medicine Residency) from PGY-2 to PGY-3 on Jul 1, 2027."
        in texts
    )
    assert (
        "Promote Ben Baker (Internal Medicine Residency) from PGY-1 to PGY-2 on Jul 1, 2027."
        in texts
    )
    assert (
        "Promote otto Rollover (Internal Medicine Residency) from PGY-1 to PGY-2 on Oct 1, 2027."
        in texts
    )
    assert (
        "Promote Cara Chen (Cardiovascular Disease Fellowship) from PGY-4 to PGY-5 on Jul 1, 2027."
        in texts
    )
    assert not any("eve Rollover" in t for t in texts)  # extended in her final year: neither
    assert "Bring in Nia Okafor." in texts and "Bring in Leo Park." in texts
    assert (
        "Create Internal Medicine Residency's blocks for 2027–2028 (13 four-week blocks)." in texts
    )
    assert "Close unpublished draft version 2 of Internal Medicine Residency 2026–2027." in texts
    assert texts[-1] == "Archive 2026–2027 read-only: no schedule of the year changes again."
    assert TrainingEvent.objects.count() == events
    assert not Block.objects.filter(academic_year=YEAR + 1).exists()
    assert not Person.objects.filter(email="nia@example.org").exists()
    out = StringIO()
    call_command("year_rollover", "--year", str(YEAR), "--dry-run", stdout=out)
    assert "Dry run: nothing changed." in out.getvalue()
    assert "Promote Ana Alvarez" in out.getvalue()


def test_the_run_does_exactly_the_dry_runs_list(small, year) -> None:
    gme = small.users["gme"]
    plan = rollover_plan(year=YEAR, interns=INTERNS)
    done = rollover_run(year=YEAR, expected=plan.fingerprint, by=gme, today=JUNE, interns=INTERNS)
    assert [c.text for c in done.changes] == [c.text for c in plan.changes]
    promoted = TrainingEvent.objects.filter(kind="promotion")
    assert promoted.count() == plan.count("promote")
    assert TrainingEvent.objects.filter(kind="completion").count() == plan.count("complete") == 1
    assert history_of(small.ana).pgy_on(D(YEAR + 1, 6, 30)) == 2
    assert history_of(small.ana).pgy_on(D(YEAR + 1, 7, 1)) == 3
    otto = history_of(year["october"])
    assert (otto.pgy_on(D(YEAR + 1, 9, 30)), otto.pgy_on(D(YEAR + 1, 10, 1))) == (1, 2)
    assert history_of(year["senior"]).status_on(D(YEAR + 1, 7, 1)) == "graduated"
    assert history_of(year["extended"]).in_training_on(D(YEAR + 1, 9, 1))
    nia = Trainee.objects.get(person__email="nia@example.org")
    assert nia.start_date == D(YEAR + 1, 7, 1)
    assert Block.objects.filter(program=small.im, academic_year=YEAR + 1).count() == 13
    assert RotationSchedule.objects.filter(academic_year=YEAR, status="draft").count() == 0
    assert YearRollover.objects.get(academic_year=YEAR).changes == [c.text for c in plan.changes]
    with pytest.raises(ScheduleError, match="rolled over and is archived read-only"):
        schedule_create(program=small.im, academic_year=YEAR, by=gme, reason="late fix")
    assert rollover_plan(year=YEAR).problems == ["2026–2027 was already rolled over."]


def test_a_change_since_the_dry_run_or_a_bad_row_changes_nothing(small, year) -> None:
    gme = small.users["gme"]
    plan = rollover_plan(year=YEAR)
    with pytest.raises(RolloverError, match="run the rollover from Jun 1, 2027"):
        rollover_run(year=YEAR, expected=plan.fingerprint, by=gme, today=D(YEAR + 1, 3, 1))
    trainee(small, "zed", 1, D(YEAR, 7, 1), D(YEAR + 3, 6, 30))  # arrives after the dry run
    with pytest.raises(RolloverError, match="Run the dry run again"):
        rollover_run(year=YEAR, expected=plan.fingerprint, by=gme, today=JUNE)
    bad = InternFile(
        "interns.csv", (HEADER + "x@example.org,X,Y,Nowhere,1,2027-07-01,2030-06-30\n").encode()
    )
    plan = rollover_plan(year=YEAR, interns=bad)
    assert plan.problems == [
        "interns.csv, row 2, column program: no program named 'Nowhere'; import it first"
    ]
    with pytest.raises(RolloverError, match="Nothing was changed"):
        rollover_run(year=YEAR, expected=plan.fingerprint, by=gme, today=JUNE, interns=bad)
    assert not TrainingEvent.objects.filter(kind__in=["promotion", "completion"]).exists()
    assert not YearRollover.objects.exists()
    assert not Block.objects.filter(academic_year=YEAR + 1).exists()
    with pytest.raises(CommandError, match="run the rollover from Jun 1, 2027"):
        call_command(
            "year_rollover", "--year", str(YEAR), "--today", "2027-03-01", stdout=StringIO()
        )


def test_the_gme_page_shows_the_dry_run_and_runs_it(small, year, client_as) -> None:
    assert client_as("coord.im").get("/staff/rollover/").status_code == 403
    gme = client_as("gme")
    page = gme.post("/staff/rollover/", {"year": str(YEAR), "action": "preview"}).content.decode()
    assert "Promote Ana Alvarez (Internal Medicine Residency) from PGY-2 to PGY-3" in page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    # Before June the run is refused, with the date it opens; nothing changes.
    response = gme.post(
        "/staff/rollover/", {"year": str(YEAR), "action": "run", "fingerprint": fingerprint},
        follow=True,
    )  # fmt: skip
    assert "run the rollover from Jun 1, 2027" in response.content.decode()
    assert not YearRollover.objects.exists()


def test_the_run_from_the_page_is_a_job_that_does_the_list(small, year) -> None:
    from rounds.jobs.models import Job
    from rounds.jobs.services import job_run
    from rounds.people.rollover import rollover_start

    plan = rollover_plan(year=YEAR, interns=INTERNS)
    job = rollover_start(
        year=YEAR, expected=plan.fingerprint, by=small.users["gme"], today=JUNE, interns=INTERNS
    )
    job_run(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.message) == (
        "succeeded",
        f"Rolled over 2026–2027: {len(plan.changes)} changes done as listed.",
    )
    assert Trainee.objects.filter(person__email="leo@example.org").exists()
    assert YearRollover.objects.filter(academic_year=YEAR).exists()
