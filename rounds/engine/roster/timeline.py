"""Real time for shift instances: every (day, shift) as minutes from the horizon start.

A shift starts at its local wall-clock time and ends at local start + length (wall clock), so a
19:00-07:00 night is 11 or 13 real hours across a daylight-saving change, as in ACGME_RULES.md.
All arithmetic after this module is in real elapsed minutes, so rest and continuity are exact.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import cached_property

from rounds.engine.roster.problem import Problem, ShiftType

UTC = dt.UTC


@dataclass(frozen=True)
class Instance:
    """Shift `shift` (index) on day `day`: real minutes [start, end) from the horizon start."""

    day: int
    shift: int
    start: int
    end: int

    @property
    def minutes(self) -> int:
        return self.end - self.start


class Timeline:
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.zone = zoneinfo.ZoneInfo(problem.horizon.timezone)
        self.origin = self.local(problem.horizon.start, 0)

    def local(self, date: dt.date, minute_of_day: int) -> dt.datetime:
        """The UTC instant of a local wall-clock time (minute_of_day may exceed a day)."""
        naive = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minute_of_day)
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def minute(self, date: dt.date, minute_of_day: int = 0) -> int:
        """Real minutes from the horizon start to a local wall-clock time."""
        return int((self.local(date, minute_of_day) - self.origin).total_seconds() // 60)

    def day_start(self, day: int) -> int:
        return self.minute(self.problem.horizon.date(day))

    def instance(self, day: int, shift_index: int) -> Instance:
        shift: ShiftType = self.problem.shifts[shift_index]
        date = self.problem.horizon.date(day)
        start = self.minute(date, shift.start_minutes)
        end = self.minute(date, shift.start_minutes + shift.length)
        return Instance(day, shift_index, start, end)

    @cached_property
    def instances(self) -> dict[tuple[int, int], Instance]:
        days = range(self.problem.horizon.days)
        shifts = range(len(self.problem.shifts))
        return {(d, s): self.instance(d, s) for d in days for s in shifts}

    def local_iso(self, real_minute: int) -> str:
        """Local wall-clock ISO time (no offset) of a real minute, as the checker reads it."""
        instant = self.origin + dt.timedelta(minutes=real_minute)
        return instant.astimezone(self.zone).replace(tzinfo=None).isoformat(timespec="minutes")

    @cached_property
    def horizon_end(self) -> int:
        return self.day_start(self.problem.horizon.days)


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))
