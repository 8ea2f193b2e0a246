"""Database constraints that only PostgreSQL can enforce, declared once on the model.

An exclusion constraint (no two rows whose ranges overlap) has no SQLite equivalent. Declared
with `PostgresExclusion`, PostgreSQL gets it; on SQLite the migration is a no-op and the service
checks the same rule itself inside its write transaction (SQLite's IMMEDIATE transactions let one
writer in at a time, so a check made inside one cannot be raced).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, DateTimeRangeField
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations import AddConstraint
from django.db.models import Func, Model


class TsTzRange(Func):
    """tstzrange(start, end, bounds): a time range, half open by default ([start, end))."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class DateRange(Func):
    """daterange(first, last, bounds): a range of days."""

    function = "DATERANGE"
    output_field = DateRangeField()


class PostgresExclusion(ExclusionConstraint):
    """An ExclusionConstraint that other databases leave out (their DDL and model validation
    skip it)."""

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor)

    def validate(
        self,
        model: type[Model],
        instance: Model,
        exclude: Iterable[str] | None = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class AddPostgresConstraint(AddConstraint):
    """AddConstraint for a PostgresExclusion: on SQLite it would copy the whole table to add
    nothing, so it does nothing there."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


class BtreeGistOnPostgres(BtreeGistExtension):
    """The btree_gist extension, created on PostgreSQL only. Django's own operation skips other
    databases going forwards but not backwards (it looks for `pg_extension`), so unapplying the
    migration on SQLite would fail."""

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)
