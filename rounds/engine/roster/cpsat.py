"""CP-SAT solvers as the roster search configures them, and the first-solution callback."""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from rounds.engine import stop
from rounds.engine.clock import WALL, Clock


class FirstSolution(cp_model.CpSolverSolutionCallback):
    """Notes the time to the first solution; past `soft_deadline`, the first solution ends the
    search (a slow first schedule must not eat the time of the neighbourhood search). Times are
    the clock's: on a work clock the solve's own deterministic time is added to where the clock
    stood when it began, so a solution is stamped the same on every run."""

    def __init__(
        self, started: float, soft_deadline: float | None = None, clock: Clock = WALL
    ) -> None:
        super().__init__()
        self.started = started
        self.soft_deadline = soft_deadline
        self.clock = clock
        self.began = clock.now()
        self.first: float | None = None

    def _now(self) -> float:
        if self.clock.deterministic:
            return self.began + self.clock.pace * self.deterministic_time
        return self.clock.now()

    def on_solution_callback(self) -> None:
        now = self._now()
        if self.first is None:
            self.first = now - self.started
        if self.soft_deadline is not None and now >= self.soft_deadline:
            self.stop_search()


def make_solver(
    time_limit: float,
    workers: int,
    seed: int,
    max_lp: bool = True,
    light: bool = False,
    clock: Clock = WALL,
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    clock.limit(solver.parameters, max(0.01, time_limit))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if light:
        solver.parameters.cp_model_presolve = False
        solver.parameters.linearization_level = 0
        return solver
    # The full linearization (max_lp) gives rostering a near-tight LP bound, and guides the
    # search by it.
    if not max_lp:
        return solver
    if workers > 1:
        solver.parameters.subsolvers.append("max_lp")
    else:
        solver.parameters.linearization_level = 2
    return solver


def run(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    clock: Clock,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> Any:
    """Solve (stoppable from outside) and charge the clock with the work the solve did."""
    try:
        with stop.watching(solver):
            return solver.solve(model, callback)
    finally:
        clock.spent(solver)
