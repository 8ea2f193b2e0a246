"""CP-SAT solvers as the roster search configures them, and the first-solution callback."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model


class FirstSolution(cp_model.CpSolverSolutionCallback):
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


def make_solver(
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
    # The full linearization (max_lp) gives rostering a near-tight LP bound, and guides the
    # search by it.
    if not max_lp:
        return solver
    if workers > 1:
        solver.parameters.subsolvers.append("max_lp")
    else:
        solver.parameters.linearization_level = 2
    return solver
