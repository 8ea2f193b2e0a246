"""Column generation: a first roster for pure rostering problems, built from whole schedules.

The compact CP-SAT model sees one (person, day, shift) at a time; its linear relaxation knows
little of the rules on runs of days, so on the harder Curtois instances the neighbourhood search
wanders far from the optimum (Curtois 12 ended 9-17 % above the best known value). Here every
person's schedule is one column of a master linear program (each person takes one schedule,
each (day, shift) is covered as asked, under- and over-cover pay their weights); a dynamic
program (`pricing.py`) finds each person's best schedule under the master's prices. Its bound is
near-tight (Curtois 12: 4040.0, the best known value; 13: 1348.0, likewise). From the settled
master:

1. dives fix the (person, day) cells the master has nearly decided, price again under those
   fixings, and repeat until every person has one schedule; each dive ends elsewhere;
2. CP-SAT then picks one schedule per person among every column generated on the way (the
   dives' columns make that pool rich enough to combine well).

The problem comes decomposed person by person (`decomposition.py`); `solve.py` decides when.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np
from ortools.sat.python import cp_model

from rounds.engine import stop
from rounds.engine.roster.decomposition import Decomposition, decompose, wishes, worked
from rounds.engine.roster.pricing import Pricer
from rounds.engine.roster.problem import Problem

FIX_LEVEL = 0.9  # a dive fixes a cell once this much of a person's weight works it
# After the warm-up a root master settles in 4-27 rounds on Curtois 8-16 (8: 27, 12: 13, 13: 4,
# 14: 21, 15: 25; 41-54 without it); fewer than that left in the time at the pace so far, and
# the root gives up early.
SETTLING_ROUNDS = 20
# The root's forecast does not give up on a master this close to its bound. Curtois 13 at 60 s
# (session 14): seeds 1 and 7 were 5.1 % and 6.5 % away after five rounds and gave up at 0.05
# with 9.7 and 15.9 s of the root's half left; at 0.1 they settled one and two rounds (0.2 and
# 0.9 s) later.
NEARLY_SETTLED = 0.1
# Best replies price at a master's duals once its exact pricing puts it within this share of its
# bound, else at the warm-up's last prices: Curtois 13 with one master round (12 151 below a
# master at 1428) replied no better than the greedy roster (9772); within 1-15 % they reach
# 1559-1670.
TRUSTED = 0.5
DIVE_PACE = 8  # each step of a dive fixes at least one in this many undecided people
# A best reply weighs the master's dual prices this many times the cover's true marginal cost
# (Curtois 13, session 7 without noise, three orders each: 1 and 3 reach 2228-2921; one order:
# 0 stops at 4024, 1000 at 3449; with noise, 30 s: 2 1653-1761, 3 1653-1683, 5 1661-1667).
REPLY_BLEND = 3.0
# A uniform draw up to this share of the largest under-cover weight is added to each cell's
# price at each reply: ties and near ties go a different way each time (Curtois, where that
# weight is 100; 13 in 30 s from a settled master's rounding: 0.0001 2027-2114, 0.005 1706,
# 0.01 1721, 0.02 1662-1683, 0.05 1825; 12 in 12 s: 4107 against 4272 at 0.0001).
REPLY_NOISE = 0.02
# Every this many rounds a chain of replies more than level (SAME_GAPS) behind the best roster of
# all chains continues from that roster (60 s, two chains; rounds of 0.3-0.4 s on 13). Curtois
# 15: 3973, 3985 and 4083 (seeds 0, 1 and the bench run) against 4068-4093 in five runs without.
REJOIN_EVERY = 2
# Two costs closer than this share of the largest under-cover weight (half a missing person on
# Curtois) are level: the same gaps, different wishes. A chain of replies rejoins only a roster
# more than level ahead of its own, so chains level in their gaps keep their own walks: a better
# roster of Curtois 13 is one gap fewer, found by one walk in many seconds, and two walks find it
# more often than one walk followed twice (13 at 60 s, seeds 0-11: 1447-1569, mean 1508, five
# under 1483, against 1465-1699, mean 1548, three, when any better roster drew the other chain;
# 15: 4170, 4072). Replies stop at a roster whose cover is level with the settled root master's:
# the gaps left are what the master leaves, and the neighbourhood search is the better hand at
# the wishes (13, 15 s from an 11-gap roster: 1509 to 1482 and 1521 to 1503; replies from the
# first, 1490-1506). Both at 60 s, seeds 0-11: 1430-1577 (mean 1487, eight under 1483); 15: 4072,
# 4080; 12 at 15 s: 4092, 4079 (4089, 4072 before). The same code on another day, seeds 0-9:
# 1438-1643 (mean 1534, three under): whether a walk leaves the 12-gap plateau is still a draw.
SAME_GAPS = 0.5
# A best reply pays this share of the largest under-cover weight (5 on Curtois) for a weekend
# worked on one day only, when the person has a maximum of weekends: such a weekend spends a
# whole weekend of the maximum on one day's cover. Curtois 13 keeps every weekend maximum full,
# and its weekend shorts are its one-day weekends less 18 plus its weekend cells covered beyond
# need; the master has 29 one-day weekends, the replies' rosters had 31. From one settled root,
# 24 s of replies, four seeds: 1452-1650 (mean 1555) at 0.03, 1460-1651 (1540) at 0.05,
# 1454-1669 (1544) at 0.1, against 1635-1749 without; at 0.5 the weekdays go short (2911, 3105).
# In the engine at 60 s: 1465-1699 (mean 1548) over seeds 0-11, against 1538-1731 (mean 1638)
# over seeds 0-5 without.
WEEKEND_SPLIT = 0.05
WARM_UP = 25  # Lagrangian steps before the first master (Curtois 13: 3-17 rounds after them)


class NoSchedule(Exception):
    """A person has no schedule that keeps their own rules: the problem has no roster, and
    the compact model says why in words (`explain.py`)."""

    def __init__(self, person: int) -> None:
        super().__init__(f"person {person} has no schedule that keeps their rules")
        self.person = person


# ---------------------------------------------------------------- the master linear program


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
    re-solve still takes hundreds of pivots (Curtois 13: about 1200 after adding 3 columns); on
    the largest instances the master, not the pricing, is what takes the time."""

    ARTIFICIAL = 1e7  # a person without a schedule yet: never part of a solution that has one

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
        (Curtois 13, 3221 columns after the warm-up: 2.0 s against 4.7 s); later solves
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
        solution = self.h.getSolution()
        row_duals = np.array(solution.row_dual)
        self.values = np.array(solution.col_value)[self.first :]
        objective = self.h.getInfo().objective_function_value
        cover = row_duals[self.n :].reshape(self.dec.days, self.dec.shifts)
        return objective, cover, row_duals[: self.n]


@dataclass
class _Replies:
    """What every reply is priced with: the cover duals [D, S], the noise's range and, per
    person, the price of each day's change between work and rest [D] (WEEKEND_SPLIT; None for
    a person without a maximum of weekends)."""

    duals: np.ndarray
    noise: float
    switch: list[np.ndarray | None]


@dataclass
class _Chain:
    """One run of best replies: its roster [n, D], that roster's cover [D, S], its own random
    draws and its own pricers (one per person)."""

    schedule: np.ndarray
    count: np.ndarray
    rng: np.random.Generator
    pricers: list[Pricer]


# ---------------------------------------------------------------- the search


class ColumnSearch:
    """Root column generation, a dive to one schedule per person, and CP-SAT combining the
    pool of schedules. Each step stops at its deadline (time.monotonic())."""

    def __init__(self, problem: Problem, workers: int = 2, seed: int = 0) -> None:
        self.dec = decompose(problem)
        self.n = len(self.dec.people)
        self.pricers = [Pricer(self.dec, rules) for rules in self.dec.people]
        self.master = Master(self.dec)
        self.workers = max(1, workers)
        self.pool = ThreadPoolExecutor(self.workers)
        self.rng = np.random.default_rng(seed)
        self.fixed = np.full((self.n, self.dec.days), -1, np.int64)
        self.banned = np.zeros((self.n, self.dec.days, self.dec.shifts), np.bool_)
        self.bound: float | None = None  # a proven lower bound (pricing exact), if any
        self.best: np.ndarray | None = None  # [n, D] shift per day
        self.best_cost: float | None = None
        self.first_found: float | None = None  # time.monotonic() of the first schedule
        self.rounds = 0
        self.dives_done = 0
        self.last_below: float | None = None
        self.support: np.ndarray | None = None
        # [D, S] the prices best replies use: the last trusted master's duals (TRUSTED), or the
        # warm-up's last prices
        self.duals: np.ndarray | None = None
        # what the settled root master pays for cover: best replies stop at a roster level with it
        self.cover_target: float | None = None
        # one missing person at the dearest cell: the unit of gaps, level costs and reply noise
        self.gap_weight = float(self.dec.under.max(initial=0.0))
        self.reply_pricers: list[list[Pricer]] = []  # the second worker's on, for best replies
        self.lock = threading.Lock()  # chains of best replies share the master and the best

    def close(self) -> None:
        self.pool.shutdown()

    # ------------------------------------------------------------ schedules and their cost

    def cost(self, schedule: np.ndarray) -> float:
        """The objective of a schedule ([n, D] shift per day): wishes plus cover."""
        dec = self.dec
        total = sum(wishes(rules, schedule[p]) for p, rules in enumerate(dec.people))
        return total + self._cover_cost(schedule)

    def _cover_cost(self, schedule: np.ndarray) -> float:
        dec = self.dec
        count = self._cover(schedule)
        short = np.maximum(dec.required - count, 0)
        extra = np.maximum(count - dec.required, 0)
        return float((short * dec.under).sum() + (extra * dec.over).sum())

    def _cover(self, schedule: np.ndarray) -> np.ndarray:
        """[D, S]: how many people a schedule ([n, D] shift per day) puts on each cell."""
        count = np.zeros((self.dec.days, self.dec.shifts), np.int64)
        for row in schedule:
            count[worked(row)] += 1
        return count

    def offer_cells(self, cells: set[tuple[int, int, int]]) -> None:
        """A schedule found elsewhere, as its worked (person, day, shift) cells."""
        schedule = np.full((self.n, self.dec.days), -1, np.int64)
        for p, d, s in cells:
            schedule[p, d] = s
        self._offer(schedule)

    def _offer(self, schedule: np.ndarray) -> None:
        if self.first_found is None:
            self.first_found = time.monotonic()
        value = self.cost(schedule)
        if self.best_cost is None or value < self.best_cost - 1e-9:
            self.best, self.best_cost = schedule.copy(), value

    # ------------------------------------------------------------ column generation

    def _greedy(self, order: list[int]) -> np.ndarray:
        """Each person in turn takes their best schedule against the cover still missing."""
        dec = self.dec
        missing = dec.required.astype(float)
        schedule = np.full((self.n, dec.days), -1, np.int64)
        for p in order:
            prices = np.where(missing > 0, dec.under, -dec.over)
            found = self.pricers[p].price(prices)
            if found is None:
                raise NoSchedule(p)
            shifts = found[1]
            missing[worked(shifts)] -= 1
            schedule[p] = shifts
            self.master.add(p, shifts, found[0])
        return schedule

    def _price_all(self, duals: np.ndarray, alpha: np.ndarray, people: list[int]) -> int:
        def one(p: int) -> tuple[float, np.ndarray] | None:
            return self.pricers[p].price(duals, self.fixed[p], self.banned[p])

        added = 0
        below = 0.0  # the reduced costs found: with exact pricing, objective + below is a bound
        for p, found in zip(people, self.pool.map(one, people), strict=True):
            if found is None:
                continue
            cost, shifts = found
            reduced = cost - float(duals[worked(shifts)].sum()) - alpha[p]
            below += min(0.0, reduced)
            if reduced < -1e-6:
                added += self.master.add(p, shifts, cost)
        self.last_below = below if all(self.pricers[p].exact for p in people) else None
        return added

    def _converge(
        self,
        deadline: float,
        people: list[int],
        bound: bool = False,
        forecast: bool = False,
    ) -> float | None:
        """Price until no schedule improves the master (or the master stalls); its value.
        With `bound` (nothing fixed), every round with exact pricing offers a lower bound.
        With `forecast`, give up (None) as soon as the rounds still to come will not fit
        before the deadline at the pace so far."""
        last: list[float] = []
        started = time.monotonic()
        while time.monotonic() < deadline:
            stop.check()
            distance = self._distance_to_bound(last[-1]) if last else None
            if forecast and len(last) >= 5 and (distance is None or distance > NEARLY_SETTLED):
                pace = (time.monotonic() - started) / len(last)
                if pace * max(10, SETTLING_ROUNDS - len(last)) > deadline - time.monotonic():
                    return None
            objective, duals, alpha = self.master.solve()
            self.rounds += 1
            last.append(objective)
            added = self._price_all(duals, alpha, people)
            distance = self._distance_to_bound(objective)
            if distance is None or distance <= TRUSTED:
                self.duals = duals
            if bound and self.last_below is not None:
                lower = objective + self.last_below
                self.bound = lower if self.bound is None else max(self.bound, lower)
            if not added:
                return objective
            if len(last) >= 4 and last[-4] - objective < 1e-3 * max(1.0, abs(objective)):
                return objective  # tailing off: the last few rounds gained almost nothing
        return None

    def _distance_to_bound(self, objective: float) -> float | None:
        """How far below a master of this value the last round's exact pricing put its bound,
        as a share of the value; None when that pricing was not exact. Within NEARLY_SETTLED
        the rounds left are few, whatever the pace so far (Curtois 13 after five rounds: 1349.0
        against a bound of 1304-1346); past TRUSTED the duals are no guide for best replies."""
        if self.last_below is None:
            return None
        return -self.last_below / max(1.0, abs(objective))

    def root(self, deadline: float) -> float | None:
        """Greedy first columns (two orders), Lagrangian warm-up columns, then column
        generation to convergence. The master's value (the bound of the decomposition, when
        pricing is exact), or None when the deadline came first."""
        first = self._greedy(list(range(self.n)))
        self._offer(first)
        # [engineyear hook] the second greedy order only while the root has time: a year's
        # window with a few seconds gets its first roster from one (horizon.py).
        if time.monotonic() < deadline:
            self._offer(self._greedy(list(self.rng.permutation(self.n))))
        self.warm_up(deadline)
        value = self._converge(deadline, list(range(self.n)), bound=True, forecast=True)
        self.support = self._support()
        if value is not None:
            self.cover_target = self.master.cover_cost()
        return value

    def warm_up(self, deadline: float, iterations: int = WARM_UP) -> None:
        """Subgradient steps on the cover prices, each person pricing at every step, every
        schedule found a column. The master alone starts from prices at their extremes (a
        missing person costs 100, an extra one 1: everyone works all they may, then nobody)
        and walks down for 50 rounds; the spread of schedules from these cheap steps, with no
        linear program between them, lets it settle in a handful (Curtois 13: 15-20 s to the
        settled master instead of 64 s). Each step's value is a lower bound when the pricing
        is exact."""
        dec = self.dec
        prices = np.zeros((dec.days, dec.shifts))
        step_size, best, since = 1.0, -math.inf, 0
        target = self.best_cost if self.best_cost is not None else 0.0
        for _ in range(iterations):
            if time.monotonic() >= deadline:
                return
            value, cover = self._lagrangian(prices)
            self.duals = prices
            if value > best + 1e-6:
                best, since = value, 0
            else:
                since += 1
                if since >= 4:  # no progress: shorter steps
                    step_size, since = step_size / 2, 0
            missing = dec.required - cover
            norm = float((missing * missing).sum())
            if norm == 0:
                return  # these prices cover exactly as asked: nothing to move
            step = step_size * max(target - value, 1.0) / norm
            prices = np.clip(prices + step * missing, -dec.over, dec.under)

    def _lagrangian(self, prices: np.ndarray) -> tuple[float, np.ndarray]:
        """Every person's best schedule at these cover prices, each added to the master; the
        Lagrangian value and the cover [D, S] of those schedules."""
        dec = self.dec
        cover = np.zeros((dec.days, dec.shifts))
        value = float((dec.required * prices).sum())
        exact = True
        for p, found in enumerate(
            self.pool.map(lambda p: self.pricers[p].price(prices), range(self.n))
        ):
            exact = exact and self.pricers[p].exact
            if found is None:
                raise NoSchedule(p)
            cost, shifts = found
            cells = worked(shifts)
            cover[cells] += 1
            value += cost - float(prices[cells].sum())
            self.master.add(p, shifts, cost)
        if exact:
            self.bound = value if self.bound is None else max(self.bound, value)
        return value, cover

    def _support(self) -> np.ndarray:
        """[n, D, S]: the cells some schedule of the master's solution works."""
        cells = np.zeros((self.n, self.dec.days, self.dec.shifts), np.bool_)
        values = self.master.values
        for i, column in enumerate(self.master.columns):
            if i < len(values) and values[i] > 1e-6:
                cells[column.person][worked(column.shifts)] = True
        return cells

    @property
    def proven(self) -> bool:
        """The best schedule is as good as the bound allows."""
        return (
            self.bound is not None
            and self.best_cost is not None
            and self.best_cost <= math.ceil(self.bound - 1e-6)
        )

    # ------------------------------------------------------------ best replies

    def best_replies(
        self, deadline: float, patience: float | None = None, near_patience: float | None = None
    ) -> None:
        """Local search from the master's rounding: each person in turn takes their best schedule
        against everyone else's, priced by the master's duals blended with what the cover really
        gains or loses (REPLY_BLEND), plus a little noise (REPLY_NOISE); round after round until the
        deadline, until `patience` seconds pass without a better roster (`near_patience` while its
        cover is within a gap of the settled master's), or until the best roster's cover is level
        with the master's (SAME_GAPS): the wishes left are the neighbourhood search's to mend. The
        duals keep the replies near the master's optimum, where a roster of its value lies when the
        bound is tight; the true marginal cost makes each reply fill the gaps the others leave; the
        noise lets a person move to an equally good schedule, which frees a shift for the next
        person to take (without it the replies stop where no single person gains); a weekend worked
        on one day costs a little (WEEKEND_SPLIT). Each worker runs its own chain of rounds from the
        same start with its own draws, and the best roster of any is kept (Curtois 13 at 60 s, two
        chains: 1559-1670 over three seeds, against 1769-1869 with one); a chain more than level
        behind it continues from it (REJOIN_EVERY). When a short limit ended the root inside the
        warm-up, no master was solved: the replies start from the best roster (the greedy one) at
        the warm-up's last prices, and so do replies after a master still far from its bound
        (TRUSTED). Every reply is a column of the master too."""
        duals = self.duals
        start = self.chosen() if len(self.master.values) else self.best
        if duals is None or start is None:
            return  # neither the warm-up nor the master got to prices
        split = np.where(self.dec.weekend_second, WEEKEND_SPLIT * self.gap_weight, 0.0)
        switch = [split if rules.weekends_max >= 0 else None for rules in self.dec.people]
        replies = _Replies(duals, REPLY_NOISE * self.gap_weight, switch)
        chains = [
            _Chain(start.copy(), self._cover(start), np.random.default_rng(seed), pricers)
            for seed, pricers in zip(
                self.rng.integers(2**32, size=self.workers), self._chain_pricers(), strict=True
            )
        ]
        near_patience = patience if near_patience is None else near_patience
        list(
            self.pool.map(
                lambda chain: self._reply(chain, replies, deadline, patience, near_patience),
                chains,
            )
        )

    def _chain_pricers(self) -> list[list[Pricer]]:
        """A set of pricers per worker: a pricer's work buffers are its own, so two chains
        must not price one person with the same pricer at once. Built the first time."""
        while len(self.reply_pricers) < self.workers - 1:
            self.reply_pricers.append([Pricer(self.dec, rules) for rules in self.dec.people])
        return [self.pricers, *self.reply_pricers]

    def _reply(
        self,
        chain: _Chain,
        replies: _Replies,
        deadline: float,
        patience: float | None,
        near_patience: float | None,
    ) -> None:
        """One chain of reply rounds from its start until the deadline, `patience` seconds
        (`near_patience` within a gap of the master's cover) without a better roster, or a
        roster whose cover is level with the master's; each better roster is offered."""
        best, since = math.inf, time.monotonic()
        for done in itertools.count(1):
            if time.monotonic() >= deadline:
                return
            gaps = self.gaps_from_master()
            if gaps is not None and gaps < SAME_GAPS:
                return  # level with the master's cover
            near = gaps is not None and gaps < 1 + SAME_GAPS
            waited = near_patience if near else patience
            if waited is not None and time.monotonic() - since > waited:
                return
            self._reply_round(chain, replies, deadline)
            value = self.cost(chain.schedule)
            if value < best - 1e-9:
                best, since = value, time.monotonic()
                with self.lock:
                    self._offer(chain.schedule)
            if done % REJOIN_EVERY == 0:
                best = min(best, self._rejoin(chain, value))

    def gaps_from_master(self) -> float | None:
        """How many gaps (the largest under-cover weight) the best roster's cover is behind the
        settled root master's; None before both exist."""
        with self.lock:
            best = self.best
        if self.cover_target is None or best is None:
            return None
        return (self._cover_cost(best) - self.cover_target) / max(self.gap_weight, 1e-9)

    def _level(self) -> float:
        """Costs closer than this are level (SAME_GAPS)."""
        return max(SAME_GAPS * self.gap_weight, 1e-9)

    def _rejoin(self, chain: _Chain, value: float) -> float:
        """A chain whose roster (of this value) is more than level behind the best roster
        found continues from that one (REJOIN_EVERY, SAME_GAPS); the value it continues from."""
        behind = self._level()
        with self.lock:
            if self.best is None or self.best_cost is None:
                return value
            if self.best_cost > value - behind:
                return value
            chain.schedule[:] = self.best
            joined = self.best_cost
        chain.count[:] = self._cover(chain.schedule)
        return joined

    def _reply_round(self, chain: _Chain, replies: _Replies, deadline: float) -> None:
        """Every person in random order replies to the others (the chain's schedule and cover
        change in place)."""
        dec = self.dec
        schedule, count = chain.schedule, chain.count
        for p in chain.rng.permutation(self.n):
            if time.monotonic() >= deadline:
                return  # a year's round of replies is long: stop mid-round
            count[worked(schedule[p])] -= 1
            marginal = np.where(count < dec.required, dec.under, -dec.over)
            prices = (REPLY_BLEND * replies.duals + marginal) / (REPLY_BLEND + 1)
            prices += replies.noise * chain.rng.random(prices.shape)
            found = chain.pricers[p].price(prices, self.fixed[p], self.banned[p], replies.switch[p])
            if found is not None and not np.array_equal(found[1], schedule[p]):
                schedule[p] = found[1]
                with self.lock:
                    self.master.add(p, found[1], found[0])
            count[worked(schedule[p])] += 1

    # ------------------------------------------------------------ dive

    def dives(self, deadline: float) -> None:
        """Dive again and again from the root until the deadline: each dive ends in a different
        place (the fixing level varies, and the pool grows), and each adds the columns of its
        way down (Curtois 8: 15 dives ended between 1309 and 1509)."""
        level, share = FIX_LEVEL, 1.0
        while time.monotonic() < deadline and not self.proven:
            self.dive(deadline, level, share)
            self.dives_done += 1
            if (self.fixed < 0).all():
                # The master chose one whole schedule per person before any fixing: every
                # further dive would end on the same roster (Curtois 12: a thousand of them).
                return
            self._undo_fixings()
            level = float(self.rng.uniform(0.6, 0.97))
            share = float(self.rng.uniform(0.3, 1.0))

    def _undo_fixings(self) -> None:
        self.fixed[:] = -1
        self.banned[:] = False
        for i in range(len(self.master.columns)):
            self.master.allow(i)

    def dive(self, deadline: float, level: float = FIX_LEVEL, share: float = 1.0) -> bool:
        """Fix what the master has nearly decided, price again, repeat: one schedule per person.
        With `share` < 1 only that share of the undecided people (drawn at random) is fixed at
        each step: a slower dive that ends elsewhere. Past the deadline each undecided person
        takes their heaviest schedule; False then."""
        while True:
            if time.monotonic() >= deadline or (
                self._converge(deadline, self._open_people()) is None
            ):
                self.round()
                return False
            open_people = self._open_people()
            if not open_people:
                self._offer(self.chosen())
                return True
            if self._stuck(open_people):
                self.round()  # fixings no schedule of someone keeps: this dive ends here
                return False
            if share < 1.0:
                count = max(1, round(share * len(open_people)))
                open_people = sorted(self.rng.permutation(open_people)[:count].tolist())
            self._ban_broken_columns(self._fix_some(open_people, level))

    def round(self) -> None:
        """Offer the schedule where each person takes their heaviest column of the master's
        last solution (every column keeps its person's rules, so this is always a roster)."""
        if len(self.master.values):
            self._offer(self.chosen())

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

    def chosen(self) -> np.ndarray:
        """[n, D]: each person's heaviest column in the master's last solution."""
        values = self.master.values
        schedule = np.full((self.n, self.dec.days), -1, np.int64)
        for p in range(self.n):
            mine = [i for i in self.master.of_person[p] if i < len(values)]
            best = max(mine, key=lambda i: values[i])
            schedule[p] = self.master.columns[best].shifts
        return schedule

    def _fix_some(self, people: list[int], level: float) -> set[int]:
        """Fix cells for at least one in eight of these people, lowering the level as far as
        one half, then whole columns. The master has many optima (Curtois 13 stays at 1348.0
        through a whole dive), so one person at a time would take 600 rounds (450 s)."""
        wanted = max(1, len(people) // DIVE_PACE)
        changed: set[int] = set()
        while len(changed) < wanted and level >= 0.5:
            changed |= self._fix_cells([p for p in people if p not in changed], level)
            level *= 0.9
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
        chosen = [self.master.columns[i] for _value, i in heaviest[: max(1, len(people) // 8)]]
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

    # ------------------------------------------------------------ combining the pool

    def combine(self, deadline: float) -> None:
        """CP-SAT picks one schedule per person from every column generated so far, starting
        from the best schedule known."""
        if self.best is not None:
            for p in range(self.n):
                self.master.add(p, self.best[p], wishes(self.dec.people[p], self.best[p]))
        options = [[self.master.columns[i] for i in mine] for mine in self.master.of_person]
        picked = _pick(options, self.dec, self.dec.required, self.best, deadline, self.workers)
        if picked is not None:
            self._offer(picked)


def _pick(
    options: list[list[Column]],
    dec: Decomposition,
    required: np.ndarray,
    start: np.ndarray | None,
    deadline: float,
    workers: int,
) -> np.ndarray | None:
    """CP-SAT: one of its options (columns) per person, each (day, shift) covered as required
    or paying its weights; from `start` ([person, day] shift, if given). The schedule, or None
    when none was found in time."""
    limit = deadline - time.monotonic()
    if limit <= 0.05:
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
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    with stop.watching(solver):
        status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    schedule = np.full((len(options), dec.days), -1, np.int64)
    for p, mine in enumerate(options):
        for column, var in zip(mine, use[p], strict=True):
            if solver.value(var):
                schedule[p] = column.shifts
    return schedule
