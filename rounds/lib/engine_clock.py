"""The clock the site's solves run on: the one place Rounds decides it (rounds.engine.clock).

Production solves on the wall clock: a coordinator's time limit is a promise in seconds. Tests set
`ROUNDS_ENGINE_CLOCK = "work"` (also read from the environment, so a worker process sees it too):
every solve then counts its time limit in deterministic work, so the same data give the same
schedule on any machine at any load, and no test depends on how fast the machine is today.
"""

from __future__ import annotations

from django.conf import settings

from rounds.engine.clock import WALL, Clock, WorkClock


def engine_clock() -> Clock:
    """A clock for one solve: a fresh work clock (it starts at zero), or the wall clock."""
    if settings.ROUNDS_ENGINE_CLOCK == "work":
        return WorkClock()
    return WALL
