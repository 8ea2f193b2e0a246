"""A solve asked to stop from outside (a job's Cancel) ends without a result, mid-search."""

from __future__ import annotations

import threading

import pytest

from rounds.engine import stop
from rounds.engine.clock import WorkClock
from rounds.engine.roster.generate import call_problem
from rounds.engine.roster.problem import Problem as RosterProblem
from rounds.engine.roster.solve import solve as roster_solve
from rounds.engine.rotations.generate import institution_problem
from rounds.engine.rotations.problem import Problem as RotationProblem
from rounds.engine.rotations.solve import solve as rotation_solve


def test_a_rotation_search_asked_to_stop_at_its_first_schedule_ends_without_a_result() -> None:
    problem = RotationProblem.from_json(institution_problem(programs=1, trainees=300, seed=3))
    asked = threading.Event()

    def first_schedule(fraction: float, message: str) -> bool:
        asked.set()  # from CP-SAT's own thread, as a job's pulse thread would
        return True

    with stop.stop_when(asked.is_set), pytest.raises(stop.Stopped):
        rotation_solve(
            problem, time_limit=120, gap=0.0, decompose=False, on_progress=first_schedule
        )
    assert asked.is_set()


def test_a_call_month_search_asked_to_stop_ends_without_a_result() -> None:
    # Two months for 40 residents: its neighbourhood search runs to the time limit.
    problem = RosterProblem.from_json(call_problem(40, 56, seed=1))
    asked = threading.Event()
    timer = threading.Timer(1.0, asked.set)
    timer.start()
    try:
        with stop.stop_when(asked.is_set), pytest.raises(stop.Stopped):
            roster_solve(problem, time_limit=120)
    finally:
        timer.cancel()


def test_asked_before_it_starts_no_search_runs() -> None:
    problem = RosterProblem.from_json(call_problem(10, 14, seed=1))
    with stop.stop_when(lambda: True), pytest.raises(stop.Stopped):
        roster_solve(problem, time_limit=60)


def test_without_a_caller_that_can_stop_nothing_changes() -> None:
    problem = RosterProblem.from_json(call_problem(10, 14, seed=1))
    assert roster_solve(problem, time_limit=0.3, clock=WorkClock()).has_schedule
    assert not stop.requested()
