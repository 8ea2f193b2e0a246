"""Cover rules: hard minima and maxima, soft required counts, and the skill and seniority mix."""

from __future__ import annotations

from ortools.sat.python import cp_model

from rounds.engine.roster.model_base import (
    ModelBase,
    mix_words,
    shortfall_text,
)


class CoverRules(ModelBase):
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
        # Exact, not just bounded: a search stopped early could otherwise keep one staffed too
        # few and one too many on the same cell, and report that slack as cost.
        self.model.add_max_equality(under, [0, required - count])

    def add_mix(self) -> None:
        for m in self.problem.mix:
            s = self.shift_ix[m.shift]
            who = [p for p, person in enumerate(self.problem.people) if m.qualifies(person)]
            what = mix_words(m.skill, m.min_pgy)
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
                    shortfall_text(when, m.min, what),
                )
                self.model.add(count + short >= m.min)
