"""The search's state: the incumbent schedule, its bound, the deadline, and the whole-model search.

The phases (`column_start.py`, `neighbourhoods.py`) are subclasses of `Incumbent`; `solve.Search`
joins them. Domains of the assignment variables are narrowed in place and restored (`narrowed`):
the whole model is never copied."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from ortools.sat.python import cp_model

from rounds.engine.clock import WALL, Clock
from rounds.engine.roster.cpsat import FirstSolution, make_solver, run
from rounds.engine.roster.model import RosterModel
from rounds.engine.roster.result import Assignment, Result, Status, totals
from rounds.engine.roster.settings import DEFAULT_SETTINGS, SearchSettings
from rounds.engine.roster.submodels import SubModels


class Incumbent:
    """The incumbent, its bound and the whole-model search that every phase falls back on."""

    def __init__(
        self,
        rm: RosterModel,
        started: float,
        time_limit: float,
        workers: int,
        seed: int,
        settings: SearchSettings = DEFAULT_SETTINGS,
        clock: Clock = WALL,
    ) -> None:
        self.rm = rm
        self.settings = settings
        self.clock = clock
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
        self._submodels_index: SubModels | None = None
        self.light = len(rm.model.proto.constraints) > settings.light_above_constraints
        self.column_stats: dict[str, Any] | None = None

    @property
    def _submodels(self) -> SubModels:
        """Built when the neighbourhood search starts, not while the whole-model search holds
        its own memory (a year x 150 people is millions of constraints)."""
        if self._submodels_index is None:
            self._submodels_index = SubModels(self.rm, self.settings.whole_fraction)
        return self._submodels_index

    def remaining(self) -> float:
        return self.deadline - self.clock.now()

    @contextlib.contextmanager
    def narrowed(self, bounds: Iterable[tuple[int, int, int]]) -> Iterator[None]:
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
        limit = min(limit, self.remaining())
        if soft is not None and self.clock.deterministic:
            return self._full_soft_by_work(limit, soft)
        solver = self._solver(limit)
        soft_deadline = None if soft is None else self.clock.now() + soft
        callback = FirstSolution(self.started, soft_deadline, self.clock)
        timer = None
        if soft is not None:

            def stop_if_any() -> None:
                if callback.first is not None:
                    solver.stop_search()

            timer = threading.Timer(soft, stop_if_any)
            timer.start()
        try:
            status = run(solver, self.rm.model, self.clock, callback)
        finally:
            if timer is not None:
                timer.cancel()
        return self._took(solver, status, callback)

    def _full_soft_by_work(self, limit: float, soft: float) -> int:
        """`full` with `soft` on a work clock: a timer thread would stop the search at a moment
        that depends on the machine, so the search gets `soft` first and, only when that found
        nothing, the rest of the limit up to its first schedule."""
        solver = self._solver(min(limit, soft))
        callback = FirstSolution(self.started, None, self.clock)
        status = self._took(solver, run(solver, self.rm.model, self.clock, callback), callback)
        if status != cp_model.UNKNOWN or limit <= soft or self.remaining() <= 0:
            return status
        solver = self._solver(min(limit - soft, self.remaining()))
        callback = FirstSolution(self.started, self.clock.now(), self.clock)
        return self._took(solver, run(solver, self.rm.model, self.clock, callback), callback)

    def _solver(self, limit: float) -> cp_model.CpSolver:
        return make_solver(limit, self.workers, self.seed, self.max_lp, self.light, self.clock)

    def _took(self, solver: cp_model.CpSolver, status: int, callback: FirstSolution) -> int:
        """Keep what a whole-model search found; its status."""
        if self.first is None and callback.first is not None:
            self.first = callback.first
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if self.objective is None or solver.objective_value <= self.objective:
                self.take(solver)
            # A search stopped early (at its first schedule, by a timer) may report a bound
            # below what the objective can ever be (the year row reported a negative one):
            # never less than the sum of each penalty's own smallest value.
            bound = max(solver.best_objective_bound, self.rm.objective_floor())
            self.bound = bound if self.bound is None else max(self.bound, bound)
            self.optimal = status == cp_model.OPTIMAL
        return int(status)

    def adopt(self, schedule: Any) -> None:
        """Take a schedule ([person, day] -> shift index, -1 off) as the incumbent: every other
        variable of the model (penalties, helpers) read from CP-SAT with the cells fixed."""
        cells = (
            (var.index, int(schedule[p][d] == s), int(schedule[p][d] == s))
            for (p, d, s), var in self.rm.x.items()
        )
        with self.narrowed(cells):
            solver = make_solver(
                max(1.0, self.remaining()), 1, self.seed, max_lp=False, clock=self.clock
            )
            status = run(solver, self.rm.model, self.clock)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.take(solver)

    def full_from_incumbent(self, limit: float) -> None:
        """A whole-model search from the incumbent: its LP bound and its own neighbourhoods find
        the coordinated moves that small neighbourhoods miss."""
        assert self.values is not None
        self.rm.model.clear_hints()
        hint = self.rm.model.proto.solution_hint
        hint.vars.extend(range(len(self.values)))
        hint.values.extend(self.values)
        self.seed += 1
        self.full(limit)
        self.rm.model.clear_hints()

    def take(self, solver: cp_model.CpSolver) -> None:
        self.values = list(solver.response_proto.solution)
        self.objective = solver.objective_value

    def proven(self) -> bool:
        """The incumbent reaches the bound: nothing better exists."""
        return (
            self.bound is not None and self.objective is not None and self.objective <= self.bound
        )

    def stats(self) -> dict[str, Any]:
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
            stats=self.stats(),
        )
