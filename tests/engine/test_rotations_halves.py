"""Half-blocks in the rotation optimiser: a use may let trainees take a rotation for half a block;
whole blocks fill both halves; numbers per block hold in each half; curriculum counts a half as
half a block; infeasibility is said in halves; the checker and the score agree with the solver."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rounds.engine.clock import WorkClock
from rounds.engine.errors import ProblemError
from rounds.engine.rotations.check import Placement, check
from rounds.engine.rotations.generate import institution_problem
from rounds.engine.rotations.model import RotationModel
from rounds.engine.rotations.problem import Problem
from rounds.engine.rotations.score import bent, score
from rounds.engine.rotations.solve import Result, Status, solve


def clinic_and_elective(half_blocks: bool = True) -> dict[str, Any]:
    """Two residents, two blocks; clinic (room for 1) and electives may be taken by halves."""
    return {
        "blocks": 2,
        "program_names": {"im": "Internal Medicine"},
        "trainees": [
            {"id": "ana", "program": "im", "pgy": 1, "name": "Ana"},
            {"id": "ben", "program": "im", "pgy": 1, "name": "Ben"},
        ],
        "rotations": [
            {"id": "wards", "name": "Wards"},
            {"id": "clinic", "name": "Clinic", "capacity": 1},
            {"id": "elective", "name": "Elective", "group": "Elective"},
        ],
        "uses": [
            {"rotation": "wards", "program": "im"},
            {"rotation": "clinic", "program": "im", "half_blocks": half_blocks},
            {"rotation": "elective", "program": "im", "half_blocks": half_blocks},
        ],
    }


def solved(data: dict[str, Any], **options: Any) -> tuple[Problem, Result]:
    problem = Problem.from_json(data)
    result = solve(problem, time_limit=1, seed=1, clock=WorkClock(), **options)
    assert result.has_schedule, result.explanation
    assert check(problem, result.placements) == []
    assert result.objective == score(problem, result.placements)
    return problem, result


def cells(result: Result) -> set[tuple[str, int, int, str | None]]:
    return {(p.trainee, p.block, p.half, p.rotation) for p in result.placements}


def test_two_wishes_in_one_block_are_both_granted_by_halves() -> None:
    data = clinic_and_elective()
    data["preferences"] = [
        {"trainee": "ana", "rotation": "clinic", "block": 1, "weight": 5},
        {"trainee": "ana", "rotation": "elective", "block": 1, "weight": 5},
    ]
    problem, result = solved(data)
    # The split costs 1 (SPLIT_COST): less than either wish, and it is not a wish bent.
    assert result.status == Status.OPTIMAL and result.objective == 1
    assert bent(problem, result.placements) == []
    ana_block1 = {(h, r) for t, b, h, r in cells(result) if (t, b) == ("ana", 1)}
    assert {r for _, r in ana_block1} == {"clinic", "elective"}
    assert {h for h, _ in ana_block1} == {1, 2}
    # Without half-blocks one of the two wishes is bent.
    data_whole = {**data, "uses": clinic_and_elective(half_blocks=False)["uses"]}
    _, whole = solved(data_whole)
    assert whole.objective == 5
    assert all(p.half == 0 for p in whole.placements)


def test_capacity_holds_per_half_and_a_whole_block_fills_both() -> None:
    data = clinic_and_elective()
    data["preferences"] = [
        {"trainee": "ana", "rotation": "clinic", "block": 1, "weight": 5},
        {"trainee": "ben", "rotation": "clinic", "block": 1, "weight": 5},
    ]
    # Clinic has room for one: each gets one half of block 1 there (two split blocks).
    _, result = solved(data)
    assert result.objective == 2
    on_clinic = sorted((h, t) for t, b, h, r in cells(result) if b == 1 and r == "clinic")
    assert [h for h, _ in on_clinic] == [1, 2] and {t for _, t in on_clinic} == {"ana", "ben"}
    # Ana fixed on clinic for the whole block takes both halves: Ben's wish is bent.
    data["fixed"] = [{"trainee": "ana", "block": 1, "rotation": "clinic"}]
    problem, result = solved(data)
    assert ("ana", 1, 0, "clinic") in cells(result)
    assert not [c for c in cells(result) if c[0] == "ben" and c[3] == "clinic" and c[1] == 1]
    assert result.objective == 5
    assert [b["text"] for b in bent(problem, result.placements)] == [
        "Ben asked for Clinic in block 1 and did not get it"
    ]


def test_no_block_is_split_without_a_reason() -> None:
    data = clinic_and_elective()
    data["preferences"] = [{"trainee": "ana", "rotation": "clinic", "block": 1, "weight": 5}]
    problem, result = solved(data)
    assert result.objective == 0
    assert [p for p in result.placements if p.half] == []
    split = [p for p in result.placements if p.trainee != "ana" or p.block != 1]
    split += [Placement("ana", 1, "clinic", 1), Placement("ana", 1, "elective", 2)]
    assert score(problem, split) == 1


def test_one_rotation_in_both_halves_is_a_whole_block() -> None:
    data = clinic_and_elective()
    data["fixed"] = [
        {"trainee": "ben", "block": 2, "rotation": "elective"},
        {"trainee": "ana", "block": 2, "rotation": "elective", "half": 2},
    ]
    _, result = solved(data)
    assert ("ben", 2, 0, "elective") in cells(result)
    ana2 = {(h, r) for t, b, h, r in cells(result) if (t, b) == ("ana", 2)}
    assert (2, "elective") in ana2 and len(ana2) == 2  # the first half is something else
    assert ana2 != {(1, "elective"), (2, "elective")}


def test_curriculum_counts_a_half_as_half_a_block() -> None:
    data = clinic_and_elective()
    data["requirements"] = [
        {"program": "im", "pgy": 1, "group": "Elective", "min": 1, "max": 1},
    ]
    data["preferences"] = [
        {"trainee": "ana", "rotation": "clinic", "block": 1, "weight": 3},
        {"trainee": "ana", "rotation": "clinic", "block": 2, "weight": 3},
    ]
    _, result = solved(data)
    # Exactly one block of electives, as two halves, and clinic in both blocks.
    ana = {(b, h, r) for t, b, h, r in cells(result) if t == "ana"}
    assert sum(1 for _, h, r in ana if r == "elective" and h) == 2
    assert result.objective == 2  # two split blocks, cheaper than a clinic wish bent
    problem = Problem.from_json(data)
    half_short = [
        Placement("ana", 1, "elective", 1),
        Placement("ana", 1, "clinic", 2),
        Placement("ana", 2, "wards"),
        Placement("ben", 1, "elective"),
        Placement("ben", 2, "wards"),
    ]
    assert [f.text for f in check(problem, half_short)] == [
        "Ana has 0.5 blocks of Elective rotations; PGY-1 needs 1 to 1"
    ]
    # As a soft line, half a block short costs half its weight.
    data["requirements"][0]["weight"] = 4
    soft = Problem.from_json(data)
    assert {"rule": "curriculum", "cost": 2,
            "text": 'Ana: 0.5 block(s) short of "Internal Medicine PGY-1: at least 1 and at '
                    'most 1 blocks of Elective rotations"'} in bent(soft, half_short)  # fmt: skip


def test_no_schedule_is_explained_in_halves() -> None:
    data = clinic_and_elective()
    data["fixed"] = [
        {"trainee": "ana", "block": 1, "rotation": "clinic", "half": 1},
        {"trainee": "ben", "block": 1, "rotation": "clinic", "half": 1},
    ]
    result = solve(Problem.from_json(data), time_limit=1, seed=1, clock=WorkClock())
    assert result.status == Status.INFEASIBLE
    header, *rules = result.explanation
    assert header == "These rules cannot all hold together; relax one of them:"
    assert sorted(rules) == [
        "Ana is fixed on Clinic in the first half of block 1",
        "Ben is fixed on Clinic in the first half of block 1",
        "Clinic has room for 1 in the first half of block 1",
    ]


def test_a_half_block_vacation_and_the_checker_speaks_of_halves() -> None:
    data = clinic_and_elective()
    data["vacations"] = [{"trainee": "ana", "block": 1, "half": 2, "weight": 10}]
    problem, result = solved(data)
    assert ("ana", 1, 2, None) in cells(result) and result.objective == 1  # the split
    ana1 = {(h, r) for t, b, h, r in cells(result) if (t, b) == ("ana", 1)}
    assert ana1 in ({(1, "clinic"), (2, None)}, {(1, "elective"), (2, None)})
    hand = [
        Placement("ana", 1, "clinic", 1),
        Placement("ana", 2, None, 1),
        Placement("ana", 2, "wards", 2),
        Placement("ben", 1, "clinic"),
        Placement("ben", 1, "clinic", 1),
        Placement("ben", 2, "elective", 2),
    ]
    assert sorted(f.text for f in check(problem, hand)) == [
        "Ana has no rotation in the second half of block 1",
        "Ana is off in the first half of block 2 without a request",
        "Ana may take Wards only for whole blocks",
        "Ben has no rotation in the first half of block 2",
        "Ben is placed twice in the first half of block 1",
        "Clinic has 2 trainees in the first half of block 1; room for 1",
    ]


def test_the_model_has_half_variables_only_where_a_half_is_allowed() -> None:
    whole = RotationModel(Problem.from_json(clinic_and_elective(half_blocks=False)))
    assert whole.h == {} and whole.units == 1
    data = clinic_and_elective()
    data["uses"][2]["half_blocks"] = False  # only clinic by halves
    halves = RotationModel(Problem.from_json(data))
    assert len(halves.h) == 2 * 2 * 1 * 2  # trainees x blocks x half-able rotations x halves
    assert {r for (_t, _b, r, _k) in halves.h} == {"clinic"}


def test_two_programs_share_a_rotation_by_halves() -> None:
    data = clinic_and_elective()
    data["program_names"]["fm"] = "Family Medicine"
    data["trainees"] += [{"id": "cy", "program": "fm", "pgy": 1, "name": "Cy"}]
    data["rotations"].append({"id": "fm-clinic", "name": "FM clinic"})
    data["uses"] += [
        {"rotation": "clinic", "program": "fm", "half_blocks": True},
        {"rotation": "fm-clinic", "program": "fm", "half_blocks": True},
    ]
    data["preferences"] = [
        {"trainee": t, "rotation": "clinic", "block": 2, "weight": 4} for t in ("ana", "cy")
    ]
    for decompose in (True, False):
        _, result = solved(data, decompose=decompose)
        assert result.objective == 2, decompose  # Ana's and Cy's block 2 split
        on_clinic = [c for c in cells(result) if c[1] == 2 and c[3] == "clinic"]
        assert sorted(c[2] for c in on_clinic) == [1, 2]


BAD = [
    (lambda d: d["uses"][0].update(half_blocks="yes"),
     "uses[0].half_blocks: must be true or false"),
    (lambda d: d.update(fixed=[{"trainee": "ana", "block": 1, "rotation": "wards", "half": 1}]),
     "fixed[0].half: Ana may take Wards only for whole blocks"),
    (lambda d: d.update(vacations=[{"trainee": "ana", "block": 1, "half": 3}]),
     "vacations[0].half: must be 0 (whole block), 1 or 2"),
    (lambda d: d.update(preferences=[{"trainee": "ana", "rotation": "clinic", "half": 1,
                                      "weight": 2}]),
     "preferences[0].half: wishes are for whole blocks"),
    (lambda d: d.update(load=[{"rotation": "clinic", "block": 1, "count": 1, "half": -1}]),
     "load[0].half: must be at least 0"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_half_blocks_name_the_field_to_fix(change: Any, message: str) -> None:
    data = copy.deepcopy(clinic_and_elective())
    change(data)
    with pytest.raises(ProblemError) as error:
        Problem.from_json(data)
    assert str(error.value) == message


def test_halves_go_both_ways_through_json() -> None:
    data = clinic_and_elective()
    data["vacations"] = [{"trainee": "ben", "block": 2, "half": 1}]
    data["load"] = [{"rotation": "clinic", "block": 1, "count": 1, "half": 2}]
    data["block_labels"] = ["July", "August"]
    problem = Problem.from_json(data)
    assert Problem.from_json(problem.to_json()) == problem
    result = solve(problem, time_limit=1, seed=1, clock=WorkClock())
    assert ("ben", 2, 1, None) in cells(result)
    # Outside load in the second half of block 1 leaves clinic only its first half.
    assert not [c for c in cells(result) if c[1] == 1 and c[3] == "clinic" and c[2] != 1]
    again = Result.from_json(result.to_json())
    assert again.placements == result.placements
    assert {"trainee": "ben", "block": 2, "rotation": None, "half": 1} in [
        p.to_json() for p in result.placements
    ]


def test_both_ways_reach_the_same_optimum_with_half_blocks() -> None:
    data = institution_problem(programs=5, trainees=50, blocks=6, seed=1, half_blocks=True)
    problem = Problem.from_json(data)
    assert any(u.half_blocks for u in problem.uses)
    whole = solve(problem, time_limit=1, decompose=False, gap=0.0, seed=1, clock=WorkClock())
    parts = solve(problem, time_limit=1, decompose=True, gap=0.0, seed=1, clock=WorkClock())
    assert whole.status == parts.status == Status.OPTIMAL
    assert whole.objective == parts.objective == score(problem, parts.placements)
    assert [f for f in check(problem, parts.placements) if f.severity == "violation"] == []
