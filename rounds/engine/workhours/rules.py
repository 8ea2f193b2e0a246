"""ACGME work-hour rules as data: limits, rule ids, and the averaging windows.

The same definitions serve the checker (`check.py`) and the scheduling solver, so a schedule the
solver builds and a log the checker reads are judged by one set of numbers and one window cut.
See docs/workhours.md for every reading choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from itertools import pairwise
from typing import Literal, Protocol

from rounds.engine.errors import ProblemError

WEEKLY_HOURS = "weekly-hours"
ONE_DAY_OFF_IN_SEVEN = "one-day-off-in-seven"
MAX_CONTINUOUS_HOURS = "max-continuous-hours"
REST_AFTER_24H = "rest-after-24h"
CALL_EVERY_THIRD_NIGHT = "call-every-third-night"
PGY1_MOONLIGHTING = "pgy1-moonlighting"
REST_8H = "rest-8h"
OVERLAPPING_PERIODS = "overlapping-periods"
WORK_ON_LEAVE = "work-on-leave"

Kind = Literal["violation", "warning"]

RULES: dict[str, tuple[Kind, str]] = {
    WEEKLY_HOURS: (
        "violation",
        "no more than 80 hours per week averaged over four weeks, moonlighting included",
    ),
    ONE_DAY_OFF_IN_SEVEN: (
        "violation",
        "one day in seven free of all clinical and educational work and of at-home call, "
        "averaged over four weeks",
    ),
    MAX_CONTINUOUS_HOURS: (
        "violation",
        "at most 24 hours of continuous clinical assignment plus up to 4 hours for transitions",
    ),
    REST_AFTER_24H: ("violation", "at least 14 hours free after 24 hours of continuous work"),
    CALL_EVERY_THIRD_NIGHT: (
        "violation",
        "in-house call no more often than every third night, averaged over four weeks",
    ),
    PGY1_MOONLIGHTING: ("violation", "PGY-1 residents may not moonlight"),
    REST_8H: ("warning", "8 hours off should separate work periods"),
    OVERLAPPING_PERIODS: ("warning", "two logged periods overlap; the overlap is counted once"),
    WORK_ON_LEAVE: ("warning", "work logged on a day of leave; the day counts as worked"),
}


@dataclass(frozen=True)
class Limits:
    """Per-program limits; the defaults are the ACGME Common Program Requirements.

    A Review Committee may raise `weekly_limit_hours` to at most 88.
    """

    weekly_limit_hours: float = 80
    max_continuous_hours: float = 24
    transition_hours: float = 4
    rest_after_long_hours: float = 14
    long_period_hours: float = 24
    min_rest_hours: float = 8
    call_every_nth_night: int = 3
    days_off_per_seven: int = 1
    window_days: int = 28
    single_window_max_days: int = 31

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            whole = field.type in ("int", int)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ProblemError(f"limits.{field.name}", "must be a number")
            if whole and not isinstance(value, int):
                raise ProblemError(f"limits.{field.name}", "must be a whole number")
            if value <= 0:
                raise ProblemError(f"limits.{field.name}", "must be positive")
        if self.weekly_limit_hours > 88:
            raise ProblemError(
                "limits.weekly_limit_hours", "must be at most 88 (the ACGME ceiling)"
            )
        if self.single_window_max_days < self.window_days:
            raise ProblemError("limits.single_window_max_days", "must be at least window_days")

    @property
    def max_period_hours(self) -> float:
        """Longest allowed continuous work period: the assignment plus transition time."""
        return self.max_continuous_hours + self.transition_hours


class RotationLike(Protocol):
    """Anything with a name and inclusive start/end dates (record rotations, solver blocks)."""

    @property
    def name(self) -> str: ...

    @property
    def start(self) -> date: ...

    @property
    def end(self) -> date: ...


@dataclass(frozen=True)
class Window:
    """An averaging window: whole local days, `end` inclusive."""

    start: date
    end: date
    name: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


NO_ROTATION = "no rotation"


def cut_into_windows(start: date, end: date, name: str, window_days: int = 28) -> list[Window]:
    """Consecutive `window_days` windows from `start`; a shorter last piece is its own window."""
    windows: list[Window] = []
    piece_start = start
    while piece_start <= end:
        piece_end = min(piece_start + timedelta(days=window_days - 1), end)
        windows.append(Window(piece_start, piece_end, name))
        piece_start = piece_end + timedelta(days=1)
    return windows


def rotation_windows(
    rotation: RotationLike, window_days: int = 28, single_window_max_days: int = 31
) -> list[Window]:
    """A rotation of at most `single_window_max_days` is one window; a longer one is cut."""
    days = (rotation.end - rotation.start).days + 1
    if days <= single_window_max_days:
        return [Window(rotation.start, rotation.end, rotation.name)]
    return cut_into_windows(rotation.start, rotation.end, rotation.name, window_days)


Stretch = tuple[date, date, date | None]


def uncovered_stretches(
    rotations: Iterable[RotationLike], first_day: date, last_day: date
) -> list[Stretch]:
    """Days from first_day to last_day that no rotation covers, as inclusive (start, end) runs,
    each with the last day before the next rotation (None after the last rotation)."""
    stretches: list[Stretch] = []
    cursor = first_day
    for rotation in sorted(rotations, key=lambda r: r.start):
        before_rotation = rotation.start - timedelta(days=1)
        if rotation.start > cursor and cursor <= last_day:
            stretches.append((cursor, min(before_rotation, last_day), before_rotation))
        cursor = max(cursor, rotation.end + timedelta(days=1))
    if cursor <= last_day:
        stretches.append((cursor, last_day, None))
    return stretches


def uncovered_windows(stretch: Stretch, window_days: int = 28) -> list[Window]:
    """Full `window_days` windows from the stretch's first day until they cover its last day.

    The last window keeps its full length past the last logged day (days without logged work
    are days without work), so the end of a log is averaged over four weeks like the rest; it
    stops short only where a rotation begins, because that day belongs to the rotation.
    """
    start, end, bound = stretch
    windows: list[Window] = []
    piece_start = start
    while piece_start <= end:
        piece_end = piece_start + timedelta(days=window_days - 1)
        if bound is not None:
            piece_end = min(piece_end, bound)
        windows.append(Window(piece_start, piece_end, NO_ROTATION))
        piece_start = piece_end + timedelta(days=1)
    return windows


def check_rotations_disjoint(rotations: Sequence[RotationLike]) -> None:
    """Rotations must not overlap: each day belongs to at most one averaging window."""
    order = sorted(range(len(rotations)), key=lambda i: rotations[i].start)
    for before, after in pairwise(order):
        earlier, later = rotations[before], rotations[after]
        if later.start <= earlier.end:
            raise ProblemError(
                f"rotations[{after}]",
                f"overlaps rotations[{before}] {earlier.name!r} "
                f"({earlier.start.isoformat()} to {earlier.end.isoformat()})",
            )


def averaging_windows(
    rotations: Sequence[RotationLike],
    first_day: date,
    last_day: date,
    limits: Limits | None = None,
) -> list[Window]:
    """The averaging windows for a span of days, in date order.

    Each rotation gives its own windows (so a heavy rotation is never averaged with a light one).
    Days from first_day to last_day that no rotation covers are cut like a record without
    rotations: full 28-day windows from the first uncovered day, the last one stopping short
    only where a rotation begins. Without rotations that is the whole span. Overlapping
    rotations raise ProblemError.
    """
    limits = limits or Limits()
    check_rotations_disjoint(rotations)
    windows: list[Window] = []
    for rotation in rotations:
        windows.extend(
            rotation_windows(rotation, limits.window_days, limits.single_window_max_days)
        )
    for stretch in uncovered_stretches(rotations, first_day, last_day):
        windows.extend(uncovered_windows(stretch, limits.window_days))
    return sorted(windows, key=lambda w: w.start)
