"""The column search's master linear program (HiGHS): one schedule each, cover at its weights."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from rounds.engine.roster.decomposition import Decomposition, worked


@dataclass
class Column:
    person: int
    shifts: np.ndarray  # [D] shift per day, -1 off
    cost: float  # its wishes' cost
    index: int  # HiGHS column


class Master:
    """min sum(cost x) + cover slacks: each person one schedule (rows 0..n-1, = 1), each (day,
    shift) covered as required (rows n.., = required, with under and over slacks at their
    weights). HiGHS keeps its basis while columns are added, but the master is degenerate and a
    re-solve still takes hundreds of pivots; on
    the largest instances the master, not the pricing, is what takes the time."""

    ARTIFICIAL = 1e7  # a person without a schedule yet: never part of a solution that has one
    # What a work clock (`rounds.engine.clock`) is charged for a solve, in units of about a
    # second of an idle core: the solve's own overhead, and each iteration (simplex or interior
    # point) per row of the master.
    WORK_PER_SOLVE = 3.0e-4
    WORK_PER_ITERATION_ROW = 1.0e-6

    def __init__(self, dec: Decomposition) -> None:
        self.dec = dec
        self.n = len(dec.people)
        cells = dec.days * dec.shifts
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 4)  # primal: new columns keep the basis feasible
        rhs = np.concatenate([np.ones(self.n), dec.required.reshape(-1).astype(float)])
        no_entries = np.zeros(0, np.int32)
        h.addRows(len(rhs), rhs, rhs, 0, np.zeros(len(rhs), np.int32), no_entries, np.zeros(0))
        rows = self.n + np.arange(cells, dtype=np.int32)
        starts = np.arange(cells, dtype=np.int32)
        zeros, inf = np.zeros(cells), np.full(cells, highspy.kHighsInf)
        h.addCols(cells, dec.under.reshape(-1), zeros, inf, cells, starts, rows, np.ones(cells))
        h.addCols(cells, dec.over.reshape(-1), zeros, inf, cells, starts, rows, -np.ones(cells))
        people = np.arange(self.n, dtype=np.int32)
        h.addCols(
            self.n,
            np.full(self.n, self.ARTIFICIAL),
            np.zeros(self.n),
            np.full(self.n, highspy.kHighsInf),
            self.n,
            people,
            people,
            np.ones(self.n),
        )
        self.h = h
        self.first = 2 * cells + self.n
        self.columns: list[Column] = []
        self.of_person: list[list[int]] = [[] for _ in range(self.n)]
        self.seen: set[tuple[int, bytes]] = set()
        self._pending: list[Column] = []
        self.values = np.zeros(0)
        self.work = 0.0  # since the search last charged its clock (RootSearch.charge)

    def add(self, person: int, shifts: np.ndarray, cost: float) -> bool:
        key = (person, shifts.tobytes())
        if key in self.seen:
            return False
        self.seen.add(key)
        column = Column(person, shifts, cost, self.first + len(self.columns))
        self.of_person[person].append(len(self.columns))
        self.columns.append(column)
        self._pending.append(column)
        return True

    def _flush(self) -> None:
        if not self._pending:
            return
        starts: list[int] = []
        rows: list[int] = []
        costs: list[float] = []
        for column in self._pending:
            starts.append(len(rows))
            rows.append(column.person)
            days, shifts = worked(column.shifts)
            rows.extend((self.n + days * self.dec.shifts + shifts).tolist())
            costs.append(column.cost)
        k = len(self._pending)
        self.h.addCols(
            k,
            np.array(costs),
            np.zeros(k),
            np.full(k, highspy.kHighsInf),
            len(rows),
            np.array(starts, np.int32),
            np.array(rows, np.int32),
            np.ones(len(rows)),
        )
        self._pending = []

    def cover_cost(self) -> float:
        """What the last solution pays for under- and over-cover (its slack columns)."""
        cells = self.dec.days * self.dec.shifts
        slacks = np.array(self.h.getSolution().col_value[: 2 * cells])
        weights = np.concatenate([self.dec.under.reshape(-1), self.dec.over.reshape(-1)])
        return float(slacks @ weights)

    def ban(self, i: int) -> None:
        """Column i may no longer be used (it breaks a dive's fixing)."""
        self.h.changeColBounds(self.columns[i].index, 0.0, 0.0)

    def allow(self, i: int) -> None:
        self.h.changeColBounds(self.columns[i].index, 0.0, highspy.kHighsInf)

    def _solve_first(self) -> None:
        """The first solve has no basis to start from: the interior-point method and a
                crossover to a basis beat the primal simplex from scratch on a large first pool
        ; later solves
                start from that basis."""
        self.h.setOptionValue("solver", "ipm")
        self.h.setOptionValue("run_crossover", "on")
        try:
            self.h.run()
        finally:
            self.h.setOptionValue("solver", "simplex")

    def solve(self) -> tuple[float, np.ndarray, np.ndarray]:
        """(objective, cover duals [D, S], person duals [n])."""
        self._flush()
        if self.h.getBasis().valid:
            self.h.run()
        else:
            self._solve_first()
        self.work += self._work_of_last_run()
        solution = self.h.getSolution()
        row_duals = np.array(solution.row_dual)
        self.values = np.array(solution.col_value)[self.first :]
        objective = self.h.getInfo().objective_function_value
        cover = row_duals[self.n :].reshape(self.dec.days, self.dec.shifts)
        return objective, cover, row_duals[: self.n]

    def _work_of_last_run(self) -> float:
        """An estimate of the last solve's work from the iterations HiGHS reports: each costs
        about as much as the rows of the master."""
        info = self.h.getInfo()
        iterations = (
            max(0, info.simplex_iteration_count)
            + max(0, info.ipm_iteration_count)
            + max(0, info.crossover_iteration_count)
        )
        rows = self.h.getNumRow()
        return self.WORK_PER_SOLVE + self.WORK_PER_ITERATION_ROW * iterations * rows
