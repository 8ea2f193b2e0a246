"""Turn one spreadsheet cell into a value, or say plainly what is wrong with it.

Each parser takes the cell text (already stripped, never empty) and returns a value or raises
CellError with a message that completes the sentence "column X: ...".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import TextChoices

from rounds.lib.languages import UnknownLanguage, parse_language


class CellError(ValueError):
    pass


Parser = Callable[[str], Any]


def text(max_length: int) -> Parser:
    def parse(cell: str) -> str:
        if len(cell) > max_length:
            raise CellError(f"is {len(cell)} characters long; at most {max_length} fit")
        return cell

    return parse


def whole_number(low: int, high: int) -> Parser:
    def parse(cell: str) -> int:
        try:
            value = int(cell)
        except ValueError:
            raise CellError(f"{cell!r} is not a whole number") from None
        if not low <= value <= high:
            raise CellError(f"must be a whole number from {low} to {high}, not {value}")
        return value

    return parse


def choice(options: type[TextChoices]) -> Parser:
    """Accept a choice by its stored value or by its label, ignoring case."""
    lookup = {str(value).lower(): value for value in options.values}
    lookup |= {str(label).lower(): value for value, label in options.choices}

    def parse(cell: str) -> str:
        try:
            return str(lookup[cell.lower()])
        except KeyError:
            allowed = ", ".join(str(v) for v in options.values)
            raise CellError(f"{cell!r} is not one of {allowed}") from None

    return parse


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def iso_date(cell: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cell, fmt).date()
        except ValueError:
            continue
    raise CellError(f"{cell!r} is not a date; write it as YYYY-MM-DD")


def email(cell: str) -> str:
    try:
        validate_email(cell)
    except ValidationError:
        raise CellError(f"{cell!r} is not an email address") from None
    return cell.lower()


def flag(cell: str) -> bool:
    value = cell.lower()
    if value in {"yes", "y", "true", "1"}:
        return True
    if value in {"no", "n", "false", "0"}:
        return False
    raise CellError(f"{cell!r} is not yes or no")


def semicolon_list(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


def language_code(name_or_code: str) -> str:
    """An ISO 639-3 code from a code, a reference name or an everyday name (Haitian Creole)."""
    try:
        return parse_language(name_or_code)
    except UnknownLanguage as error:
        raise CellError(str(error)) from None
