"""Reading a file of board rules (rounds-boards/1, see data/boards.json): every problem is
collected with where it is, so a file with any problem loads nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from rounds.leave.models import FAMILY_MEDICAL_MINIMUM_DAYS

FORMAT = "rounds-boards/1"
FIELDS = (
    "code", "name", "per_year_days", "per_training_year_days", "family_medical_days", "summary",
    "source", "checked_on",
)  # fmt: skip


class BoardFileError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class BoardRule:
    code: str
    name: str
    per_year_days: int | None
    per_training_year_days: int
    family_medical_days: int
    summary: str
    source: str
    checked_on: date


def board_file_parse(text: str) -> list[BoardRule]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BoardFileError([f"not JSON: {error.msg} at line {error.lineno}"]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BoardFileError([f'the file must be an object with "format": "{FORMAT}"'])
    boards = data.get("boards")
    if not isinstance(boards, list) or not boards:
        raise BoardFileError(['"boards" must be a list with at least one board'])
    problems: list[str] = []
    rules: list[BoardRule] = []
    seen: set[str] = set()
    for n, row in enumerate(boards, start=1):
        where = f"board {n}"
        if not isinstance(row, dict):
            problems.append(f"{where}: must be an object")
            continue
        where = f"board {n} ({row.get('code', '?')})"
        found = len(problems)
        missing = [f for f in FIELDS if f not in row]
        unknown = sorted(set(row) - set(FIELDS))
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(unknown)}")
        code = row["code"]
        if not isinstance(code, str) or not code.isascii() or not code.replace("-", "").isalnum():
            problems.append(f"{where}: code must be letters, digits and dashes")
        elif code in seen:
            problems.append(f"{where}: code {code} appears twice")
        seen.add(str(code))
        for name in ("name", "summary", "source"):
            if not isinstance(row[name], str) or not row[name].strip():
                problems.append(f"{where}: {name} must be text")
        if isinstance(row["source"], str) and not row["source"].startswith("https://"):
            problems.append(f"{where}: source must be an https:// address")
        per_year = row["per_year_days"]
        if per_year is not None and not _days(per_year):
            problems.append(f"{where}: per_year_days must be a whole number of days or null")
        if not _days(row["per_training_year_days"]):
            problems.append(f"{where}: per_training_year_days must be a whole number of days")
        family = row["family_medical_days"]
        if not _days(family) or family < FAMILY_MEDICAL_MINIMUM_DAYS:
            problems.append(
                f"{where}: family_medical_days must be at least {FAMILY_MEDICAL_MINIMUM_DAYS} "
                "(six weeks, the ACGME minimum)"
            )
        checked = _date(row["checked_on"])
        if checked is None:
            problems.append(f"{where}: checked_on must be a date written YYYY-MM-DD")
        if len(problems) == found and checked is not None:
            rules.append(BoardRule(**{**row, "checked_on": checked}))
    if problems:
        raise BoardFileError(problems)
    return rules


def _days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 366


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None
