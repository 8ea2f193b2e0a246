"""`rounds match`: the worked example from docs/matching.md, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

from rounds.engine.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "matching.json"


def test_worked_example(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "result.json"
    assert main(["match", str(EXAMPLE), "-o", str(out)]) == 0
    result = json.loads(out.read_text())
    pairs = {p["mentee"]: p for p in result["pairs"]}
    assert {m: p["mentor"] for m, p in pairs.items()} == {
        "ana": "rivera",
        "ben": "smith",
        "chloe": "okafor",
    }
    assert pairs["ana"]["explanation"].startswith("mentee asked for a URiM mentor")
    assert "both speak Spanish" in pairs["ana"]["explanation"]
    assert "mentee hoped for a mentor who was a parent in training" in pairs["chloe"]["explanation"]
    assert "3 pairs, 0 unmatched" in capsys.readouterr().err


def test_stable_mode_reports_blocking_pairs(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    assert main(["match", str(EXAMPLE), "--mode", "stable", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["blocking_pairs"] == []


def test_bad_input_names_the_field(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"mentees": [], "mentors": [{"id": "x", "capacity": "two"}]}))
    assert main(["match", str(bad)]) == 2
    assert "mentors[0].capacity: must be a whole number, 0 or more" in capsys.readouterr().err
