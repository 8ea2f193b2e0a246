"""A database that already holds overlapping hours or leave cannot take the constraints of
migration workhours.0002: the migration stops first, with a list of the trainees and entries to
fix, and `manage.py hours_overlaps` prints the same list."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from rounds.workhours.models import (
    LEAVE_NO_OVERLAP,
    PERIOD_NO_OVERLAP,
    WINDOW_KINDS,
    LeaveSpan,
    LoggedPeriod,
)
from rounds.workhours.overlaps import OverlapsFound, overlaps_found, overlaps_refuse
from tests.people import SmallInstitution

NY = ZoneInfo("America/New_York")
MODELS = {"period_model": LoggedPeriod, "leave_model": LeaveSpan, "window_kinds": WINDOW_KINDS}


@pytest.fixture
def before_0002(db: None) -> None:
    """The tables as they were before the constraints (on PostgreSQL they are dropped inside the
    test's transaction, which puts them back when it rolls back; SQLite never has them)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"ALTER TABLE workhours_loggedperiod DROP CONSTRAINT {PERIOD_NO_OVERLAP}"
            )
            cursor.execute(f"ALTER TABLE workhours_leavespan DROP CONSTRAINT {LEAVE_NO_OVERLAP}")


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=NY)


def _work(trainee, kind: str, start: datetime, end: datetime) -> LoggedPeriod:  # type: ignore[no-untyped-def]
    return LoggedPeriod.objects.create(trainee=trainee, kind=kind, start=start, end=end)


def test_overlaps_are_listed_by_trainee_and_entry(
    small: SmallInstitution, before_0002: None
) -> None:
    day = _work(small.ana, "clinical", _at(2, 7), _at(2, 19))
    late = _work(small.ana, "moonlighting", _at(2, 18), _at(2, 22))
    _work(small.ana, "clinical", _at(2, 22), _at(2, 23))  # touches the moonlighting: fine
    _work(small.ana, "home_call", _at(3, 0), _at(3, 12))  # an at-home call window may overlap
    _work(small.ana, "home_call_work", _at(3, 1), _at(3, 2))
    _work(small.ben, "clinical", _at(2, 18), _at(2, 22))  # another trainee's same hours: fine
    first = LeaveSpan.objects.create(
        trainee=small.ben, start=date(2026, 12, 1), end=date(2026, 12, 5)
    )
    second = LeaveSpan.objects.create(
        trainee=small.ben, start=date(2026, 12, 5), end=date(2026, 12, 6)
    )
    LeaveSpan.objects.create(trainee=small.ben, start=date(2026, 12, 7), end=date(2026, 12, 8))
    assert overlaps_found(**MODELS) == [
        f"Ana Alvarez (trainee {small.ana.pk}): hours entry {day.pk} (clinical, 2026-11-02 07:00 "
        f"to 2026-11-02 19:00) overlaps hours entry {late.pk} (moonlighting, 2026-11-02 18:00 to "
        "2026-11-02 22:00)",
        f"Ben Baker (trainee {small.ben.pk}): leave {first.pk} (vacation, 2026-12-01 to "
        f"2026-12-05) overlaps leave {second.pk} (vacation, 2026-12-05 to 2026-12-06)",
    ]


def test_the_migration_check_stops_with_the_list_and_what_to_do(
    small: SmallInstitution, before_0002: None
) -> None:
    overlaps_refuse(**MODELS)  # nothing stored overlaps: the migration goes on
    _work(small.ana, "clinical", _at(2, 7), _at(2, 19))
    _work(small.ana, "clinical", _at(2, 8), _at(2, 9))
    with pytest.raises(OverlapsFound) as refused:
        overlaps_refuse(**MODELS)
    message = str(refused.value)
    assert message.startswith("1 pair(s) of stored work-hour or leave entries overlap")
    assert "  - Ana Alvarez" in message
    assert (
        "`manage.py hours_overlaps` lists them again), then run `manage.py migrate` again."
        in message
    )
    out = StringIO()
    call_command("hours_overlaps", stdout=out)
    assert out.getvalue().splitlines()[-1] == "1 overlapping pair(s)."
    assert out.getvalue().startswith("Ana Alvarez")


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_overlaps_stops_with_the_list(small: SmallInstitution) -> None:
    """The real migration, on a database rolled back to before it: on PostgreSQL it stops with
    the list (and goes through once the clash is fixed); on SQLite, which has no such
    constraint, it goes through."""
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("workhours", "0001_initial")],
        [("workhours", "0002_no_overlapping_periods_or_leave")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    _work(small.ana, "clinical", _at(2, 7), _at(2, 19))
    clash = _work(small.ana, "clinical", _at(2, 8), _at(2, 9))
    executor = MigrationExecutor(connection)
    try:
        if connection.vendor == "postgresql":
            with pytest.raises(OverlapsFound, match=r"  - Ana Alvarez \(trainee \d+\): hours"):
                executor.migrate(after)
            # Deleted in SQL: the ORM would cascade to tables of later migrations (moonlighting's
            # link to an entry), which do not exist on a database rolled back this far.
            with connection.cursor() as cursor:
                table = LoggedPeriod._meta.db_table
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [clash.pk])
            executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    kept = 1 if connection.vendor == "postgresql" else 2  # SQLite's service check is the rule
    assert LoggedPeriod.objects.filter(trainee=small.ana).count() == kept
