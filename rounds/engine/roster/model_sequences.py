"""Sequence rules: forbidden successions, rest between shifts, runs of days (at most, at least)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from rounds.engine.roster.model_base import (
    Lit,
    ModelBase,
    fixed_text,
    negate,
)
from rounds.engine.roster.problem import Rule
from rounds.engine.roster.timeline import Instance


class SequenceRules(ModelBase):
    def _hard_successions_grouped(self) -> None:
        """Shift a on day d and any of its forbidden followers on day d+1: at most one of them
        (the followers exclude each other already, one shift a day). One constraint per (person,
        day, first shift) instead of one clause per pair: a model with many
        successions has hundreds of thousands of pairs."""
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
                        pen = self.penalty_lit("succession", succ.weight, fixed_text(text))
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
                self.gap_pairs(p, pairs, rest.weight, rest.id, guard, f"{rest.hours:g} hours")

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

    def gap_pairs(
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
                enforce.append(self.penalty_lit(rule, weight, fixed_text(text)).Not())
            self.model.add(sum(too_soon) == 0).only_enforce_if(enforce)

    def _sequence_rule(self, rule: Rule, p: int) -> None:
        if rule.family == "consecutive_days":
            lits = [self.work[p, d] for d in range(self.days)]
            unit = "working days in a row"
        elif rule.family == "consecutive_days_off":
            lits = [negate(self.work[p, d]) for d in range(self.days)]
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
