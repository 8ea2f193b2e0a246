"""`rounds rotations`: a result file, a named field for bad input, reasons for no schedule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rounds.engine.cli import main
from tests.engine.test_rotations_solve import two_programs


def test_solves_a_file_and_names_bad_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = tmp_path / "year.json"
    problem.write_text(json.dumps(two_programs()))
    out = tmp_path / "result.json"
    budget = ["--time-limit", "1", "--work", "--seed", "1"]
    assert main(["rotations", str(problem), *budget, "-o", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["status"] == "optimal" and len(result["placements"]) == 24
    bad = two_programs()
    bad["uses"][0]["rotation"] = "picu"
    problem.write_text(json.dumps(bad))
    assert main(["rotations", str(problem)]) == 2
    assert capsys.readouterr().err == "error: uses[0].rotation: unknown rotation 'picu'\n"
