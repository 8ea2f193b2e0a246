"""The rotation search on a work clock: the same problem, seed, workers and budget give the same
year every run, however busy the machine, so a test can bound quality by work; on the wall clock
(production) the result reports seconds as before."""

from __future__ import annotations

from typing import Any

from rounds.engine.clock import WALL, WorkClock
from rounds.engine.rotations.generate import institution_problem
from rounds.engine.rotations.problem import Problem
from rounds.engine.rotations.solve import Result, solve
from tests.engine.test_rotations_solve import two_programs


def outcome(result: Result) -> tuple[Any, ...]:
    """What a coordinator would see of a solve, and the work it took."""
    cells = sorted((p.trainee, p.block, p.half, p.rotation or "") for p in result.placements)
    return result.status, result.objective, result.best_bound, cells, result.wall_time


def test_the_whole_model_gives_the_same_year_every_run() -> None:
    problem = Problem.from_json(institution_problem(programs=6, trainees=60, blocks=6, seed=3))
    runs = [
        solve(problem, time_limit=0.05, gap=0.0, workers=2, seed=1, decompose=False,
              clock=WorkClock())
        for _ in range(2)
    ]  # fmt: skip
    assert runs[0].has_schedule
    assert outcome(runs[0]) == outcome(runs[1])
    assert runs[0].wall_time > 0.0  # the clock counted CP-SAT's work, not seconds


def test_the_decomposed_search_gives_the_same_year_every_run() -> None:
    # Every IM and EM trainee wishes for the 2-bed MICU in block 3: each program alone takes
    # it, their union overfills it, and the search goes on to fit and join the programs.
    data = two_programs()
    data["preferences"] += [
        {"trainee": t["id"], "rotation": "micu", "block": 3, "weight": 5} for t in data["trainees"]
    ]
    problem = Problem.from_json(data)
    said: list[str] = []
    runs = [
        solve(problem, time_limit=1, gap=0.0, workers=2, seed=1, clock=WorkClock(),
              on_progress=lambda _f, message: said.append(message))
        for _ in range(2)
    ]  # fmt: skip
    assert "joining the programs on shared rotations" in said
    assert outcome(runs[0]) == outcome(runs[1])
    on_micu = [p for p in runs[0].placements if p.block == 3 and p.rotation == "micu"]
    assert len(on_micu) == 2


def test_on_the_wall_clock_the_result_reports_seconds() -> None:
    problem = Problem.from_json(two_programs())
    result = solve(problem, time_limit=10, clock=WALL)
    assert result.has_schedule
    assert result.time_to_first is not None and result.time_to_first <= result.wall_time
