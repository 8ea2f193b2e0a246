"""The model's state and the helpers every rule family uses: variables per (person, day, shift),
named penalties, guarded groups (explain mode), clauses with constants folded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rounds.engine.roster.problem import Problem, Scope
from rounds.engine.roster.timeline import Timeline

Lit = cp_model.LiteralT  # a variable, its negation, or a constant True/False
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class Penalty:
    """A soft rule's cost: weight x var; `describe(value)` says how it was bent."""

    rule: str
    weight: int
    var: cp_model.IntVar
    describe: Callable[[int], str]
    day: int | None = None  # the day it concerns, so the search can aim at it
    short: int | None = None  # an under-cover count: the shift type that lacks people that day


@dataclass
class Group:
    """A hard constraint group (explain mode): its enforcement literal and sentence."""

    key: tuple[object, ...]
    literal: cp_model.IntVar
    sentence: str


class ModelBase:
    """The CP-SAT model and its variables; `model.RosterModel` adds the rules."""

    def __init__(self, problem: Problem, *, explain: bool = False) -> None:
        self.problem = problem
        self.explain = explain
        self.model = cp_model.CpModel()
        self.timeline = Timeline(problem)
        self.days = problem.horizon.days
        self.n_shifts = len(problem.shifts)
        self.penalties: list[Penalty] = []
        self.groups: dict[tuple[object, ...], Group] = {}
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        # Per person: ((person, day, shift), var) for each of its variables (rules per person
        # must not scan every variable of the model: that made building slow).
        self.own: dict[int, list[tuple[tuple[int, int, int], cp_model.IntVar]]] = defaultdict(list)
        self.work: dict[tuple[int, int], Lit] = {}
        self.shift_ix = problem.shift_index()
        self.person_ix = problem.person_index()

    def date_label(self, day: int) -> str:
        date = self.problem.horizon.date(day)
        return f"{WEEKDAYS[date.weekday()]} {date.strftime('%b')} {date.day}"

    def group(self, key: tuple[object, ...], sentence: str) -> cp_model.IntVar | None:
        """The enforcement literal of a hard group (explain mode), else None."""
        if not self.explain:
            return None
        if key not in self.groups:
            literal = self.model.new_bool_var(f"group{len(self.groups)}")
            self.groups[key] = Group(key, literal, sentence)
        return self.groups[key].literal

    def enforce(self, constraint: cp_model.Constraint, guard: cp_model.IntVar | None) -> None:
        if guard is not None:
            constraint.only_enforce_if(guard)

    def lit(self, p: int, d: int, s: int) -> Lit:
        return self.x.get((p, d, s), False)

    def shifts_of(self, p: int, d: int) -> list[cp_model.IntVar]:
        return [v for s in range(self.n_shifts) if (v := self.x.get((p, d, s))) is not None]

    def clause(
        self,
        literals: Iterable[Lit | cp_model.IntVar],
        *,
        guard: cp_model.IntVar | None = None,
        negated: Iterable[Lit] = (),
    ) -> cp_model.IntVar | None:
        """Add OR(literals, NOT negated); constants are folded. Returns None if trivially true."""
        terms: list[Lit] = []
        for literal in literals:
            if literal is True:
                return None
            if literal is not False:
                terms.append(literal)
        for literal in negated:
            if literal is False:
                return None
            if literal is not True:
                terms.append(negate(literal))
        self.enforce(self.model.add_bool_or(terms), guard)
        return None

    def penalty_lit(
        self, rule: str, weight: int, describe: Callable[[int], str]
    ) -> cp_model.IntVar:
        var = self.model.new_bool_var(f"pen_{rule}_{len(self.penalties)}")
        self.penalties.append(Penalty(rule, weight, var, describe))
        return var

    def penalty_int(
        self,
        rule: str,
        weight: int,
        upper: int,
        describe: Callable[[int], str],
        day: int | None = None,
        short: int | None = None,
    ) -> cp_model.IntVar:
        var = self.model.new_int_var(0, max(0, upper), f"pen_{rule}_{len(self.penalties)}")
        self.penalties.append(Penalty(rule, weight, var, describe, day, short))
        return var

    def objective_floor(self) -> float:
        """The least the objective can be: each penalty at the low end of its domain."""
        floor = 0.0
        for pen in self.penalties:
            # A copy: the proto's repeated field does not read negative indexes (domain[-1]
            # gave 0 for a variable fixed to 1).
            domain = list(self.model.proto.variables[pen.var.index].domain)
            floor += min(pen.weight * domain[0], pen.weight * domain[-1])
        return floor

    def people_in(self, scope: Scope) -> list[int]:
        return [i for i, person in enumerate(self.problem.people) if scope.includes(person)]

    def is_trainee(self, p: int) -> bool:
        return self.problem.acgme.enabled and self.problem.people[p].pgy is not None

    def assigned(
        self, d: int, s: int, people: Sequence[int] | None = None
    ) -> list[cp_model.IntVar]:
        who = range(len(self.problem.people)) if people is None else people
        return [v for p in who if (v := self.x.get((p, d, s))) is not None]

    def weekend_literals(self, p: int) -> list[cp_model.IntVar]:
        """One literal per weekend (Saturday and/or Sunday inside the horizon) worked by p."""
        cache = self.__dict__.setdefault("_weekends", {})
        if p in cache:
            return list(cache[p])
        result: list[cp_model.IntVar] = []
        for days in self.weekends():
            lits = [w for d in days if (w := self.work[p, d]) is not False]
            if not lits:
                continue
            if len(lits) == 1:
                result.append(lits[0])  # type: ignore[arg-type]
                continue
            worked = self.model.new_bool_var(f"we_{p}_{days[0]}")
            self.model.add_max_equality(worked, lits)
            result.append(worked)
        cache[p] = result
        return list(result)

    def weekends(self) -> list[list[int]]:
        groups: dict[int, list[int]] = defaultdict(list)
        for d in range(self.days):
            if self.problem.horizon.is_weekend(d):
                # Saturday and the following Sunday share the key of that Saturday.
                date = self.problem.horizon.date(d)
                saturday = d - (date.weekday() - 5)
                groups[saturday].append(d)
        return [groups[k] for k in sorted(groups)]


def negate(literal: Lit) -> Lit:
    if isinstance(literal, bool):
        return not literal
    negated: Lit = literal.Not()  # type: ignore[union-attr]
    return negated


def spread_text(rule: str, measure: str, weight: int) -> Callable[[int], str]:
    return lambda v: f"{rule}: {measure} differ by {v} across the group; cost {v * weight}"


def fixed_text(text: str) -> Callable[[int], str]:
    return lambda _value: text


def shortfall_text(when: str, wanted: int, what: str) -> Callable[[int], str]:
    return lambda value: f"{when}: {wanted - value} {what}, {wanted} wanted"


def is_night(shift: object) -> bool:
    """A night: night float, or any shift still running at 03:00 the next morning."""
    from rounds.engine.roster.problem import ShiftType

    assert isinstance(shift, ShiftType)
    if shift.kind == "night_float":
        return True
    return shift.start_minutes + shift.length > 24 * 60 + 3 * 60 and shift.kind != "home_call"


def mix_words(skill: str | None, min_pgy: int | None) -> str:
    parts = []
    if min_pgy is not None:
        parts.append(f"PGY-{min_pgy}+")
    if skill is not None:
        parts.append(f"with {skill}")
    return " ".join(parts) or "qualified"
