"""Reading ids, years and days from what a browser sent, where anything at all may arrive.

A form field or query parameter is text a person (or a script) controls: "abc", a NUL byte,
2**70, year 99999. Passed straight to the database or to `date()`, such values raise errors deep
inside Django or Python, which would be a server error. These readers turn them into None (no
such record, no such day), and the views answer 404 or fall back to a default.
"""

from __future__ import annotations

import datetime as dt

# Database ids are 64-bit signed integers.
_MAX_ID = 2**63 - 1
# The years Rounds shows or logs anything for; beyond them date arithmetic (a week, a year on)
# would leave what Python's dates can hold, and no training happened there anyway.
FIRST_YEAR = 1900
LAST_YEAR = 2999


def id_or_none(value: object) -> int | None:
    """`value` as a database id when it is one (digits, at most 64 bits), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 19:
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= _MAX_ID else None


def year_or_none(value: object) -> int | None:
    """`value` as a year Rounds knows about (FIRST_YEAR to LAST_YEAR), else None."""
    try:
        year = int(str(value).strip()) if len(str(value)) <= 8 else None
    except ValueError:
        return None
    return year if year is not None and FIRST_YEAR <= year <= LAST_YEAR else None


def day_or_none(value: object) -> dt.date | None:
    """`value` as an ISO day (YYYY-MM-DD) in a year Rounds knows about, else None."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def key_or_none(value: str, max_length: int = 64) -> str | None:
    """A key from a URL (a token, a language code) as text the database can compare, else None:
    PostgreSQL refuses text with a NUL character outright, and no key is that long."""
    if "\x00" in value or len(value) > max_length:
        return None
    return value
