"""Review periods: the first and second half of an academic year, named like `2026-2027-1`.

The CCC reviews each resident twice a year (July to December, January to June) and the ACGME
upload is per half. A period is a value, not a row: its code is stored on the review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rounds.lib.today import academic_year_of

_CODE = re.compile(r"(\d{4})-(\d{4})-([12])")


class PeriodError(ValueError):
    """A code that names no period; the message shows the expected shape."""


@dataclass(frozen=True, order=True)
class Period:
    year: int  # the academic year's July
    half: int  # 1: July to December, 2: January to June

    @property
    def code(self) -> str:
        return f"{self.year}-{self.year + 1}-{self.half}"

    @property
    def start(self) -> date:
        return date(self.year, 7, 1) if self.half == 1 else date(self.year + 1, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31) if self.half == 1 else date(self.year + 1, 6, 30)

    @property
    def label(self) -> str:
        which = "First" if self.half == 1 else "Second"
        return f"{which} half of {self.year}–{self.year + 1}"

    def previous(self) -> Period:
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)

    def __str__(self) -> str:
        return self.code


def period_parse(code: str) -> Period:
    match = _CODE.fullmatch(code.strip())
    if not match or int(match[2]) != int(match[1]) + 1:
        raise PeriodError(
            f"{code!r} is not a review period: write the academic year and the half, "
            "e.g. 2026-2027-1 (July to December 2026) or 2026-2027-2 (January to June 2027)."
        )
    return Period(int(match[1]), int(match[3]))


def period_of(day: date) -> Period:
    """The period `day` falls in."""
    return Period(academic_year_of(day), 1 if day.month >= 7 else 2)
