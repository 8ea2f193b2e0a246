"""Re-planning: lock an earlier schedule outside some days, and report what changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from rounds.engine.roster.problem import DayRef, Problem
from rounds.engine.roster.solve import Assignment, Result


def lock_outside(problem: Problem, previous: Result, first: int, last: int) -> Problem:
    """Keep every earlier assignment outside days first..last exactly: worked shifts become fixed
    assignments, and days not worked become hard days off (so nobody is added there either)."""
    keep = [a for a in previous.assignments if not first <= a.day <= last]
    worked = {(a.person, a.day) for a in keep}
    fixed = [DayRef(a.person, a.day, a.shift) for a in keep]
    off = [
        DayRef(p.id, d)
        for p in problem.people
        for d in range(problem.horizon.days)
        if not first <= d <= last and (p.id, d) not in worked
    ]
    return dataclasses.replace(
        problem, fixed=(*problem.fixed, *fixed), days_off=(*problem.days_off, *off)
    )


def changes(
    before: Iterable[Assignment], after: Iterable[Assignment]
) -> dict[str, dict[str, list[str]]]:
    """Per person, the assignments added and removed, as "day 3: N" strings."""
    old, new = set(before), set(after)
    report: dict[str, dict[str, list[str]]] = {}
    for a in sorted(new - old, key=lambda a: (a.person, a.day)):
        report.setdefault(a.person, {"added": [], "removed": []})["added"].append(
            f"day {a.day}: {a.shift}"
        )
    for a in sorted(old - new, key=lambda a: (a.person, a.day)):
        report.setdefault(a.person, {"added": [], "removed": []})["removed"].append(
            f"day {a.day}: {a.shift}"
        )
    return report
