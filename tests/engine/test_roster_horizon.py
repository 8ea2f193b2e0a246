"""Long staff rosters: the year generator, windows over time with fixed seams, a forward pass
that hurries when its time is short, and the deadline consulted while the model is built. No
wall-clock asserts: seeds, budgets of deterministic work (`WorkClock`), check budgets.

The base instance is Curtois & Qu's public Instance 2 (14 people x 14 days x 2 shift types),
kept in the repository (bench/data/curtois) so a fresh clone runs these tests.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from rounds.engine.clock import WorkClock
from rounds.engine.roster import curtois, horizon, yeargen
from rounds.engine.roster.horizon import Deadline
from rounds.engine.roster.settings import DEFAULT_SETTINGS, HorizonKnobs
from rounds.engine.roster.solve import Status, solve

BASE = curtois.load("2")
# Windows of two weeks on a 10-week roster: four seams, each crossed by runs of work and rest.
KNOBS = HorizonKnobs(split_above_days=28, forward_days=14, window_days=14)


def small_year(seed: int = 0) -> curtois.Instance:
    return yeargen.year_instance(BASE, days=70, staff=20, shift_types=3, seed=seed)


def test_generator_is_seeded_and_reads_back() -> None:
    one, two = small_year(seed=4), small_year(seed=4)
    text = yeargen.to_text(one)
    assert text == yeargen.to_text(two)
    assert text != yeargen.to_text(small_year(seed=5))
    again = curtois.parse(text, "again")
    assert (again.days, len(again.staff), len(again.lengths)) == (70, 20, 3)
    assert again.cover == one.cover and again.on == one.on and again.days_off == one.days_off
    # A limit over the horizon grows with it: five tiles of the base's two weeks.
    assert one.staff[0].max_weekends == 5 * BASE.staff[0].max_weekends


def test_fewer_shift_types_than_the_base_merge() -> None:
    one = yeargen.year_instance(BASE, days=28, staff=14, shift_types=1)
    assert list(one.lengths) == ["E"] and one.forbidden == {"E": []}
    assert {shift for _d, shift, *_rest in one.cover} == {"E"}
    assert len(one.cover) == 28  # one row a day: E's and L's cover added up
    # A person who could work only L in the base may work the merged type.
    assert all(st.max_shifts["E"] > 0 for st in one.staff)


def test_applies_only_above_the_threshold() -> None:
    knobs = HorizonKnobs()
    assert not horizon.applies(curtois.to_problem(BASE), knobs)
    long = curtois.to_problem(yeargen.year_instance(BASE, days=98, staff=14, shift_types=2))
    assert horizon.applies(long, knobs)
    assert not horizon.applies(long, HorizonKnobs(split_above_days=98))


def test_windows_are_monday_aligned() -> None:
    problem = curtois.to_problem(small_year())
    for offset in (0, 7):
        parts = horizon.windows(problem, 14, offset)
        assert parts[0][0] == 0 and parts[-1][1] == 70
        assert all(b == c for (_a, b), (c, _d) in itertools.pairwise(parts))
        assert all(problem.horizon.date(a).weekday() == 0 for a, _b in parts)
    assert horizon.windows(problem, 14, 0) != horizon.windows(problem, 14, 7)


def test_seams_respected() -> None:
    """The schedule from windows breaks no hard rule of the whole horizon, across every seam
    (runs, days off, successions) and over it (shifts of a type, minutes, weekends)."""
    instance = small_year(seed=1)
    result = solve(
        curtois.to_problem(instance),
        time_limit=3,
        workers=1,
        seed=2,
        settings=dataclasses.replace(DEFAULT_SETTINGS, horizon=KNOBS),
        clock=WorkClock(),
    )
    assert result.status == Status.FEASIBLE
    assert result.stats["windows"]["solved"] >= 5
    objective, errors = curtois.evaluate(instance, [a.to_json() for a in result.assignments])
    assert errors == []
    assert objective == result.objective


def test_window_limits_are_exact_when_the_rest_is_decided() -> None:
    """A repair window's limits are what the rest of the horizon leaves."""
    instance = small_year()
    problem = curtois.to_problem(instance)
    grid = np.full((20, 70), horizon.OFF, np.int64)
    grid[0, 0:5] = 0  # person A works five E shifts before the window
    sub = horizon.window_problem(problem, grid, 21, (28, 42), 49)
    rule = next(
        r for r in sub.rules if r.scope.people == ("A",) and r.family == "shifts" and r.shift == "E"
    )
    whole = next(r for r in problem.rules if r.scope.people == ("A",) and r.id == "max-E")
    assert rule.hard_max == whole.hard_max - 5
    assert sub.horizon.days == 28
    # Context days are pinned: nobody may work them (all were off).
    assert {(r.person, r.day) for r in sub.days_off} >= {("A", d) for d in range(7)}


def test_deadline_is_consulted_while_the_model_is_built() -> None:
    """Past the deadline the build stops and solve() returns without a schedule: the check
    budget stands for a clock that ran out halfway through building."""
    problem = curtois.to_problem(BASE)
    clock = WorkClock()
    deadline = Deadline.after(3600, checks=3, clock=clock)
    result = solve(problem, time_limit=1, workers=1, deadline=deadline, clock=clock)
    assert result.status == Status.UNKNOWN and not result.assignments
    assert "time limit" in result.explanation[0]
    assert deadline.consulted == 4
    roomy = Deadline.after(3600, clock=clock)
    assert solve(problem, time_limit=0.5, workers=1, deadline=roomy, clock=clock).has_schedule
    assert roomy.consulted > len(problem.rules)  # every rule and family asked


def test_a_tight_year_hurries_and_still_returns_a_whole_schedule() -> None:
    """20 people x 364 days x 4 shift types on a machine 250 times slower than the work clock's
    unit (`pace`): a full window no longer fits, so the later forward windows keep their
    first greedy roster. The year is still whole, breaks no hard rule (the published evaluator
    checks), and the budget is kept."""
    instance = yeargen.year_instance(BASE, days=364, staff=20, shift_types=4, seed=0)
    clock = WorkClock(pace=250)
    result = solve(curtois.to_problem(instance), time_limit=20, workers=2, seed=0, clock=clock)
    assert result.status == Status.FEASIBLE
    assert result.stats["windows"]["hurried"] > 0
    objective, errors = curtois.evaluate(instance, [a.to_json() for a in result.assignments])
    assert errors == []
    assert objective == result.objective
    assert clock.now() <= 20
