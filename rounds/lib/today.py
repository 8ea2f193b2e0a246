"""Today, in the institution's time zone: the one place Rounds asks what day it is.

What has started is history (solves, imports and swaps never change it), so every such decision
asks `today()`. A test or a demo sets the day without patching modules: the setting
`ROUNDS_TODAY` (an ISO date, also read from the environment, so a worker process sees it too), or
`with today_is(date): ...` for one block of code.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

_lock = threading.Lock()
_pinned: list[dt.date] = []  # a stack, so `today_is` blocks nest; shared by every thread


def today(zone: dt.tzinfo | None = None) -> dt.date:
    """The date now in ROUNDS_TIME_ZONE (or in `zone`, a program's wall clock), unless a test or
    the demo pinned another: a pinned day is the same day on every clock."""
    if _pinned:
        return _pinned[-1]
    configured = getattr(settings, "ROUNDS_TODAY", None)
    if configured:
        if isinstance(configured, dt.date):
            return configured
        return dt.date.fromisoformat(str(configured))
    return timezone.localdate(timezone=zone)


@contextmanager
def today_is(day: dt.date) -> Iterator[dt.date]:
    """Within the block, `today()` is `day` (for every thread of the process)."""
    with _lock:
        _pinned.append(day)
    try:
        yield day
    finally:
        with _lock:
            _pinned.remove(day)


def academic_year_of(day: dt.date) -> int:
    """The academic year (its July) a day falls in."""
    return day.year if day.month >= 7 else day.year - 1
