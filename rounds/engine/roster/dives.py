"""Dives from the settled root master to one schedule per person, and CP-SAT combining the pool.

A dive fixes the (person, day) cells the master has nearly decided, prices again under those
fixings, and repeats until every person has one schedule; each dive ends elsewhere (its fixing
level and share are drawn). CP-SAT then picks one schedule per person among every column generated
on the way."""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from rounds.engine.clock import WALL, Clock
from rounds.engine.roster.column_root import RootSearch
from rounds.engine.roster.cpsat import run
from rounds.engine.roster.decomposition import Decomposition, wishes, worked
from rounds.engine.roster.master import Column
from rounds.engine.roster.settings import DEFAULT_SETTINGS


class Dives(RootSearch):
    """Dives and the combining of the pool."""

    def dives(self, deadline: float) -> None:
        """Dive again and again from the root until the deadline: each dive ends in a different
        place (the fixing level varies, and the pool grows), and each adds the columns of its
        way down."""
        knobs = self.settings
        level, share = knobs.fix_level, 1.0
        while self.now() < deadline and not self.proven:
            self.dive(deadline, level, share)
            self.dives_done += 1
            if (self.fixed < 0).all():
                # The master chose one whole schedule per person before any fixing: every
                # further dive would end on the same roster.
                return
            self._undo_fixings()
            level = float(self.rng.uniform(knobs.dive_level_low, knobs.dive_level_high))
            share = float(self.rng.uniform(knobs.dive_share_low, 1.0))

    def _undo_fixings(self) -> None:
        self.fixed[:] = -1
        self.banned[:] = False
        for i in range(len(self.master.columns)):
            self.master.allow(i)

    def dive(self, deadline: float, level: float | None = None, share: float = 1.0) -> bool:
        """Fix what the master has nearly decided, price again, repeat: one schedule per person.
        With `share` < 1 only that share of the undecided people (drawn at random) is fixed at
        each step: a slower dive that ends elsewhere. Past the deadline each undecided person
        takes their heaviest schedule; False then. `level` defaults to `fix_level`."""
        if level is None:
            level = self.settings.fix_level
        while True:
            if self.now() >= deadline or (self.converge(deadline, self._open_people()) is None):
                self.round()
                return False
            open_people = self._open_people()
            if not open_people:
                self.offer(self.chosen())
                return True
            if self._stuck(open_people):
                self.round()  # fixings no schedule of someone keeps: this dive ends here
                return False
            if share < 1.0:
                count = max(1, round(share * len(open_people)))
                open_people = sorted(self.rng.permutation(open_people)[:count].tolist())
            self._ban_broken_columns(self._fix_some(open_people, level))

    def _stuck(self, people: list[int]) -> bool:
        """Someone's weight is not all on their own columns (the master pays the artificial
        column: their fixings leave them no schedule)."""
        values = self.master.values
        return any(
            sum(values[i] for i in self.master.of_person[p] if i < len(values)) < 1 - 1e-6
            for p in people
        )

    def _open_people(self) -> list[int]:
        """People without one whole schedule in the last master solution."""
        values = self.master.values
        return [
            p
            for p in range(self.n)
            if not any(values[i] > 1 - 1e-6 for i in self.master.of_person[p] if i < len(values))
        ]

    def _fix_some(self, people: list[int], level: float) -> set[int]:
        """Fix cells for at least one in eight of these people, lowering the level as far as
        one half, then whole columns. The master has many optima, so one
        person at a time would take hundreds of rounds."""
        knobs = self.settings
        wanted = max(1, len(people) // knobs.dive_pace)
        changed: set[int] = set()
        while len(changed) < wanted and level >= knobs.dive_level_floor:
            changed |= self._fix_cells([p for p in people if p not in changed], level)
            level *= knobs.dive_level_decay
        if len(changed) < wanted:
            changed |= self._fix_columns([p for p in people if p not in changed])
        return changed

    def _fix_cells(self, people: list[int], level: float) -> set[int]:
        """Fix every cell worked by at least `level` of a person's weight, one at a time (a
        fixing drops the person's columns without it, so the next cell is read without them).
        The people who got a fixing."""
        values = self.master.values
        fixed: set[int] = set()
        for p in people:
            mine = [i for i in self.master.of_person[p] if i < len(values) and values[i] > 1e-9]
            while mine:
                grid = np.zeros((self.dec.days, self.dec.shifts))
                for i in mine:
                    grid[worked(self.master.columns[i].shifts)] += values[i]
                grid[self.fixed[p] >= 0, :] = 0.0
                d, s = np.unravel_index(int(np.argmax(grid)), grid.shape)
                if grid[d, s] < level:
                    break
                self.fixed[p, d] = s
                fixed.add(p)
                mine = [i for i in mine if self.master.columns[i].shifts[d] == s]
        return fixed

    def _fix_columns(self, people: list[int]) -> set[int]:
        """Nothing is nearly decided: the people with the heaviest columns get those columns
        (one in eight of the undecided people at a time, so a large dive keeps moving)."""
        values = self.master.values
        heaviest = sorted(
            (
                max((values[i], i) for i in self.master.of_person[p] if i < len(values))
                for p in people
            ),
            reverse=True,
        )
        count = max(1, len(people) // self.settings.dive_pace)
        chosen = [self.master.columns[i] for _value, i in heaviest[:count]]
        for column in chosen:
            self.fixed[column.person] = column.shifts
            self.banned[column.person, column.shifts < 0, :] = True
        return {column.person for column in chosen}

    def _ban_broken_columns(self, people: set[int]) -> None:
        """Ban these people's columns that break their fixings."""
        for p in people:
            fixed, banned = self.fixed[p], self.banned[p]
            for i in self.master.of_person[p]:
                shifts = self.master.columns[i].shifts
                if not np.all((fixed < 0) | (shifts == fixed)) or banned[worked(shifts)].any():
                    self.master.ban(i)

    def combine(self, deadline: float) -> None:
        """CP-SAT picks one schedule per person from every column generated so far, starting
        from the best schedule known."""
        if self.best is not None:
            for p in range(self.n):
                self.master.add(p, self.best[p], wishes(self.dec.people[p], self.best[p]))
        options = [[self.master.columns[i] for i in mine] for mine in self.master.of_person]
        picked = pick(
            options,
            self.dec,
            self.dec.required,
            self.best,
            deadline,
            self.workers,
            self.settings.combine_least,
            self.clock,
        )
        if picked is not None:
            self.offer(picked)


def pick(
    options: list[list[Column]],
    dec: Decomposition,
    required: np.ndarray,
    start: np.ndarray | None,
    deadline: float,
    workers: int,
    least: float = DEFAULT_SETTINGS.combine_least,
    clock: Clock = WALL,
) -> np.ndarray | None:
    """CP-SAT: one of its options (columns) per person, each (day, shift) covered as required
    or paying its weights; from `start` ([person, day] shift, if given). The schedule, or None
    when none was found in time."""
    limit = deadline - clock.now()
    if limit <= least:
        return None
    model = cp_model.CpModel()
    use = [[model.new_bool_var("") for _ in mine] for mine in options]
    covering: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    objective: list[cp_model.LinearExprT] = []
    for p, mine in enumerate(options):
        model.add_exactly_one(use[p])
        for column, var in zip(mine, use[p], strict=True):
            for d, s in zip(*worked(column.shifts), strict=True):
                covering.setdefault((int(d), int(s)), []).append(var)
            objective.append(round(column.cost) * var)
            if start is not None:
                model.add_hint(var, bool(np.array_equal(column.shifts, start[p])))
    for day in range(dec.days):
        for s in range(dec.shifts):
            terms = covering.get((day, s), [])
            need = int(required[day, s])
            under = model.new_int_var(0, max(0, need), "")
            over = model.new_int_var(0, len(terms) + max(0, -need), "")
            model.add(sum(terms) - need == over - under)
            objective += [round(dec.under[day, s]) * under, round(dec.over[day, s]) * over]
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    clock.limit(solver.parameters, limit)
    solver.parameters.num_workers = workers
    status = run(solver, model, clock)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    schedule = np.full((len(options), dec.days), -1, np.int64)
    for p, mine in enumerate(options):
        for column, var in zip(mine, use[p], strict=True):
            if solver.value(var):
                schedule[p] = column.shifts
    return schedule
