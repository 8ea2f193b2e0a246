"""The milestone level scale: 1 to 5 in half steps, and "not yet assessable".

A level is a `Decimal` (1, 1.5, 2, ... 5) or `None` for "not yet assessable" (too little seen to
say). Half levels mean "all of the lower level and some of the next". Every place that reads a
level from people (the file loader, the CCC forms, the evaluation forms) parses it here, so a level
outside the scale is refused with the same sentence everywhere.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

LEVELS: tuple[Decimal, ...] = tuple(Decimal(n) / 2 for n in range(2, 11))  # 1.0 .. 5.0
NOT_ASSESSABLE = "NYA"
NOT_ASSESSABLE_LABEL = "Not yet assessable"


class LevelError(ValueError):
    """A level that is not on the scale; the message says what was given and what is allowed."""


def level_label(level: Decimal | None) -> str:
    """'Level 3', 'Between levels 3 and 4' or 'Not yet assessable'."""
    if level is None:
        return NOT_ASSESSABLE_LABEL
    if level == level.to_integral_value():
        return f"Level {int(level)}"
    low = int(level)
    return f"Between levels {low} and {low + 1}"


def level_short(level: Decimal | None) -> str:
    """'3', '3.5' or 'NYA': as shown in tables and written to exports."""
    if level is None:
        return NOT_ASSESSABLE
    return str(int(level)) if level == level.to_integral_value() else f"{level:.1f}"


def level_parse(value: object) -> Decimal | None:
    """A level from what a person or a file gave: 3, "3", "3.5", 3.5, "NYA" (or blank-free
    "not yet assessable"). Anything else raises LevelError."""
    if isinstance(value, str):
        text = value.strip()
        if text.upper() == NOT_ASSESSABLE or text.lower() == NOT_ASSESSABLE_LABEL.lower():
            return None
    else:
        text = str(value)
    if isinstance(value, bool) or value is None:
        raise LevelError(_scale_message(value))
    try:
        level = Decimal(text)
    except (InvalidOperation, ValueError):
        raise LevelError(_scale_message(value)) from None
    if not level.is_finite() or level not in LEVELS:
        raise LevelError(_scale_message(value))
    return level.quantize(Decimal("0.1"))


def _scale_message(value: object) -> str:
    return (
        f"{value!r} is not a milestone level: use 1 to 5 in steps of 0.5 "
        f"(1, 1.5, 2 ... 5) or {NOT_ASSESSABLE} for not yet assessable."
    )


# For forms: the value a person picks and what it says; "NYA" stands for None.
CHOICES: tuple[tuple[str, str], ...] = (
    *((level_short(level), level_label(level)) for level in LEVELS),
    (NOT_ASSESSABLE, NOT_ASSESSABLE_LABEL),
)
