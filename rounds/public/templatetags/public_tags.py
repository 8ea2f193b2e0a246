"""Template tags of the public layout, used by every page that extends base.html."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache

from rounds.lib.pagecache import data_version
from rounds.public.selectors import institution_get

register = template.Library()


def _cached_name() -> str:
    """Every page shows it: kept in the cache until the public data version moves on."""
    key = f"rounds:institution-name:{data_version()}"
    name: str | None = cache.get(key)
    if name is None:
        institution = institution_get()
        name = institution.name if institution else "Rounds"
        cache.set(key, name, timeout=settings.PUBLIC_PAGE_SECONDS)
    return name


@register.simple_tag(takes_context=True)
def institution_name(context: dict[str, Any]) -> str:
    """The sponsoring institution's name, read once per request (header and footer both ask)."""
    request = context.get("request")
    cached: str | None = getattr(request, "_rounds_institution_name", None)
    if cached is not None:
        return cached
    institution = context.get("institution")
    name = institution.name if institution else _cached_name()
    if request is not None:
        request._rounds_institution_name = name
    return name
