"""Stopping a solve from outside: a caller asks, every search notices within a fraction of a second.

A caller that may be asked to stop (a job whose starter pressed Cancel) runs the engine inside
`stop_when(should_stop)`. `should_stop()` must be cheap and safe to call from any thread (a flag
someone else sets), because the engine polls it from a watcher thread while CP-SAT searches:
CP-SAT's own callbacks only fire on a new solution, and a search can go a minute without one.
Every CP-SAT search runs inside `watching(solver)`, and long loops between searches call
`check()`. Once asked, the solve ends by raising `Stopped`: there is no result, so nothing
half-done can be mistaken for one. Without `stop_when` (the command line, benchmarks, tests)
nothing is polled and nothing changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

# How often the watcher thread asks; stopping takes at most this long plus CP-SAT's own wind-down.
POLL_SECONDS = 0.2

_should_stop: ContextVar[Callable[[], bool] | None] = ContextVar("should_stop", default=None)


class Stopped(Exception):
    """The caller asked the solve to stop; it ended without a result."""

    def __init__(self) -> None:
        super().__init__("the solve was asked to stop")


class _Stoppable(Protocol):
    def stop_search(self) -> None: ...


@contextmanager
def stop_when(should_stop: Callable[[], bool]) -> Iterator[None]:
    """Every solve started inside this block stops once `should_stop()` is true."""
    token = _should_stop.set(should_stop)
    try:
        yield
    finally:
        _should_stop.reset(token)


def requested() -> bool:
    hook = _should_stop.get()
    return hook is not None and hook()


def check() -> None:
    """Raise `Stopped` when the caller asked to stop (for loops between searches)."""
    if requested():
        raise Stopped


@contextmanager
def watching(solver: _Stoppable) -> Iterator[None]:
    """Run one search (the block) so that a stop request ends it: the search is told to stop
    from a watcher thread, and `Stopped` is raised once it has returned."""
    hook = _should_stop.get()
    if hook is None:
        yield
        return
    check()
    done = threading.Event()
    asked = threading.Event()

    def watch() -> None:
        while not done.wait(POLL_SECONDS):
            if hook():
                asked.set()
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, name="engine-stop-watcher", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
    if asked.is_set() or hook():
        raise Stopped
