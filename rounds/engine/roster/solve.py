"""solve(problem) -> Result: CP-SAT, then large-neighbourhood search, then the checker.

Phase 1 solves the whole model (warm-started from an earlier result when given). If it is not
proven optimal, phase 2 repeatedly frees a neighbourhood (some people, a run of days, or both),
fixes every other assignment to the incumbent through the variable domains, demands a strictly
better objective, and re-solves briefly; neighbourhood sizes adapt to how quickly sub-solves end.
Every returned schedule is run through the independent work-hour checker.
"""

from __future__ import annotations

import enum
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from rounds.engine.errors import ProblemError
from rounds.engine.roster.model import RosterModel, is_night
from rounds.engine.roster.problem import Problem

_DEBUG = bool(os.environ.get("ROUNDS_LNS_DEBUG"))
_CUT = bool(os.environ.get("ROUNDS_LNS_CUT"))


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
        try:
            data = json.loads(Path(path).read_text())
        except OSError as exc:
            raise ProblemError("", f"cannot read {path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise ProblemError("", f"{path} is not valid JSON (line {exc.lineno})") from None
        return cls.from_json(data)


# ---------------------------------------------------------------- solving


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float) -> None:
        super().__init__()
        self.started = started
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.monotonic() - self.started


def _solver(time_limit: float, workers: int, seed: int, max_lp: bool = True) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # The full linearization (max_lp) gives rostering a near-tight LP bound (Curtois 10: 4622
    # vs 4631 best known, against 10 with the default), and guides the search by it.
    if not max_lp or os.environ.get("ROUNDS_LP") == "default":
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
    first_phase: float = 0.25,
    check: bool = True,
    explain_infeasible: bool = True,
) -> Result:
    """Build the best schedule found within `time_limit` seconds; explain when none exists."""
    from rounds.engine.roster import explain

    started = time.monotonic()
    reasons = explain.precheck(problem)
    if reasons:
        return Result(Status.INFEASIBLE, wall_time=time.monotonic() - started, explanation=reasons)
    rm = RosterModel(problem)
    if warm_start is not None:
        add_hints(rm, warm_start.assignments)
    search = _Search(rm, started, time_limit, workers, seed)
    status = search.full(time_limit * (first_phase if lns else 1.0))
    if status == cp_model.UNKNOWN and search.remaining() > 0.05:
        status = search.full(search.remaining())
    if status == cp_model.FEASIBLE and lns:
        search.lns()
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
        self.max_lp = not any(rm.is_trainee(p) for p in range(len(rm.problem.people)))
        self.lns_improvements = 0

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def full(self, limit: float) -> int:
        solver = _solver(min(limit, self.remaining()), self.workers, self.seed, self.max_lp)
        callback = _FirstSolution(self.started)
        status = solver.solve(self.rm.model, callback)
        if self.first is None and callback.first is not None:
            self.first = callback.first
        if _DEBUG:
            print(
                "full",
                solver.status_name(status),
                solver.objective_value,
                solver.best_objective_bound,
            )
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if self.objective is None or solver.objective_value <= self.objective:
                self._take(solver)
            self.bound = max(self.bound or solver.best_objective_bound, solver.best_objective_bound)
            self.optimal = status == cp_model.OPTIMAL
        return int(status)

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

    def lns(self) -> None:
        proto = self.rm.model.proto
        x_items = list(self.rm.x.items())
        # Small neighbourhoods solve to optimality in a fraction of a second and improve a lot
        # (Curtois 12: a 3-day window for everyone, 0.1 s); they grow while that stays true.
        sizes = {"people": 0.08, "days": 0.12, "block": 0.25}
        total = self.deadline - self.started
        sub_limit = min(3.0, max(0.5, (self.deadline - time.monotonic()) / 50))
        stall = 0
        while self.remaining() > 0.2 and self.values is not None and not self.optimal:
            if (
                self.bound is not None
                and self.objective is not None
                and self.objective <= self.bound
            ):
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
            if _DEBUG:
                print(
                    kind,
                    round(sizes[kind], 2),
                    len(free),
                    status,
                    self.objective,
                    round(time.monotonic() - self.started, 1),
                    flush=True,
                )
            # Quick, conclusive sub-solves mean the neighbourhood is easy: make it bigger.
            if status in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                sizes[kind] = min(1.0, sizes[kind] * 1.3)
            elif status == cp_model.UNKNOWN:
                sizes[kind] = max(0.03, sizes[kind] * 0.8)
            else:  # improved but not finished: a little smaller, for more, quicker rounds
                sizes[kind] = max(0.03, sizes[kind] * 0.85)

    def _neighbourhood(self, kind: str, size: float) -> set[tuple[int, int]]:
        """The (person, day) cells left free."""
        n_people = len(self.rm.problem.people)
        days = self.rm.days
        people = list(range(n_people))
        if kind == "people":
            chosen = self.rng.sample(people, max(1, round(size * n_people)))
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
        assert self.values is not None and self.objective is not None
        values = self.values
        fixed = []
        for (p, d, _s), var in x_items:
            if (p, d) not in free:
                domain = proto.variables[var.index].domain
                value = values[var.index]
                domain[0] = value
                domain[1] = value
                fixed.append(domain)
        objective = proto.objective
        old_objective = list(objective.domain)
        if _CUT:
            bound = round(self.objective - objective.offset) - 1
            objective.domain.clear()
            objective.domain.extend([-(2**62), bound])
        self.rm.model.clear_hints()
        hint = proto.solution_hint
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)
        try:
            # Small sub-problems: the default linearization is cheaper than it is worse.
            solver = _solver(limit, self.workers, self.rng.randrange(1 << 30), max_lp=False)
            status = solver.solve(self.rm.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if solver.objective_value < self.objective:
                    self.lns_improvements += 1
                self._take(solver)
        finally:
            for domain in fixed:
                domain[0] = 0
                domain[1] = 1
            objective.domain.clear()
            objective.domain.extend(old_objective)
            self.rm.model.clear_hints()
        return int(status)

    # ------------------------------------------------------------ result

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
            stats={"lns_rounds": self.lns_rounds, "lns_improvements": self.lns_improvements},
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
