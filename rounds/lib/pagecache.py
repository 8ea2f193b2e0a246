"""Whole-page cache for pages that are the same for everyone (the public program finder).

A cached page is served only to a request that carries nothing personal: anonymous, GET or
HEAD, no session and no messages cookie (a page rendered for such a request holds no name, no
sign-out form, no message and no CSRF token). Its key holds a *data version* that every write to
the tables public pages read moves on (a database execute wrapper that rounds.core.apps installs
on every connection), so an edit shows at once wherever the cache is shared (Redis). A local
memory cache is per process, so each process also drops its copies after PUBLIC_PAGE_SECONDS,
which bounds how long another process's edit can go unseen.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
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


_WRITES = ("insert", "update", "delete", "replace")


def watched_tables() -> frozenset[str]:
    from django.apps import apps

    return frozenset(
        model._meta.db_table.lower()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in WATCHED_APPS and model._meta.label_lower not in UNWATCHED
    )


class WriteWatcher:
    """A database execute wrapper: a statement that writes a watched table moves the version on.

    Watching the SQL rather than model signals catches every way of writing: save(), bulk_create,
    queryset update() and delete(), raw SQL. The version moves at once (so no page from before
    the write is served again) and again when the transaction commits (so a page another process
    rendered from the old rows in between is not kept either).
    """

    def __init__(self) -> None:
        self._tables: frozenset[str] | None = None

    def writes_watched(self, sql: str) -> bool:
        head = sql.lstrip()[:8].lower()
        if not head.startswith(_WRITES):
            return False
        if self._tables is None:
            self._tables = watched_tables()
        lowered = sql.lower()
        return any(f'"{t}"' in lowered or f" {t} " in lowered for t in self._tables)

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        result = execute(sql, params, many, context)
        if self.writes_watched(sql):
            data_changed()
            connection = context["connection"]
            if connection.in_atomic_block:
                transaction.on_commit(data_changed, using=connection.alias)
        return result


WATCHER = WriteWatcher()


def watch_connection(connection: Any, **_: Any) -> None:
    """connection_created receiver: every new database connection gets the watcher."""
    if WATCHER not in connection.execute_wrappers:
        connection.execute_wrappers.append(WATCHER)


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
