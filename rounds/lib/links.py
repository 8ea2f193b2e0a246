"""Absolute links for anything read outside the site: emails and notices.

A link in an email has no page to be relative to, so it carries the site's address
(`ROUNDS_SITE_URL`). Every notice builds its links here, so the address is configured once.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def site_url() -> str:
    """The configured site address without a trailing slash ("" when none is configured)."""
    return str(getattr(settings, "ROUNDS_SITE_URL", "") or "").rstrip("/")


def absolute(path: str) -> str:
    """`path` ("/schedules/me/") on the configured site; a full URL is returned as it is."""
    if "://" in path:
        return path
    return site_url() + (path if path.startswith("/") else f"/{path}")


def absolute_url(viewname: str, *args: Any, query: str = "") -> str:
    """reverse(viewname, args) as an absolute link, with an optional query ("year=2026")."""
    path = reverse(viewname, args=list(args))
    return absolute(f"{path}?{query}" if query else path)
