"""Whole-page cache for pages that are the same for everyone (the public program finder).

A cached page is served only to a request that carries nothing personal: anonymous, GET or
HEAD, no session and no messages cookie (a page rendered for such a request holds no name, no
sign-out form, no message and no CSRF token). Its key holds a *data version* that every write to
the models public pages read moves on (signals connected in rounds.core.apps), so an edit shows at
once wherever the cache is shared (Redis); a per-process local-memory cache may in addition keep
a page until PUBLIC_PAGE_SECONDS pass, which bounds how stale another process's copy can be.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "rounds:public-data-version"
# Models whose rows public pages never show and that are written on many requests.
UNWATCHED = {"core.auditentry", "core.submittoken"}
# Apps whose models the public pages read: programs, sites, specialties, testimonials (core),
# trainee and faculty counts (people), interpretation and population figures (languages).
WATCHED_APPS = {"core", "people", "languages"}

View = Callable[..., HttpResponse]


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def data_changed(**_: Any) -> None:
    """Signal receiver: public data changed, so every cached public page is out of date."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): start one that no old key holds
        cache.add(VERSION_KEY, 2, timeout=None)


def is_watched(sender: type) -> bool:
    meta = getattr(sender, "_meta", None)
    if meta is None:
        return False
    return meta.app_label in WATCHED_APPS and meta.label_lower not in UNWATCHED


def watched_change(sender: type, **kwargs: Any) -> None:
    if is_watched(sender):
        data_changed()


def _impersonal(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def _key(request: HttpRequest) -> str:
    query = sorted(request.GET.lists())
    htmx = request.headers.get("HX-Request", "")
    raw = f"{request.path}\n{query}\n{htmx}".encode()
    return f"rounds:page:{data_version()}:{hashlib.sha256(raw).hexdigest()}"


def public_page(view: View) -> View:
    """Serve `view` from the cache to requests that carry nothing personal."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _impersonal(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if isinstance(cached, HttpResponse):
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, response, timeout=settings.PUBLIC_PAGE_SECONDS)
        return response

    return wrapper
