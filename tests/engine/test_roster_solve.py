"""Solving the documented example, re-planning a week, and explaining impossible problems.

Every solve runs on a work clock (`rounds.engine.clock.WorkClock`): its budget is deterministic
work, not seconds, so what a test asserts does not depend on how busy the machine is."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rounds.engine.cli import main
from rounds.engine.clock import WorkClock
from rounds.engine.roster import acgme
from rounds.engine.roster.diff import changes, lock_outside
from rounds.engine.roster.problem import Coverage, DayRef, Problem
from rounds.engine.roster.settings import DEFAULT_SETTINGS
from rounds.engine.roster.solve import Result, Status, solve

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "call-problem.json"


@pytest.fixture(scope="module")
def problem() -> Problem:
    return Problem.from_file(EXAMPLE)


@pytest.fixture(scope="module")
def result(problem: Problem) -> Result:
    return solve(problem, time_limit=1, workers=2, seed=1, clock=WorkClock())


def test_example_schedule_keeps_every_hard_rule(problem: Problem, result: Result) -> None:
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    per_day = Counter((a.day, a.shift) for a in result.assignments)
    for day in range(problem.horizon.days):
        assert per_day[day, "C"] == 1 and per_day[day, "N"] == 1 and per_day[day, "H"] == 1
        assert per_day[day, "D"] >= 2
    by_cell = {(a.person, a.day): a.shift for a in result.assignments}
    assert by_cell["emeka", 0] == "C"  # fixed
    assert ("ana", 6) not in by_cell  # day off
    assert not any(a.person == "dev" and 7 <= a.day <= 9 for a in result.assignments)  # leave
    assert not any(a.person in ("ana", "ben") and a.shift == "M" for a in result.assignments)
    assert not any(a.person == "gita" and a.shift == "C" for a in result.assignments)
    seniors = {"chloe", "dev", "emeka", "fatima"}
    calls = [a for a in result.assignments if a.shift == "C"]
    assert all(a.person in seniors for a in calls)  # a PGY-2+ on every call


def test_example_passes_the_work_hour_checker(result: Result) -> None:
    assert [f for f in result.findings if f["severity"] == "violation"] == []
    assert result.objective is not None and result.best_bound is not None
    assert result.best_bound <= result.objective
    assert result.time_to_first_feasible is not None


def test_bent_wishes_are_in_words_and_add_up(result: Result) -> None:
    assert sum(b["cost"] for b in result.bent) == result.objective
    weekend = [b["text"] for b in result.bent if b["rule"] == "R-weekends"]
    for text in weekend:
        assert "weekends, wish was at most 1; cost 10" in text


def test_totals_count_hours_calls_and_weekends(problem: Problem, result: Result) -> None:
    for person in problem.people:
        mine = [a for a in result.assignments if a.person == person.id]
        lengths = {s.id: s.length for s in problem.shifts if s.kind != "home_call"}
        hours = sum(lengths.get(a.shift, 0) for a in mine) / 60
        assert result.totals[person.id]["hours"] == pytest.approx(hours)
        assert result.totals[person.id]["calls"] == sum(a.shift in ("C", "H") for a in mine)


def test_replan_one_week_keeps_the_other(problem: Problem, result: Result) -> None:
    # Fatima asks for the last three days off after the schedule was made.
    changed = dataclasses.replace(
        problem, days_off=(*problem.days_off, *(DayRef("fatima", d) for d in range(11, 14)))
    )
    locked = lock_outside(changed, result, 7, 13)
    again = solve(locked, time_limit=1, workers=2, warm_start=result, clock=WorkClock())
    assert again.has_schedule
    first_week = {a for a in result.assignments if a.day < 7}
    assert {a for a in again.assignments if a.day < 7} == first_week
    assert not any(a.person == "fatima" and a.day >= 11 for a in again.assignments)
    report = changes(result.assignments, again.assignments)
    removed = report.get("fatima", {}).get("removed", [])
    for a in result.assignments:
        if a.person == "fatima" and a.day >= 11:
            assert f"day {a.day}: {a.shift}" in removed
    assert all(
        int(line.split()[1].rstrip(":")) >= 7 for r in report.values() for line in r["added"]
    )


def test_cli_writes_the_result_and_the_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.json"
    assert main(["solve", str(EXAMPLE), "--work", "0.5", "-o", str(first)]) == 0
    data = json.loads(first.read_text())
    for key in (
        "status",
        "objective",
        "best_bound",
        "wall_time",
        "assignments",
        "totals",
        "bent",
        "findings",
    ):
        assert key in data
    second = tmp_path / "second.json"
    args = ["solve", str(EXAMPLE), "--work", "0.5", "--warm-start", str(first)]
    assert main([*args, "--keep", "7:13", "-o", str(second)]) == 0
    again = json.loads(second.read_text())
    assert "changes" in again
    kept = {json.dumps(a) for a in data["assignments"] if a["day"] < 7}
    assert kept <= {json.dumps(a) for a in again["assignments"]}
    capsys.readouterr()


def _tiny(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "horizon": {"start": "2026-01-01", "days": 7},
        "people": [
            {"id": f"r{i}", "name": n, "pgy": 2} for i, n in enumerate(["Ana", "Ben", "Cy"])
        ],
        "shifts": [
            {"id": "N", "name": "Nights", "start": "19:00", "length": 720, "kind": "night_float"}
        ],
        "coverage": [{"shift": "N", "min": 1}],
    }
    data.update(extra)
    return data


def test_short_staffed_night_is_explained_instantly() -> None:
    data = _tiny(
        coverage=[{"shift": "N", "days": [2], "min": 3}],
        leave=[{"person": "r0", "start": "2026-01-02", "end": "2026-01-05"}],
    )
    result = solve(Problem.from_json(data), time_limit=1, clock=WorkClock())
    assert result.status == Status.INFEASIBLE
    assert result.explanation == [
        "Nights on Sat Jan 3 needs 3; only 2 of 3 are available (1 on leave, 0 off or not allowed)"
    ]


def test_call_every_third_night_conflict_names_the_requirements() -> None:
    # Seven 24-hour calls in a week, but three residents may take at most 7 // 3 = 2 calls each.
    # Cy's leave is not to blame and must not be named.
    data = _tiny(
        shifts=[
            {"id": "C", "name": "Call", "start": "07:00", "length": 1440, "kind": "in_house_call"}
        ],
        coverage=[{"shift": "C", "min": 1}],
        leave=[{"person": "r2", "start": "2026-01-01", "end": "2026-01-01"}],
    )
    result = solve(Problem.from_json(data), time_limit=2.5, workers=1, clock=WorkClock())
    assert result.status == Status.INFEASIBLE
    text = result.explanation
    assert text[0].startswith("These requirements cannot all hold together")
    for name in ("Ana", "Ben"):
        assert (
            f"{name} may take in-house call at most every third night over Thu Jan 1 - Wed Jan 7"
            in text
        )
    assert sum(line.startswith("Call on") for line in text) >= 5
    assert not any("leave" in line for line in text)
    assert len(text) == 1 + 7 + 3  # the seven calls and the three residents


def test_hard_coverage_maximum_is_respected() -> None:
    problem = Problem.from_json(_tiny())
    problem = dataclasses.replace(problem, coverage=(Coverage("N", min=1, max=1),))
    result = solve(problem, time_limit=1, clock=WorkClock())
    assert result.status == Status.OPTIMAL
    assert Counter(a.day for a in result.assignments) == Counter(range(7))


def test_only_qualified_people_work_a_shift_that_requires_a_skill() -> None:
    data = _tiny(
        shifts=[
            {"id": "I", "name": "ICU", "start": "07:00", "length": 600, "requires": ["icu"]},
        ],
        coverage=[{"shift": "I", "required": 2, "weight_under": 10}],
    )
    data["people"][1]["skills"] = ["icu"]
    result = solve(Problem.from_json(data), time_limit=1, clock=WorkClock())
    assert result.has_schedule
    assert {a.person for a in result.assignments} == {"r1"}
    # One qualified person cannot make two, and needs one day off in seven: six days short by one,
    # one day short by two, each a bent wish in words.
    texts = [b["text"] for b in result.bent]
    assert sum(t.endswith(": 1 staffed, 2 wanted") for t in texts) == 6
    assert sum(t.endswith(": 0 staffed, 2 wanted") for t in texts) == 1


def test_the_last_day_of_a_long_horizon_keeps_a_full_averaging_window() -> None:
    # 57 days = 2 x 28 + 1. Cut as one rotation, the last day would be a 1-day window that needs
    # its own day off; cut as days without a rotation, the last window keeps its 28 days.
    data = _tiny(
        horizon={"start": "2026-01-01", "days": 57},
        fixed=[{"person": "r0", "day": 56, "shift": "N"}],
    )
    problem = Problem.from_json(data)
    windows = acgme.windows(problem, "r0")
    assert [w.days for w in windows] == [28, 28, 28]
    assert windows[-1].start == problem.horizon.date(56)
    result = solve(problem, time_limit=2.5, clock=WorkClock())
    assert result.has_schedule
    assert not [f for f in result.findings if f["severity"] == "violation"]


def test_a_rotation_past_the_horizon_keeps_its_own_windows() -> None:
    data = _tiny(
        horizon={"start": "2026-01-01", "days": 57},
        rotations=[{"person": "r0", "name": "Wards", "start": "2026-01-01", "end": "2026-03-31"}],
    )
    windows = acgme.windows(Problem.from_json(data), "r0")
    assert [(w.days, w.name) for w in windows] == [(28, "Wards"), (28, "Wards"), (28, "Wards")]


def test_the_bound_never_drops_below_what_an_impossible_wish_costs(problem: Problem) -> None:
    """Dev is on leave on day 8; a wish to work that day can never be granted, so every schedule
    pays its weight. The reported bound starts from that floor, whatever the search proved."""
    from rounds.engine.roster.model import RosterModel

    wish = DayRef("dev", 8, None, 7)
    impossible = dataclasses.replace(problem, requests_on=(*problem.requests_on, wish))
    assert RosterModel(impossible).objective_floor() == 7
    result = solve(impossible, time_limit=1, workers=2, seed=1, clock=WorkClock())
    assert result.best_bound is not None and result.objective is not None
    assert 7 <= result.best_bound <= result.objective


def test_a_model_searched_without_presolve_still_keeps_every_rule(problem: Problem) -> None:
    """Models over a million constraints (a year of 150 residents) are searched whole without
    presolve and without the LP; the example, searched that way, keeps every rule too."""
    light_always = dataclasses.replace(DEFAULT_SETTINGS, light_above_constraints=0)
    light = solve(
        problem, time_limit=1, workers=2, seed=1, settings=light_always, clock=WorkClock()
    )
    assert light.has_schedule
    assert [f for f in light.findings if f["severity"] == "violation"] == []
    calls = Counter(a.day for a in light.assignments if a.shift == "C")
    assert all(calls[day] == 1 for day in range(problem.horizon.days))
    assert sum(b["cost"] for b in light.bent) == light.objective


def test_neighbourhoods_aimed_at_a_gap_free_people_who_can_fill_it() -> None:
    """Nights need three a day; only Ana, Ben and Cy may work them, four each in the week, so
    nights stay short. The search's neighbourhoods aimed at a short night free those three, not
    the day staff who could never take it."""
    from rounds.engine.roster.model import RosterModel
    from rounds.engine.roster.solve import Search

    names = ["Ana", "Ben", "Cy", "Dee", "Eli"]
    day_staff = {"people": ["p3", "p4"], "shift": "N", "hard_max": 0}
    nights = {"people": ["p0", "p1", "p2"], "shift": "N", "hard_max": 4}
    problem = Problem.from_json(
        {
            "horizon": {"start": "2026-01-05", "days": 7},
            "people": [{"id": f"p{i}", "name": n} for i, n in enumerate(names)],
            "shifts": [
                {"id": "D", "start": "07:00", "length": 600},
                {"id": "N", "start": "19:00", "length": 720},
            ],
            "coverage": [{"shift": "N", "required": 3}, {"shift": "D", "required": 1}],
            "rules": [
                {"id": "day-staff", "family": "shifts", **day_staff},
                {"id": "nights", "family": "shifts", **nights},
            ],
        }
    )
    rm = RosterModel(problem)
    clock = WorkClock()
    search = Search(rm, clock.now(), 2.5, 1, seed=0, clock=clock)
    search.full(1)
    assert search.values is not None
    short = [p for p in rm.penalties if p.short is not None and search.values[p.var.index]]
    assert short and all(rm.problem.shifts[p.short].id == "N" for p in short)
    for _ in range(20):
        assert set(search.short_handed(2)) <= {0, 1, 2}


def test_the_week_sweep_moves_a_weekend_between_people() -> None:
    """Everyone works exactly one weekend of three. The first weekend needs two a day and has
    only Ana; Cy works the third, where nobody is needed. Freeing everyone around the first
    weekend cannot help (Cy would work two weekends); the week sweep frees the same weekdays
    of every week, and Cy moves."""
    from ortools.sat.python import cp_model

    from rounds.engine.roster.model import RosterModel
    from rounds.engine.roster.solve import Search

    names = ["Ana", "Ben", "Cy"]
    problem = Problem.from_json(
        {
            "horizon": {"start": "2026-01-05", "days": 21},  # a Monday: weekends 5-6, 12-13, 19-20
            "people": [{"id": f"p{i}", "name": n} for i, n in enumerate(names)],
            "shifts": [{"id": "D", "start": "07:00", "length": 600}],
            "coverage": [
                {"shift": "D", "days": [5, 6], "required": 2},
                {"shift": "D", "days": [12, 13], "required": 1},
            ],
            "rules": [{"id": "one-weekend", "family": "weekends", "hard_min": 1, "hard_max": 1}],
        }
    )
    rm = RosterModel(problem)
    weekends = [(5, 6), (12, 13), (19, 20)]  # Ana the first, Ben the second, Cy the third
    schedule = [[0 if d in weekends[p] else -1 for d in range(21)] for p in range(3)]
    proto, x_items = rm.model.proto, list(rm.x.items())

    def started() -> Search:
        clock = WorkClock()
        search = Search(rm, clock.now(), 15, 1, seed=3, clock=clock)
        search.adopt(schedule)
        assert search.objective == 200  # the first weekend one short on both days
        return search

    windows = started()
    for _ in range(12):
        free = windows.neighbourhood("days", 6 / 21)
        windows.sub_solve(proto, x_items, free, 1)
    assert windows.objective == 200

    swept = started()
    swept.week_sweep(proto, x_items)
    assert swept.objective == 0
    staffed = Counter(a.day for a in swept.result(cp_model.FEASIBLE).assignments)
    assert staffed == {5: 2, 6: 2, 12: 1, 13: 1}
