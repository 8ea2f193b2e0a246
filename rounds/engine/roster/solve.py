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

import contextlib
import enum
import math
import random
import threading
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from rounds.engine import readers as read
from rounds.engine import stop
from rounds.engine.errors import ProblemError
from rounds.engine.roster import columns, decomposition, horizon
from rounds.engine.roster.model import RosterModel, is_night
from rounds.engine.roster.problem import Problem


class Status(enum.StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Assignment:
    person: str
    day: int
    shift: str

    def to_json(self) -> dict[str, Any]:
        return {"person": self.person, "day": self.day, "shift": self.shift}


@dataclass
class Result:
    status: Status
    objective: float | None = None
    best_bound: float | None = None
    wall_time: float = 0.0
    time_to_first_feasible: float | None = None
    assignments: list[Assignment] = field(default_factory=list)
    totals: dict[str, dict[str, float]] = field(default_factory=dict)
    bent: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    changes: dict[str, dict[str, list[str]]] | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def has_schedule(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status.value,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "wall_time": round(self.wall_time, 3),
            "time_to_first_feasible": None
            if self.time_to_first_feasible is None
            else round(self.time_to_first_feasible, 3),
            "assignments": [a.to_json() for a in self.assignments],
            "totals": self.totals,
            "bent": self.bent,
            "findings": self.findings,
            "explanation": self.explanation,
            "stats": self.stats,
        }
        if self.changes is not None:
            out["changes"] = self.changes
        return out

    @classmethod
    def from_json(cls, data: Any) -> Result:
        if not isinstance(data, dict):
            raise ProblemError("", "a result must be an object")
        try:
            status = Status(data.get("status", "unknown"))
        except ValueError:
            raise ProblemError(
                "status", "must be optimal, feasible, infeasible or unknown"
            ) from None
        assignments = []
        for i, item in enumerate(data.get("assignments") or []):
            try:
                assignments.append(
                    Assignment(str(item["person"]), int(item["day"]), str(item["shift"]))
                )
            except (KeyError, TypeError, ValueError):
                raise ProblemError(f"assignments[{i}]", "needs person, day and shift") from None
        return cls(
            status=status,
            objective=data.get("objective"),
            best_bound=data.get("best_bound"),
            wall_time=float(data.get("wall_time") or 0.0),
            time_to_first_feasible=data.get("time_to_first_feasible"),
            assignments=assignments,
            totals=data.get("totals") or {},
            bent=data.get("bent") or [],
            findings=data.get("findings") or [],
            explanation=data.get("explanation") or [],
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Result:
        """An earlier result to start from; anything not written by `rounds solve` is refused
        as input (ProblemError on `--warm-start`), never a crash."""
        data = read.load_json(path, "--warm-start")
        try:
            return cls.from_json(data)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            raise ProblemError(f"--warm-start {path}", "not a result of rounds solve") from None


# ---------------------------------------------------------------- solving


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Notes the time to the first solution; past `soft_deadline`, the first solution ends the
    search (a slow first schedule must not eat the time of the neighbourhood search)."""

    def __init__(self, started: float, soft_deadline: float | None = None) -> None:
        super().__init__()
        self.started = started
        self.soft_deadline = soft_deadline
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.monotonic() - self.started
        if self.soft_deadline is not None and time.monotonic() >= self.soft_deadline:
            self.stop_search()


# A whole model this large (the year row: 150 residents x 364 days x 30 shift types, 2.35
# million constraints) is searched without presolve and without the LP. Measured alone: its
# first schedule came 82 s into the search with both (presolve took most of it), peaking at
# 5.0 GB; without them after 10 s at 3.8 GB, and a better one (22 106 against 38 978). Smaller
# models keep both: the call row 150 x 91 (400 000 constraints) ended worse without them.
LIGHT_ABOVE_CONSTRAINTS = 1_000_000
# A root master that took more than this share of the time leaves too little for dives, each of
# which settles the master again dozens to hundreds of times: best replies get their time (at
# 60 s Curtois 13 settles in 20-30 s and 15 in 8-12 s; 8, 12, 14 and 16 settle in 0.3-3 s, and
# 8 needs its dives: 1300-1303 against 1397 from the support model).
DIVES_AFTER = 0.1
# The root master's share of the time. Curtois 13 settles in 20-30 s depending on the day and
# the seed (the Lagrangian warm-up alone is 13-15 s of it); at 0.4 of 60 s it was cut one round
# short on a slower day.
ROOT_SHARE = 0.5
# Best replies run until this share of the time, until STALLED of it passes without a better
# roster, or until their cover is level with the settled master's (columns.SAME_GAPS); the
# neighbourhood search gets the rest.
REPLIES_UNTIL = 0.9
# Curtois 13 at 60 s, seeds 2-9, interleaved: mean 1513 at 0.1, 1530 at 0.2, 1576 at 0.4; 15,
# seeds 0-5: 4086, 4094, 4100. The seed decides more than this setting
# (docs/scheduling-decisions.md, "Replies' patience raised everywhere").
STALLED = 0.1
# ... but this while the best roster's cover is within a gap of the master's: there the replies
# close the last gap (100 on Curtois) sooner than the neighbourhood search (13 sits at 12 gaps
# against its master's 11.04; at 60 s, seeds 0-9: 1421-1470, all under its line; session 13,
# with 0.1 throughout: six of ten). 15 stalls 2.3-4.4 gaps off: untouched.
STALLED_NEAR = 0.4
# The week sweep frees this many weekdays of every week (three-sevenths of the cells), each
# sub-solve for at most WEEK_SWEEP_LIMIT seconds (Curtois 15: 0.2-3 s, most proven optimal).
WEEK_SWEEP_DAYS = 3
WEEK_SWEEP_LIMIT = 3.0


def _solver(
    time_limit: float, workers: int, seed: int, max_lp: bool = True, light: bool = False
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if light:
        solver.parameters.cp_model_presolve = False
        solver.parameters.linearization_level = 0
        return solver
    # The full linearization (max_lp) gives rostering a near-tight LP bound (Curtois 10: 4622
    # vs 4631 best known, against 10 with the default), and guides the search by it.
    if not max_lp:
        return solver
    if workers > 1:
        solver.parameters.subsolvers.append("max_lp")
    else:
        solver.parameters.linearization_level = 2
    return solver


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
    horizon_knobs: horizon.HorizonKnobs | None = None,
    deadline: horizon.Deadline | None = None,
) -> Result:
    """Build the best schedule found within `time_limit` seconds; explain when none exists.
    `use_columns=False` keeps to the compact model even where column generation applies (to
    compare the two, and to test the neighbourhood search on its own)."""
    from rounds.engine.roster import explain

    started = time.monotonic()
    reasons = explain.precheck(problem)
    if reasons:
        return Result(Status.INFEASIBLE, wall_time=time.monotonic() - started, explanation=reasons)
    # [engineyear hook 1/2] Long pure rosters: windows over time (horizon.py), never the whole
    # year's model or pricing (a year's warm-up alone passed 19 GB).
    knobs = horizon_knobs or horizon.HorizonKnobs()
    if lns and use_columns and warm_start is None and horizon.applies(problem, knobs):
        result = horizon.solve_in_windows(
            problem, time_limit=time_limit, workers=workers, seed=seed, knobs=knobs, started=started
        )
        result.wall_time = time.monotonic() - started
        return result
    # [engineyear hook 2/2] The time limit holds while the model is built: past it, no schedule.
    deadline = deadline or horizon.Deadline(started + time_limit)
    try:
        rm = RosterModel(problem, deadline=deadline)
    except horizon.OutOfTime:
        return Result(
            Status.UNKNOWN,
            wall_time=time.monotonic() - started,
            explanation=["the time limit passed while the model was being built"],
        )
    if warm_start is not None:
        add_hints(rm, warm_start.assignments)
    search = _Search(rm, started, time_limit, workers, seed)
    if lns and use_columns and warm_start is None and decomposition.unsupported(problem) is None:
        # Pure rostering that the column search states exactly: whole schedules per person
        # first (Curtois 14: 0.0 % against 1.8-9.7 % from the compact model alone).
        status = search.from_columns()
        if status == cp_model.FEASIBLE:
            # A master that did not settle leaves a rough schedule: repair it person by person.
            search.lns(sweep=search.column_stats is not None and not search.column_stats["root"])
    elif lns:
        if first_phase is None:
            # Pure rostering: the neighbourhoods beat the whole-model search from the start
            # (Curtois 12: 18950 after 15 s of whole-model search); ACGME call schedules are
            # often proven optimal by it.
            first_phase = 0.25 if search.trainees else 0.1
        status = search.full(search.remaining(), soft=time_limit * first_phase)
        if status == cp_model.FEASIBLE:
            search.lns()
    else:
        status = search.full(search.remaining())
    if status == cp_model.INFEASIBLE:
        # Explaining is worth a few seconds even when the search used its whole budget.
        left = max(5.0, time_limit - (time.monotonic() - started))
        reasons = explain.explain(problem, time_limit=left) if explain_infeasible else []
        return Result(Status.INFEASIBLE, wall_time=time.monotonic() - started, explanation=reasons)
    result = search.result(status)
    if result.has_schedule and check:
        from rounds.engine.roster.record import check_schedule

        result.findings = check_schedule(problem, result.assignments)
    result.wall_time = time.monotonic() - started
    return result


def add_hints(rm: RosterModel, assignments: list[Assignment]) -> None:
    chosen = set()
    for a in assignments:
        p, s = rm.person_ix.get(a.person), rm.shift_ix.get(a.shift)
        if p is not None and s is not None:
            chosen.add((p, a.day, s))
    for key, var in rm.x.items():
        rm.model.add_hint(var, key in chosen)


class _Search:
    """The incumbent and the two phases; domains of x are narrowed in place and restored."""

    def __init__(
        self, rm: RosterModel, started: float, time_limit: float, workers: int, seed: int
    ) -> None:
        self.rm = rm
        self.started = started
        self.deadline = started + time_limit
        self.workers = workers
        self.rng = random.Random(seed)
        self.seed = seed
        self.values: list[int] | None = None
        self.objective: float | None = None
        self.bound: float | None = None
        self.first: float | None = None
        self.optimal = False
        self.lns_rounds = 0
        # The full linearization gives rostering a near-tight bound, but with the ACGME windows
        # and day-off anchors it is large and slow to a first schedule: trainees use the default.
        self.trainees = any(rm.is_trainee(p) for p in range(len(rm.problem.people)))
        self.max_lp = not self.trainees
        self.lns_improvements = 0
        self._submodels_index: _SubModels | None = None
        self.light = len(rm.model.proto.constraints) > LIGHT_ABOVE_CONSTRAINTS
        self.column_stats: dict[str, Any] | None = None

    @property
    def _submodels(self) -> _SubModels:
        """Built when the neighbourhood search starts, not while the whole-model search holds
        its own memory (a year x 150 people is millions of constraints)."""
        if self._submodels_index is None:
            self._submodels_index = _SubModels(self.rm)
        return self._submodels_index

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    @contextlib.contextmanager
    def _narrowed(self, bounds: Iterable[tuple[int, int, int]]) -> Iterator[None]:
        """Variables' domains narrowed in place to (index, low, high) for the duration: the
        model is not copied (the year row's is gigabytes); restored afterwards."""
        variables = self.rm.model.proto.variables
        saved = []
        try:
            for index, low, high in bounds:
                domain = variables[index].domain
                saved.append((domain, domain[0], domain[1]))
                domain[0], domain[1] = low, high
            yield
        finally:
            for domain, low, high in saved:
                domain[0], domain[1] = low, high

    def full(self, limit: float, soft: float | None = None) -> int:
        """A whole-model search; with `soft`, it ends after `soft` seconds once it has a
        schedule, or at its first schedule after that."""
        solver = _solver(
            min(limit, self.remaining()), self.workers, self.seed, self.max_lp, self.light
        )
        soft_deadline = None if soft is None else time.monotonic() + soft
        callback = _FirstSolution(self.started, soft_deadline)
        timer = None
        if soft is not None:

            def stop_if_any() -> None:
                if callback.first is not None:
                    solver.stop_search()

            timer = threading.Timer(soft, stop_if_any)
            timer.start()
        try:
            with stop.watching(solver):
                status = solver.solve(self.rm.model, callback)
        finally:
            if timer is not None:
                timer.cancel()
        if self.first is None and callback.first is not None:
            self.first = callback.first
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if self.objective is None or solver.objective_value <= self.objective:
                self._take(solver)
            # A search stopped early (at its first schedule, by a timer) may report a bound
            # below what the objective can ever be (the year row reported a negative one):
            # never less than the sum of each penalty's own smallest value.
            bound = max(solver.best_objective_bound, self.rm.objective_floor())
            self.bound = bound if self.bound is None else max(self.bound, bound)
            self.optimal = status == cp_model.OPTIMAL
        return int(status)

    def from_columns(self) -> int:
        """Column generation, then dives and CP-SAT over the schedules generated (`columns.py`)
        within 65 % of the time, or best replies from the master's rounding within 90 % when
        the master was slow to settle or did not settle in half the time; the compact model's
        neighbourhood search gets the rest. The decomposition's bound, when its pricing was
        exact, is the reported bound."""
        total = self.deadline - self.started
        search = columns.ColumnSearch(self.rm.problem, self.workers, self.seed)
        try:
            settled = search.root(self.started + ROOT_SHARE * total) is not None
        except columns.NoSchedule:
            search.close()
            return self.full(self.remaining())  # infeasible: the compact model explains it
        try:
            if settled and time.monotonic() - self.started <= DIVES_AFTER * total:
                self._from_support(search, 0.05 * total)
                search.dives(self.started + 0.55 * total)
                if not search.proven:
                    search.combine(self.started + 0.65 * total)
            else:
                # A master slow to settle will not see a dive through (DIVES_AFTER), and one that
                # did not settle has only its last duals: best replies from its rounding (the
                # greedy roster when the root ended inside the warm-up). Curtois 13 at 60 s:
                # 1559-1670 with two chains; the model on the master's support ended at 2455-2950.
                search.round()
                search.best_replies(
                    self.started + REPLIES_UNTIL * total, STALLED * total, STALLED_NEAR * total
                )
        finally:
            search.close()
        if search.first_found is not None:
            self.first = search.first_found - self.started
        self.column_stats = {
            "root": settled,
            "rounds": search.rounds,
            "columns": len(search.master.columns),
            "dives": search.dives_done,
            "bound": None if search.bound is None else float(search.bound),
            "seconds": round(time.monotonic() - self.started, 2),
        }
        if search.best is None:
            return self.full(self.remaining())
        self._adopt(search.best)
        if self.values is None:  # not expected: every column keeps the person's rules
            return self.full(self.remaining())
        floor = self.rm.objective_floor()
        bound = search.bound
        self.bound = floor if bound is None else max(floor, math.ceil(bound - 1e-6))
        self.optimal = self.objective is not None and self.objective <= self.bound
        return int(cp_model.OPTIMAL if self.optimal else cp_model.FEASIBLE)

    def _from_support(self, search: columns.ColumnSearch, limit: float) -> None:
        """The compact model with every cell outside the master's solution closed, from each
        person's heaviest schedule there: a small model that finds a good roster fast (Curtois
        12: 4243-4444 in 3-6 s from a greedy 10 619). Keeping the greedy roster's cells open
        as well made it larger and worse (Curtois 13: 5937 after 12 s, against 3855)."""
        if search.support is None:
            return
        start = search.chosen()  # inside the support, unlike the greedy roster or best replies
        self.rm.model.clear_hints()
        for (p, d, s), var in self.rm.x.items():
            self.rm.model.add_hint(var, bool(start[p][d] == s))
        closed = (
            (v.index, 0, 0) for (p, d, s), v in self.rm.x.items() if not search.support[p, d, s]
        )
        try:
            with self._narrowed(closed):
                solver = _solver(min(limit, self.remaining()), self.workers, self.seed, self.max_lp)
                with stop.watching(solver):
                    status = solver.solve(self.rm.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                search.offer_cells({key for key, var in self.rm.x.items() if solver.value(var)})
        finally:
            self.rm.model.clear_hints()

    def _adopt(self, schedule: Any) -> None:
        """Take a schedule ([person, day] -> shift index, -1 off) as the incumbent: every other
        variable of the model (penalties, helpers) read from CP-SAT with the cells fixed."""
        cells = (
            (var.index, int(schedule[p][d] == s), int(schedule[p][d] == s))
            for (p, d, s), var in self.rm.x.items()
        )
        with self._narrowed(cells):
            solver = _solver(max(1.0, self.remaining()), 1, self.seed, max_lp=False)
            with stop.watching(solver):
                status = solver.solve(self.rm.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._take(solver)

    def full_from_incumbent(self, limit: float) -> None:
        """A whole-model search from the incumbent: its LP bound and its own neighbourhoods find
        the coordinated moves that small neighbourhoods miss (Curtois 5)."""
        assert self.values is not None
        self.rm.model.clear_hints()
        hint = self.rm.model.proto.solution_hint
        hint.vars.extend(range(len(self.values)))
        hint.values.extend(self.values)
        self.seed += 1
        self.full(limit)
        self.rm.model.clear_hints()

    def _take(self, solver: cp_model.CpSolver) -> None:
        self.values = list(solver.response_proto.solution)
        self.objective = solver.objective_value

    # ------------------------------------------------------------ large-neighbourhood search

    def lns(self, sweep: bool = True) -> None:
        proto = self.rm.model.proto
        x_items = list(self.rm.x.items())
        # Small neighbourhoods solve to optimality in a fraction of a second and improve a lot
        # (Curtois 12: a 3-day window for everyone, 0.1 s); they grow while that stays true.
        n_people = len(self.rm.problem.people)
        sizes = {"people": 1.5 / n_people, "days": 0.12, "block": 0.25}
        if any(pen.short is not None for pen in self.rm.penalties):
            sizes["short"] = 3 / n_people
        total = self.deadline - self.started
        sub_limit = min(3.0, max(0.25, (self.deadline - time.monotonic()) / 50))
        stall = 0
        if sweep and self.max_lp:  # pure rostering; trainees' call schedules start close
            self._sweep(proto, x_items, 0.4 * total)
        if self.max_lp and self.rm.days >= 14:
            self._week_sweep(proto, x_items)
        while self.remaining() > 0.2 and self.values is not None and not self.optimal:
            if self._proven():
                self.optimal = True
                break
            if stall >= 12 and self.remaining() > 3:
                self.full_from_incumbent(min(self.remaining(), max(3.0, 0.15 * total)))
                stall = 0
                continue
            kind = self.rng.choice(list(sizes))
            free = self._neighbourhood(kind, sizes[kind])
            before = self.objective
            status = self._sub_solve(proto, x_items, free, min(sub_limit, self.remaining()))
            self.lns_rounds += 1
            stall = 0 if (self.objective or 0) < (before or 0) else stall + 1
            if status == cp_model.OPTIMAL and len(free) == len(self.rm.work):
                self.optimal = True  # everything was free: a proof for the whole problem
            # Quick, conclusive sub-solves mean the neighbourhood is easy: make it bigger.
            if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                sizes[kind] = min(1.0, sizes[kind] * 1.3)
            elif status == cp_model.UNKNOWN:
                sizes[kind] = max(0.03, sizes[kind] * 0.8)
            else:  # improved but not finished: a little smaller, for more, quicker rounds
                sizes[kind] = max(0.03, sizes[kind] * 0.85)

    def _sweep(
        self,
        proto: Any,
        x_items: list[tuple[tuple[int, int, int], cp_model.IntVar]],
        budget: float,
    ) -> None:
        """Each person's whole schedule re-solved once against everyone else's (in random
        order): small exact moves that repair a poor first schedule quickly (Curtois 13: one
        person alone removes a tenth of the first schedule's cost)."""
        until = time.monotonic() + budget
        people = list(range(len(self.rm.problem.people)))
        self.rng.shuffle(people)
        for p in people:
            if time.monotonic() > until or self.remaining() < 0.2:
                break
            free = {(p, d) for d in range(self.rm.days)}
            self._sub_solve(proto, x_items, free, min(1.0, self.remaining()))
            self.lns_rounds += 1

    def _week_sweep(
        self, proto: Any, x_items: list[tuple[tuple[int, int, int], cp_model.IntVar]]
    ) -> None:
        """WEEK_SWEEP_DAYS weekdays of every week re-solved for everyone, from each weekday in
        turn (the costliest first), until seven in a row gain nothing: work moves between like
        days of different weeks, as when one person gives up a weekend so that another can take
        a short one. Curtois 15 from the replies' 4338 and 4521, 27 s, three seeds each: every
        window of days around its short weekends was already optimal; with the week sweep first
        3985-4083 and 3978-4072, with the neighbourhoods alone 4197-4212 and 4175-4276."""
        people = range(len(self.rm.problem.people))
        idle = 0
        while True:
            cost = [0.0] * 7
            for day, paid in self._costly_days().items():
                cost[day % 7] += paid
            for weekday in sorted(range(7), key=lambda w: -cost[w]):
                if idle >= 7 or self.remaining() < 0.2 or self._proven():
                    return
                days = [d for d in range(self.rm.days) if (d - weekday) % 7 < WEEK_SWEEP_DAYS]
                free = {(p, d) for p in people for d in days}
                before = self.objective
                self._sub_solve(proto, x_items, free, min(WEEK_SWEEP_LIMIT, self.remaining()))
                self.lns_rounds += 1
                idle = 0 if (self.objective or 0) < (before or 0) else idle + 1

    def _proven(self) -> bool:
        """The incumbent reaches the bound: nothing better exists."""
        return (
            self.bound is not None and self.objective is not None and self.objective <= self.bound
        )

    def _neighbourhood(self, kind: str, size: float) -> set[tuple[int, int]]:
        """The (person, day) cells left free."""
        n_people = len(self.rm.problem.people)
        days = self.rm.days
        people = list(range(n_people))
        if kind == "people":
            chosen = self.rng.sample(people, max(1, round(size * n_people)))
            return {(p, d) for p in chosen for d in range(days)}
        if kind == "short":
            chosen = self._short_handed(max(2, round(size * n_people)))
            return {(p, d) for p in chosen for d in range(days)}
        width = max(2, round(size * days))
        first = self.rng.randrange(0, max(1, days - width + 1))
        bad = self._costly_days()
        if bad and self.rng.random() < 0.6:
            # Aim at a day where the schedule pays the most (weighted by cost).
            day = self.rng.choices(list(bad), weights=list(bad.values()))[0]
            first = min(max(0, day - self.rng.randrange(width)), max(0, days - width))
        window = range(first, min(days, first + width))
        if kind == "days":
            return {(p, d) for p in people for d in window}
        chosen = self.rng.sample(people, max(2, min(n_people, round(size * n_people * 1.5))))
        return {(p, d) for p in chosen for d in window}

    def _short_handed(self, count: int) -> list[int]:
        """People who may work a shift the schedule lacks (a gap chosen by what it costs). Freed
        for the whole horizon, as taking the shift moves their other shifts too (Curtois 13 at 60 s:
        3061-3184 in three runs with these neighbourhoods, 3342-3780 in four without)."""
        assert self.values is not None
        gaps = [
            (pen.day, pen.short, pen.weight * self.values[pen.var.index])
            for pen in self.rm.penalties
            if pen.short is not None and self.values[pen.var.index]
        ]
        people = list(range(len(self.rm.problem.people)))
        if not gaps:
            return self.rng.sample(people, min(count, len(people)))
        day, shift, _w = self.rng.choices(gaps, weights=[g[2] for g in gaps])[0]
        able = [p for p in people if (p, day, shift) in self.rm.x] or people
        return self.rng.sample(able, min(count, len(able)))

    def _costly_days(self) -> dict[int, int]:
        assert self.values is not None
        cost: dict[int, int] = {}
        for pen in self.rm.penalties:
            if pen.day is not None and self.values[pen.var.index]:
                cost[pen.day] = cost.get(pen.day, 0) + pen.weight * self.values[pen.var.index]
        return cost

    def _sub_solve(
        self,
        proto: Any,
        x_items: list[tuple[tuple[int, int, int], cp_model.IntVar]],
        free: set[tuple[int, int]],
        limit: float,
    ) -> int:
        """Re-solve the free cells with every other assignment fixed, as a small model: only the
        constraints that can still change (those reaching a free cell through helper variables)
        are copied, so a few people of Curtois 13 do not re-presolve 40 000 constraints."""
        assert self.values is not None and self.objective is not None
        sub = self._submodels.build(self.values, free)
        if sub is None:
            return self._sub_solve_whole(proto, x_items, free, limit)
        # Without trainees the full linearization solves small neighbourhoods several times faster
        # (Curtois 13, two people: 0.1 s against 1.5 s).
        solver = _solver(limit, self.workers, self.rng.randrange(1 << 30), self.max_lp)
        with stop.watching(solver):
            status = solver.solve(sub.model)
        # Equal moves are taken too (the old search did): they let the search drift on plateaus.
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
            solver.objective_value <= sub.before + 1e-6
        ):
            if solver.objective_value < sub.before - 1e-6:
                self.lns_improvements += 1
            solution = solver.response_proto.solution
            values = list(self.values)
            for v, i in sub.variables:
                values[v] = solution[i]
            self.values = values
            self.objective = self.objective - sub.before + solver.objective_value
        return int(status)

    def _sub_solve_whole(
        self,
        proto: Any,
        x_items: list[tuple[tuple[int, int, int], cp_model.IntVar]],
        free: set[tuple[int, int]],
        limit: float,
    ) -> int:
        """A large neighbourhood on the whole model: the other assignments fixed through their
        domains, restored afterwards."""
        assert self.values is not None and self.objective is not None
        values = self.values
        others = (
            (var.index, values[var.index], values[var.index])
            for (p, d, _s), var in x_items
            if (p, d) not in free
        )
        self.rm.model.clear_hints()
        hint = proto.solution_hint
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)
        try:
            seed = self.rng.randrange(1 << 30)
            with self._narrowed(others):
                solver = _solver(limit, self.workers, seed, self.max_lp, self.light)
                with stop.watching(solver):
                    status = solver.solve(self.rm.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if solver.objective_value < self.objective:
                    self.lns_improvements += 1
                if solver.objective_value <= self.objective:
                    self._take(solver)
        finally:
            self.rm.model.clear_hints()
        return int(status)

    # ------------------------------------------------------------ result

    def _stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = {
            "lns_rounds": self.lns_rounds,
            "lns_improvements": self.lns_improvements,
        }
        if self.column_stats is not None:
            stats["columns"] = self.column_stats
        return stats

    def result(self, status: int) -> Result:
        if self.values is None:
            return Result(Status.UNKNOWN, time_to_first_feasible=self.first)
        rm = self.rm
        values = self.values
        assignments = [
            Assignment(rm.problem.people[p].id, d, rm.problem.shifts[s].id)
            for (p, d, s), var in sorted(rm.x.items())
            if values[var.index]
        ]
        bent: list[dict[str, Any]] = []
        for pen in rm.penalties:
            value = values[pen.var.index]
            if value > 0 and pen.weight > 0:
                bent.append(
                    {"rule": pen.rule, "cost": value * pen.weight, "text": pen.describe(value)}
                )
        bent.sort(key=lambda b: -int(b["cost"]))
        optimal = self.optimal or (
            self.bound is not None and self.objective is not None and self.objective <= self.bound
        )
        return Result(
            Status.OPTIMAL if optimal else Status.FEASIBLE,
            objective=self.objective,
            best_bound=self.objective if optimal else self.bound,
            time_to_first_feasible=self.first,
            assignments=assignments,
            totals=totals(rm.problem, assignments),
            bent=bent,
            stats=self._stats(),
        )


def totals(problem: Problem, assignments: list[Assignment]) -> dict[str, dict[str, float]]:
    """Per person: hours (nominal shift lengths), calls, nights, weekends worked, shifts."""
    shifts = {s.id: s for s in problem.shifts}
    out: dict[str, dict[str, float]] = {
        p.id: {"hours": 0.0, "calls": 0, "nights": 0, "weekends": 0, "shifts": 0}
        for p in problem.people
    }
    weekends: dict[str, set[int]] = {p.id: set() for p in problem.people}
    for a in assignments:
        shift = shifts[a.shift]
        row = out[a.person]
        row["shifts"] += 1
        if shift.kind != "home_call":
            row["hours"] += shift.length / 60
        row["calls"] += shift.kind in ("in_house_call", "home_call")
        row["nights"] += is_night(shift)
        if problem.horizon.is_weekend(a.day):
            # Key a weekend by its Saturday, so Saturday and Sunday count once.
            weekday = problem.horizon.date(a.day).weekday()
            weekends[a.person].add(a.day - (weekday - 5))
    for pid, keys in weekends.items():
        out[pid]["weekends"] = len(keys)
    for row in out.values():
        row["hours"] = round(row["hours"], 2)
    return out


@dataclass
class _SubModel:
    model: cp_model.CpModel
    variables: list[tuple[int, int]]  # (whole-model index, sub-model index) it may change
    before: float  # the incumbent's objective over those variables


class _SubModels:
    """Neighbourhood models cut from the whole model. Every constraint is read once into flat
    arrays (its kind, its literals, a linear constraint's coefficients and bounds), with the
    constraints using each variable: reading the model's own objects again for every cut made
    cutting the main cost of a round (Curtois 12, under the profiler: 82 ms a neighbourhood
    against 40 ms from the arrays). A neighbourhood's model holds the free
    assignment variables, every helper variable linked to them (work days, weekends, penalty
    counts, fairness totals, ...) and every constraint on those; the other assignment variables
    it mentions are fixed to the incumbent. Constraints left out touch only unchanged
    variables, so the incumbent still satisfies them."""

    def __init__(self, rm: RosterModel) -> None:
        proto = rm.model.proto
        self.proto = proto
        self.whole_fraction = 0.3
        n_vars = len(proto.variables)
        self.x_index = {key: var.index for key, var in rm.x.items()}
        self.is_x = bytearray(n_vars)
        for index in self.x_index.values():
            self.is_x[index] = 1
        self.table = _ConstraintTable(proto)
        self.usable = self.table.complete
        self.objective = dict(zip(proto.objective.vars, proto.objective.coeffs, strict=True))
        self.by_cell: dict[tuple[int, int], list[int]] = {}
        for (p, d, _s), index in self.x_index.items():
            self.by_cell.setdefault((p, d), []).append(index)

    def build(self, values: list[int], free: set[tuple[int, int]]) -> _SubModel | None:
        """The neighbourhood's model, or None when it holds most of the whole model anyway
        (copying it costs more than presolving the whole model with fixed domains)."""
        if not self.usable:
            return None
        table = self.table
        seeds = [v for cell in free for v in self.by_cell.get(cell, ())]
        inside = set(seeds)
        constraints: set[int] = set()
        frontier = list(seeds)
        limit = self.whole_fraction * table.size
        while frontier:
            v = frontier.pop()
            for ci in table.users(v):
                if ci in constraints:
                    continue
                constraints.add(ci)
                for u in table.variables(ci):
                    if u not in inside and not self.is_x[u]:
                        inside.add(u)
                        frontier.append(u)
            if len(constraints) > limit:
                return None
        variables = sorted(inside)
        model = cp_model.CpModel()
        sub = model.proto
        index: dict[int, int] = {}
        for v in variables:
            index[v] = len(sub.variables)
            sub.variables.add().copy_from(self.proto.variables[v])
        for ci in sorted(constraints):
            table.write(ci, sub.constraints.add(), index, inside, values, sub)
        before = 0.0
        for v, coeff in self.objective.items():
            if v in inside:
                sub.objective.vars.append(index[v])
                sub.objective.coeffs.append(coeff)
                before += coeff * values[v]
        sub.solution_hint.vars.extend(index[v] for v in variables)
        sub.solution_hint.values.extend(values[v] for v in variables)
        return _SubModel(model, [(v, index[v]) for v in variables], before)


class _ConstraintTable:
    """The model's constraints in flat arrays: kind, enforcement count, literals (a linear
    constraint's variables) with their coefficients, and the bounds of linear constraints; and
    for each variable the constraints that use it. Kinds other than clauses, at-most-one,
    exactly-one, linear and lin_max make it incomplete (whole-model neighbourhoods only)."""

    KINDS = ("bool_or", "bool_and", "at_most_one", "exactly_one", "linear", "lin_max")

    def __init__(self, proto: Any) -> None:
        self.proto = proto
        self.kind = array("b")
        self.enforced = array("i")
        self.start = array("q", [0])
        self.lits = array("q")
        self.coeffs = array("q")
        self.bounds: dict[int, list[int]] = {}
        self.complete = True
        for ci, c in enumerate(proto.constraints):
            if not self._read(ci, c):
                self.complete = False
                break
        self.size = len(self.kind)
        self._index_users(len(proto.variables))

    def _read(self, ci: int, c: Any) -> bool:
        enforcement = list(c.enforcement_literal)
        coeffs: list[int] = []
        if c.has_bool_or():
            kind, body = 0, list(c.bool_or.literals)
        elif c.has_bool_and():
            kind, body = 1, list(c.bool_and.literals)
        elif c.has_at_most_one():
            kind, body = 2, list(c.at_most_one.literals)
        elif c.has_exactly_one():
            kind, body = 3, list(c.exactly_one.literals)
        elif c.has_linear():
            kind, body, coeffs = 4, list(c.linear.vars), list(c.linear.coeffs)
            self.bounds[ci] = list(c.linear.domain)
        elif c.has_lin_max():  # rare (weekends worked): read again from the model when cut
            kind = 5
            body = list(c.lin_max.target.vars) + [v for e in c.lin_max.exprs for v in e.vars]
        else:
            return False
        self.kind.append(kind)
        self.enforced.append(len(enforcement))
        self.lits.extend(enforcement)
        self.lits.extend(body)
        self.coeffs.extend([0] * len(enforcement))
        self.coeffs.extend(coeffs or [0] * len(body))
        self.start.append(len(self.lits))
        return True

    def _index_users(self, n_vars: int) -> None:
        counts = array("q", bytes(8 * (n_vars + 1)))
        for ci in range(self.size):
            for v in self.variables(ci):
                counts[v + 1] += 1
        for v in range(n_vars):
            counts[v + 1] += counts[v]
        self.user_start = counts
        self.user_list = array("q", bytes(8 * counts[n_vars]))
        fill = array("q", counts)
        for ci in range(self.size):
            for v in self.variables(ci):
                self.user_list[fill[v]] = ci
                fill[v] += 1

    def users(self, v: int) -> array[int]:
        return self.user_list[self.user_start[v] : self.user_start[v + 1]]

    def variables(self, ci: int) -> set[int]:
        return {v if v >= 0 else -v - 1 for v in self.lits[self.start[ci] : self.start[ci + 1]]}

    def write(
        self,
        ci: int,
        new: Any,
        index: dict[int, int],
        inside: set[int],
        values: list[int],
        sub: Any,
    ) -> None:
        """Write constraint ci onto sub-model indices into the empty `new`; variables outside
        the neighbourhood are fixed to their values (in a linear constraint they become a
        constant moved into the bounds: coverage counts mention everyone)."""

        def var(v: int) -> int:
            if v not in index:
                index[v] = len(sub.variables)
                sub.variables.add().domain.extend([values[v], values[v]])
            return index[v]

        def lit(literal: int) -> int:
            return var(literal) if literal >= 0 else -var(-literal - 1) - 1

        first, end = self.start[ci], self.start[ci + 1]
        body = first + self.enforced[ci]
        if body > first:
            new.enforcement_literal.extend([lit(v) for v in self.lits[first:body]])
        kind = self.kind[ci]
        if kind < 4:
            field = getattr(new, self.KINDS[kind])
            field.literals.extend([lit(v) for v in self.lits[body:end]])
        elif kind == 4:
            constant = 0
            keep_v, keep_c = [], []
            for v, coeff in zip(self.lits[body:end], self.coeffs[body:end], strict=True):
                if v in inside:
                    keep_v.append(var(v))
                    keep_c.append(coeff)
                else:
                    constant += coeff * values[v]
            new.linear.vars.extend(keep_v)
            new.linear.coeffs.extend(keep_c)
            new.linear.domain.extend(
                [b if abs(b) >= 2**62 else b - constant for b in self.bounds[ci]]
            )
        else:
            c = self.proto.constraints[ci].lin_max
            for target, source in [
                (new.lin_max.target, c.target),
                *((new.lin_max.exprs.add(), e) for e in c.exprs),
            ]:
                target.vars.extend([var(v) for v in source.vars])
                target.coeffs.extend(source.coeffs)
                target.offset = source.offset
