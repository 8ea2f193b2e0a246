"""360 through a one-time link: no account, works once, expires, stores only a digest of the
token and shows nothing but its one form."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from django.test import Client
from django.urls import reverse

from rounds.assessment.models import Evaluation, EvaluatorKind, OneTimeLink
from rounds.assessment.services import link_request_create
from rounds.lib.today import today_is
from tests.assessment_setup import build_assessment
from tests.people import SmallInstitution

ANSWERS = {"item-1": "NYA", "item-2": "5", "item-3": "yes", "item-4": "Always kind to patients"}


def make_link(small: SmallInstitution) -> str:
    a = build_assessment(small)
    form = a.forms[EvaluatorKind.STAFF]
    _, url = link_request_create(
        form=form,
        trainee=small.ana,
        evaluator_label="Charge nurse, 5 West",
        by=small.users["pd.im"],
    )
    return urlparse(url).path


def test_the_link_works_once_without_an_account(small: SmallInstitution) -> None:
    path = make_link(small)
    token = path.rstrip("/").split("/")[-1]
    assert not OneTimeLink.objects.filter(token_digest=token).exists()  # only a digest is kept
    page = Client().get(path)
    body = page.content.decode()
    assert page.status_code == 200 and "Ana Alvarez" in body and "Gathers a history" in body
    assert "Evaluations" not in body  # no menu of the site's work areas
    sent = Client().post(path, ANSWERS)
    assert sent.status_code == 200 and "your evaluation was received" in sent.content.decode()
    evaluation = Evaluation.objects.get()
    assert evaluation.answers.get(item__position=1).not_assessable
    again = Client().post(path, ANSWERS | {"item-2": "1"})
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert Evaluation.objects.count() == 1


def test_an_expired_link_says_so_and_writes_nothing(small: SmallInstitution) -> None:
    path = make_link(small)
    link = OneTimeLink.objects.get()
    with today_is(link.request.expires_on + timedelta(days=1)):
        response = Client().post(path, ANSWERS)
    assert response.status_code == 410 and "This link has expired" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_wrong_token_opens_nothing(small: SmallInstitution) -> None:
    make_link(small)
    response = Client().get(reverse("assessment:link", args=["not-a-real-token-at-all"]))
    assert response.status_code == 404 and "does not open anything" in response.content.decode()


def test_a_bad_answer_through_the_link_keeps_the_link_usable(small: SmallInstitution) -> None:
    path = make_link(small)
    response = Client().post(path, ANSWERS | {"item-2": "11"})
    assert response.status_code == 400 and "outside the scale" in response.content.decode()
    assert OneTimeLink.objects.get().used_at is None
    assert Client().post(path, ANSWERS).status_code == 200
