"""Every engine command refuses unusable input with one line and exit 2, never a traceback.

Exit 1 means "violations found" or "no schedule" to the scripts that call these commands, so a
crash must never exit 1: it exits 3 with one line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.engine.cli import main
from rounds.engine.workhours import cli as workhours_cli

ROUNDS = Path(sys.executable).parent / "rounds"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
COMMANDS = ["check-hours", "solve", "rotations", "match"]

BAD_FILES: dict[str, bytes] = {
    "deep nesting": b"[" * 200_000 + b"]" * 200_000,
    "bad bytes": b'{"trainee": "\xff\xfe\x00"}',
    "not JSON": b'{"trainee": ',
    "a list, not an object": b"[1, 2, 3]",
    "wrong types": b'{"trainee": 5, "periods": "x", "shifts": 7, "mentors": {}, "blocks": "x"}',
    "a huge number": b'{"trainee": {"id": "x", "pgy": ' + b"9" * 5000 + b"}}",
    "NUL bytes": b'{"trainee": {"id": "\\u0000"}, "periods": [null], "shifts": [null], '
    b'"blocks": [null], "mentors": [null]}',
}


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    def run(command: str, content: bytes, *extra: str) -> tuple[int, str, str]:
        path = tmp_path / "input.json"
        path.write_bytes(content)
        status = main([command, str(path), *extra])
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_unusable_input_exits_2_with_one_line(run: Any, command: str, case: str) -> None:
    status, out, err = run(command, BAD_FILES[case])
    assert status == 2, err
    assert out == ""
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_line_names_the_file_and_what_is_wrong(run: Any) -> None:
    assert run("solve", BAD_FILES["deep nesting"])[2].endswith(
        "input.json: nested too deeply to read\n"
    )
    assert run("check-hours", BAD_FILES["bad bytes"])[2].endswith(
        "input.json: not UTF-8 text (byte 13)\n"
    )
    assert run("check-hours", b'{"trainee": 5}')[2].endswith(
        "input.json: trainee: must be an object\n"
    )


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(BAD_FILES["deep nesting"])
    done = subprocess.run(
        [ROUNDS, "check-hours", str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    assert done.stderr == f"rounds check-hours: {path}: nested too deeply to read\n"


@pytest.mark.parametrize("command", ["solve", "rotations"])
def test_a_warm_start_that_is_not_a_result_is_refused_by_name(tmp_path: Path, command: str) -> None:
    from tests.engine.test_rotations_solve import two_programs

    problem = tmp_path / "problem.json"
    if command == "solve":
        problem.write_text((EXAMPLES / "call-problem.json").read_text())
    else:
        problem.write_text(json.dumps(two_programs()))
    warm = tmp_path / "warm.json"
    warm.write_text('{"status": {"nested": true}, "assignments": true}')
    done = subprocess.run(
        [ROUNDS, command, str(problem), "--warm-start", str(warm), "--time-limit", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: --warm-start {warm}: not a result of rounds {command}"
    ]


def test_a_crash_exits_3_not_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_checker(record: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(workhours_cli, "check", broken_checker)
    path = tmp_path / "record.json"
    path.write_text(json.dumps({"trainee": {"id": "x", "pgy": 1}, "periods": []}))
    assert main(["check-hours", str(path)]) == 3
    assert capsys.readouterr().err == (
        "rounds check-hours: internal error (ZeroDivisionError: division by zero); "
        "please report it\n"
    )


LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(["2026-07-01", "2026-07-01T07:00", "0001-01-01", "99999-12-31", "clinical"])
)
KEYS = st.sampled_from(
    ["trainee", "periods", "id", "pgy", "start", "end", "kind", "shifts", "people", "days",
     "blocks", "rotations", "uses", "rotation", "mentors", "mentees", "capacity", "wishes"]
) | st.text(max_size=4)  # fmt: skip
DOCUMENTS = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5)
)


@pytest.mark.parametrize("command", COMMANDS)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=DOCUMENTS)
def test_any_json_document_gives_an_answer_or_a_named_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, document: Any
) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document))
    status = main([command, str(path), "--time-limit", "1"] if command != "check-hours" else
                  [command, str(path)])  # fmt: skip
    err = capsys.readouterr().err
    assert status in (0, 1, 2), err
    assert "internal error" not in err
