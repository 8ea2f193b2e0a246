"""Availability: pre-assignments, leave and days off (explain mode), and requests on and off."""

from __future__ import annotations

from ortools.sat.python import cp_model

from rounds.engine.roster.model_base import (
    ModelBase,
    Penalty,
    fixed_text,
)


class AvailabilityRules(ModelBase):
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
                self.penalties.append(Penalty("request-on", weight, self._one(), fixed_text(text)))
                return
            missed = self.penalty_lit("request-on", weight, fixed_text(text))
            self.model.add_bool_or([literal, missed])
        else:
            if literal is False:
                return
            text = f"{label} asked to be off {what} on {when}; scheduled anyway"
            broken = self.penalty_lit("request-off", weight, fixed_text(text))
            self.model.add_implication(literal, broken)

    def _one(self) -> cp_model.IntVar:
        one = self.model.new_int_var(1, 1, "one")
        return one
