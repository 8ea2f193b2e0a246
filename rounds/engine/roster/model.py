"""The CP-SAT model: one method per rule family, sparse variables, named penalties.

Variables exist only for allowed (person, day, shift): leave, hard days off, PGY-1 moonlighting and
hard "at most 0 of this shift" never create one, which keeps a year x 150 people x 30 shifts model
small. Every soft rule adds a `Penalty` that knows how to say, in words, how it was bent.

In explain mode every hard constraint group is guarded by an enforcement literal (an assumption)
and the variables are not pruned, so the solver can name the groups that conflict.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rounds.engine.roster import acgme
from rounds.engine.roster.model_availability import AvailabilityRules
from rounds.engine.roster.model_base import Group, Lit, Penalty, fixed_text, is_night, negate
from rounds.engine.roster.model_counts import CountRules
from rounds.engine.roster.model_cover import CoverRules
from rounds.engine.roster.model_sequences import SequenceRules
from rounds.engine.roster.problem import Person, Problem, Rule
from rounds.engine.roster.timeline import Instance

if TYPE_CHECKING:
    from rounds.engine.roster.horizon import Deadline


class RosterModel(CoverRules, AvailabilityRules, SequenceRules, CountRules):
    """The whole model: variables and one-place-at-a-time here, each rule family in its own
    module (`model_cover.py`, `model_availability.py`, `model_sequences.py`, `model_counts.py`,
    `acgme.py`)."""

    def __init__(
        self, problem: Problem, *, explain: bool = False, deadline: Deadline | None = None
    ) -> None:
        super().__init__(problem, explain=explain)
        # Consulted between rule families and rules (raises horizon.OutOfTime), so the time
        # limit holds while a large model is built.
        self.deadline = deadline
        self._build()

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

    def add_rule(self, rule: Rule) -> None:
        for p in self.people_in(rule.scope):
            if rule.family in ("consecutive_days", "consecutive_shift", "consecutive_days_off"):
                self._sequence_rule(rule, p)
            else:
                self._count_rule(rule, p)

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


__all__ = [
    "Group",
    "Lit",
    "Penalty",
    "Person",
    "RosterModel",
    "fixed_text",
    "is_night",
    "negate",
]
