"""`{{ level|level }}` (3.5 -> "3.5", None -> "NYA") and `{{ level|level_label }}` for pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from rounds.milestones.levels import level_label as label_of
from rounds.milestones.levels import level_short

register = template.Library()


@register.filter
def level(value: Decimal | None) -> str:
    return level_short(value)


@register.filter
def level_label(value: Decimal | None) -> str:
    return label_of(value)


@register.filter
def level_value(value: object) -> str:
    """The form value of a level (as in levels.CHOICES), "" when there is none."""
    if value is None or value == "":
        return ""
    return level_short(getattr(value, "level", value))  # type: ignore[arg-type]


@register.filter
def evaluator_kind(value: str) -> str:
    """'faculty_of_trainee' -> 'Faculty of trainee' (the evaluations app's kind values)."""
    return str(value).replace("_", " ").capitalize()
