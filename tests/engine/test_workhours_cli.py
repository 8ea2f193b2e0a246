"""`rounds check-hours RECORD.json`: report on stdout, exit 0/1/2, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rounds.engine.cli import main

ROUNDS = Path(sys.executable).parent / "rounds"

COMPLIANT: dict[str, Any] = {
    "trainee": {"id": "dr-eve", "pgy": 1},
    "periods": [{"start": "2026-07-01T07:00", "end": "2026-07-01T19:00", "kind": "clinical"}],
}
MOONLIGHTING_PGY1: dict[str, Any] = {
    "trainee": {"id": "dr-eve", "pgy": 1},
    "periods": [
        {"start": "2026-07-01T18:00", "end": "2026-07-01T22:00", "kind": "moonlighting_external"}
    ],
}


def write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "record.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_compliant_record_exits_0_with_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["check-hours", write(tmp_path, json.dumps(COMPLIANT))])
    assert status == 0
    assert json.loads(capsys.readouterr().out) == {
        "compliant": True,
        "violations": [],
        "warnings": [],
    }


def test_violations_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check-hours", write(tmp_path, json.dumps(MOONLIGHTING_PGY1))])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["compliant"] is False
    assert [v["rule"] for v in report["violations"]] == ["pgy1-moonlighting"]
    assert set(report["violations"][0]) == {"rule", "start", "end", "detail"}


def test_bad_json_names_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A missing comma: "pgy" opens at line 2, column 25.
    path = write(tmp_path, '{\n  "trainee": {"id": "x" "pgy": 1}\n}')
    assert main(["check-hours", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"rounds check-hours: {path}: not valid JSON (line 2, column 25): Expecting ',' delimiter\n"
    )


def test_invalid_record_names_the_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**COMPLIANT, "periods": [{**COMPLIANT["periods"][0], "end": "2026-07-01T06:00"}]}
    path = write(tmp_path, json.dumps(bad))
    assert main(["check-hours", path]) == 2
    assert (
        capsys.readouterr().err == f"rounds check-hours: {path}: periods[0]: end is before start\n"
    )


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "nope.json")
    assert main(["check-hours", path]) == 2
    assert capsys.readouterr().err == (
        f"rounds check-hours: {path}: cannot read: No such file or directory\n"
    )


def test_installed_command_runs_without_a_traceback(tmp_path: Path) -> None:
    good = write(tmp_path, json.dumps(MOONLIGHTING_PGY1))
    done = subprocess.run([ROUNDS, "check-hours", good], capture_output=True, text=True)
    assert done.returncode == 1
    assert json.loads(done.stdout)["violations"][0]["rule"] == "pgy1-moonlighting"
    bad = tmp_path / "bad.json"
    bad.write_text('{"trainee": {"id": "x", "pgy": 1}, "timezone": "Mars/Base"}')
    done = subprocess.run([ROUNDS, "check-hours", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == f"rounds check-hours: {bad}: timezone: unknown time zone 'Mars/Base'\n"
