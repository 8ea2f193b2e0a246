"""Trainees' evaluations of faculty are shown to the faculty member only as aggregates, over at
least the minimum cell size, once the half year is over and the delay has passed; never one by
one, never with comments."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse

from rounds.assessment.models import EvaluationRequest, EvaluatorKind
from rounds.assessment.services import evaluation_submit
from rounds.lib.today import today_is
from rounds.people.models import Person, Trainee
from tests.assessment_setup import SmallAssessment, build_assessment
from tests.people import SmallInstitution

K = EvaluatorKind


def rate_faculty(small: SmallInstitution, a: SmallAssessment, count: int, day: date) -> None:
    form = a.forms[K.TRAINEE_OF_FACULTY]
    version = form.published_version()
    for n in range(count):
        person = Person.objects.create(
            kind="trainee", first_name=f"T{n}", last_name="R", email=f"t{n}@x.org"
        )
        trainee = Trainee.objects.create(
            person=person,
            program=small.im,
            pgy=1,
            start_date=date(2026, 7, 1),
            expected_end_date=date(2029, 6, 30),
        )
        request = EvaluationRequest.objects.create(
            program=small.im, form_version=version, evaluator_kind=K.TRAINEE_OF_FACULTY,
            evaluator=person, faculty=a.faculty, period_start=day - timedelta(days=27),
            period_end=day, month=day.replace(day=1), sent_on=day,
            expires_on=day + timedelta(days=21),
        )  # fmt: skip
        with today_is(day):
            evaluation_submit(
                request=request,
                posted={
                    "item-1": str(1 + n % 5),
                    "item-2": "yes" if n % 2 else "no",
                    "item-3": f"secret note {n}",
                },
                by=None,
            )
        assert trainee.pk


def aggregate_page(client_as, day: date) -> str:  # type: ignore[no-untyped-def]
    with today_is(day):
        return client_as("faculty").get(reverse("assessment:about_me")).content.decode()


def test_too_few_evaluations_show_nothing(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    a = build_assessment(small)
    rate_faculty(small, a, 4, date(2026, 9, 15))
    page = aggregate_page(client_as, date(2027, 3, 1))
    assert "Jul–Dec 2026" in page and "fewer than 5 evaluations" in page
    assert "secret note" not in page


def test_enough_evaluations_show_after_the_half_year_and_the_delay(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    a = build_assessment(small)
    rate_faculty(small, a, 6, date(2026, 9, 15))
    during = aggregate_page(client_as, date(2026, 12, 31))
    assert "shown from Jan 30, 2027" in during and '<td class="num">2.7</td>' not in during
    after = aggregate_page(client_as, date(2027, 1, 30))
    # Ratings 1,2,3,4,5,1: mean 2.7 over six; yes/no split 3 and 3, each a cell below five, hidden.
    assert '<td class="num">2.7</td>' in after and "hidden" in after
    assert "secret note" not in after


def test_one_evaluation_of_faculty_is_read_by_its_writer_only(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    a = build_assessment(small)
    rate_faculty(small, a, 1, date(2026, 9, 15))
    evaluation = EvaluationRequest.objects.get(evaluator_kind=K.TRAINEE_OF_FACULTY).evaluation
    for username in ("faculty", "pd.im", "coord.im", "gme"):
        assert (
            client_as(username)
            .get(reverse("assessment:evaluation", args=[evaluation.pk]))
            .status_code
            == 404
        )
