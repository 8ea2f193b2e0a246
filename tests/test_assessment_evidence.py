"""The CCC's evidence: ratings mapped to subcompetencies, with level, date, kind of evaluator,
the evaluator's name (or "anonymous") and the narrative comments."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from rounds.assessment.evidence import ANONYMOUS, MilestoneRating, milestone_ratings
from rounds.assessment.generate import requests_generate
from rounds.assessment.models import EvaluationRequest, EvaluatorKind
from rounds.assessment.services import evaluation_submit, link_request_create
from rounds.lib.today import today_is
from tests.assessment_setup import GOOD_ANSWERS, build_assessment
from tests.people import SmallInstitution

K = EvaluatorKind


def test_ratings_of_a_trainee_in_a_period(small: SmallInstitution) -> None:
    a = build_assessment(small)
    end = a.block(1)[1]
    requests_generate(day=end)
    request = EvaluationRequest.objects.get(evaluator_kind=K.FACULTY_OF_TRAINEE, trainee=small.ana)
    with today_is(end + timedelta(days=1)):
        evaluation_submit(request=request, posted=GOOD_ANSWERS, by=None)
        link_request, _ = link_request_create(
            form=a.forms[K.STAFF], trainee=small.ana, evaluator_label="Nurse", by=None
        )
        evaluation_submit(
            request=link_request, posted=GOOD_ANSWERS | {"item-1": "NYA", "item-4": ""}, by=None
        )
    ratings = milestone_ratings(small.ana, date(2026, 7, 1), date(2026, 12, 31))
    day = end + timedelta(days=1)
    assert ratings == [
        MilestoneRating(
            a.sub.pk, Decimal("3.5"), day, K.FACULTY_OF_TRAINEE, "Faculty Tester", "Careful, kind."
        ),
        MilestoneRating(a.sub.pk, None, day, K.STAFF, ANONYMOUS, ""),
    ]
    assert milestone_ratings(small.ana, date(2027, 1, 1), date(2027, 6, 30)) == []
    assert milestone_ratings(small.ben, date(2026, 7, 1), date(2026, 12, 31)) == []
