from __future__ import annotations

from datetime import date

from django import template

from rounds.moonlighting.models import MoonlightingRequest

register = template.Library()


@register.filter
def standing(request: MoonlightingRequest, today: date) -> str:
    """The status in words as of today ("Expired" once an approval's end date has passed)."""
    return request.standing_on(today)
