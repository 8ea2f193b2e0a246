"""The demo shows evaluations in use: attendings, a form set, requests made from its schedules
and about two thirds of them answered; the demo accounts have something to see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rounds.assessment.demo import DEMO_PROGRAMS, demo_extend
from rounds.assessment.generate import requests_generate
from rounds.assessment.models import (
    Evaluation,
    EvaluationForm,
    EvaluationRequest,
    EvaluatorKind,
    TeachingAssignment,
)
from rounds.assessment.selectors import evaluations_about, queue_of
from rounds.core.demo import demo_build
from rounds.lib.today import today
from rounds.people.models import Person
from rounds.people.training import trainees_in_training
from rounds.schedules import demo as schedules_demo
from rounds.schedules.models import Block, RotationAssignment, RotationProgram, RotationSchedule


def deal_published_years(year: int) -> None:
    """Published schedules without the solver: trainee i in block b on rotation (i + b) mod n."""
    trainees: dict[int, list[int]] = {}
    for t in trainees_in_training(None, date(year, 7, 1), date(year + 1, 6, 30)):
        trainees.setdefault(t.program_id, []).append(t.pk)
    for program_id, ids in trainees.items():
        rotations = list(
            RotationProgram.objects.filter(program_id=program_id)
            .exclude(rotation__kind="vacation")
            .values_list("rotation_id", flat=True)
        )
        blocks = list(Block.objects.filter(program_id=program_id, academic_year=year))
        if not rotations or not blocks:
            continue
        schedule = RotationSchedule.objects.create(
            program_id=program_id, academic_year=year, number=1, status="published"
        )
        RotationAssignment.objects.bulk_create(
            RotationAssignment(
                schedule=schedule,
                trainee_id=t,
                block=b,
                rotation_id=rotations[(i + n) % len(rotations)],
            )
            for i, t in enumerate(ids)
            for n, b in enumerate(blocks)
        )


@pytest.mark.django_db
def test_demo_evaluations(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = "2026-12-07"
    demo_build(seed=7, scale=0.25)
    schedules_demo.demo_extend(seed=7, solve_programs=False)
    deal_published_years(2026)
    lines = demo_extend(seed=7)
    assert lines[0].startswith("assessment:")
    programs = {f.program.name for f in EvaluationForm.objects.select_related("program")}
    assert programs == set(DEMO_PROGRAMS)
    assert {f.evaluator_kind for f in EvaluationForm.objects.all()} == {
        EvaluatorKind.FACULTY_OF_TRAINEE,
        EvaluatorKind.TRAINEE_OF_FACULTY,
        EvaluatorKind.TRAINEE_OF_ROTATION,
        EvaluatorKind.STAFF,
    }
    assert TeachingAssignment.objects.count() > 0
    sent = EvaluationRequest.objects.filter(sent_on__lte=today() - timedelta(days=4)).count()
    answered = Evaluation.objects.count()
    assert sent > 50 and 0.55 <= answered / sent <= 0.8
    # The demo's faculty account has requests waiting; its resident has evaluations to read.
    faculty = Person.objects.get(user__username="faculty")
    assert queue_of(faculty, today()).waiting
    resident = Person.objects.get(user__username="resident").trainee
    assert evaluations_about(resident, today())
    # The requests were made by the daily job's rules: running it again makes nothing.
    assert requests_generate(day=today(), lookback_days=200).created == 0
