"""A small set of requirement groups that cannot all hold: what both engines' explanations name.

Each group of hard requirements is switched on by one literal. CP-SAT, solving under all the
literals as assumptions, returns a set of them that is already infeasible (a core); a deletion
filter then drops each group the rest stays infeasible without. The sequential search is used:
only it returns cores. Every solve is charged to the caller's clock, so an explanation on a work
clock is as reproducible as the search it follows.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from rounds.engine import stop
from rounds.engine.clock import Clock

Literals = list[cp_model.IntVar]


def infeasible_core(
    model: cp_model.CpModel, literals: Literals, deadline: float, clock: Clock
) -> Literals | None:
    """A core of `literals`, or None when the model was not proven infeasible in time."""
    status, core = _solve_assuming(model, literals, deadline - clock.now(), clock)
    if status != cp_model.INFEASIBLE:
        return None
    by_index = {lit.index: lit for lit in literals}
    found = [by_index[i] for i in core if i in by_index]
    return found or literals


def shrink_core(model: cp_model.CpModel, core: Literals, deadline: float, clock: Clock) -> Literals:
    """Deletion filter: keep a group only if the rest is feasible without it (until the
    deadline; what is left undecided then stays in)."""
    needed: Literals = []
    candidates = list(core)
    while candidates:
        left = deadline - clock.now()
        if left <= 0.1:
            return needed + candidates
        group = candidates.pop(0)
        status, smaller = _solve_assuming(model, needed + candidates, min(1.0, left), clock)
        if status == cp_model.INFEASIBLE:
            # Still infeasible without it; the new core may drop even more groups.
            keep = set(smaller) if smaller else {lit.index for lit in needed + candidates}
            candidates = [c for c in candidates if c.index in keep]
            needed = [n for n in needed if n.index in keep] if smaller else needed
            continue
        needed.append(group)
    return needed


def _solve_assuming(
    model: cp_model.CpModel, assumptions: Literals, limit: float, clock: Clock
) -> tuple[int, list[int]]:
    model.clear_assumptions()
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    clock.limit(solver.parameters, max(0.05, limit))
    # One worker already searches in a fixed order; interleaving would only slow it.
    solver.parameters.interleave_search = False
    try:
        with stop.watching(solver):
            status = solver.solve(model)
    finally:
        clock.spent(solver)
    core = (
        list(solver.sufficient_assumptions_for_infeasibility())
        if status == cp_model.INFEASIBLE
        else []
    )
    return int(status), core
