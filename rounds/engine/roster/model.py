"""The CP-SAT model: one method per rule family, sparse variables, named penalties.

Variables exist only for allowed (person, day, shift): leave, hard days off, PGY-1 moonlighting and
hard "at most 0 of this shift" never create one, which keeps a year x 150 people x 30 shifts model
small. Every soft rule adds a `Penalty` that knows how to say, in words, how it was bent.

In explain mode every hard constraint group is guarded by an enforcement literal (an assumption)
and the variables are not pruned, so the solver can name the groups that conflict.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from rounds.engine.roster import acgme
from rounds.engine.roster.problem import Person, Problem, Rule, Scope
from rounds.engine.roster.timeline import Instance, Timeline

if TYPE_CHECKING:
    from rounds.engine.roster.horizon import Deadline

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


class RosterModel:
    def __init__(
        self, problem: Problem, *, explain: bool = False, deadline: Deadline | None = None
    ) -> None:
        self.problem = problem
        # [engineyear hook] consulted between rule families and rules: raises OutOfTime
        self.deadline = deadline
        self.explain = explain
        self.model = cp_model.CpModel()
        self.timeline = Timeline(problem)
        self.days = problem.horizon.days
        self.n_shifts = len(problem.shifts)
        self.penalties: list[Penalty] = []
        self.groups: dict[tuple[object, ...], Group] = {}
        self.x: dict[tuple[int, int, int], cp_model.IntVar] = {}
        # Per person: ((person, day, shift), var) for each of its variables (rules per person
        # must not scan every variable of the model: Curtois 13 built in 7 s that way).
        self.own: dict[int, list[tuple[tuple[int, int, int], cp_model.IntVar]]] = defaultdict(list)
        self.work: dict[tuple[int, int], Lit] = {}
        self.shift_ix = problem.shift_index()
        self.person_ix = problem.person_index()
        self._build()

    # ------------------------------------------------------------ helpers

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
                terms.append(_negate(literal))
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

    # ------------------------------------------------------------ build

    def _build(self) -> None:
        on_time = self.deadline.check if self.deadline is not None else (lambda: None)
        for step in (
            self.add_variables,
            self.add_one_place_at_a_time,
            self.add_coverage,
            self.add_mix,
            self.add_availability,
            self.add_requests,
            self.add_successions,
            self.add_rest,
        ):
            on_time()
            step()
        for rule in self.problem.rules:
            on_time()
            self.add_rule(rule)
        on_time()
        self.add_fairness()
        on_time()
        acgme.add_acgme(self)
        on_time()
        self.add_redundant()
        self.model.minimize(sum(p.weight * p.var for p in self.penalties))

    def allowed(
        self, p: int, d: int, s: int, blocked: dict[int, set[tuple[int, int | None]]]
    ) -> bool:
        person = self.problem.people[p]
        shift = self.problem.shifts[s]
        if shift.moonlighting and person.pgy == 1 and self.problem.acgme.enabled:
            return False
        if not set(shift.requires) <= set(person.skills):
            return False  # not qualified: no variable, whatever the mode
        if self.explain:
            return True
        return (d, None) not in blocked[p] and (d, s) not in blocked[p]

    def blocked_days(self) -> dict[int, set[tuple[int, int | None]]]:
        """Hard unavailability per person: (day, None) the whole day, (day, shift) one shift."""
        blocked: dict[int, set[tuple[int, int | None]]] = defaultdict(set)
        for p, person in enumerate(self.problem.people):
            blocked[p].update((d, None) for d in self.problem.leave_days(person.id))
        for ref in self.problem.days_off:
            shift = None if ref.shift is None else self.shift_ix[ref.shift]
            blocked[self.person_ix[ref.person]].add((ref.day, shift))
        for rule in self.problem.rules:
            if rule.family == "shifts" and rule.shift is not None and rule.hard_max == 0:
                for p in self.people_in(rule.scope):
                    s = self.shift_ix[rule.shift]
                    blocked[p].update((d, s) for d in range(self.days))
        return blocked

    def add_variables(self) -> None:
        blocked = self.blocked_days()
        for p in range(len(self.problem.people)):
            for d in range(self.days):
                for s in range(self.n_shifts):
                    if self.allowed(p, d, s, blocked):
                        self.x[p, d, s] = self.model.new_bool_var(f"x_{p}_{d}_{s}")
                        self.own[p].append(((p, d, s), self.x[p, d, s]))
        for p in range(len(self.problem.people)):
            for d in range(self.days):
                self.work[p, d] = self._work_literal(p, d)

    def _work_literal(self, p: int, d: int) -> Lit:
        shifts = self.shifts_of(p, d)
        if not shifts:
            return False
        if len(shifts) == 1:
            return shifts[0]
        work = self.model.new_bool_var(f"w_{p}_{d}")
        if self.problem.max_shifts_per_day == 1:
            self.model.add(sum(shifts) == work)
        else:
            self.model.add_max_equality(work, shifts)
        return work

    def add_one_place_at_a_time(self) -> None:
        """At most `max_shifts_per_day` per day, and never two shifts that overlap in time."""
        limit = self.problem.max_shifts_per_day
        for p in range(len(self.problem.people)):
            for d in range(self.days):
                shifts = self.shifts_of(p, d)
                if limit > 1 and len(shifts) > limit:
                    self.model.add(sum(shifts) <= limit)
        cliques = self.overlapping_cliques()
        for p in range(len(self.problem.people)):
            for clique in cliques:
                lits = [v for d, sh in clique if (v := self.x.get((p, d, sh))) is not None]
                if len(lits) > 1:
                    self.model.add_at_most_one(lits)

    def overlapping_cliques(self) -> list[list[tuple[int, int]]]:
        """Sets of instances that all run at one moment (the start of one of them): at most one
        of each set per person. One constraint per moment instead of one per pair keeps a year x
        30 shift types model small."""
        instances = sorted(self.timeline.instances.values(), key=lambda i: i.start)
        one_a_day = self.problem.max_shifts_per_day == 1
        seen: set[tuple[tuple[int, int], ...]] = set()
        cliques: list[list[tuple[int, int]]] = []
        active: list[Instance] = []
        for inst in instances:
            active = [a for a in active if a.end > inst.start]
            active.append(inst)
            if len(active) < 2 or (one_a_day and len({a.day for a in active}) < 2):
                continue  # one shift a day already excludes these
            key = tuple(sorted((a.day, a.shift) for a in active))
            if key not in seen:
                seen.add(key)
                cliques.append(list(key))
        return cliques

    # ------------------------------------------------------------ coverage

    def assigned(
        self, d: int, s: int, people: Sequence[int] | None = None
    ) -> list[cp_model.IntVar]:
        who = range(len(self.problem.people)) if people is None else people
        return [v for p in who if (v := self.x.get((p, d, s))) is not None]

    def add_coverage(self) -> None:
        for c in self.problem.coverage:
            s = self.shift_ix[c.shift]
            shift = self.problem.shifts[s]
            for d in c.days if c.days is not None else range(self.days):
                count = sum(self.assigned(d, s))
                when = f"{shift.label} on {self.date_label(d)}"
                if c.min is not None:
                    guard = self.group(("cover_min", d, s), f"{when} needs at least {c.min}")
                    self.enforce(self.model.add(count >= c.min), guard)
                if c.max is not None:
                    guard = self.group(("cover_max", d, s), f"{when} takes at most {c.max}")
                    self.enforce(self.model.add(count <= c.max), guard)
                if c.required is not None:
                    self._soft_cover(c.required, count, c.weight_under, c.weight_over, when, d, s)

    def _soft_cover(
        self,
        required: int,
        count: cp_model.LinearExprT,
        w_under: int,
        w_over: int,
        when: str,
        day: int,
        shift: int,
    ) -> None:
        n = len(self.problem.people)
        under = self.penalty_int(
            "cover",
            w_under,
            required,
            lambda v: f"{when}: {required - v} staffed, {required} wanted",
            day,
            shift,
        )
        over = self.penalty_int(
            "cover", w_over, n, lambda v: f"{when}: {required + v} staffed, {required} wanted", day
        )
        self.model.add(count - required == over - under)

    def add_mix(self) -> None:
        for m in self.problem.mix:
            s = self.shift_ix[m.shift]
            who = [p for p, person in enumerate(self.problem.people) if m.qualifies(person)]
            what = _mix_words(m.skill, m.min_pgy)
            for d in m.days if m.days is not None else range(self.days):
                count = sum(self.assigned(d, s, who))
                when = f"{self.problem.shifts[s].label} on {self.date_label(d)}"
                if m.weight is None:
                    guard = self.group(("mix", m.id, d), f"{when} needs {m.min} {what}")
                    self.enforce(self.model.add(count >= m.min), guard)
                    continue
                short = self.penalty_int(
                    m.id,
                    m.weight,
                    m.min,
                    _shortfall_text(when, m.min, what),
                )
                self.model.add(count + short >= m.min)

    # ------------------------------------------------------------ availability

    def add_availability(self) -> None:
        """Explain mode keeps every variable, so unavailability becomes a guarded constraint."""
        for ref in self.problem.fixed:
            p, s = self.person_ix[ref.person], self.shift_ix[ref.shift or ""]
            label = self.problem.people[p].label
            guard = self.group(
                ("fixed", p, ref.day, s),
                f"{label} is fixed to {self.problem.shifts[s].label} on {self.date_label(ref.day)}",
            )
            literal = self.lit(p, ref.day, s)
            if literal is False:
                self.enforce(self.model.add_bool_or([]), guard)
            else:
                self.enforce(self.model.add_bool_or([literal]), guard)
        if not self.explain:
            return
        for p, person in enumerate(self.problem.people):
            for leave in self.problem.leave:
                if leave.person != person.id:
                    continue
                first = self.problem.horizon.day_of(leave.start)
                last = self.problem.horizon.day_of(leave.end)
                sentence = (
                    f"{person.label} is on leave {self.date_label(max(first, 0))}"
                    f" - {self.date_label(min(last, self.days - 1))}"
                )
                guard = self.group(("leave", p, first), sentence)
                for d in range(max(first, 0), min(last, self.days - 1) + 1):
                    for v in self.shifts_of(p, d):
                        self.enforce(self.model.add(v == 0), guard)
        for ref in self.problem.days_off:
            p = self.person_ix[ref.person]
            label = self.problem.people[p].label
            guard = self.group(("off", p, ref.day), f"{label} is off on {self.date_label(ref.day)}")
            for s in range(self.n_shifts):
                if ref.shift is None or self.shift_ix[ref.shift] == s:
                    off = self.x.get((p, ref.day, s))
                    if off is not None:
                        self.enforce(self.model.add(off == 0), guard)
        for rule in self.problem.rules:
            if rule.family == "shifts" and rule.shift is not None and rule.hard_max == 0:
                pass  # handled as a count rule in add_rule in explain mode

    def add_requests(self) -> None:
        for ref in self.problem.requests_on:
            self._request(ref.person, ref.day, ref.shift, ref.weight or 1, on=True)
        for ref in self.problem.requests_off:
            self._request(ref.person, ref.day, ref.shift, ref.weight or 1, on=False)

    def _request(self, person: str, day: int, shift: str | None, weight: int, *, on: bool) -> None:
        p = self.person_ix[person]
        literal = self.work[p, day] if shift is None else self.lit(p, day, self.shift_ix[shift])
        what = "work" if shift is None else self.problem.shift(shift).label
        label = self.problem.people[p].label
        when = self.date_label(day)
        if on:
            text = f"{label} asked for {what} on {when}; not granted"
            if literal is False:
                self.penalties.append(Penalty("request-on", weight, self._one(), _fixed_text(text)))
                return
            missed = self.penalty_lit("request-on", weight, _fixed_text(text))
            self.model.add_bool_or([literal, missed])
        else:
            if literal is False:
                return
            text = f"{label} asked to be off {what} on {when}; scheduled anyway"
            broken = self.penalty_lit("request-off", weight, _fixed_text(text))
            self.model.add_implication(literal, broken)

    def _one(self) -> cp_model.IntVar:
        one = self.model.new_int_var(1, 1, "one")
        return one

    # ------------------------------------------------------------ sequences of shifts

    def _hard_successions_grouped(self) -> None:
        """Shift a on day d and any of its forbidden followers on day d+1: at most one of them
        (the followers exclude each other already, one shift a day). One constraint per (person,
        day, first shift) instead of one clause per pair: Curtois 13 has 200 000 pairs."""
        followers: dict[int, set[int]] = defaultdict(set)
        for succ in self.problem.successions:
            if succ.weight is None:
                followers[self.shift_ix[succ.first]].add(self.shift_ix[succ.second])
        for a, after in followers.items():
            for p in range(len(self.problem.people)):
                for d in range(self.days - 1):
                    la = self.x.get((p, d, a))
                    if la is None:
                        continue
                    lbs = [v for b in sorted(after) if (v := self.x.get((p, d + 1, b))) is not None]
                    if len(lbs) == 1:
                        self.model.add_bool_or([la.Not(), lbs[0].Not()])
                    elif lbs:
                        self.model.add_at_most_one([la, *lbs])

    def add_successions(self) -> None:
        grouped = not self.explain and self.problem.max_shifts_per_day == 1
        if grouped:
            self._hard_successions_grouped()
        for i, succ in enumerate(self.problem.successions):
            if grouped and succ.weight is None:
                continue
            a, b = self.shift_ix[succ.first], self.shift_ix[succ.second]
            words = f"{self.problem.shifts[b].label} may not follow {self.problem.shifts[a].label}"
            for p in range(len(self.problem.people)):
                label = self.problem.people[p].label
                guard = self.group(("succession", i, p), f"for {label}, {words}")
                for d in range(self.days - 1):
                    la, lb = self.lit(p, d, a), self.lit(p, d + 1, b)
                    if la is False or lb is False:
                        continue
                    if succ.weight is None:
                        self.clause([], negated=[la, lb], guard=guard)
                    else:
                        text = f"{label}: {words} ({self.date_label(d)})"
                        pen = self.penalty_lit("succession", succ.weight, _fixed_text(text))
                        self.clause([pen], negated=[la, lb])

    def add_rest(self) -> None:
        for rest in self.problem.rest:
            minutes = round(rest.hours * 60)
            pairs = self.short_gaps(minutes)
            for p in self.people_in(rest.scope):
                label = self.problem.people[p].label
                guard = self.group(
                    ("rest", rest.id, p), f"{label} needs {rest.hours:g} hours between shifts"
                )
                self._gap_pairs(p, pairs, rest.weight, rest.id, guard, f"{rest.hours:g} hours")

    def short_gaps(
        self, minutes: int, kinds: set[str] | None = None
    ) -> list[tuple[Instance, Instance]]:
        """Instance pairs where the second starts less than `minutes` after the first ends."""
        items = [
            i
            for i in self.timeline.instances.values()
            if kinds is None or self.problem.shifts[i.shift].kind in kinds
        ]
        items.sort(key=lambda i: i.start)
        starts = [i.start for i in items]
        pairs: list[tuple[Instance, Instance]] = []
        for a in items:
            first = bisect.bisect_right(starts, a.end)
            last = bisect.bisect_left(starts, a.end + minutes)
            pairs.extend((a, b) for b in items[first:last])
        return pairs

    def _gap_pairs(
        self,
        p: int,
        pairs: list[tuple[Instance, Instance]],
        weight: int | None,
        rule: str,
        guard: cp_model.IntVar | None,
        words: str,
    ) -> None:
        """After shift a, none of the shifts starting too soon; one constraint (and one penalty
        when soft) per shift a person may work, not per pair."""
        label = self.problem.people[p].label
        after: dict[Instance, list[cp_model.IntVar]] = defaultdict(list)
        for a, b in pairs:
            lb = self.x.get((p, b.day, b.shift))
            if (p, a.day, a.shift) in self.x and lb is not None:
                after[a].append(lb)
        for a, too_soon in after.items():
            la = self.x[p, a.day, a.shift]
            enforce: list[Lit] = [la]
            if weight is None:
                if guard is not None:
                    enforce.append(guard)
            else:
                text = (
                    f"{rule}: {label} starts a shift less than {words} after "
                    f"{self.problem.shifts[a.shift].label} on {self.date_label(a.day)}"
                )
                enforce.append(self.penalty_lit(rule, weight, _fixed_text(text)).Not())
            self.model.add(sum(too_soon) == 0).only_enforce_if(enforce)

    # ------------------------------------------------------------ counted and sequence rules

    def add_rule(self, rule: Rule) -> None:
        for p in self.people_in(rule.scope):
            if rule.family in ("consecutive_days", "consecutive_shift", "consecutive_days_off"):
                self._sequence_rule(rule, p)
            else:
                self._count_rule(rule, p)

    def count_expr(self, rule: Rule, p: int) -> tuple[cp_model.LinearExpr, int, str]:
        """The counted quantity of a rule for one person, its upper bound, and its unit."""
        if rule.family == "minutes":
            terms = [(v, self.problem.shifts[s].length) for (q, _d, s), v in self.own[p]]
            expr = cp_model.LinearExpr.weighted_sum([v for v, _c in terms], [c for _v, c in terms])
            return expr, sum(c for _v, c in terms), "minutes"
        if rule.family == "weekends":
            weekends = self.weekend_literals(p)
            return cp_model.LinearExpr.sum(weekends), len(weekends), "weekends"
        shift = None if rule.shift is None else self.shift_ix[rule.shift]
        lits = [v for (_q, _d, s), v in self.own[p] if shift in (None, s)]
        unit = "shifts" if rule.shift is None else f"{self.problem.shifts[shift or 0].label} shifts"
        return cp_model.LinearExpr.sum(lits), len(lits), unit

    def _count_rule(self, rule: Rule, p: int) -> None:
        expr, upper, unit = self.count_expr(rule, p)
        label = self.problem.people[p].label
        key = ("rule", rule.id, p)
        if rule.hard_min is not None:
            guard = self.group((*key, "min"), f"{label} needs at least {rule.hard_min} {unit}")
            self.enforce(self.model.add(expr >= rule.hard_min), guard)
        if rule.hard_max is not None:
            guard = self.group((*key, "max"), f"{label} may have at most {rule.hard_max} {unit}")
            self.enforce(self.model.add(expr <= rule.hard_max), guard)
        if rule.soft_min is not None:
            smin = rule.soft_min
            short = self.penalty_int(
                rule.id,
                rule.min_weight,
                smin,
                lambda v: (
                    f"{rule.id}: {label} {smin - v} {unit}, wish was at least {smin}; "
                    f"cost {v * rule.min_weight}"
                ),
            )
            self.model.add(expr + short >= smin)
        if rule.soft_max is not None:
            smax = rule.soft_max
            extra = self.penalty_int(
                rule.id,
                rule.max_weight,
                max(0, upper - smax),
                lambda v: (
                    f"{rule.id}: {label} {smax + v} {unit}, wish was at most {smax}; "
                    f"cost {v * rule.max_weight}"
                ),
            )
            self.model.add(expr - extra <= smax)

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

    def _sequence_rule(self, rule: Rule, p: int) -> None:
        if rule.family == "consecutive_days":
            lits = [self.work[p, d] for d in range(self.days)]
            unit = "working days in a row"
        elif rule.family == "consecutive_days_off":
            lits = [_negate(self.work[p, d]) for d in range(self.days)]
            unit = "days off in a row"
        else:
            s = self.shift_ix[rule.shift or ""]
            lits = [self.lit(p, d, s) for d in range(self.days)]
            unit = f"{self.problem.shifts[s].label} shifts in a row"
        label = self.problem.people[p].label
        key = ("rule", rule.id, p)
        if rule.hard_max is not None:
            guard = self.group((*key, "max"), f"{label} may work at most {rule.hard_max} {unit}")
            self._max_run(lits, rule.hard_max, guard, None)
        if rule.hard_min is not None:
            guard = self.group((*key, "min"), f"{label} needs at least {rule.hard_min} {unit}")
            self._min_run(lits, rule.hard_min, guard, None)
        if rule.soft_max is not None:
            smax = rule.soft_max

            def too_long(d: int) -> Callable[[int], str]:
                return lambda v: (
                    f"{rule.id}: {label} more than {smax} {unit} from {self.date_label(d)}, "
                    f"wish was at most {smax}; cost {rule.max_weight}"
                )

            self._max_run(lits, smax, None, (rule.id, rule.max_weight, too_long))
        if rule.soft_min is not None:
            smin = rule.soft_min

            def too_short(d: int) -> Callable[[int], str]:
                return lambda v: (
                    f"{rule.id}: {label} a run shorter than {smin} {unit} from "
                    f"{self.date_label(d)}, wish was at least {smin}; cost {rule.min_weight}"
                )

            self._min_run(lits, smin, None, (rule.id, rule.min_weight, too_short))

    SoftRun = tuple[str, int, Callable[[int], Callable[[int], str]]]

    def _max_run(
        self, lits: list[Lit], limit: int, guard: cp_model.IntVar | None, soft: SoftRun | None
    ) -> None:
        """No limit+1 consecutive true literals (soft: a penalty per window that has them)."""
        for start in range(len(lits) - limit):
            window = lits[start : start + limit + 1]
            if any(w is False for w in window):
                continue
            extra: list[Lit] = []
            if soft is not None:
                extra = [self.penalty_lit(soft[0], soft[1], soft[2](start))]
            self.clause(extra, negated=window, guard=guard)

    def _min_run(
        self, lits: list[Lit], minimum: int, guard: cp_model.IntVar | None, soft: SoftRun | None
    ) -> None:
        """No run shorter than `minimum` between two false literals; runs at the horizon edges are
        free to be shorter (the days before and after the horizon are unknown)."""
        n = len(lits)
        for length in range(1, minimum):
            for start in range(1, n - length):
                end = start + length  # first day after the run, inside the horizon
                run = lits[start:end]
                if any(r is False for r in run) or lits[start - 1] is True or lits[end] is True:
                    continue
                extra: list[Lit] = [lits[start - 1], lits[end]]
                if soft is not None:
                    extra.append(self.penalty_lit(soft[0], soft[1], soft[2](start)))
                self.clause(extra, negated=run, guard=guard)

    # ------------------------------------------------------------ fairness

    def measure_expr(self, measure: str, p: int) -> cp_model.LinearExprT:
        kinds = {"calls": {"in_house_call", "home_call"}}
        if measure == "weekends":
            return sum(self.weekend_literals(p))
        if measure == "holidays":
            holidays = {self.problem.horizon.day_of(h) for h in self.problem.holidays}
            return sum(v for (_q, d, _s), v in self.own[p] if d in holidays)
        if measure == "nights":
            nights = {s for s, shift in enumerate(self.problem.shifts) if is_night(shift)}
            return sum(v for (_q, _d, s), v in self.own[p] if s in nights)
        if measure == "calls":
            calls = {s for s, sh in enumerate(self.problem.shifts) if sh.kind in kinds["calls"]}
            return sum(v for (_q, _d, s), v in self.own[p] if s in calls)
        return sum(v for _key, v in self.own[p])

    def add_fairness(self) -> None:
        for f in self.problem.fairness:
            people = self.people_in(f.scope)
            if len(people) < 2:
                continue
            upper = self.days * self.problem.max_shifts_per_day + max(f.history.values(), default=0)
            totals = []
            for p in people:
                total = self.model.new_int_var(0, upper, f"fair_{f.id}_{p}")
                history = f.history.get(self.problem.people[p].id, 0)
                self.model.add(total == self.measure_expr(f.measure, p) + history)
                totals.append(total)
            high = self.model.new_int_var(0, upper, f"fair_hi_{f.id}")
            low = self.model.new_int_var(0, upper, f"fair_lo_{f.id}")
            self.model.add_max_equality(high, totals)
            self.model.add_min_equality(low, totals)
            # Redundant: the highest is at least the average, the lowest at most; with a fixed
            # total (exact call coverage) this proves the unavoidable spread of 1.
            self.model.add(len(totals) * high >= sum(totals))
            self.model.add(len(totals) * low <= sum(totals))
            if f.max_spread is not None:
                guard = self.group(
                    ("fair", f.id), f"{f.measure} may differ by at most {f.max_spread} in {f.id}"
                )
                self.enforce(self.model.add(high - low <= f.max_spread), guard)
            if f.weight:
                spread = self.penalty_int(
                    f.id,
                    f.weight,
                    upper,
                    _spread_text(f.id, f.measure, f.weight),
                )
                self.model.add(spread >= high - low)

    # ------------------------------------------------------------ redundant constraints

    def add_redundant(self) -> None:
        """Implied bounds that help the LP relaxation: a hard minimum of minutes needs at least
        ceil(min / longest shift) working days, and a hard maximum allows at most floor(max /
        shortest) of them."""
        for rule in self.problem.rules:
            if rule.family != "minutes" or self.explain:
                continue
            for p in self.people_in(rule.scope):
                lits = [v for _key, v in self.own[p]]
                lengths = [self.problem.shifts[s].length for (_q, _d, s), _v in self.own[p]]
                if not lits:
                    continue
                if rule.hard_min:
                    self.model.add(sum(lits) >= math.ceil(rule.hard_min / max(lengths)))
                if rule.hard_max is not None:
                    self.model.add(sum(lits) <= rule.hard_max // min(lengths))


def _negate(literal: Lit) -> Lit:
    if isinstance(literal, bool):
        return not literal
    negated: Lit = literal.Not()  # type: ignore[union-attr]
    return negated


def _spread_text(rule: str, measure: str, weight: int) -> Callable[[int], str]:
    return lambda v: f"{rule}: {measure} differ by {v} across the group; cost {v * weight}"


def _fixed_text(text: str) -> Callable[[int], str]:
    return lambda _value: text


def _shortfall_text(when: str, wanted: int, what: str) -> Callable[[int], str]:
    return lambda value: f"{when}: {wanted - value} {what}, {wanted} wanted"


def is_night(shift: object) -> bool:
    """A night: night float, or any shift still running at 03:00 the next morning."""
    from rounds.engine.roster.problem import ShiftType

    assert isinstance(shift, ShiftType)
    if shift.kind == "night_float":
        return True
    return shift.start_minutes + shift.length > 24 * 60 + 3 * 60 and shift.kind != "home_call"


def _mix_words(skill: str | None, min_pgy: int | None) -> str:
    parts = []
    if min_pgy is not None:
        parts.append(f"PGY-{min_pgy}+")
    if skill is not None:
        parts.append(f"with {skill}")
    return " ".join(parts) or "qualified"


__all__ = ["Penalty", "Person", "RosterModel"]
