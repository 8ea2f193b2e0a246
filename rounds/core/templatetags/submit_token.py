"""`{% submit_token %}` inside a form that creates something: a hidden one-time token, so the
same form sent twice writes once (rounds/lib/idempotency.py)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from rounds.lib.idempotency import FIELD, new_token

register = template.Library()


@register.simple_tag
def submit_token() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
