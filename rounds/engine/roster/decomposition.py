"""A pure rostering problem person by person: each person's hard rules and wishes in the terms
of the pricing dynamic program (`pricing.py`), and the cover every schedule contributes to.

Only problems whose rules the dynamic program states exactly are decomposed (`unsupported` says
why not): no ACGME trainees, no mix, rest or fairness rules, soft cover only, hard successions,
and hard per-person rules of the families shifts (maximum of one type), minutes, consecutive
days, consecutive days off (minimum) and weekends (maximum). Everything else goes to the
compact model alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from rounds.engine.roster.problem import DayRef, Problem, Rule
from rounds.engine.roster.timeline import Timeline

NO_LIMIT = 1 << 30


@dataclass
class PersonRules:
    """One person's hard rules and wishes, in the dynamic program's terms."""

    allowed: np.ndarray  # [D, S] bool
    fixed: np.ndarray  # [D] int: the shift a pre-assignment fixes, -1 none
    wish_cost: np.ndarray  # [D, S] float: cost of working s on d (requests)
    constant: float  # cost of the requests if nothing is worked (unmet shift-on requests)
    minutes_min: int  # in units
    minutes_max: int
    run_min: int
    run_max: int  # 0: none
    off_min: int
    weekends_max: int  # -1: none
    type_max: np.ndarray  # [S] int


@dataclass
class Decomposition:
    """The problem as people (each with their rules) and cover rows."""

    days: int
    shifts: int
    length: np.ndarray  # [S] minutes in units
    may_follow: np.ndarray  # [S, S] bool: s2 may be worked the day after s1
    weekend_first: np.ndarray  # [D] bool
    weekend_second: np.ndarray  # [D] bool
    required: np.ndarray  # [D, S] int
    under: np.ndarray  # [D, S] weight per missing person
    over: np.ndarray  # [D, S] weight per extra person
    people: list[PersonRules] = field(default_factory=list)


def unsupported(problem: Problem) -> str | None:
    """Why column generation cannot take this problem, or None when it can."""
    if problem.acgme.enabled and any(p.pgy is not None for p in problem.people):
        return "ACGME trainees"
    if problem.mix or problem.rest or problem.fairness:
        return "mix, rest or fairness rules"
    if problem.max_shifts_per_day != 1:
        return "more than one shift a day"
    if any(s.weight is not None for s in problem.successions):
        return "soft successions"
    cells: set[tuple[int, str]] = set()
    for c in problem.coverage:
        if c.min is not None or c.max is not None or c.required is None:
            return "hard cover"
        for d in c.days if c.days is not None else range(problem.horizon.days):
            if (d, c.shift) in cells:
                return "two cover rules on one shift and day"
            cells.add((d, c.shift))
    for rule in problem.rules:
        if rule.soft_min is not None or rule.soft_max is not None:
            return "soft rules"
        if rule.family == "consecutive_shift":
            return "runs of one shift type"
        if rule.family in ("shifts", "weekends") and rule.hard_min is not None:
            return "minimum shift or weekend counts"
        if rule.family == "shifts" and rule.shift is None:
            return "a maximum of shifts of every type"
        if rule.family == "consecutive_days_off" and rule.hard_max is not None:
            return "a maximum run of days off"
    if _overlaps(problem) is None:
        return "shifts that overlap differently from day to day"
    return None


def _overlaps(problem: Problem) -> np.ndarray | None:
    """[S, S]: s2 on day d+1 overlaps s1 on day d, the same on every day; None when that
    changes from day to day (a daylight-saving change) or reaches two days ahead."""
    timeline = Timeline(problem)
    n, days = len(problem.shifts), problem.horizon.days
    result = np.zeros((n, n), np.bool_)
    for s1 in range(n):
        for s2 in range(n):
            seen = set()
            for d in range(days - 1):
                a, b = timeline.instances[d, s1], timeline.instances[d + 1, s2]
                seen.add(a.end > b.start and b.end > a.start)
                if d + 2 < days and a.end > timeline.instances[d + 2, s2].start:
                    return None
            if len(seen) > 1:
                return None
            result[s1, s2] = seen == {True}
    return result


def decompose(problem: Problem) -> Decomposition:
    """The problem in the dynamic program's terms (`unsupported(problem)` must be None)."""
    days, n_shifts = problem.horizon.days, len(problem.shifts)
    shift_ix, person_ix = problem.shift_index(), problem.person_index()
    unit = 0
    for shift in problem.shifts:
        unit = math.gcd(unit, shift.length)
    overlapping = _overlaps(problem)
    if overlapping is None:
        raise ValueError("decompose() needs a problem unsupported() accepts")
    may_follow = ~overlapping
    for succ in problem.successions:
        may_follow[shift_ix[succ.first], shift_ix[succ.second]] = False
    weekend_first = np.zeros(days, np.bool_)
    weekend_second = np.zeros(days, np.bool_)
    for d in range(days):
        weekday = problem.horizon.date(d).weekday()
        weekend_first[d] = weekday == 5 or (weekday == 6 and d == 0)
        weekend_second[d] = weekday == 6 and d > 0
    required = np.zeros((days, n_shifts), np.int64)
    under = np.zeros((days, n_shifts))
    over = np.zeros((days, n_shifts))
    for c in problem.coverage:
        s = shift_ix[c.shift]
        for d in c.days if c.days is not None else range(days):
            required[d, s] = c.required or 0
            under[d, s] = c.weight_under
            over[d, s] = c.weight_over
    dec = Decomposition(
        days,
        n_shifts,
        np.array([shift.length // unit for shift in problem.shifts], np.int64),
        may_follow,
        weekend_first,
        weekend_second,
        required,
        under,
        over,
    )
    # Each person's days off, pre-assignments and rules, read once: a window of a year roster
    # (horizon.py) states its limits per person, and scanning every rule for every person
    # took a second a window.
    mine: dict[str, tuple[list[DayRef], list[DayRef], list[Rule]]] = {
        person.id: ([], [], []) for person in problem.people
    }
    for ref in problem.days_off:
        mine[ref.person][0].append(ref)
    for ref in problem.fixed:
        mine[ref.person][1].append(ref)
    for rule in problem.rules:  # in the problem's order, as before
        for pid in mine if rule.scope.people is None else rule.scope.people:
            if pid in mine:
                mine[pid][2].append(rule)
    for p, person in enumerate(problem.people):
        days_off, fixed, own = mine[person.id]
        dec.people.append(_person_rules(problem, p, dec, unit, days_off, fixed, own))
    for ref in problem.requests_on:
        rules = dec.people[person_ix[ref.person]]
        rules.constant += ref.weight or 1
        cells = slice(None) if ref.shift is None else shift_ix[ref.shift]
        rules.wish_cost[ref.day, cells] -= ref.weight or 1
    for ref in problem.requests_off:
        rules = dec.people[person_ix[ref.person]]
        cells = slice(None) if ref.shift is None else shift_ix[ref.shift]
        rules.wish_cost[ref.day, cells] += ref.weight or 1
    return dec


def _person_rules(
    problem: Problem,
    p: int,
    dec: Decomposition,
    unit: int,
    days_off: list[DayRef],
    fixed_refs: list[DayRef],
    candidates: list[Rule],
) -> PersonRules:
    person = problem.people[p]
    days, n_shifts = dec.days, dec.shifts
    shift_ix = problem.shift_index()
    allowed = np.ones((days, n_shifts), np.bool_)
    for s, shift in enumerate(problem.shifts):
        if not set(shift.requires) <= set(person.skills):
            allowed[:, s] = False
    for d in problem.leave_days(person.id):
        if 0 <= d < days:
            allowed[d, :] = False
    for ref in days_off:
        allowed[ref.day, slice(None) if ref.shift is None else shift_ix[ref.shift]] = False
    fixed = np.full(days, -1, np.int64)
    for ref in fixed_refs:
        fixed[ref.day] = shift_ix[ref.shift or ""]
    rules = PersonRules(
        allowed,
        fixed,
        np.zeros((days, n_shifts)),
        0.0,
        0,
        NO_LIMIT,
        0,
        0,
        0,
        -1,
        np.full(n_shifts, NO_LIMIT, np.int64),
    )
    for rule in candidates:  # listed for this person or for everyone; the group decides
        if rule.scope.includes(person):
            _apply(rule, rules, shift_ix, unit)
    longest = int(dec.length.max()) if n_shifts else 0
    rules.minutes_max = min(rules.minutes_max, days * longest)
    for s in range(n_shifts):
        if rules.type_max[s] == 0:
            allowed[:, s] = False
    return rules


def _apply(rule: Rule, rules: PersonRules, shift_ix: dict[str, int], unit: int) -> None:
    """Narrow a person's rules by one hard rule (the tightest bound of several wins)."""
    low, high = rule.hard_min, rule.hard_max
    if rule.family == "minutes":
        if low is not None:
            rules.minutes_min = max(rules.minutes_min, -(-low // unit))
        if high is not None:
            rules.minutes_max = min(rules.minutes_max, high // unit)
    elif rule.family == "consecutive_days":
        if low is not None:
            rules.run_min = max(rules.run_min, low)
        if high is not None:
            rules.run_max = high if rules.run_max == 0 else min(rules.run_max, high)
    elif rule.family == "consecutive_days_off" and low is not None:
        rules.off_min = max(rules.off_min, low)
    elif rule.family == "weekends" and high is not None:
        rules.weekends_max = high if rules.weekends_max < 0 else min(rules.weekends_max, high)
    elif rule.family == "shifts" and high is not None and rule.shift is not None:
        s = shift_ix[rule.shift]
        rules.type_max[s] = min(int(rules.type_max[s]), high)


def worked(shifts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days, shift types) a schedule ([D] shift per day, -1 off) works: an index into any
    [D, S] array."""
    days = np.nonzero(shifts >= 0)[0]
    return days, shifts[days]


def wishes(rules: PersonRules, shifts: np.ndarray) -> float:
    """What a person's schedule ([D] shift per day, -1 off) costs in their requests."""
    return rules.constant + float(rules.wish_cost[worked(shifts)].sum())
