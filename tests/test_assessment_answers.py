"""Answering a request: drafts kept, a rating off the scale refused with the item named, a form
answered once (also when two submits race), expired and left-training requests refused, and
nothing half-written in any of these."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from rounds.assessment.errors import AnswersInvalid, AssessmentError
from rounds.assessment.generate import requests_generate
from rounds.assessment.models import Answer, Evaluation, EvaluationRequest, EvaluatorKind
from rounds.assessment.services import evaluation_submit
from rounds.lib.today import today_is
from rounds.people.models import TrainingEvent
from tests.assessment_setup import GOOD_ANSWERS, SmallAssessment, build_assessment
from tests.people import SmallInstitution


def ana_request(small: SmallInstitution) -> tuple[SmallAssessment, EvaluationRequest]:
    a = build_assessment(small)
    requests_generate(day=a.block(1)[1])
    return a, EvaluationRequest.objects.get(
        evaluator=a.faculty.person,
        trainee=small.ana,
        evaluator_kind=EvaluatorKind.FACULTY_OF_TRAINEE,
    )


def test_faculty_answers_from_the_queue(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    a, req = ana_request(small)
    client = client_as("faculty")
    with today_is(a.block(1)[1] + timedelta(days=1)):
        queue = client.get(reverse("assessment:home")).content.decode()
        assert "Ana Alvarez" in queue and "Answer by" in queue
        page = client.get(reverse("assessment:fill", args=[req.pk]))
        assert page.status_code == 200 and "Gathers a history" in page.content.decode()
        sent = client.post(
            reverse("assessment:fill", args=[req.pk]), GOOD_ANSWERS | {"action": "submit"}
        )
    assert sent.status_code == 302
    evaluation = Evaluation.objects.get(request=req)
    assert evaluation.form_version == req.form_version
    ratings = {a.item.text: a.rating for a in evaluation.answers.all()}
    assert ratings["Gathers a history"] == Decimal("3.5") and ratings["Overall"] == Decimal("4")
    req.refresh_from_db()
    assert req.status == EvaluationRequest.Status.COMPLETED


def test_a_draft_is_kept_and_filled_back_in(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    a, req = ana_request(small)
    client = client_as("faculty")
    with today_is(a.block(1)[1] + timedelta(days=1)):
        client.post(
            reverse("assessment:fill", args=[req.pk]),
            {"item-2": "4", "item-4": "So far good", "action": "draft"},
        )
        page = client.get(reverse("assessment:fill", args=[req.pk])).content.decode()
        queue = client.get(reverse("assessment:home")).content.decode()
    assert "So far good" in page and 'value="4" checked' in page
    assert "Draft kept" in queue
    assert not Evaluation.objects.exists()


def test_a_rating_outside_the_scale_names_the_item_and_writes_nothing(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    a, req = ana_request(small)
    with today_is(a.block(1)[1] + timedelta(days=1)):
        response = client_as("faculty").post(
            reverse("assessment:fill", args=[req.pk]),
            GOOD_ANSWERS | {"item-2": "7", "action": "submit"},
        )
        with pytest.raises(AnswersInvalid) as caught:
            evaluation_submit(request=req, posted=GOOD_ANSWERS | {"item-1": "2.25"}, by=None)
    assert response.status_code == 400
    assert (
        "A rating is from 1 to 5 in steps of 1; 7 is outside the scale."
        in response.content.decode()
    )
    assert caught.value.errors == {
        1: "A rating is from 1 to 5 in steps of 0.5; 2.25 is outside the scale."
    }
    assert not Evaluation.objects.exists() and not Answer.objects.exists()
    req.refresh_from_db()
    assert req.status == EvaluationRequest.Status.PENDING


def test_answered_twice_is_refused_with_a_clear_message(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    a, req = ana_request(small)
    client = client_as("faculty")
    url = reverse("assessment:fill", args=[req.pk])
    with today_is(a.block(1)[1] + timedelta(days=1)):
        client.post(url, GOOD_ANSWERS | {"action": "submit"})
        again = client.post(url, GOOD_ANSWERS | {"item-2": "1", "action": "submit"})
    assert again.status_code == 409
    assert "already submitted; it cannot be answered twice" in again.content.decode()
    assert Evaluation.objects.count() == 1
    assert Answer.objects.get(item__text="Overall").rating == Decimal("4")


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_write_one_evaluation(small: SmallInstitution) -> None:
    a, req = ana_request(small)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def submit(rating: str) -> None:
        try:
            barrier.wait()
            with today_is(a.block(1)[1] + timedelta(days=1)):
                evaluation_submit(request=req, posted=GOOD_ANSWERS | {"item-2": rating}, by=None)
            outcomes.append("sent")
        except AssessmentError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(r,)) for r in ("2", "5")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[-1] == "sent" and outcomes.count("sent") == 1, outcomes
    assert Evaluation.objects.count() == 1
    assert Answer.objects.filter(item__text="Overall").count() == 1


def test_an_expired_request_says_so(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    _, req = ana_request(small)
    with today_is(req.expires_on + timedelta(days=1)):
        page = client_as("faculty").post(
            reverse("assessment:fill", args=[req.pk]), GOOD_ANSWERS | {"action": "submit"}
        )
    assert page.status_code == 409
    assert f"This request expired on {req.expires_on:%b %-d, %Y}" in page.content.decode()
    assert not Evaluation.objects.exists()


def test_a_request_about_someone_who_left_training_says_so(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    a, req = ana_request(small)
    start, end = a.block(1)
    TrainingEvent.objects.create(
        trainee=small.ana,
        kind=TrainingEvent.Kind.WITHDRAWAL,
        effective_date=start + timedelta(days=2),
    )
    with today_is(end + timedelta(days=1)):
        page = client_as("faculty").post(
            reverse("assessment:fill", args=[req.pk]), GOOD_ANSWERS | {"action": "submit"}
        )
    assert page.status_code == 409
    assert "Ana Alvarez is no longer in training" in page.content.decode()
    assert not Evaluation.objects.exists()


def test_someone_elses_request_is_not_found(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    _, req = ana_request(small)
    for username in ("resident", "pd.im", "gme", "resident2"):
        assert client_as(username).get(reverse("assessment:fill", args=[req.pk])).status_code == 404
    assert Client().get(reverse("assessment:fill", args=[req.pk])).status_code == 302
