"""However the daily job's runs fall (missed days, repeated runs, overlapping windows, answers
in between), each unit of supervised work is considered exactly once: the units recorded equal
those of one run over the whole period, every request has a unit behind it, and a run repeated
at once makes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.assessment.generate import requests_generate
from rounds.assessment.models import EvaluationRequest, RequestSource
from rounds.assessment.services import evaluation_submit
from rounds.lib.today import today_is
from tests.assessment_setup import build_assessment
from tests.people import SmallInstitution

run = st.tuples(st.just("run"), st.integers(0, 120), st.integers(1, 40))
answer = st.tuples(st.just("answer"), st.integers(0, 50), st.integers(0, 0))


def test_each_unit_is_considered_once_whatever_the_runs(small: SmallInstitution) -> None:
    a = build_assessment(small)
    start = a.block(1)[0]
    horizon = start + timedelta(days=120)
    with transaction.atomic():
        requests_generate(day=horizon, lookback_days=121)
        everything = set(RequestSource.objects.values_list("key", flat=True))
        transaction.set_rollback(True)
    assert len(everything) > 10

    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(run, answer), min_size=1, max_size=4))
    def sequence(ops: list[tuple[str, int, int]]) -> None:
        with transaction.atomic():
            for kind, offset, lookback in ops:
                if kind == "run":
                    day = start + timedelta(days=offset)
                    requests_generate(day=day, lookback_days=lookback)
                    assert requests_generate(day=day, lookback_days=lookback).created == 0
                else:
                    _answer_one(offset)
            requests_generate(day=horizon, lookback_days=121)  # the catch-up: nothing missed
            keys = list(RequestSource.objects.values_list("key", flat=True))
            assert sorted(keys) == sorted(everything)
            orphans = EvaluationRequest.objects.filter(
                sources__isnull=True, evaluator__isnull=False
            )
            assert not orphans.exists()
            transaction.set_rollback(True)

    sequence()


def _answer_one(index: int) -> None:
    waiting = list(EvaluationRequest.objects.filter(status="pending").order_by("pk"))
    if not waiting:
        return
    request = waiting[index % len(waiting)]
    answers = {
        f"item-{item.position}": {"rating": "4", "yes_no": "yes"}.get(item.kind, "Fine")
        for item in request.form_version.items.all()
    }
    with today_is(request.sent_on):
        evaluation_submit(request=request, posted=answers, by=None)
