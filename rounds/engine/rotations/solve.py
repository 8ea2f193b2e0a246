"""solve(problem) -> Result: the rotation year by CP-SAT, checked, or explained when impossible.

The search stops at the time limit or once the incumbent is within `gap` of the proven bound
(default 1%). The first schedule's time and every improvement are recorded, so a benchmark can
report time to first schedule and time to the gap. `on_progress(fraction, message)` is called on
each improvement; when it returns False (or raises) the search stops with the best so far.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from rounds.engine import stop
from rounds.engine.clock import WALL, Clock
from rounds.engine.rotations.changes import changes_of
from rounds.engine.rotations.check import Placement, check
from rounds.engine.rotations.model import RotationModel
from rounds.engine.rotations.problem import Load, Problem
from rounds.engine.rotations.score import bent, score

Progress = Callable[[float, str], bool | None]


class Status(enum.StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass
class Result:
    status: Status
    objective: float | None = None
    best_bound: float | None = None
    wall_time: float = 0.0
    time_to_first: float | None = None
    time_to_gap: float | None = None
    placements: list[Placement] = field(default_factory=list)
    bent: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    trace: list[tuple[float, float, float]] = field(default_factory=list)  # time, objective, bound
    changes: list[dict[str, Any]] = field(default_factory=list)  # base cells moved, and why

    @property
    def has_schedule(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.best_bound is None:
            return None
        return (self.objective - self.best_bound) / max(1.0, abs(self.objective))

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "wall_time": round(self.wall_time, 3),
            "time_to_first": None if self.time_to_first is None else round(self.time_to_first, 3),
            "time_to_gap": None if self.time_to_gap is None else round(self.time_to_gap, 3),
            "placements": [p.to_json() for p in self.placements],
            "bent": self.bent,
            "findings": self.findings,
            "explanation": self.explanation,
            "trace": [list(t) for t in self.trace],
            "changes": self.changes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        return cls(
            status=Status(data["status"]),
            objective=data.get("objective"),
            best_bound=data.get("best_bound"),
            wall_time=data.get("wall_time", 0.0),
            time_to_first=data.get("time_to_first"),
            time_to_gap=data.get("time_to_gap"),
            placements=[Placement.from_json(p) for p in data.get("placements", [])],
            bent=data.get("bent", []),
            findings=data.get("findings", []),
            explanation=data.get("explanation", []),
            changes=data.get("changes", []),
        )


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        clock: Clock,
        started: float,
        gap: float,
        time_limit: float,
        on_progress: Progress | None,
        bound: float | None = None,
        units: int = 1,
    ) -> None:
        super().__init__()
        self.bound, self.units = bound, units
        self.clock = clock
        self.started, self.gap, self.time_limit = started, gap, time_limit
        self.on_progress = on_progress
        self.first: float | None = None
        self.at_gap: float | None = None
        self.trace: list[tuple[float, float, float]] = []

    def on_solution_callback(self) -> None:
        now = self.clock_now() - self.started
        obj, bound = self.objective_value / self.units, self.best_objective_bound / self.units
        if self.bound is not None:
            bound = max(bound, self.bound)
        self.trace.append((round(now, 3), obj, bound))
        if self.first is None:
            self.first = now
        if self.at_gap is None and obj - bound <= self.gap * max(1.0, abs(obj)):
            self.at_gap = now
        if self.on_progress is not None:
            message = f"schedule found, cost {obj:.0f} (lower bound {bound:.0f})"
            try:
                keep_going = self.on_progress(min(0.99, now / self.time_limit), message)
            except Exception:
                self.stop_search()
                raise
            if keep_going is False:
                self.stop_search()
        if self.bound is not None and self.at_gap is not None:
            self.stop_search()  # CP-SAT does not know the outside bound; stop here ourselves

    def clock_now(self) -> float:
        """The clock mid-solve: a work clock only moves when the solve is over and reported, so
        the work this solve has done so far is added."""
        if self.clock.deterministic:
            return self.clock.now() + self.deterministic_time * self.clock.pace
        return self.clock.now()


def solve(
    problem: Problem,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    warm_start: Result | None = None,
    gap: float = 0.01,
    seed: int = 0,
    on_progress: Progress | None = None,
    explain_infeasible: bool = True,
    decompose: bool = True,
    clock: Clock = WALL,
) -> Result:
    """The best year found within `time_limit` (stopping at `gap`), or why none exists.

    `time_limit` and every time in the result are read on `clock`: seconds on the wall clock
    (production), or units of deterministic work on a `WorkClock`, with which the same problem,
    seed, workers and limit give the same result on any machine.

    With several programs and `decompose`, programs are first solved one by one without each
    other's load on shared rotations: a relaxation, so the sum of their optima is a lower bound,
    and their union is often already feasible. Then the whole model (hinted with that union) and
    a program-by-program neighbourhood search close the gap.
    """
    from rounds.engine.rotations import explain

    started = clock.now()
    if problem.base:
        # The changes' price dwarfs the wishes: a gap relative to the whole cost would stop as
        # soon as the changes are right, with the wishes anywhere. Ask for the wishes too.
        gap = min(gap, 1.0 / problem.move_cost())
    if warm_start is None and problem.base:
        # The version re-solved is the natural start: most of it should stay.
        warm_start = Result(Status.FEASIBLE, placements=[*history_of(problem), *base_of(problem)])
    reasons = explain.precheck(problem)
    if reasons:
        return Result(Status.INFEASIBLE, wall_time=clock.now() - started, explanation=reasons)
    if decompose and len(problem.programs()) > 1:
        search = _Decomposed(problem, clock, started, time_limit, workers, gap, seed, on_progress)
        result = search.run(warm_start)
    else:
        result = _full(
            problem, clock, started, time_limit, workers, gap, seed, on_progress, warm_start
        )
    result.wall_time = clock.now() - started
    if result.has_schedule:
        result.bent = bent(problem, result.placements)
        if result.objective is not None and result.objective == result.best_bound:
            result.status = Status.OPTIMAL  # the bound proves it, whichever phase found it
        result.findings = [f.to_json() for f in check(problem, result.placements)]
        if problem.base:
            result.changes = changes_of(problem, result.placements)
    elif result.status == Status.INFEASIBLE and explain_infeasible and not result.explanation:
        left = max(5.0, time_limit - result.wall_time)
        result.explanation = explain.explain(problem, time_limit=left, clock=clock)
    elif result.status == Status.UNKNOWN:
        result.explanation = [
            f"No schedule was found in {time_limit:.0f} seconds; try a longer time limit."
        ]
    return result


def _full(
    problem: Problem,
    clock: Clock,
    started: float,
    time_limit: float,
    workers: int,
    gap: float,
    seed: int,
    on_progress: Progress | None,
    warm_start: Result | None,
    *,
    bound: float | None = None,
    incumbent: float | None = None,
) -> Result:
    """One CP-SAT solve of the whole model until the deadline or the gap."""
    rm = RotationModel(problem)
    if warm_start is not None:
        _hint(rm, warm_start.placements)
    if incumbent is not None:
        rm.model.add(rm.objective() <= rm.units_of(incumbent) - 1)
    left = max(0.05, time_limit - (clock.now() - started))
    solver = cp_model.CpSolver()
    set_budget(clock, solver, left, workers)
    solver.parameters.relative_gap_limit = gap
    solver.parameters.random_seed = seed
    watcher = _Watcher(clock, started, gap, time_limit, on_progress, bound, rm.units)
    with stop.watching(solver):
        code = solver.solve(rm.model, watcher)
    clock.spent(solver)
    status = _STATUS.get(code, Status.UNKNOWN)
    if status not in (Status.OPTIMAL, Status.FEASIBLE):
        return Result(status, best_bound=bound)
    result = _read(rm, solver, status)
    if bound is not None:
        result.best_bound = max(bound, result.best_bound or 0.0)
    result.time_to_first = watcher.first
    result.time_to_gap = watcher.at_gap
    if result.time_to_gap is None and status == Status.OPTIMAL:
        result.time_to_gap = clock.now() - started
    result.trace = watcher.trace
    return result


def set_budget(clock: Clock, solver: cp_model.CpSolver, limit: float, workers: int) -> None:
    """The solve's share of the clock on `workers` CP-SAT workers."""
    clock.limit(solver.parameters, limit)
    solver.parameters.num_workers = max(1, workers)
    if workers <= 1:
        # One worker searches in a fixed order already; interleaving (a work clock's way to make
        # several workers reproducible) would run the whole portfolio in turn on it, several
        # times slower in seconds for the same kind of answer.
        solver.parameters.interleave_search = False


_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.MODEL_INVALID: Status.UNKNOWN,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


def _hint(rm: RotationModel, placements: list[Placement]) -> None:
    whole = {(p.trainee, p.block): p.rotation for p in placements if not p.half}
    halves = {(p.trainee, p.block, p.half): p.rotation for p in placements if p.half}
    for (t, b, r), var in rm.x.items():
        rm.model.add_hint(var, (t, b) in whole and whole[t, b] == r)
    for (t, b, r, k), var in rm.h.items():
        rm.model.add_hint(var, (t, b, k) in halves and halves[t, b, k] == r)
    for (t, b), var in rm.off.items():
        rm.model.add_hint(var, (t, b) in whole and whole[t, b] is None)
    for (t, b, k), var in rm.off_half.items():
        rm.model.add_hint(var, (t, b, k) in halves and halves[t, b, k] is None)


def _read(rm: RotationModel, solver: cp_model.CpSolver, status: Status) -> Result:
    chosen = solver.boolean_value
    placements = [Placement(t, b, r) for (t, b, r), var in rm.x.items() if chosen(var)]
    placements += [Placement(t, b, r, k) for (t, b, r, k), var in rm.h.items() if chosen(var)]
    placements += [Placement(t, b, None) for (t, b), var in rm.off.items() if chosen(var)]
    placements += [
        Placement(t, b, None, k) for (t, b, k), var in rm.off_half.items() if chosen(var)
    ]
    placements += history_of(rm.problem)
    placements.sort(key=lambda p: (p.trainee, p.block, p.half))
    return Result(
        status,
        objective=rm.cost(solver.objective_value),
        best_bound=rm.cost(solver.best_objective_bound),
        placements=placements,
    )


class _Decomposed:
    """Relax by program, join, then repair and improve the whole, then program by program."""

    def __init__(
        self,
        problem: Problem,
        clock: Clock,
        started: float,
        time_limit: float,
        workers: int,
        gap: float,
        seed: int,
        on_progress: Progress | None,
    ) -> None:
        self.problem, self.clock, self.started, self.time_limit = (
            problem,
            clock,
            started,
            time_limit,
        )
        self.workers, self.gap, self.seed, self.on_progress = workers, gap, seed, on_progress
        self.trace: list[tuple[float, float, float]] = []

    def elapsed(self) -> float:
        return self.clock.now() - self.started

    def report(self, fraction: float, message: str) -> None:
        if self.on_progress is not None and self.on_progress(fraction, message) is False:
            raise _Stop

    def run(self, warm_start: Result | None) -> Result:
        try:
            return self._run(warm_start)
        except _Stop:
            best = getattr(self, "best", None)
            return best if best is not None else Result(Status.UNKNOWN)

    def _run(self, warm_start: Result | None) -> Result:
        p = self.problem
        programs = p.programs()
        bound, optimal_parts, placements = 0.0, True, []
        self.by_program: dict[str, float] = {}
        # Phase 1: every program alone (a relaxation of the shared capacities).
        share = 0.3 * self.time_limit / len(programs)
        for i, program in enumerate(programs):
            self.report(0.3 * i / len(programs), f"solving {p.program_label(program)} alone")
            sub = subproblem(p, [program], [])
            part = _full(
                sub,
                self.clock,
                self.clock.now(),
                min(10.0, max(share, 3.0)),
                self.workers,
                0.0,
                self.seed,
                None,
                None,
            )
            if part.status == Status.INFEASIBLE:
                from rounds.engine.rotations import explain

                left = max(5.0, self.time_limit - self.elapsed())
                why = explain.explain(sub, time_limit=left, clock=self.clock)
                return Result(Status.INFEASIBLE, explanation=why)
            if not part.has_schedule:
                optimal_parts = False
                continue
            bound += part.best_bound or 0.0
            optimal_parts = optimal_parts and part.status == Status.OPTIMAL
            placements += part.placements
            self.by_program[program] = part.objective or 0.0
        self.bound = bound
        joined = Result(Status.FEASIBLE, placements=placements)
        broken = [f for f in check(p, placements) if f.severity == "violation"]
        best: Result | None = None
        if not broken and len(self.by_program) == len(programs):
            best = self._adopt(
                Result(
                    Status.FEASIBLE, objective=sum(self.by_program.values()), placements=placements
                )
            )
            if optimal_parts:
                best.status = Status.OPTIMAL
                return best
        if best is None and len(self.by_program) == len(programs):
            # Repair: programs on shared rotations again, one by one, around those before them.
            self.report(0.3, "fitting programs into shared rotations")
            repaired = self._repair(placements)
            if repaired is not None:
                best = self._adopt(repaired)
        # Phase 2: the whole model, hinted with the best so far, stopped at the gap.
        if best is None or not self._at_gap(best):
            self.report(0.3, "joining the programs on shared rotations")
            # At most a quarter of the budget: the neighbourhood search improves faster after.
            whole = _full(
                p,
                self.clock,
                self.started,
                min(self.time_limit, self.elapsed() + 0.25 * self.time_limit),
                self.workers,
                self.gap,
                self.seed,
                self._relay(0.3, 0.7),
                warm_start or best or joined,
                bound=bound,
                incumbent=best.objective if best else None,
            )
            if whole.has_schedule:
                best = self._adopt(whole)
            elif best is None:
                return whole
        # Phase 3: re-solve one program at a time against everyone else's placements.
        while not self._at_gap(best) and self.time_limit - self.elapsed() > 1.0:
            improved = self._improve_round(best)
            if improved is None:
                break
            best = improved
        # Phase 4: no single program can do better; the whole model gets what time is left,
        # from the incumbent, to find a cross-program improvement or raise the bound.
        if not self._at_gap(best) and self.time_limit - self.elapsed() > 2.0:
            self.report(0.8, "searching across programs for the rest of the time")
            whole = _full(
                self.problem, self.clock, self.started, self.time_limit, self.workers, self.gap,
                self.seed, self._relay(0.8, 0.99), best, bound=self.bound,
                incumbent=best.objective,
            )  # fmt: skip
            if whole.has_schedule:
                best = self._adopt(whole)
            elif whole.status == Status.INFEASIBLE:
                best.status = Status.OPTIMAL  # nothing better than the incumbent exists
                best.best_bound = best.objective
        return best

    def _repair(self, placements: list[Placement]) -> Result | None:
        """A feasible year: programs using capacitated rotations re-solved in turn, each
        around the placements of the programs fixed before it (largest programs first)."""
        p = self.problem
        capped = {r.id for r in p.rotations if r.capacity is not None}
        sharing = {u.program for u in p.uses if u.rotation in capped}
        kept = [pl for pl in placements if p.trainee(pl.trainee).program not in sharing]
        size: dict[str, int] = {}
        for t in p.trainees:
            size[t.program] = size.get(t.program, 0) + 1
        fixed_so_far = list(kept)
        for program in sorted(sharing & set(size), key=lambda k: -size[k]):
            left = self.time_limit - self.elapsed()
            if left <= 1.0:
                return None
            sub = subproblem(p, [program], fixed_so_far)
            part = _full(sub, self.clock, self.clock.now(), min(5.0, left), self.workers, 0.0,
                         self.seed, None, None)  # fmt: skip
            if not part.has_schedule:
                return None
            fixed_so_far += part.placements
        total = score(p, fixed_so_far)
        return Result(Status.FEASIBLE, objective=total, placements=fixed_so_far)

    def _adopt(self, result: Result) -> Result:
        if result.time_to_first is None:
            result.time_to_first = self.elapsed()
        first = getattr(self, "first", None)
        self.first = result.time_to_first if first is None else min(first, result.time_to_first)
        result.time_to_first = self.first
        result.best_bound = (
            self.bound if result.best_bound is None else max(self.bound, result.best_bound)
        )
        if result.objective is not None:
            self.trace.append((round(self.elapsed(), 3), result.objective, result.best_bound))
        result.trace = list(self.trace)
        if result.time_to_gap is None and self._at_gap(result):
            result.time_to_gap = self.elapsed()
        self.best = result
        return result

    def _at_gap(self, result: Result) -> bool:
        if result.objective is None:
            return False
        return result.objective - self.bound <= self.gap * max(1.0, abs(result.objective))

    def _relay(self, low: float, high: float) -> Progress | None:
        if self.on_progress is None:
            return None
        progress = self.on_progress

        def relay(fraction: float, message: str) -> bool | None:
            return progress(low + (high - low) * fraction, message)

        return relay

    def _improve_round(self, best: Result) -> Result | None:
        """One pass over the programs; None when no program could do better."""
        p = self.problem
        cost = _cost_by_program(p, best)
        changed = False
        for program in sorted(cost, key=lambda k: -(cost[k] - self.by_program.get(k, 0.0))):
            if self._at_gap(best) or self.time_limit - self.elapsed() <= 1.0:
                break
            if cost[program] <= self.by_program.get(program, 0.0):
                continue  # already at its own optimum
            others = [pl for pl in best.placements if p.trainee(pl.trainee).program != program]
            sub = subproblem(p, [program], others)
            limit = min(5.0, self.time_limit - self.elapsed())
            part = _full(
                sub,
                self.clock,
                self.clock.now(),
                limit,
                self.workers,
                0.0,
                self.seed,
                None,
                None,
                incumbent=cost[program],
            )
            if not part.has_schedule or part.objective is None:
                continue
            mine = part.placements
            new_total = (best.objective or 0.0) - cost[program] + part.objective
            best = self._adopt(
                Result(Status.FEASIBLE, objective=new_total, placements=others + mine)
            )
            cost[program] = part.objective
            changed = True
            self.report(
                0.7 + 0.29 * self.elapsed() / self.time_limit,
                f"improved {p.program_label(program)}: cost {new_total:.0f}",
            )
        return best if changed else None


class _Stop(Exception):
    pass


def _cost_by_program(problem: Problem, result: Result) -> dict[str, float]:
    """Each program's share of the objective, re-solved exactly from its placements."""
    from rounds.engine.rotations.score import score_by_program

    return score_by_program(problem, result.placements)


def subproblem(problem: Problem, programs: list[str], others: list[Placement]) -> Problem:
    """The programs' own part of the problem; `others` become load on shared rotations."""
    keep = set(programs)
    tids = {t.id for t in problem.trainees if t.program in keep}
    extra: dict[tuple[str, int, int], int] = {}
    for pl in others:
        if pl.rotation is not None:
            key = (pl.rotation, pl.block, pl.half)
            extra[key] = extra.get(key, 0) + 1
    capacitated = {r.id for r in problem.rotations if r.capacity is not None}
    load = [ld for ld in problem.load]
    load += [Load(r, b, n, k) for (r, b, k), n in extra.items() if r in capacitated]
    used = {u.rotation for u in problem.uses if u.program in keep}
    return dataclasses.replace(
        problem,
        trainees=tuple(t for t in problem.trainees if t.id in tids),
        rotations=tuple(r for r in problem.rotations if r.id in used),
        uses=tuple(u for u in problem.uses if u.program in keep),
        requirements=tuple(r for r in problem.requirements if r.program in keep),
        vacations=tuple(v for v in problem.vacations if v.trainee in tids),
        fixed=tuple(v for v in problem.fixed if v.trainee in tids),
        preferences=tuple(v for v in problem.preferences if v.trainee in tids),
        load=tuple(ld for ld in load if ld.rotation in used),
        history=tuple(v for v in problem.history if v.trainee in tids),
        base=tuple(v for v in problem.base if v.trainee in tids),
        # The whole problem's price of a change, so the parts' costs add up to the whole's.
        change_weight=problem.move_cost() if problem.base else problem.change_weight,
    )


def history_of(problem: Problem) -> list[Placement]:
    """The problem's history as placements: every result carries it unchanged."""
    return [Placement(h.trainee, h.block or 0, h.rotation, h.half) for h in problem.history]


def base_of(problem: Problem) -> list[Placement]:
    """The re-solved version's future cells as placements (those history does not cover)."""
    past = problem.past()
    return [
        Placement(b.trainee, b.block or 0, b.rotation, b.half)
        for b in problem.base
        if not any((b.trainee, b.block, k) in past for k in ((b.half,) if b.half else (1, 2)))
    ]
