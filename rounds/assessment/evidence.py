"""Ratings as evidence for the Clinical Competency Committee (rounds/milestones reads these).

`milestone_ratings` returns, for one trainee's answered evaluations in a period, every answer to
a rating item mapped to a milestone subcompetency, with the evaluation's narrative comments.
Evaluators a trainee would not see by name (peers, staff, patients) are "anonymous" here too:
the CCC weighs the kind of evaluator, not the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rounds.assessment.models import UNNAMED_EVALUATORS, Answer, FormItem
from rounds.people.models import Trainee

ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class MilestoneRating:
    subcompetency_id: int
    level: Decimal | None  # 1 to 5 in half steps; None for "not yet assessable"
    date: date  # the day the evaluation was submitted
    evaluator_kind: str  # an EvaluatorKind value
    evaluator_name: str  # the evaluator's display name, or "anonymous"
    comments: str  # the evaluation's narrative answers, joined


def milestone_ratings(trainee: Trainee, start: date, end: date) -> list[MilestoneRating]:
    """Ratings of `trainee` mapped to subcompetencies, submitted from `start` to `end`
    inclusive, oldest first."""
    answers = (
        Answer.objects.filter(
            evaluation__request__trainee=trainee,
            evaluation__submitted_on__gte=start,
            evaluation__submitted_on__lte=end,
            item__kind=FormItem.Kind.RATING,
            item__subcompetency__isnull=False,
        )
        .select_related("item", "evaluation__request__evaluator")
        .order_by("evaluation__submitted_on", "evaluation_id", "item__position")
    )
    out = []
    for answer in answers:
        request = answer.evaluation.request
        if answer.rating is None and not answer.not_assessable:
            continue  # an optional item left blank says nothing
        named = request.evaluator is not None and request.evaluator_kind not in UNNAMED_EVALUATORS
        out.append(
            MilestoneRating(
                subcompetency_id=answer.item.subcompetency_id,  # type: ignore[arg-type]
                level=None if answer.not_assessable else answer.rating,
                date=answer.evaluation.submitted_on,
                evaluator_kind=request.evaluator_kind,
                evaluator_name=request.evaluator.full_name
                if named and request.evaluator
                else ANONYMOUS,
                comments=answer.evaluation.comments,
            )
        )
    return out
