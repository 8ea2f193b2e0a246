"""Schedule -> one work-hour `Record` per trainee, for the independent checker.

Shift kind mapping (ACGME_RULES.md period kinds):
| shift kind | record |
|---|---|
| in_house_clinical, night_float, clinic | period `clinical` |
| in_house_call | period `in_house_call` |
| education | period `education` |
| home_call | `home_call` interval (on call at home, not work; never a day off) |
| any kind with `moonlighting` internal/external | period `moonlighting_internal/external` |

Times are written as local ISO times with their UTC offset, so a daylight-saving hour is never
ambiguous. Periods are clipped at the end of the horizon (what follows belongs to the next
schedule), and the record's rotations are the trainee's rotations clipped to the horizon, with
gaps filled by rotations named "schedule", exactly as the solver cut its averaging windows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rounds.engine.roster.acgme import record_rotations
from rounds.engine.roster.problem import Problem, ShiftType
from rounds.engine.roster.timeline import Timeline

if TYPE_CHECKING:
    from rounds.engine.roster.solve import Assignment

PERIOD_KIND = {
    "in_house_clinical": "clinical",
    "night_float": "clinical",
    "clinic": "clinical",
    "in_house_call": "in_house_call",
    "education": "education",
}


def period_kind(shift: ShiftType) -> str | None:
    """The record period kind of a shift, or None for at-home call."""
    if shift.moonlighting:
        return f"moonlighting_{shift.moonlighting}"
    return PERIOD_KIND.get(shift.kind)


def records(problem: Problem, assignments: Iterable[Assignment]) -> dict[str, dict[str, Any]]:
    """Record JSON (the checker's input format) for every trainee, by person id."""
    timeline = Timeline(problem)
    shifts = {s.id: (i, s) for i, s in enumerate(problem.shifts)}
    out = {p.id: _empty(problem, p.id, p.pgy) for p in problem.people if p.pgy is not None}
    for a in sorted(assignments, key=lambda a: (a.person, a.day)):
        if a.person not in out:
            continue
        index, shift = shifts[a.shift]
        inst = timeline.instances[a.day, index]
        end = min(inst.end, timeline.horizon_end)
        item = {"start": _iso(timeline, inst.start), "end": _iso(timeline, end)}
        kind = period_kind(shift)
        if kind is None:
            out[a.person]["home_call"].append(item)
        else:
            out[a.person]["periods"].append({**item, "kind": kind})
    return out


def _empty(problem: Problem, person_id: str, pgy: int) -> dict[str, Any]:
    return {
        "timezone": problem.horizon.timezone,
        "trainee": {"id": person_id, "pgy": pgy},
        "weekly_limit_hours": problem.acgme.weekly_limit_hours,
        "rotations": [
            {"name": r.name, "start": r.start.isoformat(), "end": r.end.isoformat()}
            for r in record_rotations(problem, person_id)
        ],
        "leave": [
            {"start": leave.start.isoformat(), "end": leave.end.isoformat()}
            for leave in problem.leave
            if leave.person == person_id
        ],
        "periods": [],
        "home_call": [],
    }


def _iso(timeline: Timeline, real_minute: int) -> str:
    instant = timeline.origin + dt.timedelta(minutes=real_minute)
    return instant.astimezone(timeline.zone).isoformat(timespec="minutes")


def check_schedule(problem: Problem, assignments: Iterable[Assignment]) -> list[dict[str, Any]]:
    """Checker findings (violations and warnings) for every trainee of a schedule."""
    from rounds.engine.workhours import Record, check

    if not problem.acgme.enabled:
        return []
    findings: list[dict[str, Any]] = []
    for person_id, data in records(problem, assignments).items():
        report = check(Record.from_json(data))
        for severity, items in (("violation", report.violations), ("warning", report.warnings)):
            for finding in items:
                findings.append({"person": person_id, "severity": severity, **finding.to_json()})
    return findings
