"""Whole-page cache for pages that are the same for everyone (the public program finder).

A cached page is served only to a request that carries nothing personal: anonymous, GET or
HEAD, no session and no messages cookie (a page rendered for such a request holds no name, no
sign-out form, no message and no CSRF token). Its key holds the public *data version*
(rounds.lib.cache.PUBLIC_DATA), which every write to the tables public pages read moves on, so an
edit shows at once wherever the cache is shared (Redis). A local memory cache is per process, so
each process also drops its copies after PUBLIC_PAGE_SECONDS, which bounds how long another
process's edit can go unseen.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from rounds.lib.cache import PUBLIC_DATA

View = Callable[..., HttpResponse]


def data_version() -> int:
    """The public data's version (rounds.lib.cache.PUBLIC_DATA): any write to a table the
    public pages read moves it on."""
    return PUBLIC_DATA.current()


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
