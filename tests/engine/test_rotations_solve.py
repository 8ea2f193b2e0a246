"""The rotation optimiser: validation, the checker agrees with the solver, shared capacity,
infeasibility explained in words, the objective equals the independent score, warm starts.

Every solve runs on a work clock with a seed: the optimum must be reached within a budget of
deterministic work, the same on any machine at any load."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rounds.engine.clock import WorkClock
from rounds.engine.errors import ProblemError
from rounds.engine.rotations.check import Placement, check
from rounds.engine.rotations.generate import institution_problem
from rounds.engine.rotations.problem import Problem
from rounds.engine.rotations.score import score
from rounds.engine.rotations.solve import Status, solve


def two_programs() -> dict[str, Any]:
    """IM (4 residents) and EM (2) share a 2-bed MICU; 4 blocks."""
    return {
        "blocks": 4,
        "program_names": {"im": "Internal Medicine", "em": "Emergency Medicine"},
        "trainees": [
            *[
                {"id": f"im{i}", "program": "im", "pgy": 1 + i % 2, "name": f"Ima {i}"}
                for i in range(4)
            ],
            {"id": "em0", "program": "em", "pgy": 1, "name": "Emi 0"},
            {"id": "em1", "program": "em", "pgy": 2, "name": "Emi 1"},
        ],
        "rotations": [
            {"id": "micu", "name": "MICU", "group": "ICU", "capacity": 2},
            {"id": "wards", "name": "Wards"},
            {"id": "clinic", "name": "Clinic"},
            {"id": "ed", "name": "ED"},
        ],
        "uses": [
            {"rotation": "micu", "program": "im"},
            {"rotation": "wards", "program": "im", "min_per_block": 1},
            {"rotation": "clinic", "program": "im", "min_pgy": 2},
            {"rotation": "micu", "program": "em"},
            {"rotation": "ed", "program": "em", "min_per_block": 1},
        ],
        "requirements": [
            {"program": "im", "pgy": 1, "group": "ICU", "min": 1, "max": 2},
            {"program": "im", "pgy": 2, "group": "ICU", "min": 1},
            {"program": "em", "pgy": 2, "rotation": "micu", "min": 1},
            {"program": "im", "pgy": 2, "rotation": "clinic", "min": 1, "weight": 5},
        ],
        "vacations": [
            {"trainee": "im0", "block": 2},
            {"trainee": "im1", "block": 3, "weight": 10},
        ],
        "fixed": [{"trainee": "em1", "block": 1, "rotation": "micu"}],
        "preferences": [
            {"trainee": "im2", "rotation": "micu", "block": 4, "weight": 3},
            {"trainee": "im3", "rotation": "clinic", "weight": -2},
        ],
    }


@pytest.mark.parametrize("decompose", [False, True])
def test_a_solved_year_passes_every_rule_of_the_checker(decompose: bool) -> None:
    problem = Problem.from_json(two_programs())
    result = solve(problem, time_limit=1, decompose=decompose, seed=1, clock=WorkClock())
    assert result.status == Status.OPTIMAL
    assert check(problem, result.placements) == []
    assert result.objective == score(problem, result.placements)
    cell = {(p.trainee, p.block): p.rotation for p in result.placements}
    assert cell["im0", 2] is None  # approved vacation
    assert cell["em1", 1] == "micu"  # fixed
    for block in range(1, 5):
        on_micu = sum(1 for (t, b), r in cell.items() if b == block and r == "micu")
        assert on_micu <= 2  # shared capacity, both programs together
    assert result.time_to_first is not None and result.time_to_gap is not None


def test_both_ways_reach_the_same_optimum_on_a_small_institution() -> None:
    problem = Problem.from_json(institution_problem(programs=5, trainees=50, blocks=6, seed=1))
    whole = solve(problem, time_limit=1, decompose=False, gap=0.0, seed=1, clock=WorkClock())
    parts = solve(problem, time_limit=1, decompose=True, gap=0.0, seed=1, clock=WorkClock())
    assert whole.status == parts.status == Status.OPTIMAL
    assert whole.objective == parts.objective == score(problem, parts.placements)
    assert [f for f in check(problem, parts.placements) if f.severity == "violation"] == []


def test_no_schedule_is_explained_with_the_rules_that_conflict() -> None:
    data = two_programs()
    # Three IM residents must do MICU in block 1, but it has room for two (and EM's fellow).
    data["fixed"] += [{"trainee": f"im{i}", "block": 1, "rotation": "micu"} for i in (1, 2)]
    result = solve(Problem.from_json(data), time_limit=1, seed=1, clock=WorkClock())
    assert result.status == Status.INFEASIBLE
    text = "\n".join(result.explanation)
    assert "MICU has room for 2 in block 1" in text
    assert "Emi 1 is fixed on MICU in block 1" in text
    assert "Ima 1 is fixed on MICU in block 1" in text
    assert "Wards" not in text  # only the conflicting rules are named


def test_precheck_counts_blocks_before_solving() -> None:
    data = two_programs()
    data["requirements"].append({"program": "em", "pgy": 1, "rotation": "ed", "min": 4})
    data["vacations"].append({"trainee": "em0", "block": 4})
    result = solve(Problem.from_json(data), time_limit=5)
    assert result.status == Status.INFEASIBLE
    assert result.explanation == [
        "Emi 0 needs 4 curriculum blocks but has only 3 blocks free of vacation"
    ]


def test_what_was_bent_is_said_in_words_and_warm_start_keeps_the_optimum() -> None:
    data = two_programs()
    data["vacations"].append({"trainee": "em0", "block": 1, "weight": 4})  # ED needs em0 then
    problem = Problem.from_json(data)
    first = solve(problem, time_limit=1, seed=1, clock=WorkClock())
    assert {
        "rule": "vacation",
        "cost": 4,
        "text": "Emi 0's vacation request for block 1 was not granted",
    } in first.bent
    again = solve(problem, time_limit=1, warm_start=first, seed=1, clock=WorkClock())
    assert again.objective == first.objective


BAD = [
    (lambda d: d["trainees"].append(dict(d["trainees"][0])),
     "trainees[6].id: duplicate id 'im0'"),
    (lambda d: d["uses"][0].update(rotation="picu"),
     "uses[0].rotation: unknown rotation 'picu'"),
    (lambda d: d["requirements"][0].update(group="Nights"),
     "requirements[0].group: no rotation is in 'Nights'"),
    (lambda d: d["fixed"][0].update(rotation="wards"),
     "fixed[0].rotation: Emi 1 may not rotate on Wards"),
    (lambda d: d["vacations"][0].update(block=9),
     "vacations[0].block: must be between 1 and 4"),
    (lambda d: d["uses"][1].update(min_per_block=3, max_per_block=1),
     "uses[1].max_per_block: must not be below min_per_block"),
    (lambda d: d["trainees"][4].update(pgy=0), "trainees[4].pgy: must be positive"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_problems_name_the_field_to_fix(change: Any, message: str) -> None:
    data = copy.deepcopy(two_programs())
    change(data)
    with pytest.raises(ProblemError) as error:
        Problem.from_json(data)
    assert str(error.value) == message


def test_json_round_trip_and_checker_findings_name_the_cell() -> None:
    problem = Problem.from_json(two_programs())
    assert Problem.from_json(problem.to_json()) == problem
    placements = [Placement(t.id, b, None) for t in problem.trainees for b in range(1, 5)]
    texts = {f.text for f in check(problem, placements)}
    assert "Ima 1 is off in block 1 without a request" in texts
    assert "Wards has 0 from Internal Medicine in block 1; it needs 1" in texts
    assert "Emi 1 is fixed on MICU in block 1" in texts
