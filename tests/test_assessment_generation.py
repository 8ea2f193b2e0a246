"""Requests come from the schedules: at the end of a block, to faculty with enough contact time,
once however often the daily job runs, merged when they repeat, capped per evaluator per month,
and never about someone no longer in training."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from rounds.assessment.generate import requests_generate
from rounds.assessment.models import (
    EvaluationRequest,
    EvaluatorKind,
    ProgramEvaluationSettings,
    RequestSource,
)
from rounds.people.models import TrainingEvent
from tests.assessment_setup import build_assessment
from tests.people import SmallInstitution

K = EvaluatorKind


def kinds(**filters: object) -> list[tuple[str, str]]:
    return sorted(
        (r.evaluator_kind, r.subject_name) for r in EvaluationRequest.objects.filter(**filters)
    )


def test_block_end_asks_faculty_with_enough_contact_and_the_trainee_back(
    small: SmallInstitution,
) -> None:
    a = build_assessment(small)
    _, end = a.block(1)
    result = requests_generate(day=end + timedelta(days=1))
    # Block 1: Ana in MICU with the faculty member (4 weeks) and Omar (one day); Ben on wards.
    assert result.created == 6
    faculty_person = a.faculty.person
    assert kinds(evaluator=faculty_person) == [
        (K.FACULTY_OF_TRAINEE, "Ana Alvarez"), (K.FACULTY_OF_TRAINEE, "Ben Baker"),
    ]  # fmt: skip
    assert kinds(evaluator=small.ana.person) == [
        (K.TRAINEE_OF_FACULTY, faculty_person.full_name),
        (K.TRAINEE_OF_ROTATION, str(a.x.micu)),
    ]
    # Omar attended one day: below the five-day threshold, he is asked nothing.
    assert not EvaluationRequest.objects.filter(evaluator=a.other.person).exists()
    request = EvaluationRequest.objects.get(evaluator=faculty_person, trainee=small.ana)
    assert request.contact_days == 28  # MICU works weekends: every day of the block
    assert request.expires_on == end + timedelta(days=1 + 21)


def test_running_twice_creates_nothing_new(small: SmallInstitution) -> None:
    a = build_assessment(small)
    day = a.block(1)[1] + timedelta(days=2)
    first = requests_generate(day=day)
    count = EvaluationRequest.objects.count()
    second = requests_generate(day=day)
    assert first.created > 0 and second.created == 0 and second.already_done == first.created
    assert EvaluationRequest.objects.count() == count
    out = StringIO()
    call_command("evaluation_requests", "--day", day.isoformat(), "--no-email", stdout=out)
    assert "0 requests created" in out.getvalue()
    assert EvaluationRequest.objects.count() == count


def test_nothing_before_the_block_ends(small: SmallInstitution) -> None:
    a = build_assessment(small)
    _, end = a.block(1)
    assert requests_generate(day=end - timedelta(days=1)).created == 0


def test_the_same_faculty_and_trainee_next_block_merge_into_the_open_request(
    small: SmallInstitution,
) -> None:
    a = build_assessment(small)
    requests_generate(day=a.block(1)[1])
    result = requests_generate(day=a.block(2)[1])
    assert result.merged >= 2  # Ana-faculty both ways, MICU again for Ana
    request = EvaluationRequest.objects.get(
        evaluator=a.faculty.person, trainee=small.ana, evaluator_kind=K.FACULTY_OF_TRAINEE
    )
    assert (request.period_start, request.period_end) == (a.block(1)[0], a.block(2)[1])
    assert request.contact_days == 56
    assert request.sources.count() == 2


def test_the_monthly_cap_holds_back_the_least_contact_first(small: SmallInstitution) -> None:
    a = build_assessment(small)
    ProgramEvaluationSettings.objects.create(program=small.im, monthly_cap=1)
    result = requests_generate(day=a.block(1)[1])
    # One request each: the faculty member keeps Ana, each trainee their faculty evaluation.
    assert result.capped == 3
    kept = EvaluationRequest.objects.get(evaluator=a.faculty.person)
    assert kept.trainee == small.ana  # 28 days in MICU beat Ben's 20 weekdays on wards
    capped = RequestSource.objects.filter(outcome=RequestSource.Outcome.CAPPED)
    assert sorted(s.key.split(":")[0] for s in capped) == ["ft", "tr", "tr"]
    assert all(s.request is None for s in capped)


def test_no_request_for_someone_no_longer_in_training(small: SmallInstitution) -> None:
    a = build_assessment(small)
    start, end = a.block(1)
    TrainingEvent.objects.create(
        trainee=small.ben,
        kind=TrainingEvent.Kind.WITHDRAWAL,
        effective_date=start + timedelta(days=3),
    )
    result = requests_generate(day=end)
    assert not EvaluationRequest.objects.filter(trainee=small.ben).exists()
    assert result.not_in_training >= 1


def test_shift_trigger_asks_after_n_shifts_together(small: SmallInstitution) -> None:
    from rounds.schedules.models import CallSchedule
    from tests.call_setup import shift

    a = build_assessment(small)
    ProgramEvaluationSettings.objects.create(
        program=small.im, trigger=ProgramEvaluationSettings.Trigger.SHIFTS, shifts_together=3
    )
    start, _ = a.block(1)
    month = CallSchedule.objects.create(
        program=small.im, month=start.replace(day=1), status=CallSchedule.Status.PUBLISHED
    )
    for n in range(5):
        s = shift(month, small.ana, (start - start.replace(day=1)).days + n)
        s.site, s.service = a.x.micu.site, a.x.micu.service
        s.save()
    third = start + timedelta(days=2)
    assert requests_generate(day=third - timedelta(days=1)).created == 0
    result = requests_generate(day=third)
    asked = EvaluationRequest.objects.filter(evaluator=a.faculty.person, trainee=small.ana)
    assert result.by_kind[K.FACULTY_OF_TRAINEE] == 1
    assert [(r.period_start, r.period_end, r.contact_shifts) for r in asked] == [(start, third, 3)]
    assert requests_generate(day=start + timedelta(days=4)).by_kind[K.FACULTY_OF_TRAINEE] == 0


def test_daily_command_expires_and_reminds(small: SmallInstitution, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    a = build_assessment(small)
    day = a.block(1)[1]
    requests_generate(day=day)
    call_command(
        "evaluation_requests", "--day", (day + timedelta(days=5)).isoformat(), stdout=StringIO()
    )
    assert any(small.users["faculty"].email in m.to for m in mailoutbox)
    assert len([m for m in mailoutbox if small.users["faculty"].email in m.to]) == 1  # one digest
    # Block 2's requests merged into block 1's and moved their expiry to 21 days after its end.
    later = (day + timedelta(days=50)).isoformat()
    call_command("evaluation_requests", "--day", later, "--lookback", "1", stdout=StringIO())
    first_batch = EvaluationRequest.objects.filter(sent_on=day)
    assert {r.status for r in first_batch} == {EvaluationRequest.Status.EXPIRED}


@pytest.mark.parametrize("when", [date(2026, 6, 1)])
def test_no_published_schedule_no_requests(small: SmallInstitution, when: date) -> None:
    build_assessment(small)
    assert requests_generate(day=when, lookback_days=30).created == 0
