"""Solver and checker agree: every schedule the solver returns passes the work-hour checker, and
every hand-made schedule the checker rejects is one the solver refuses when forced to keep it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.engine.clock import WorkClock
from rounds.engine.roster.problem import Problem
from rounds.engine.roster.record import check_schedule
from rounds.engine.roster.solve import Assignment, Status, solve

# Shift palette: day ward, 24h call, 28h call (24 + 4 transition), night, home call, clinic.
PALETTE = [
    {"id": "D", "start": "07:00", "length": 720, "kind": "in_house_clinical"},
    {"id": "C", "start": "07:00", "length": 1440, "kind": "in_house_call"},
    {"id": "L", "start": "07:00", "length": 1680, "kind": "in_house_call"},
    {"id": "N", "start": "19:00", "length": 720, "kind": "night_float"},
    {"id": "H", "start": "17:00", "length": 840, "kind": "home_call"},
    {"id": "K", "start": "08:00", "length": 600, "kind": "clinic"},
    {"id": "M", "start": "18:00", "length": 360, "kind": "clinic", "moonlighting": "external"},
]
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@st.composite
def problems(draw: st.DrawFn) -> dict[str, Any]:
    n_people = draw(st.integers(2, 4))
    days = draw(st.integers(5, 12))
    shifts = draw(
        st.lists(st.sampled_from(PALETTE), min_size=1, max_size=3, unique_by=lambda s: s["id"])
    )
    # Around the March 2026 daylight-saving change in New York, or plain UTC.
    zone = draw(st.sampled_from(["UTC", "America/New_York"]))
    start = dt.date(2026, 3, 1) + dt.timedelta(days=draw(st.integers(0, 8)))
    people = [{"id": f"p{i}", "pgy": draw(st.integers(1, 3))} for i in range(n_people)]
    coverage = [
        {"shift": s["id"], "min": draw(st.integers(0, 1)), "required": 1, "weight_under": 10}
        for s in shifts
    ]
    leave = []
    if draw(st.booleans()):
        first = start + dt.timedelta(days=draw(st.integers(0, days - 1)))
        leave.append({"person": "p0", "start": first.isoformat(), "end": first.isoformat()})
    return {
        "horizon": {"start": start.isoformat(), "days": days, "timezone": zone},
        "people": people,
        "shifts": shifts,
        "coverage": coverage,
        "leave": leave,
        "acgme": {"weekly_limit_hours": draw(st.sampled_from([80, 88]))},
    }


@SETTINGS
@given(problems())
def test_every_solver_schedule_passes_the_checker(data: dict[str, Any]) -> None:
    problem = Problem.from_json(data)
    result = solve(
        problem, time_limit=0.25, workers=1, lns=False, explain_infeasible=False, clock=WorkClock()
    )
    if result.has_schedule:
        violations = [f for f in result.findings if f["severity"] == "violation"]
        assert violations == []


@st.composite
def forced_schedules(draw: st.DrawFn) -> tuple[dict[str, Any], list[Assignment]]:
    data = draw(problems())
    data["coverage"] = []
    days = data["horizon"]["days"]
    shifts = [s["id"] for s in data["shifts"]]
    # Dense random schedules for one trainee: often over the limits, sometimes not.
    cells = draw(
        st.lists(st.tuples(st.integers(0, days - 1), st.sampled_from(shifts)), max_size=days)
    )
    start = dt.date.fromisoformat(data["horizon"]["start"])
    leave = {(dt.date.fromisoformat(item["start"]) - start).days for item in data["leave"]}
    chosen = {day: shift for day, shift in cells if day not in leave}
    assignments = [Assignment("p0", d, s) for d, s in sorted(chosen.items())]
    return data, assignments


def _lock(data: dict[str, Any], assignments: list[Assignment]) -> dict[str, Any]:
    """The problem with exactly these assignments: fixed where worked, a day off elsewhere."""
    worked = {a.day for a in assignments}
    locked = dict(data)
    locked["fixed"] = [{"person": a.person, "day": a.day, "shift": a.shift} for a in assignments]
    locked["days_off"] = [
        {"person": p["id"], "day": d}
        for p in data["people"]
        for d in range(data["horizon"]["days"])
        if p["id"] != "p0" or d not in worked
    ]
    return locked


@SETTINGS
@given(forced_schedules())
def test_schedules_the_checker_rejects_are_refused_by_the_solver(
    case: tuple[dict[str, Any], list[Assignment]],
) -> None:
    data, assignments = case
    problem = Problem.from_json(_lock(data, assignments))
    checker_violations = [
        f for f in check_schedule(problem, assignments) if f["severity"] == "violation"
    ]
    result = solve(
        problem, time_limit=0.25, workers=1, lns=False, explain_infeasible=False, clock=WorkClock()
    )
    if checker_violations:
        assert result.status == Status.INFEASIBLE, checker_violations
    if result.has_schedule:
        assert sorted(result.assignments, key=lambda a: a.day) == assignments


def test_a_48_hour_stretch_is_rejected_by_both() -> None:
    data: dict[str, Any] = {
        "horizon": {"start": "2026-07-06", "days": 7},
        "people": [{"id": "p0", "pgy": 2}],
        "shifts": [PALETTE[1]],
    }
    assignments = [Assignment("p0", 1, "C"), Assignment("p0", 2, "C")]
    problem = Problem.from_json(_lock({**data, "leave": []}, assignments))
    rules = {f["rule"] for f in check_schedule(problem, assignments)}
    assert "max-continuous-hours" in rules
    result = solve(problem, time_limit=1.5, workers=1, clock=WorkClock())
    assert result.status == Status.INFEASIBLE
    assert any("28 hours in a row" in line for line in result.explanation)
