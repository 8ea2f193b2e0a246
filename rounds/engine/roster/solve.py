"""solve(problem) -> Result: a first schedule, then large-neighbourhood search, then the checker.

Pure rostering that the column search states exactly starts from whole schedules per person
(`columns.py`); everything else from CP-SAT on the whole model (warm-started from an earlier result
when given). If that is not proven optimal, the neighbourhood search repeatedly frees part of the
schedule (people, days, the same weekdays of every week, or the people who may fill a gap), fixes
every other assignment to the incumbent, and re-solves the small model left; neighbourhood sizes
adapt to how quickly sub-solves end. Every returned schedule is run through the independent
work-hour checker.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from rounds.engine.clock import WALL, Clock
from rounds.engine.roster import decomposition, horizon
from rounds.engine.roster.column_start import ColumnStart
from rounds.engine.roster.model import RosterModel
from rounds.engine.roster.neighbourhoods import Neighbourhoods
from rounds.engine.roster.problem import Problem
from rounds.engine.roster.result import Assignment, Result, Status, totals
from rounds.engine.roster.settings import DEFAULT_SETTINGS, SearchSettings


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 2,
    warm_start: Result | None = None,
    seed: int = 0,
    lns: bool = True,
    first_phase: float | None = None,
    check: bool = True,
    explain_infeasible: bool = True,
    use_columns: bool = True,
    settings: SearchSettings = DEFAULT_SETTINGS,
    deadline: horizon.Deadline | None = None,
    clock: Clock = WALL,
) -> Result:
    """Build the best schedule found within `time_limit` seconds; explain when none exists.
    `use_columns=False` keeps to the compact model even where column generation applies (to
    compare the two, and to test the neighbourhood search on its own). `settings` holds every
    tuning knob of the search (`settings.py`). `clock` is what the time limit is counted on:
    wall seconds, or deterministic work (`rounds.engine.clock.WorkClock`: the same problem,
    seed, workers and limit give the same schedule on any machine); `wall_time` is in its
    units."""
    from rounds.engine.roster import explain

    started = clock.now()
    reasons = explain.precheck(problem)
    if reasons:
        return Result(Status.INFEASIBLE, wall_time=clock.now() - started, explanation=reasons)
    # Long pure rosters: windows over time (horizon.py), never the whole year's model or
    # pricing (a year's warm-up grew with the horizon to many GB).
    knobs = settings.horizon
    if lns and use_columns and warm_start is None and horizon.applies(problem, knobs):
        result = horizon.solve_in_windows(
            problem,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            knobs=knobs,
            started=started,
            clock=clock,
        )
        result.wall_time = clock.now() - started
        return result
    # The time limit holds while the model is built: past it, no schedule.
    deadline = deadline or horizon.Deadline(started + time_limit, clock=clock)
    try:
        rm = RosterModel(problem, deadline=deadline)
    except horizon.OutOfTime:
        return Result(
            Status.UNKNOWN,
            wall_time=clock.now() - started,
            explanation=["the time limit passed while the model was being built"],
        )
    if warm_start is not None:
        add_hints(rm, warm_start.assignments)
    search = Search(rm, started, time_limit, workers, seed, settings, clock)
    if lns and use_columns and warm_start is None and decomposition.unsupported(problem) is None:
        # Pure rostering that the column search states exactly: whole schedules per person
        # first.
        status = search.from_columns()
        if status == cp_model.FEASIBLE:
            # A master that did not settle leaves a rough schedule: repair it person by person.
            search.lns(sweep=search.column_stats is not None and not search.column_stats["root"])
    elif lns:
        if first_phase is None:
            # Pure rostering: the neighbourhoods beat the whole-model search from the start;
            # ACGME call schedules are often proven optimal by it.
            first_phase = (
                settings.first_phase_trainees if search.trainees else settings.first_phase_staff
            )
        status = search.full(search.remaining(), soft=time_limit * first_phase)
        if status == cp_model.FEASIBLE:
            search.lns()
    else:
        status = search.full(search.remaining())
    if status == cp_model.INFEASIBLE:
        # Explaining is worth a few seconds even when the search used its whole budget.
        left = max(settings.explain_at_least, time_limit - (clock.now() - started))
        reasons = (
            explain.explain(problem, time_limit=left, clock=clock) if explain_infeasible else []
        )
        return Result(Status.INFEASIBLE, wall_time=clock.now() - started, explanation=reasons)
    result = search.result(status)
    if result.has_schedule and check:
        from rounds.engine.roster.record import check_schedule

        result.findings = check_schedule(problem, result.assignments)
    result.wall_time = clock.now() - started
    return result


def add_hints(rm: RosterModel, assignments: list[Assignment]) -> None:
    chosen = set()
    for a in assignments:
        p, s = rm.person_ix.get(a.person), rm.shift_ix.get(a.shift)
        if p is not None and s is not None:
            chosen.add((p, a.day, s))
    for key, var in rm.x.items():
        rm.model.add_hint(var, key in chosen)


class Search(ColumnStart, Neighbourhoods):
    """The incumbent and the two phases: a first schedule (from columns or the whole model), then
    the neighbourhood search."""


__all__ = ["Assignment", "Result", "Search", "Status", "add_hints", "solve", "totals"]
