"""The rest of the forms that create something, each sent twice: one row, and the same answer.

Swap offers, new staff records, mentoring sign-ups (mentee and mentor) and import uploads carry
the one-time token (rounds/lib/idempotency.py). A survey answer carries none (a stored token
would tie the answer to its person): the respondent flag already refuses a second answer.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import pytest
from django.test import Client
from django.urls import reverse

from rounds.core.models import AuditEntry, Specialty
from rounds.core.models import Testimonial as Quote
from rounds.imports.models import UploadedFile
from rounds.jobs.models import Job
from rounds.lib.today import today
from rounds.mentoring.models import Application, CycleMentor
from rounds.schedules.models import SwapProposal
from rounds.wellness.models import Question, Respondent, ResponseCount
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules
from tests.test_imports import GOOD_ROW, trainees_csv
from tests.test_mentoring_setup import Mentoring, mentoring_fixture  # noqa: F401
from tests.test_wellness_anonymity import new_survey

TOKEN = re.compile(r'<input type="hidden" name="submit_token" value="([A-Za-z0-9_-]{32})">')


def _token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "the form carries no submit_token"
    return found.group(1)


def _twice(client: Client, url: str, form: Mapping[str, object]) -> list[str]:
    """The same form posted twice; what each send's page said, after its redirect."""
    return [client.post(url, form, follow=True).content.decode() for _ in range(2)]


def test_a_swap_offered_twice_is_one_proposal(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    schedule = hand_month(small, status="published")
    free = shift(schedule, small.ana, 10)
    ana = client_as("resident")
    token = _token(ana.get(reverse("schedules:swap_shift", args=[free.pk])).content.decode())
    url = reverse("schedules:swap_offer", args=[free.pk])
    for page in _twice(ana, url, {"to_trainee": small.ben.pk, "submit_token": token}):
        assert "Sent to Ben Baker, who accepts or declines." in page
    assert SwapProposal.objects.filter(shift=free).count() == 1


def test_a_new_staff_record_saved_twice_is_one_record(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    gme = client_as("gme")
    url = reverse("staff:managed_new", args=["testimonials"])
    token = _token(gme.get(url).content.decode())
    form = {"author_name": "Dana Diaz", "author_role": "PGY-2", "quote": "Great program.",
            "order": "0", "is_published": "on", "submit_token": token}  # fmt: skip
    for page in _twice(gme, url, form):
        assert "Saved Dana Diaz" in page
    assert Quote.objects.filter(author_name="Dana Diaz").count() == 1


def test_a_new_specialty_sent_twice_says_saved_not_name_taken(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    """The second send would fail the form's own check (the name exists now): it is answered
    as the first was."""
    gme = client_as("gme")
    url = reverse("staff:managed_new", args=["specialties"])
    page = gme.get(url).content.decode()
    fields = dict(re.findall(r'<input type="[a-z]+" name="(\w+)" value="([^"]*)"', page))
    fields.pop("csrfmiddlewaretoken", None)
    form = fields | {"name": "Geriatric Medicine", "slug": "geriatrics", "kind": "non_standard"}
    for sent in _twice(gme, url, form):
        assert "Saved Geriatric Medicine" in sent
    assert Specialty.objects.filter(name="Geriatric Medicine").count() == 1


def test_a_mentee_sign_up_sent_twice_is_one_application_saved_once(
    client_as, small, mentoring: Mentoring
) -> None:  # type: ignore[no-untyped-def]
    client = client_as("resident")
    url = reverse("mentoring:apply", args=[mentoring.cycle.pk])
    form = {"interests": "research", "language_strength": "prefer",
            "submit_token": _token(client.get(url).content.decode())}  # fmt: skip
    for page in _twice(client, url, form):
        assert "Thank you: your wishes are saved." in page
    assert Application.objects.filter(trainee=small.ana).count() == 1
    assert AuditEntry.objects.filter(object_type="application").count() == 1


def test_a_mentor_joining_twice_is_one_entry(client_as, small, mentoring: Mentoring) -> None:  # type: ignore[no-untyped-def]
    client = client_as("faculty2")
    url = reverse("mentoring:mentor_join", args=[mentoring.cycle.pk])
    form = {"capacity": "2", "submit_token": _token(client.get(url).content.decode())}
    for page in _twice(client, url, form):
        assert "Saved: you are taking part in this cycle." in page
    assert CycleMentor.objects.filter(cycle=mentoring.cycle, profile=mentoring.smith).count() == 1


def test_an_import_uploaded_twice_is_one_upload_and_one_job(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    gme = client_as("gme")
    url = reverse("staff:import")
    token = _token(gme.get(url).content.decode())
    answers = []
    for _ in range(2):
        upload = io.BytesIO(trainees_csv(GOOD_ROW))
        upload.name = "interns.csv"
        answers.append(gme.post(url, {"kind": "trainees", "file": upload, "submit_token": token}))
    job = Job.objects.get(kind="import")
    assert [a["Location"] for a in answers] == [job.get_absolute_url()] * 2
    assert UploadedFile.objects.count() == 1


@pytest.fixture
def question_bank(db: None) -> None:
    from rounds.wellness.bank import bank_install

    bank_install(Question)


def test_a_survey_answer_sent_twice_is_counted_once(
    small: SmallInstitution, client_as, question_bank: None
) -> None:  # type: ignore[no-untyped-def]
    """No token here: it would tie the answer to its person. The respondent flag refuses the
    second send, and the page says why."""
    survey = new_survey(small.im, small.users["gme"], starts=today())
    ana = client_as("resident")
    url = reverse("wellness:answer", args=[survey.pk])
    page = ana.get(url).content.decode()
    assert "submit_token" not in page
    form = {f"q{q.pk}": "0" for q in survey.ordered_questions()}
    first, again = _twice(ana, url, form)
    assert "Thank you. Your answers were counted anonymously." in first
    assert "Thank you. Your answers were counted anonymously." not in again
    assert ResponseCount.objects.get().count == 1
    assert Respondent.objects.count() == 1
