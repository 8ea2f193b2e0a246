"""A bad problem file gets one line naming the field, never a traceback, and exit status 2."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from rounds.engine.cli import main
from rounds.engine.errors import ProblemError
from rounds.engine.roster.problem import Problem

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "call-problem.json"


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text())
    return data


def run_cli(tmp_path: Path, data: object, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data))
    status = main(["solve", str(path), "--time-limit", "1", "-o", str(tmp_path / "out.json")])
    return status, capsys.readouterr().err.strip()


def test_negative_shift_length_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = example()
    data["shifts"][2]["length"] = -5
    status, err = run_cli(tmp_path, data, capsys)
    assert status == 2
    assert err == "error: shifts[2].length: must be positive"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["coverage"][0].update(shift="X"), "coverage[0].shift: unknown shift 'X'"),
        (lambda d: d["people"].append({"id": "ana"}), "people[7].id: duplicate id 'ana'"),
        (
            lambda d: d["horizon"].update(timezone="Mars/Base"),
            "horizon.timezone: unknown time zone",
        ),
        (lambda d: d["leave"][0].update(start="03/09/2026"), "leave[0].start: must be a date"),
        (lambda d: d["rules"][0].update(family="vibes"), "rules[0].family: must be one of"),
        (lambda d: d["fixed"][0].update(day=99), "fixed[0].day: day 99 is outside the horizon"),
        (lambda d: d["shifts"][0].update(start="25:00"), "shifts[0].start: must be a time HH:MM"),
        # A rule's people are its own field: a nested "scope" would leave the rule on everyone.
        (
            lambda d: d["rules"][0].update(scope={"people": ["ana"]}),
            "rules[0].scope: is not a field here (fields: ",
        ),
        (lambda d: d["shifts"][1].update(lenght=600), "shifts[1].lenght: is not a field here"),
    ],
)
def test_validation_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Any, message: str
) -> None:
    data = example()
    edit(data)
    status, err = run_cli(tmp_path, data, capsys)
    assert status == 2
    assert err.startswith(f"error: {message}")
    assert "Traceback" not in err


def test_not_json_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "problem.json"
    path.write_text("{not json")
    assert main(["solve", str(path)]) == 2
    assert "not valid JSON (line 1" in capsys.readouterr().err


def test_json_round_trip_keeps_the_problem() -> None:
    problem = Problem.from_json(example())
    again = Problem.from_json(json.loads(json.dumps(problem.to_json())))
    assert again == problem
    # Days may be written as dates: Chloe's request on 2026-03-04 is day 2.
    assert problem.requests_on[0].day == 2


def test_problem_error_carries_path_and_reason() -> None:
    data = copy.deepcopy(example())
    data["people"][0]["pgy"] = 0
    with pytest.raises(ProblemError) as info:
        Problem.from_json(data)
    assert (info.value.path, info.value.reason) == ("people[0].pgy", "must be positive")
