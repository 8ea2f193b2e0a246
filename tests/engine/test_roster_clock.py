"""On a work clock (`rounds.engine.clock.WorkClock`) a solve is a function of its problem, seed,
workers and budget: two runs give the same schedule and objective, whatever the machine's load
and the threads' timing. Each path is run twice: the column search and the neighbourhood search
on a Curtois instance, the whole-model search and its neighbourhoods on a trainee call problem,
and the year path's windows."""

from __future__ import annotations

import dataclasses
from typing import Any

from rounds.engine.clock import WorkClock
from rounds.engine.roster import curtois, yeargen
from rounds.engine.roster.generate import call_problem
from rounds.engine.roster.problem import Problem
from rounds.engine.roster.settings import DEFAULT_SETTINGS, HorizonKnobs
from rounds.engine.roster.solve import Result, solve


def _twice(problem: Problem, budget: float, **options: Any) -> tuple[Result, Result]:
    runs = []
    for _ in range(2):
        clock = WorkClock()
        result = solve(problem, time_limit=budget, workers=2, seed=5, clock=clock, **options)
        assert clock.now() <= budget * 1.1  # the budget is a promise on this clock too
        runs.append(result)
    return runs[0], runs[1]


def _same(one: Result, two: Result) -> None:
    assert one.has_schedule
    assert one.objective == two.objective
    assert one.assignments == two.assignments
    assert one.stats == two.stats


def test_the_column_search_and_its_neighbourhoods_repeat_themselves() -> None:
    one, two = _twice(curtois.to_problem(curtois.load("3")), 1.5)
    _same(one, two)
    assert one.stats["columns"]["rounds"] > 0 and one.stats["lns_rounds"] > 0


def test_a_trainee_call_schedule_repeats_itself() -> None:
    one, two = _twice(Problem.from_json(call_problem(8, 14, seed=1)), 0.6)
    _same(one, two)
    assert "columns" not in one.stats


def test_the_year_path_repeats_itself() -> None:
    base = curtois.load("2")
    year = yeargen.year_instance(base, days=70, staff=20, shift_types=3, seed=1)
    knobs = HorizonKnobs(split_above_days=28, forward_days=14, window_days=14)
    settings = dataclasses.replace(DEFAULT_SETTINGS, horizon=knobs)
    one, two = _twice(curtois.to_problem(year), 2, settings=settings)
    _same(one, two)
    assert one.stats["windows"]["repaired"] > 0
