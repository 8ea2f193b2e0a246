"""Small readers for the engine's JSON problem files: each returns a typed value or raises a
ProblemError naming the path (`shifts[2].length: must be positive`). Every problem format of the
engine (roster, rotations, matching) reads its fields through these."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rounds.engine.errors import ProblemError

T = TypeVar("T")


def load_json(path: str | Path, option: str = "") -> Any:
    """The JSON document in the file `path`, or a ProblemError naming the file (and the command
    line option it came from, `--warm-start`) and saying why it cannot be read.

    Every way a file can be unusable is input a person must fix, never a crash: missing or
    unreadable, not UTF-8, not JSON, nested deeper than the parser can follow, or a number with
    more digits than Python converts.
    """
    where = f"{option} {path}" if option else str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ProblemError(where, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ProblemError(where, f"not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        raise ProblemError(where, reason) from None
    except RecursionError:
        raise ProblemError(where, "nested too deeply to read") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise ProblemError(where, f"not usable JSON: {exc}") from None


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProblemError(path, "must be an object")
    return value


def items(value: Any, path: str) -> list[Any]:
    """A list, where a missing list (None) reads as empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProblemError(path, "must be a list")
    return value


def text(d: dict[str, Any], key: str, path: str, default: str | None = None) -> str:
    value = d.get(key, default)
    if not isinstance(value, str) or not value:
        raise ProblemError(f"{path}.{key}", "must be a non-empty string")
    return value


def optional_text(d: dict[str, Any], key: str, path: str) -> str | None:
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise ProblemError(f"{path}.{key}", "must be a string or null")
    return value


def integer(
    d: dict[str, Any], key: str, path: str, default: int | None = None, minimum: int | None = None
) -> int:
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemError(f"{path}.{key}", "must be an integer")
    if minimum is not None and value < minimum:
        reason = "must be positive" if minimum == 1 else f"must be at least {minimum}"
        raise ProblemError(f"{path}.{key}", reason)
    return value


def optional_integer(d: dict[str, Any], key: str, path: str, minimum: int | None = 0) -> int | None:
    if d.get(key) is None:
        return None
    return integer(d, key, path, minimum=minimum)


def number(d: dict[str, Any], key: str, path: str, default: float) -> float:
    value = d.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ProblemError(f"{path}.{key}", "must be a number at least 0")
    return float(value)


def weight(d: dict[str, Any], key: str, path: str) -> int | None:
    """A soft rule's weight, or None for a hard rule."""
    return optional_integer(d, key, path, minimum=0)


def iso_date(value: Any, path: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ProblemError(path, "must be a date YYYY-MM-DD") from None


def each(values: Any, path: str, parse: Callable[[dict[str, Any], str], T]) -> list[T]:
    """Parse every object of a list with `parse(object, its path)`. A field the parser never
    looked at is refused by name: a misspelt or misplaced key (`"scope": {"people": ...}` on a
    rule that reads `people`) would otherwise be ignored silently, and the rule apply to all."""
    parsed = []
    for i, item in enumerate(items(values, path)):
        where = f"{path}[{i}]"
        reading = _Reading(obj(item, where))
        parsed.append(parse(reading, where))
        unknown = [key for key in reading if key not in reading.seen]
        if unknown:
            fields = ", ".join(sorted(reading.seen))
            raise ProblemError(f"{where}.{unknown[0]}", f"is not a field here (fields: {fields})")
    return parsed


class _Reading(dict[str, Any]):
    """An object being parsed, noting which of its fields the parser asked for."""

    def __init__(self, fields: dict[str, Any]) -> None:
        super().__init__(fields)
        self.seen: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.seen.add(key)
        return super().__contains__(key)
