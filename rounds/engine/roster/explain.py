"""Why no schedule exists, in words a chief resident can act on.

Two steps. `precheck` is instant arithmetic: a shift that needs more people on a day than are
available after leave and days off. `explain` guards every hard constraint group with an
enforcement literal, solves with all of them as assumptions, takes CP-SAT's
`sufficient_assumptions_for_infeasibility` as a first core, and shrinks it with a deletion filter
(drop one group, re-solve briefly; if still infeasible the group was not needed). Each remaining
group has a sentence ("Night call on Sat Jan 3 needs at least 3", "Ana is on leave Jan 2 - Jan 5").
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from rounds.engine.clock import WALL, Clock
from rounds.engine.roster.cpsat import run
from rounds.engine.roster.model import RosterModel
from rounds.engine.roster.problem import Problem

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _label(problem: Problem, day: int) -> str:
    date = problem.horizon.date(day)
    return f"{WEEKDAYS[date.weekday()]} {date.strftime('%b')} {date.day}"


def precheck(problem: Problem) -> list[str]:
    """Coverage minimums that cannot be met by the people available that day."""
    away: dict[int, set[str]] = {}
    for person in problem.people:
        for d in problem.leave_days(person.id):
            away.setdefault(d, set()).add(person.id)
    off_day = {(ref.person, ref.day) for ref in problem.days_off if ref.shift is None}
    off_shift = {(ref.person, ref.day, ref.shift) for ref in problem.days_off if ref.shift}
    problems: list[str] = []
    for c in problem.coverage:
        if not c.min:
            continue
        shift = problem.shift(c.shift)
        for d in c.days if c.days is not None else range(problem.horizon.days):
            available = [
                p
                for p in problem.people
                if p.id not in away.get(d, set())
                and (p.id, d) not in off_day
                and (p.id, d, c.shift) not in off_shift
                and not (shift.moonlighting and p.pgy == 1 and problem.acgme.enabled)
                and set(shift.requires) <= set(p.skills)
            ]
            if len(available) < c.min:
                on_leave = len(away.get(d, set()))
                problems.append(
                    f"{shift.label} on {_label(problem, d)} needs {c.min}; only "
                    f"{len(available)} of {len(problem.people)} are available "
                    f"({on_leave} on leave, {len(problem.people) - len(available) - on_leave}"
                    " off or not allowed)"
                )
    for m in problem.mix:
        if m.weight is not None:
            continue
        qualified = [p for p in problem.people if m.qualifies(p)]
        shift = problem.shift(m.shift)
        for d in m.days if m.days is not None else range(problem.horizon.days):
            free = [
                p for p in qualified if p.id not in away.get(d, set()) and (p.id, d) not in off_day
            ]
            if len(free) < m.min:
                problems.append(
                    f"{shift.label} on {_label(problem, d)} needs {m.min} "
                    f"{_who(m.skill, m.min_pgy)}; "
                    f"only {len(free)} are available"
                )
    return problems[:10]


def _who(skill: str | None, min_pgy: int | None) -> str:
    words = []
    if min_pgy is not None:
        words.append(f"PGY-{min_pgy} or above")
    if skill is not None:
        words.append(f"with {skill}")
    return " ".join(words)


def explain(problem: Problem, *, time_limit: float = 10.0, clock: Clock = WALL) -> list[str]:
    """A small set of hard requirements that cannot all hold, one sentence each."""
    deadline = clock.now() + time_limit
    rm = RosterModel(problem, explain=True)
    rm.model.clear_objective()
    groups = list(rm.groups.values())
    if not groups:
        return ["No schedule exists, but no single requirement could be named."]
    core = _core(rm, [g.literal for g in groups], deadline, clock)
    if core is None:
        return [
            "No schedule was found in the time allowed; the requirements could not be narrowed "
            "down further. Try a longer time limit."
        ]
    core = _shrink(rm, core, deadline, clock)
    by_index = {g.literal.index: g for g in groups}
    sentences = [by_index[lit.index].sentence for lit in core]
    return ["These requirements cannot all hold together; relax one of them:", *sentences]


def _solve(
    rm: RosterModel, assumptions: list[cp_model.IntVar], limit: float, clock: Clock = WALL
) -> tuple[int, list[int]]:
    rm.model.clear_assumptions()
    rm.model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    # Cores come from the sequential search with assumptions.
    solver.parameters.num_workers = 1
    clock.limit(solver.parameters, max(0.05, limit))
    status = run(solver, rm.model, clock)
    core = (
        list(solver.sufficient_assumptions_for_infeasibility())
        if status == cp_model.INFEASIBLE
        else []
    )
    return int(status), core


def _core(
    rm: RosterModel, literals: list[cp_model.IntVar], deadline: float, clock: Clock = WALL
) -> list[cp_model.IntVar] | None:
    status, core = _solve(rm, literals, deadline - clock.now(), clock)
    if status != cp_model.INFEASIBLE:
        return None
    by_index = {lit.index: lit for lit in literals}
    found = [by_index[i] for i in core if i in by_index]
    return found or literals


def _shrink(
    rm: RosterModel, core: list[cp_model.IntVar], deadline: float, clock: Clock = WALL
) -> list[cp_model.IntVar]:
    """Deletion filter: keep a group only if the rest is feasible without it."""
    needed: list[cp_model.IntVar] = []
    candidates = list(core)
    while candidates:
        left = deadline - clock.now()
        if left <= 0.1:
            return needed + candidates
        group = candidates.pop(0)
        status, smaller = _solve(rm, needed + candidates, min(1.0, left), clock)
        if status == cp_model.INFEASIBLE:
            # Still infeasible without it; the new core may drop even more groups.
            keep = set(smaller) if smaller else {lit.index for lit in needed + candidates}
            candidates = [c for c in candidates if c.index in keep]
            needed = [n for n in needed if n.index in keep] if smaller else needed
            continue
        needed.append(group)
    return needed
