"""Fixtures shared by the Django tests."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.people import SmallInstitution, build_small_institution


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On SQLite the test database is a file, not shared-cache memory: in shared-cache memory a
    second connection is refused at once ("database table is locked") instead of waiting its
    turn, and the concurrency tests (tests/test_concurrency.py) give each thread its own
    connection, as each web process has."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and not db.get("TEST", {}).get("NAME"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    request.getfixturevalue("django_db_modify_db_settings_parallel_suffix")


@pytest.fixture
def small(db: None) -> SmallInstitution:
    return build_small_institution()


@pytest.fixture
def client_as(small: SmallInstitution):  # type: ignore[no-untyped-def]
    """`client_as("pd.im")` is a test client signed in as that user of the small institution."""

    def sign_in(username: str) -> Client:
        client = Client()
        client.force_login(small.users[username])
        return client

    return sign_in


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    # Each test's database starts over; cached public pages (rounds/lib/pagecache.py) must too.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def today_before_the_test_year(settings) -> None:  # type: ignore[no-untyped-def]
    # What has started is history (rounds.lib.today). The schedule tests build the 2026–2027
    # year and edit any block of it, so by default "today" is the eve of that year, whatever
    # the calendar says; a test about history sets its own day (settings.ROUNDS_TODAY).
    settings.ROUNDS_TODAY = "2026-06-30"


@pytest.fixture(autouse=True)
def solves_count_work(settings) -> None:  # type: ignore[no-untyped-def]
    # A rotation solve's time limit counts deterministic work, not seconds
    # (rounds.lib.engine_clock): the same schedule however busy the machine is.
    settings.ROUNDS_ENGINE_CLOCK = "work"


@pytest.fixture(autouse=True)
def disclosure_checked_at_once(settings) -> None:  # type: ignore[no-untyped-def]
    # Tests about which figures are shown read the checked ones at once, as pages do once the
    # worker has run the check (rounds.lib.disclosure.release_checked). The tests of the check
    # in the background (tests/test_disclosure_background.py) set their own threshold.
    settings.ROUNDS_DISCLOSURE_INLINE_ATOMS = 10**9
