"""The cache: its backend from one URL in the environment (settings.py imports this module), and
the data versions that tell a cached value it is out of date.

A *data version* is a number in the cache that every write to a set of tables moves on. A value
computed from those tables is kept under a key holding the version it was computed at, so the
first write after it makes every such key unreachable: the next reader computes afresh and
nothing has to know which keys to delete. The writes are seen by a database execute wrapper
(`WriteWatcher`, installed on every connection by rounds.core.apps), so every way of writing
counts: save(), bulk_create, queryset update() and delete(), raw SQL.

With Redis every process shares one version, so a write shows at once everywhere. Local memory is
per process: a version moved on in one process is not seen by the others, so every value is also
dropped after PUBLIC_PAGE_SECONDS, which bounds how long another process's write can go unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

LOCAL = "django.core.cache.backends.locmem.LocMemCache"
REDIS = "django.core.cache.backends.redis.RedisCache"

T = TypeVar("T")


def cache_from_url(url: str) -> dict[str, Any]:
    """`redis://host:port/db` (or rediss://) for Redis; empty or `locmem://` for local memory."""
    if not url or url.startswith("locmem://"):
        return {"BACKEND": LOCAL, "LOCATION": "rounds"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": REDIS, "LOCATION": url, "KEY_PREFIX": "rounds"}
    raise ImproperlyConfigured(
        f"ROUNDS_CACHE_URL: expected redis://host:port/db or locmem://, got {url!r}"
    )


def keep_seconds() -> int:
    """How long a cached value may live: the bound on what another process's write can leave
    unseen with a per-process cache, and on the room old versions' keys take in Redis."""
    from django.conf import settings

    return int(settings.PUBLIC_PAGE_SECONDS)


class DataVersion:
    """A number in the cache that moves on at every write to the tables of `apps` and of
    `models` (except the models in `unwatched`, written on many requests and read by nothing
    cached)."""

    def __init__(
        self,
        name: str,
        apps: Iterable[str],
        unwatched: Iterable[str] = (),
        models: Iterable[str] = (),
    ) -> None:
        self.name = name
        self.key = f"rounds:{name}-data-version"
        self.apps = frozenset(apps)
        self.unwatched = frozenset(unwatched)
        self.models = frozenset(models)  # single models of other apps, "app.model"
        self._tables: frozenset[str] | None = None

    def tables(self) -> frozenset[str]:
        """The database tables of the watched models (lower case), read once the apps are ready."""
        if self._tables is None:
            from django.apps import apps

            self._tables = frozenset(
                model._meta.db_table.lower()
                for model in apps.get_models(include_auto_created=True)
                if (model._meta.app_label in self.apps or model._meta.label_lower in self.models)
                and model._meta.label_lower not in self.unwatched
            )
        return self._tables

    def current(self) -> int:
        from django.core.cache import cache

        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, 1, timeout=None)
            version = cache.get(self.key, 1)
        return int(version)

    def move_on(self, **_: Any) -> None:
        """The watched data changed: every value cached under the current version is out of date."""
        from django.core.cache import cache

        try:
            cache.incr(self.key)
        except ValueError:  # no version yet (or evicted): start one that no old key holds
            cache.add(self.key, 2, timeout=None)


# Written on many requests, shown by no cached page or computation.
NOISY = ("core.auditentry", "core.submittoken")
# What the public pages read: programs, sites, specialties, testimonials (core), trainee and
# faculty counts (people), interpretation and population figures (languages).
PUBLIC_DATA = DataVersion("public", apps=("core", "people", "languages"), unwatched=NOISY)
# What the schedule checks read: programs and sites (core), trainees and their training dates
# (people), blocks, rotations, rules, requests and every version's cells (schedules), and logged
# leave (workhours.leavespan: parental, caregiver and medical leave takes days out of training).
# tests/test_cached_grids.py checks that the cached computations read no other table.
SCHEDULE_DATA = DataVersion(
    "schedule",
    apps=("core", "people", "schedules"),
    unwatched=NOISY,
    models=("workhours.leavespan",),
)
VERSIONS = (PUBLIC_DATA, SCHEDULE_DATA)

_WRITES = ("insert", "update", "delete", "replace", "truncate")


class WriteWatcher:
    """A database execute wrapper: a statement that writes a watched table moves its versions on.

    A version moves at once (so no value from before the write is served again) and again when
    the transaction commits (so a value another process computed from the old rows in between
    is not kept either).
    """

    def __init__(self, versions: Iterable[DataVersion]) -> None:
        self.versions = tuple(versions)

    def moved_by(self, sql: str) -> list[DataVersion]:
        head = sql.lstrip()[:8].lower()
        if not head.startswith(_WRITES):
            return []
        lowered = sql.lower()
        return [
            version
            for version in self.versions
            if any(f'"{t}"' in lowered or f" {t} " in lowered for t in version.tables())
        ]

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        from django.db import transaction

        result = execute(sql, params, many, context)
        for version in self.moved_by(sql):
            version.move_on()
            connection = context["connection"]
            if connection.in_atomic_block:
                transaction.on_commit(version.move_on, using=connection.alias)
        return result


WATCHER = WriteWatcher(VERSIONS)


def watch_connection(connection: Any, **_: Any) -> None:
    """connection_created receiver: every new database connection gets the watcher."""
    if WATCHER not in connection.execute_wrappers:
        connection.execute_wrappers.append(WATCHER)


_MISSING = object()


def computed(version: DataVersion, parts: Iterable[Hashable], compute: Callable[[], T]) -> T:
    """`compute()`, kept in the cache under `parts` and `version`'s current number: after any
    write to the tables the version watches, the next call computes afresh.

    `compute` must read nothing but those tables (and `parts`, which must name everything else
    it depends on, such as the day), and return a value that pickles.
    """
    from django.core.cache import cache

    number = version.current()  # before computing: a write during the computation moves it on
    key = f"rounds:computed:{version.name}:{number}:" + ":".join(str(p) for p in parts)
    found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found
    value = compute()
    cache.set(key, value, timeout=keep_seconds())
    return value
