"""Wellness as its users meet it: answering, creating surveys, reminders, committee work,
the support directory."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from rounds.core.models import AuditEntry
from rounds.lib import today as clock
from rounds.wellness.models import (
    Committee,
    CommitteeMember,
    Gathering,
    Initiative,
    OptionCount,
    Question,
    Resource,
    ResponseCount,
    Survey,
)
from rounds.wellness.services import survey_create
from tests.people import SmallInstitution

MID_YEAR = "2026-12-07"  # tests about rounds already answered pin this day


@pytest.fixture(autouse=True)
def question_bank(db: None) -> None:
    # The bank comes from a data migration, which a transactional test's flush removes.
    from rounds.wellness.bank import bank_install

    bank_install(Question)


def open_survey(small: SmallInstitution, program=None) -> Survey:  # type: ignore[no-untyped-def]
    return survey_create(
        title="Monthly pulse",
        program=program,
        questions=[Question.objects.get(code="burnout-single-item")],
        recurrence=Survey.Recurrence.MONTHLY,
        starts_on=clock.today().replace(day=1),
        by=small.users["gme"],
    )


def test_trainee_answers_once_from_the_wellness_page(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    survey = open_survey(small, small.im)
    resident = client_as("resident")
    home = resident.get("/wellness/").content.decode()
    assert "Monthly pulse" in home and "Answer now" in home
    form = resident.get(f"/wellness/surveys/{survey.pk}/answer/").content.decode()
    assert "how would you rate your level of burnout" in form and "Prefer not to say" in form
    question = Question.objects.get(code="burnout-single-item")
    missing = resident.post(f"/wellness/surveys/{survey.pk}/answer/", {})
    assert "Choose an answer" in missing.content.decode()
    assert not ResponseCount.objects.exists()
    response = resident.post(f"/wellness/surveys/{survey.pk}/answer/", {f"q{question.pk}": "1"})
    assert response.status_code == 302
    assert OptionCount.objects.get(option=1).count == 1
    assert "Answered, thank you" in resident.get("/wellness/").content.decode()
    again = resident.get(f"/wellness/surveys/{survey.pk}/answer/").content.decode()
    assert "You have answered this round" in again
    # Answering writes no audit row: it would name and time the answer.
    assert not AuditEntry.objects.filter(actor=small.users["resident"]).exists()
    # A fellow of another program does not see the IM survey.
    assert "Monthly pulse" not in client_as("fellow").get("/wellness/").content.decode()


def test_committee_member_creates_a_survey_with_a_custom_question(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    member = client_as("wellness")  # the institution-wide wellness committee role
    response = member.post(
        "/wellness/surveys/questions/new/",
        {
            "text": "I take my days off.",
            "options_text": "No\nYes",
            "flag_from": "2",
            "flag_label": "Days off",
        },
    )
    assert response.status_code == 302
    custom = Question.objects.get(text="I take my days off.")
    assert custom.options == ["No", "Yes"] and custom.code.startswith("custom-")
    bad = member.post(
        "/wellness/surveys/questions/new/", {"text": "One option", "options_text": "Only"}
    )
    assert "Give at least two answer options" in bad.content.decode()
    burnout = Question.objects.get(code="burnout-single-item")
    response = member.post(
        "/wellness/surveys/new/",
        {
            "title": "Winter pulse",
            "program": "",
            "recurrence": "quarterly",
            "starts_on": "2026-12-01",
            "questions": [burnout.pk, custom.pk],
        },
    )
    survey = Survey.objects.get(title="Winter pulse")
    assert response["Location"] == f"/wellness/surveys/{survey.pk}/"
    assert survey.program is None and survey.ordered_questions() == [burnout, custom]
    # Program leaders see results but do not run the resident-led committee's surveys.
    assert client_as("pd.im").get("/wellness/surveys/new/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_reminders_reach_only_those_who_have_not_answered(client_as, small, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = MID_YEAR  # Ben (PGY-1) is in training, so he is reminded
    survey = open_survey(small, small.im)
    question = Question.objects.get(code="burnout-single-item")
    client_as("resident").post(f"/wellness/surveys/{survey.pk}/answer/", {f"q{question.pk}": "0"})
    mail.outbox.clear()
    response = client_as("wellness").post(f"/wellness/surveys/{survey.pk}/remind/", follow=True)
    page = response.content.decode()
    assert "Reminders are on their way" in page
    assert "resident2" not in page and "Ben" not in page
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    recipients = {to for m in mail.outbox for to in m.to}
    assert recipients == {small.ben.person.email}
    from rounds.jobs.models import Job

    job = Job.objects.get(kind="wellness_remind")
    assert job.status == Job.Status.SUCCEEDED
    assert "1" not in str(job.result) and "resident" not in str(job.result)


def test_committee_records_members_meetings_attendance_and_initiatives(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    gme = client_as("gme")
    response = gme.post(
        "/wellness/committees/new/", {"name": "IM Wellness Committee", "program": small.im.pk}
    )
    committee = Committee.objects.get()
    assert response["Location"] == f"/wellness/committees/{committee.pk}/"
    gme.post(
        f"/wellness/committees/{committee.pk}/members/",
        {"email": small.ana.person.email, "is_chair": "on"},
    )
    unknown = gme.post(
        f"/wellness/committees/{committee.pk}/members/",
        {"email": "ghost@example.org"},
        follow=True,
    )
    assert "Nobody in Rounds has the email ghost@example.org" in unknown.content.decode()
    chair = client_as("resident")
    chair.post(f"/wellness/committees/{committee.pk}/members/", {"email": small.ben.person.email})
    assert CommitteeMember.objects.filter(committee=committee).count() == 2
    ben = CommitteeMember.objects.get(person=small.ben.person)
    response = chair.post(
        f"/wellness/committees/{committee.pk}/gatherings/new/",
        {
            "kind": "event",
            "title": "Resident picnic",
            "on": "2026-09-12",
            "location": "Riverside Park",
            "attendees": [small.ana.person.pk, small.ben.person.pk],
            "headcount": "23",
        },
    )
    assert response.status_code == 302
    gathering = Gathering.objects.get()
    assert set(gathering.attendees.all()) == {small.ana.person, small.ben.person}
    chair.post(
        f"/wellness/committees/{committee.pk}/initiatives/new/",
        {"title": "Protected lunch", "status": "active", "lead": small.ben.person.pk},
    )
    assert Initiative.objects.get().lead == small.ben.person
    page = client_as("resident2").get(f"/wellness/committees/{committee.pk}/").content.decode()
    assert "Resident picnic" in page and "23" in page and "Protected lunch" in page
    # A plain member records work but does not manage membership.
    remove = f"/wellness/committees/{committee.pk}/members/{ben.pk}/remove/"
    assert client_as("resident2").post(remove).status_code == 403
    assert chair.post(remove).status_code == 302
    assert not CommitteeMember.objects.filter(pk=ben.pk).exists()


def test_concurrent_edits_of_a_meeting_do_not_overwrite(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    committee = Committee.objects.create(name="Institution committee")
    gathering = Gathering.objects.create(committee=committee, title="Kick-off", on=date(2026, 9, 1))
    gme = client_as("gme")
    url = f"/wellness/committees/{committee.pk}/gatherings/{gathering.pk}/"
    page = gme.get(url).content.decode()
    import re

    version = re.search(r'name="version" value="([^"]*)"', page).group(1)  # type: ignore[union-attr]
    Gathering.objects.filter(pk=gathering.pk).update(title="Kick-off (moved)")
    response = gme.post(
        url,
        {
            "kind": "meeting",
            "title": "Kick-off!",
            "on": "2026-09-01",
            "headcount": "0",
            "version": version,
        },
    )
    assert "Someone else saved this record" in response.content.decode()
    assert Gathering.objects.get().title == "Kick-off (moved)"


def test_support_directory_is_one_tap_from_every_page_without_sign_in(
    small: SmallInstitution,
) -> None:
    from django.test import Client

    Resource.objects.create(
        name="Employee Assistance Program", category="eap", phone="(555) 010-2000", hours="24/7"
    )
    home = Client().get("/").content.decode()
    assert 'href="/wellness/support/"' in home and "Get help" in home
    page = Client().get("/wellness/support/").content.decode()
    assert 'href="tel:988"' in page and "988 Suicide &amp; Crisis Lifeline" in page
    assert 'href="tel:5550102000"' in page and "Employee Assistance Program" in page


def test_each_round_is_announced_once_and_reminded_once_a_week_before_closing(
    small: SmallInstitution,
) -> None:
    from rounds.jobs.models import Job
    from rounds.wellness.periods import period_bounds
    from rounds.wellness.services import survey_reminders_due

    survey = open_survey(small, small.im)
    start = survey.starts_on
    assert len(survey_reminders_due(today=start, days_left=7)) == 1  # the opening notice
    assert survey_reminders_due(today=start, days_left=7) == []  # weeks before closing
    _, ends = period_bounds(survey, 0)
    near = ends - timedelta(days=3)
    assert len(survey_reminders_due(today=near, days_left=7)) == 1
    assert survey_reminders_due(today=near, days_left=7) == []  # once per round
    jobs = Job.objects.filter(kind="wellness_remind").order_by("pk")
    assert [job.params["opening"] for job in jobs] == [True, False]


def test_committee_stops_a_survey_and_results_stay(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    survey = open_survey(small, small.im)
    response = client_as("wellness").post(f"/wellness/surveys/{survey.pk}/stop/", follow=True)
    assert "is stopped: no new rounds will open" in response.content.decode()
    assert Survey.objects.get().stopped
    assert "Monthly pulse" not in client_as("resident").get("/wellness/").content.decode()
    assert client_as("pd.im").post(f"/wellness/surveys/{survey.pk}/stop/").status_code == 403


def test_program_wellness_sits_beside_its_workload_with_the_same_floor(
    small: SmallInstitution, client_as, monkeypatch, settings
) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    settings.ROUNDS_TODAY = MID_YEAR  # both quarters answered are behind

    import rounds.workhours.selectors as workhours
    from tests.test_wellness_anonymity import add_trainees, answer_all, new_survey

    def fake_workload(program, start, end):  # type: ignore[no-untyped-def]
        logging = 9 if start.month < 4 else 3
        return SimpleNamespace(
            trainees_logging=logging,
            average_weekly_hours=71.4,
            in_house_calls_per_4_weeks=6.5,
            violations=4,
        )

    monkeypatch.setattr(workhours, "program_workload", fake_workload)
    survey = new_survey(small.im, small.users["gme"])
    trainees = [small.ana, small.ben, *add_trainees(small.im, 8, "im")]
    answer_all(survey, trainees, option=3, day=date(2026, 2, 1))
    answer_all(survey, trainees, option=0, day=date(2026, 5, 1))
    page = client_as("pd.im").get(f"/wellness/surveys/{survey.pk}/").content.decode()
    assert "Wellness and workload: Internal Medicine Residency" in page
    timeline = page.split('id="timeline-title"')[1].split("</table>")[0]
    assert "71.4" in timeline and "6.5" in timeline  # first quarter: 9 trainees logged
    assert "fewer than 5 logging" in timeline  # second quarter: 3 logged, figures hidden
    assert "100%" in timeline and "0%" in timeline  # burnout, quarter by quarter
