"""Template tags of the public layout, used by every page that extends base.html."""

from __future__ import annotations

from typing import Any

from django import template

from rounds.public.selectors import institution_get

register = template.Library()


@register.simple_tag(takes_context=True)
def institution_name(context: dict[str, Any]) -> str:
    """The sponsoring institution's name, read once per request (header and footer both ask)."""
    request = context.get("request")
    cached: str | None = getattr(request, "_rounds_institution_name", None)
    if cached is not None:
        return cached
    institution = context.get("institution") or institution_get()
    name = institution.name if institution else "Rounds"
    if request is not None:
        request._rounds_institution_name = name
    return name
