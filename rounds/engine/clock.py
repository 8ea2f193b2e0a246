"""Time as the engine's searches read it: wall-clock seconds, or deterministic work.

A search asks its clock for `now()`, gives each CP-SAT solve its share with
`limit(parameters, seconds)`, reports the solve afterwards with `spent(solver)`, and reports its
own Python work (pricing, LP rounds, greedy passes) with `tick(units)`.

- `WallClock` (production, the default): `now()` is `time.monotonic()`, CP-SAT gets
  `max_time_in_seconds`, and `spent`/`tick` do nothing. A time limit is a promise in seconds.
- `WorkClock` (tests, reproducible benchmarks): time moves only by work done. CP-SAT gets
  `max_deterministic_time` and runs its workers in a deterministic order; `spent` adds the
  deterministic time CP-SAT reports, and `tick` adds the search's own units. The same problem,
  seed and budget give the same schedule on any machine at any load, so a test can bound quality
  without depending on how fast the machine is today.

A unit is CP-SAT's deterministic time, and the roster search's own ticks are calibrated to it on
the Curtois instances. It is not a second: how much CPU a unit takes differs several-fold between
models (CP-SAT barely counts its LP work, which dominates the rotation model), so a work budget
promises the same answer, never a duration; tests choose the budget their assertion needs. Work
done by threads at once adds up (two pricing threads busy together count twice), so a budget of
work is CPU, not wall, time.
`pace` models a slower or busier machine: every unit costs `pace` seconds of the budget, and a
CP-SAT solve given `seconds` gets `seconds / pace` units of its own.

Work is summed in whole nanounits, so the order in which threads report it never changes the
total: the clock reads the same after the same work, whatever the threads' timing.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

NANO = 1_000_000_000


class Clock(Protocol):
    deterministic: bool
    pace: float  # seconds of the budget one unit of work costs (1 on the wall clock)

    def now(self) -> float: ...

    def limit(self, parameters: Any, seconds: float) -> None: ...

    def spent(self, solver: Any) -> None: ...

    def tick(self, units: float) -> None: ...


class WallClock:
    """Seconds on the machine's monotonic clock."""

    deterministic = False
    pace = 1.0

    def now(self) -> float:
        return time.monotonic()

    def limit(self, parameters: Any, seconds: float) -> None:
        parameters.max_time_in_seconds = max(0.01, seconds)

    def spent(self, solver: Any) -> None:
        """The wall clock moved by itself."""

    def tick(self, units: float) -> None:
        """The wall clock moved by itself."""


class WorkClock:
    """Deterministic work done so far. Thread-safe: pricing threads tick it together."""

    deterministic = True

    def __init__(self, start: float = 0.0, pace: float = 1.0) -> None:
        self.start = start
        self.pace = pace
        self._nanounits = 0
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.start + self._nanounits * self.pace / NANO

    def limit(self, parameters: Any, seconds: float) -> None:
        parameters.max_deterministic_time = max(0.001, seconds / self.pace)
        # Several workers search in a fixed interleaved order: the same answer every run.
        parameters.interleave_search = True

    def spent(self, solver: Any) -> None:
        self.tick(float(solver.deterministic_time))

    def tick(self, units: float) -> None:
        nanounits = round(units * NANO)
        with self._lock:
            self._nanounits += nanounits


WALL = WallClock()
