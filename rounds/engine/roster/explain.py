"""Why no schedule exists, in words a chief resident can act on.

Two steps. `precheck` is instant arithmetic: a shift that needs more people on a day than are
available after leave and days off. `explain` guards every hard constraint group with an
enforcement literal, solves with all of them as assumptions, takes CP-SAT's
`sufficient_assumptions_for_infeasibility` as a first core, and shrinks it with a deletion filter
(drop one group, re-solve briefly; if still infeasible the group was not needed). Each remaining
group has a sentence ("Night call on Sat Jan 3 needs at least 3", "Ana is on leave Jan 2 - Jan 5").
"""

from __future__ import annotations

from rounds.engine.clock import WALL, Clock
from rounds.engine.cores import infeasible_core, shrink_core
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
    core = infeasible_core(rm.model, [g.literal for g in groups], deadline, clock)
    if core is None:
        return [
            "No schedule was found in the time allowed; the requirements could not be narrowed "
            "down further. Try a longer time limit."
        ]
    core = shrink_core(rm.model, core, deadline, clock)
    by_index = {g.literal.index: g for g in groups}
    sentences = [by_index[lit.index].sentence for lit in core]
    return ["These requirements cannot all hold together; relax one of them:", *sentences]
