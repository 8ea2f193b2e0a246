"""Overlapping hours and leave already stored, listed so a person can fix them.

PostgreSQL refuses overlapping entries of one trainee (the exclusion constraints that migration
workhours.0002 adds). A database that held overlaps before then cannot take the constraints: the
migration first calls `overlaps_found` and, when there are any, stops with `OverlapsFound`,
whose message names each trainee and both entries of each clash. `manage.py hours_overlaps`
prints the same list at any time. Fix each clash in the trainee's hours log (edit or remove one
of the two entries), then run `manage.py migrate` again.

The functions take the models as arguments, so the migration can pass its historical models.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings

SHOWN = 100  # a migration's message stays readable; the command lists them all
_NAME = ("trainee__person__first_name", "trainee__person__last_name")


class OverlapsFound(Exception):
    """Stored entries overlap; the message lists them and says what to do."""


def overlaps_found(
    *, period_model: Any, leave_model: Any, window_kinds: Iterable[str] = ("home_call",)
) -> list[str]:
    """One line per pair of overlapping entries of one trainee: work periods whose `[start, end)`
    share a moment (at-home call windows aside) and leave spans whose days `[start, end]` share a
    day. Each entry is compared with the one reaching furthest among those before it."""
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    lines: list[str] = []
    periods = (
        period_model.objects.exclude(kind__in=list(window_kinds))
        .order_by("trainee_id", "start", "end", "pk")
        .values("pk", "trainee_id", "kind", "start", "end", *_NAME)
    )
    for before, row in _clashes(periods, touches=lambda reach, start: start < reach):
        lines.append(
            f"{_who(row)}: hours entry {before['pk']} ({_moment(before, local)}) overlaps "
            f"hours entry {row['pk']} ({_moment(row, local)})"
        )
    spans = leave_model.objects.order_by("trainee_id", "start", "end", "pk").values(
        "pk", "trainee_id", "kind", "start", "end", *_NAME
    )
    for before, row in _clashes(spans, touches=lambda reach, start: start <= reach):
        lines.append(
            f"{_who(row)}: leave {before['pk']} ({_days(before)}) overlaps "
            f"leave {row['pk']} ({_days(row)})"
        )
    return lines


def overlaps_refuse(**models: Any) -> None:
    """Raise OverlapsFound listing the overlaps, if there are any (the migration's pre-check)."""
    lines = overlaps_found(**models)
    if not lines:
        return
    shown = "\n".join(f"  - {line}" for line in lines[:SHOWN])
    more = f"\n  … and {len(lines) - SHOWN} more" if len(lines) > SHOWN else ""
    raise OverlapsFound(
        f"{len(lines)} pair(s) of stored work-hour or leave entries overlap, so the database "
        "cannot enforce 'no overlapping entries' yet:\n"
        f"{shown}{more}\n"
        "Fix each one in the trainee's hours log (edit or remove one of the two entries; "
        "`manage.py hours_overlaps` lists them again), then run `manage.py migrate` again."
    )


def _clashes(rows: Iterable[dict[str, Any]], touches: Any) -> Iterable[tuple[dict, dict]]:
    """(earlier, later) pairs of one trainee's rows sorted by start that overlap: a sweep that
    keeps the row reaching furthest so far."""
    reach: dict[str, Any] | None = None
    for row in rows:
        if reach is not None and reach["trainee_id"] == row["trainee_id"]:
            if touches(reach["end"], row["start"]):
                yield reach, row
            if row["end"] > reach["end"]:
                reach = row
        else:
            reach = row


def _who(row: dict[str, Any]) -> str:
    first, last = row["trainee__person__first_name"], row["trainee__person__last_name"]
    return f"{first} {last} (trainee {row['trainee_id']})"


def _moment(row: dict[str, Any], local: zoneinfo.ZoneInfo) -> str:
    start: datetime = row["start"].astimezone(local)
    end: datetime = row["end"].astimezone(local)
    return f"{row['kind']}, {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"


def _days(row: dict[str, Any]) -> str:
    start: date = row["start"]
    end: date = row["end"]
    return f"{row['kind']}, {start:%Y-%m-%d} to {end:%Y-%m-%d}"
