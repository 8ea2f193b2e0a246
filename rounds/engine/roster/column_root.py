"""The column search's root: greedy rosters, the Lagrangian warm-up, column generation to a settled
master (its value a lower bound when pricing is exact), and the master's rounding.

`RootSearch` holds the state every later step shares (the master, the pricers, the fixings, the
best roster); `dives.py` and `replies.py` build on it and `columns.ColumnSearch` joins them."""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from rounds.engine import stop
from rounds.engine.clock import WALL, Clock
from rounds.engine.roster.decomposition import decompose, wishes, worked
from rounds.engine.roster.master import Master
from rounds.engine.roster.pricing import Pricer
from rounds.engine.roster.problem import Problem
from rounds.engine.roster.settings import DEFAULT_SETTINGS, SearchSettings


class NoSchedule(Exception):
    """A person has no schedule that keeps their own rules: the problem has no roster, and
    the compact model says why in words (`explain.py`)."""

    def __init__(self, person: int) -> None:
        super().__init__(f"person {person} has no schedule that keeps their rules")
        self.person = person


class RootSearch:
    """Column generation at the root, and the best roster found by any step. Each step stops at
    its deadline on the search's clock (`rounds.engine.clock`). Pricing threads note their work
    on their pricers and the master on itself; the coordinating thread charges the clock with
    it between steps (`charge`), so a work clock reads the same whatever the threads' timing,
    and deadlines are only read there."""

    def __init__(
        self,
        problem: Problem,
        workers: int = 2,
        seed: int = 0,
        settings: SearchSettings = DEFAULT_SETTINGS,
        clock: Clock = WALL,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.dec = decompose(problem)
        self.n = len(self.dec.people)
        self.pricers = [Pricer(self.dec, rules, settings) for rules in self.dec.people]
        self.master = Master(self.dec)
        self.workers = max(1, workers)
        self.pool = ThreadPoolExecutor(self.workers)
        self.rng = np.random.default_rng(seed)
        self.fixed = np.full((self.n, self.dec.days), -1, np.int64)
        self.banned = np.zeros((self.n, self.dec.days, self.dec.shifts), np.bool_)
        self.bound: float | None = None  # a proven lower bound (pricing exact), if any
        self.best: np.ndarray | None = None  # [n, D] shift per day
        self.best_cost: float | None = None
        self.first_found: float | None = None  # the clock's time of the first schedule
        self.rounds = 0
        self.dives_done = 0
        self.reply_rounds = 0  # rounds of best replies, every chain's
        self.last_below: float | None = None
        self.support: np.ndarray | None = None
        # [D, S] the prices best replies use: the last trusted master's duals (`trusted`), or the
        # warm-up's last prices
        self.duals: np.ndarray | None = None
        # what the settled root master pays for cover: best replies stop at a roster level with it
        self.cover_target: float | None = None
        # one missing person at the dearest cell: the unit of gaps, level costs and reply noise
        self.gap_weight = float(self.dec.under.max(initial=0.0))
        self.reply_pricers: list[list[Pricer]] = []  # the second worker's on, for best replies

    def close(self) -> None:
        self.pool.shutdown()

    def charge(self) -> None:
        """Move the clock by the work the pricers and the master noted since the last charge
        (summed in a fixed order; only the coordinating thread calls this)."""
        work = self.master.work
        self.master.work = 0.0
        for pricer in itertools.chain(self.pricers, *self.reply_pricers):
            work += pricer.work
            pricer.work = 0.0
        self.clock.tick(work)

    def now(self) -> float:
        return self.clock.now()

    def cost(self, schedule: np.ndarray) -> float:
        """The objective of a schedule ([n, D] shift per day): wishes plus cover."""
        dec = self.dec
        total = sum(wishes(rules, schedule[p]) for p, rules in enumerate(dec.people))
        return total + self.cover_cost_of(schedule)

    def cover_cost_of(self, schedule: np.ndarray) -> float:
        dec = self.dec
        count = self.cover_of(schedule)
        short = np.maximum(dec.required - count, 0)
        extra = np.maximum(count - dec.required, 0)
        return float((short * dec.under).sum() + (extra * dec.over).sum())

    def cover_of(self, schedule: np.ndarray) -> np.ndarray:
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
        self.offer(schedule)

    def offer(self, schedule: np.ndarray) -> None:
        if self.first_found is None:
            self.first_found = self.clock.now()
        value = self.cost(schedule)
        if self.best_cost is None or value < self.best_cost - 1e-9:
            self.best, self.best_cost = schedule.copy(), value

    def greedy(self, order: list[int]) -> np.ndarray:
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
        self.charge()
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
        self.charge()
        self.last_below = below if all(self.pricers[p].exact for p in people) else None
        return added

    def converge(
        self,
        deadline: float,
        people: list[int],
        bound: bool = False,
        forecast: bool = False,
        rounds: int | None = None,
    ) -> float | None:
        """Price until no schedule improves the master (or the master stalls); its value.
        With `bound` (nothing fixed), every round with exact pricing offers a lower bound.
        With `forecast`, give up (None) as soon as the rounds still to come will not fit
        before the deadline at the pace so far. `rounds` caps the master rounds (a budget that
        does not depend on the machine's speed, for tests)."""
        knobs = self.settings
        last: list[float] = []
        started = self.now()
        while self.now() < deadline and (rounds is None or len(last) < rounds):
            stop.check()
            distance = self._distance_to_bound(last[-1]) if last else None
            if (
                forecast
                and len(last) >= knobs.forecast_after
                and (distance is None or distance > knobs.nearly_settled)
            ):
                pace = (self.now() - started) / len(last)
                rounds_left = max(knobs.forecast_rounds_left, knobs.settling_rounds - len(last))
                if pace * rounds_left > deadline - self.now():
                    return None
            objective, duals, alpha = self.master.solve()
            self.charge()
            self.rounds += 1
            last.append(objective)
            added = self._price_all(duals, alpha, people)
            distance = self._distance_to_bound(objective)
            if distance is None or distance <= knobs.trusted:
                self.duals = duals
            if bound and self.last_below is not None:
                lower = objective + self.last_below
                self.bound = lower if self.bound is None else max(self.bound, lower)
            if not added:
                return objective
            tail = knobs.tailing_rounds
            if len(last) >= tail and last[-tail] - objective < knobs.tailing_gain * max(
                1.0, abs(objective)
            ):
                return objective  # tailing off: the last few rounds gained almost nothing
        return None

    def _distance_to_bound(self, objective: float) -> float | None:
        """How far below a master of this value the last round's exact pricing put its bound,
        as a share of the value; None when that pricing was not exact. Within `nearly_settled`
        the rounds left are few, whatever the pace so far; past `trusted` the duals are no guide
        for best replies."""
        if self.last_below is None:
            return None
        return -self.last_below / max(1.0, abs(objective))

    def root(self, deadline: float) -> float | None:
        """Greedy first columns (two orders), Lagrangian warm-up columns, then column
        generation to convergence. The master's value (the bound of the decomposition, when
        pricing is exact), or None when the deadline came first."""
        first = self.greedy(list(range(self.n)))
        self.offer(first)
        # The second greedy order only while the root has time: a year's window with a few
        # seconds gets its first roster from one (horizon.py).
        if self.now() < deadline:
            self.offer(self.greedy(list(self.rng.permutation(self.n))))
        self.warm_up(deadline)
        value = self.converge(deadline, list(range(self.n)), bound=True, forecast=True)
        self.support = self._support()
        if value is not None:
            self.cover_target = self.master.cover_cost()
        return value

    def warm_up(self, deadline: float, iterations: int | None = None) -> None:
        """Subgradient steps on the cover prices, each person pricing at every step, every
        schedule found a column. The master alone starts from prices at their extremes (a
        missing person costs 100, an extra one 1: everyone works all they may, then nobody)
        and walks down for many rounds; the spread of schedules from these cheap steps, with no
        linear program between them, lets it settle in a handful. Each step's value is a lower
        bound when the pricing is exact."""
        dec = self.dec
        if iterations is None:
            iterations = self.settings.warm_up
        prices = np.zeros((dec.days, dec.shifts))
        step_size, best, since = 1.0, -math.inf, 0
        target = self.best_cost if self.best_cost is not None else 0.0
        for _ in range(iterations):
            if self.now() >= deadline:
                return
            value, cover = self._lagrangian(prices)
            self.duals = prices
            if value > best + 1e-6:
                best, since = value, 0
            else:
                since += 1
                if since >= self.settings.warm_up_patience:  # no progress: shorter steps
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
        self.charge()
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

    def round(self) -> None:
        """Offer the schedule where each person takes their heaviest column of the master's
        last solution (every column keeps its person's rules, so this is always a roster)."""
        if len(self.master.values):
            self.offer(self.chosen())

    def chosen(self) -> np.ndarray:
        """[n, D]: each person's heaviest column in the master's last solution."""
        values = self.master.values
        schedule = np.full((self.n, self.dec.days), -1, np.int64)
        for p in range(self.n):
            mine = [i for i in self.master.of_person[p] if i < len(values)]
            best = max(mine, key=lambda i: values[i])
            schedule[p] = self.master.columns[best].shifts
        return schedule
