"""Password validators beyond Django's: the guesses an attacker tries first at a hospital.

Django's common-password list does not know `Summer2026!` (a season and a year, the favourite of
forced password changes), and its similarity check reads the name on the User, while Rounds keeps
names on people.Person. These two fill those gaps; settings.AUTH_PASSWORD_VALIDATORS runs them
beside Django's own.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

SEASONS = ("spring", "summer", "autumn", "fall", "winter")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
)  # fmt: skip
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Letters people swap for look-alike digits and symbols; undone before matching.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_CALENDAR_WORDS = frozenset(SEASONS + MONTHS + DAYS)
_YEAR = re.compile(r"(?:19|20)?\d{2}")
_SHORTEST_NAME = 3
_SUBSTRING_NAME = 4


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _without_leet(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower().translate(_LEET))


class CalendarPasswordValidator:
    """Refuses a season, month or weekday with a year: `Summer2026!`, `october25`, `Monday2027`."""

    message = "A season, month or day with a year is among the first passwords anyone tries."

    def validate(self, password: str, user: Any = None) -> None:
        core = _letters_and_digits(password)
        lead = re.match(r"\d*", core).group()  # type: ignore[union-attr]
        rest = core[len(lead) :]
        trail = re.search(r"\d*$", rest).group()  # type: ignore[union-attr]
        word = rest[: len(rest) - len(trail)].translate(_LEET)
        if word in _CALENDAR_WORDS and _YEAR.fullmatch(lead + trail):
            raise ValidationError(self.message, code="password_calendar")

    def get_help_text(self) -> str:
        return "Your password cannot be a season, month or day with a year."


class PersonNameValidator:
    """Refuses a password that contains the person's first or last name, or their username.

    Reads the name from people.Person (linked to the User), where Rounds keeps it, and from the
    User's own fields for accounts without a Person. Look-alike digits (`4na`) count as letters.
    """

    message = "Your password cannot contain your name or username."

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        words = re.findall(r"[a-z]+", password.lower().translate(_LEET))
        joined = "".join(words)
        for name in _names_of(user):
            # A short name inside a longer word ("ana" in "banana") is a coincidence, not a hint.
            long_enough = len(name) >= _SUBSTRING_NAME and name in joined
            if long_enough or (len(name) >= _SHORTEST_NAME and name in words):
                raise ValidationError(self.message, code="password_has_name")

    def get_help_text(self) -> str:
        return "Your password cannot contain your name or username."


def _names_of(user: Any) -> set[str]:
    raw = [
        getattr(user, "username", ""),
        getattr(user, "first_name", ""),
        getattr(user, "last_name", ""),
    ]
    person = _person_of(user)
    if person is not None:
        raw += [person.first_name, person.last_name]
    names: set[str] = set()
    for value in raw:
        # "Mary-Jane O'Neil" gives mary, jane, neil and maryjane, oneil.
        parts = re.split(r"[^a-z]+", (value or "").lower())
        names.update(p for p in parts if p)
        names.add(_without_leet(value or ""))
    return {n for n in names if n}


def _person_of(user: Any) -> Any:
    from rounds.people.models import Person

    if getattr(user, "pk", None) is None:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None
