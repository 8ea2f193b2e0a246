"""The search's knobs live in one frozen object, documented field by field, and the docs' table
is that documentation."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from rounds.engine.cli import main
from rounds.engine.roster.settings import (
    DEFAULT_SETTINGS,
    NO_TEST,
    knob_table,
    knobs,
    with_knobs,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "scheduling.md"
TESTS = Path(__file__).resolve().parent


def test_the_docs_knob_table_is_the_settings_own() -> None:
    assert knob_table() in DOC.read_text()


def test_every_knob_says_its_unit_and_what_it_trades() -> None:
    for name, _value, f in knobs():
        assert f.metadata["unit"], name
        assert len(f.metadata["trades"]) > 10, name


def test_every_test_a_knob_names_exists() -> None:
    for _name, _value, f in knobs():
        named = f.metadata["test"]
        if named == NO_TEST:
            continue
        module, test = named.split("::")
        assert f"def {test}(" in (TESTS / f"{module}.py").read_text(), named


def test_settings_are_frozen_and_changed_by_replace() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SETTINGS.stalled = 0.2  # type: ignore[misc]
    patient = dataclasses.replace(DEFAULT_SETTINGS, stalled=0.2)
    assert patient.stalled == 0.2 and DEFAULT_SETTINGS.stalled == 0.1


def test_a_knob_set_on_the_command_line_reaches_the_search() -> None:
    changed = with_knobs(DEFAULT_SETTINGS, ["stalled=0.2", "week-sweep-days=2"])
    assert changed.stalled == 0.2 and changed.week_sweep_days == 2
    assert dataclasses.replace(changed, stalled=0.1, week_sweep_days=3) == DEFAULT_SETTINGS


def test_the_year_paths_knobs_are_set_the_same_way() -> None:
    changed = with_knobs(DEFAULT_SETTINGS, ["horizon.forward_days=14", "stalled=0.2"])
    assert changed.horizon.forward_days == 14 and changed.stalled == 0.2
    assert DEFAULT_SETTINGS.horizon.forward_days == 28


@pytest.mark.parametrize(
    ("knob", "message"),
    [
        ("patience=3", "error: --knob patience=3: no such knob (see docs/scheduling.md)"),
        ("dive_pace=fast", "error: --knob dive_pace=fast: dive_pace must be a whole number"),
        ("stalled=", "error: --knob stalled=: stalled must be a number"),
    ],
)
def test_a_bad_knob_is_one_line_and_exit_status_2(
    knob: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "curtois", "1", "--knob", knob]) == 2
    assert capsys.readouterr().err.strip() == message


def test_every_default_is_of_its_declared_kind() -> None:
    """`--knob` converts a value by the default's kind: a float knob must not default to an int."""
    for name, value, f in knobs():
        assert type(value).__name__ == f.type, name
