"""The first phase on pure rostering: a roster from whole schedules per person (`columns.py`)."""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from rounds.engine.roster import columns
from rounds.engine.roster.cpsat import make_solver, run
from rounds.engine.roster.incumbent import Incumbent


class ColumnStart(Incumbent):
    """The column search's roster adopted as the incumbent, with its bound."""

    def from_columns(self) -> int:
        """Column generation, then dives and CP-SAT over the schedules generated (`columns.py`)
        by `combine_until` of the time, or best replies from the master's rounding by
        `replies_until` when the master was slow to settle (`dives_after`) or did not settle by
        `root_share`; the compact model's neighbourhood search gets the rest. The
        decomposition's bound, when its pricing was exact, is the reported bound."""
        total = self.deadline - self.started
        knobs = self.settings
        search = columns.ColumnSearch(self.rm.problem, self.workers, self.seed, knobs, self.clock)
        try:
            settled = search.root(self.started + knobs.root_share * total) is not None
        except columns.NoSchedule:
            search.close()
            return self.full(self.remaining())  # infeasible: the compact model explains it
        try:
            if settled and self.clock.now() - self.started <= knobs.dives_after * total:
                self.from_support(search, knobs.support_share * total)
                search.dives(self.started + knobs.dives_until * total)
                if not search.proven:
                    search.combine(self.started + knobs.combine_until * total)
            else:
                # A master slow to settle will not see a dive through (dives_after), and one that
                # did not settle has only its last duals: best replies from its rounding (the
                # greedy roster when the root ended inside the warm-up); on such masters they
                # end well below the model on the master's support.
                search.round()
                search.best_replies(
                    self.started + knobs.replies_until * total,
                    knobs.stalled * total,
                    knobs.stalled_near * total,
                )
        finally:
            search.close()
        if search.first_found is not None:
            self.first = search.first_found - self.started
        self.column_stats = {
            "root": settled,
            "rounds": search.rounds,
            "columns": len(search.master.columns),
            "dives": search.dives_done,
            "replies": search.reply_rounds,
            "bound": None if search.bound is None else float(search.bound),
            "seconds": round(self.clock.now() - self.started, 2),
        }
        if search.best is None:
            return self.full(self.remaining())
        self.adopt(search.best)
        if self.values is None:  # not expected: every column keeps the person's rules
            return self.full(self.remaining())
        floor = self.rm.objective_floor()
        bound = search.bound
        self.bound = floor if bound is None else max(floor, math.ceil(bound - 1e-6))
        self.optimal = self.objective is not None and self.objective <= self.bound
        return int(cp_model.OPTIMAL if self.optimal else cp_model.FEASIBLE)

    def from_support(self, search: columns.ColumnSearch, limit: float) -> None:
        """The compact model with every cell outside the master's solution closed, from each
        person's heaviest schedule there: a small model that finds a good roster fast. Keeping the
        greedy roster's cells open as well made it larger and worse."""
        if search.support is None:
            return
        start = search.chosen()  # inside the support, unlike the greedy roster or best replies
        self.rm.model.clear_hints()
        for (p, d, s), var in self.rm.x.items():
            self.rm.model.add_hint(var, bool(start[p][d] == s))
        closed = (
            (v.index, 0, 0) for (p, d, s), v in self.rm.x.items() if not search.support[p, d, s]
        )
        try:
            with self.narrowed(closed):
                solver = make_solver(
                    min(limit, self.remaining()),
                    self.workers,
                    self.seed,
                    self.max_lp,
                    clock=self.clock,
                )
                status = run(solver, self.rm.model, self.clock)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                search.offer_cells({key for key, var in self.rm.x.items() if solver.value(var)})
        finally:
            self.rm.model.clear_hints()
