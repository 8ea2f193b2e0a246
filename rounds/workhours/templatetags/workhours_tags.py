from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ counts|get_item:rule }}`: a dictionary value by a key held in a variable."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def zip_with(first: Any, second: Any) -> list[tuple[Any, Any]]:
    """`{% for a, b in xs|zip_with:ys %}`: two lists side by side."""
    return list(zip(first, second, strict=False))
