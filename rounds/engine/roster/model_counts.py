"""Counted rules (shifts, minutes, weekends a person), fairness across a group, implied bounds."""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from rounds.engine.roster.model_base import (
    ModelBase,
    is_night,
    spread_text,
)
from rounds.engine.roster.problem import Rule


class CountRules(ModelBase):
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
                    spread_text(f.id, f.measure, f.weight),
                )
                self.model.add(spread >= high - low)

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
