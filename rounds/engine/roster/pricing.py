"""One person's cheapest schedule under given cell costs: a dynamic program over the days.

Column generation (`columns.py`) asks, many times a second, "what is the best whole-horizon
schedule for this person if covering (day, shift) is worth so much?". This dynamic program,
compiled by numba, answers it exactly and far faster than CP-SAT on the same question.

A state at the end of a day is (class of the last shift, length of the current run of working
days, minutes so far, weekends so far, counts of the shift types counted exactly) for a working
day, and (length of the current run of days off, minutes, weekends, counts) for a day off. The
class of a shift is the set of shifts that may not follow it the next day: shifts of one class
are interchangeable for the rules. Minutes are in units of the shifts' greatest common divisor.

What the states hold exactly: forbidden successions, the minimum and maximum run of working days,
the minimum run of days off (runs that touch the start or end of the horizon may be shorter),
minimum and maximum minutes, maximum weekends, and a per-type maximum for each counted type.
Per-type maxima that are not counted are `Pricer`'s business (below). A price may be put on the
change between work and rest into a day (best replies use it against weekends worked on one
day only); it steers the choice and is not part of the schedule's cost.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from numba import njit

from rounds.engine.roster.decomposition import Decomposition, PersonRules, wishes
from rounds.engine.roster.settings import DEFAULT_SETTINGS, SearchSettings

UNREACHABLE = 1e17  # a cost at or above this means the cell may not be worked
# What a work clock (`rounds.engine.clock`) is charged for one price, in units of about a second
# of an idle core: a call's own overhead, and each state, day and group of interchangeable shifts
# the dynamic program visits.
WORK_PER_CALL = 2.0e-4
WORK_PER_STATE = 8.0e-10


@njit(cache=True, nogil=True)
def best_schedule(
    cost: np.ndarray,  # [D, S] float: cost of shift s on day d (>= UNREACHABLE: not allowed)
    length: np.ndarray,  # [S] int: minutes in units
    cls: np.ndarray,  # [S] int: class of each shift (0..K-1)
    n_classes: int,
    may_follow: np.ndarray,  # [K, S] bool: a shift of class k may be followed by s the next day
    last_class: np.ndarray,  # [S] int: classes are nested; s may follow classes 0..last_class[s]
    nested: bool,
    run_min: int,
    run_max: int,  # 0: no maximum
    off_min: int,
    minutes_min: int,
    minutes_max: int,
    weekend_first: np.ndarray,  # [D] bool: working this day starts a weekend (Saturday)
    weekend_second: np.ndarray,  # [D] bool: a Sunday whose Saturday is inside the horizon
    weekends_max: int,  # -1: no maximum
    must_work: np.ndarray,  # [D] bool: a day off is not allowed
    count_step: np.ndarray,  # [S] int: counter step of the shift's counted type (0: not counted)
    count_ok: np.ndarray,  # [S, C] bool: counter value c allows one more shift s
    n_counts: int,
    value: np.ndarray,  # [D, states] float work buffer: the cheapest way to each state
    switch: np.ndarray,  # [D] float: cost of going from work to rest or back into day d
    groups: np.ndarray,  # [G, W] int: shifts interchangeable but for their cost (-1 pads)
) -> tuple[float, np.ndarray]:
    """The cheapest schedule: (its cost, shift index per day, -1 for a day off). The cost is
    >= UNREACHABLE when no schedule keeps the rules.

    The pass forward keeps only each state's cheapest cost, day by day: no record of where it
    came from, which lets the inner loops be plain minima. The pass backward finds, for
    the state reached, a transition from the day before that gives exactly its cost (the same
    floating-point sums, so equality is exact)."""
    days, n_shifts = cost.shape
    saturate = run_max <= 0  # no maximum: run lengths only matter up to the minimum
    runs = max(1, run_min) if saturate else run_max
    offs = max(1, off_min)
    wk = weekends_max + 1 if weekends_max >= 0 else 1
    block = (minutes_max + 1) * wk * n_counts  # (minutes, weekends, counter) of one run state
    n_work = n_classes * runs * block
    n_states = n_work + offs * block
    longest = 0
    for s in range(n_shifts):
        longest = max(longest, length[s])
    # run levels a working day may follow: all of them when runs saturate, else all but the last
    going = runs if saturate else runs - 1
    span = max(1, going * block)
    prefix = np.empty((n_classes if nested else 1, span))
    group = np.empty(span)
    value[:, :n_states] = np.inf
    _first_day(
        cost,
        length,
        cls,
        runs,
        block,
        wk,
        n_counts,
        weekend_first,
        weekend_second,
        weekends_max,
        minutes_max,
        must_work,
        count_step,
        count_ok,
        n_work,
        value[0],
    )
    for d in range(1, days):
        prev, cur = value[d - 1], value[d]
        # minutes a state of day d-1 can hold and still reach the minimum by the end
        low = max(0, minutes_min - (days - d) * longest) * wk * n_counts
        high = (min(minutes_max, d * longest) + 1) * wk * n_counts
        if not must_work[d]:
            _to_day_off(
                prev, cur, d, n_classes, runs, offs, block, run_min, n_work, low, high, switch[d]
            )
        rise_work = _rise(weekend_first[d], weekends_max)
        rise_off = _rise(weekend_first[d] or weekend_second[d], weekends_max)
        if nested and going > 0:
            _prefix_minima(prev, prefix, n_classes, runs, going, block, low, high)
        for g in range(groups.shape[0]):
            s, c = _cheapest(cost[d], groups[g])
            if s < 0:
                continue
            top = min(minutes_max - length[s], high // (wk * n_counts) - 1)
            bottom = low // (wk * n_counts)
            if going > 0:
                # the cheapest state of day d-1 that shift s may follow, per run state
                before = group
                if nested:
                    follows_work = last_class[s] >= 0
                    if follows_work:
                        before = prefix[last_class[s]]
                else:
                    follows_work = _group_minima(
                        prev, group, may_follow, s, n_classes, runs, going, block, low, high
                    )
                if follows_work:
                    _after_work(
                        before,
                        cur,
                        s,
                        c,
                        length[s],
                        cls[s],
                        runs,
                        going,
                        block,
                        wk,
                        n_counts,
                        bottom,
                        top,
                        rise_work,
                        count_step[s],
                        count_ok,
                    )
            _after_day_off(
                prev,
                cur,
                s,
                c,
                length[s],
                cls[s],
                runs,
                offs,
                block,
                wk,
                n_counts,
                n_work,
                d,
                bottom,
                top,
                rise_off,
                count_step[s],
                count_ok,
                switch[d],
            )
    at = _cheapest_end(value[days - 1, :n_states], n_work, block, wk, n_counts, minutes_min)
    shifts = np.full(days, -1, np.int64)
    if at < 0 or value[days - 1, at] >= UNREACHABLE:
        return np.inf, shifts
    best = value[days - 1, at]
    for d in range(days - 1, 0, -1):
        at, shifts[d] = _step_back(
            value,
            d,
            at,
            cost,
            length,
            cls,
            may_follow,
            runs,
            going,
            offs,
            block,
            wk,
            n_counts,
            n_work,
            run_min,
            weekend_first,
            weekend_second,
            weekends_max,
            count_step,
            count_ok,
            switch,
        )
    shifts[0] = _first_shift(
        value[0, at],
        at,
        cost,
        length,
        cls,
        runs,
        block,
        wk,
        n_counts,
        weekend_first,
        weekend_second,
        weekends_max,
        count_step,
        n_work,
    )
    return best, shifts


@njit(cache=True, nogil=True)
def _rise(weekend, weekends_max):
    """1 when working this day starts a weekend that counts towards a maximum."""
    return 1 if (weekends_max >= 0 and weekend) else 0


@njit(cache=True, nogil=True)
def _cheapest(cost_d, members):
    """The member shift cheapest on this day and its cost; (-1, UNREACHABLE) if none may be
    worked."""
    best, at = UNREACHABLE, -1
    for s in members:
        if s < 0:
            break
        if cost_d[s] < best:
            best, at = cost_d[s], s
    return at, best


@njit(cache=True, nogil=True)
def _first_index(s, length, cls, runs, block, wk, n_counts, weekend, count_step):
    return cls[s] * runs * block + (length[s] * wk + weekend) * n_counts + count_step[s]


@njit(cache=True, nogil=True)
def _first_day(cost, length, cls, runs, block, wk, n_counts, weekend_first, weekend_second,
               weekends_max, minutes_max, must_work, count_step, count_ok, n_work,
               cur):  # fmt: skip
    weekend = _rise(weekend_first[0] or weekend_second[0], weekends_max)
    for s in range(cost.shape[1]):
        c = cost[0, s]
        if c >= UNREACHABLE or length[s] > minutes_max or weekend >= wk or not count_ok[s, 0]:
            continue
        i = _first_index(s, length, cls, runs, block, wk, n_counts, weekend, count_step)
        cur[i] = min(cur[i], c)
    if not must_work[0]:
        cur[n_work] = 0.0


@njit(cache=True, nogil=True)
def _first_shift(v, at, cost, length, cls, runs, block, wk, n_counts, weekend_first,
                 weekend_second, weekends_max, count_step, n_work):  # fmt: skip
    """The shift of day 0 that reaches state `at` at cost v (-1: the day off)."""
    if at >= n_work:
        return -1
    weekend = _rise(weekend_first[0] or weekend_second[0], weekends_max)
    for s in range(cost.shape[1]):
        i = _first_index(s, length, cls, runs, block, wk, n_counts, weekend, count_step)
        if i == at and cost[0, s] == v:
            return s
    raise AssertionError("no shift of day 0 reaches the state")


@njit(cache=True, nogil=True)
def _to_day_off(prev, cur, d, n_classes, runs, offs, block, run_min, n_work, low, high,
                switch):  # fmt: skip
    """Day d off: after a working run long enough (or one that began on day 0), or after
    another day off."""
    for k in range(n_classes):
        for r in range(runs):
            if r + 1 < run_min and r != d - 1:
                continue
            base = (k * runs + r) * block
            for q in range(low, high):
                cur[n_work + q] = min(cur[n_work + q], prev[base + q] + switch)
    for o in range(offs):
        base = n_work + o * block
        base2 = n_work + min(o + 1, offs - 1) * block
        for q in range(low, high):
            cur[base2 + q] = min(cur[base2 + q], prev[base + q])


@njit(cache=True, nogil=True)
def _prefix_minima(prev, prefix, n_classes, runs, going, block, low, high):
    """prefix[k][r, q] = the best of classes 0..k (nested classes: a shift that may follow class
    k may follow every class before it)."""
    for k in range(n_classes):
        base = k * runs * block
        for r in range(going):
            off = r * block
            for q in range(off + low, off + high):
                v = prev[base + q]
                prefix[k, q] = v if k == 0 else min(v, prefix[k - 1, q])


@njit(cache=True, nogil=True)
def _group_minima(prev, group, may_follow, s, n_classes, runs, going, block, low, high):
    """The best working state of yesterday that shift s may follow; False if none may."""
    found = False
    for k in range(n_classes):
        if not may_follow[k, s]:
            continue
        base = k * runs * block
        for r in range(going):
            off = r * block
            for q in range(off + low, off + high):
                v = prev[base + q]
                group[q] = min(v, group[q]) if found else v
        found = True
    return found


@njit(cache=True, nogil=True)
def _after_work(best, cur, s, c, length, k2, runs, going, block, wk, n_counts, bottom, top, rise,
                step, count_ok):  # fmt: skip
    """Shift s today continues yesterday's working run (the run's last level stays there when
    runs have no maximum)."""
    for r in range(going):
        off = r * block
        target = (k2 * runs + min(r + 1, runs - 1)) * block
        for m in range(bottom, top + 1):
            for w in range(wk - rise):
                t0 = off + (m * wk + w) * n_counts
                j0 = target + ((m + length) * wk + w + rise) * n_counts + step
                for n in range(n_counts):
                    if count_ok[s, n]:
                        cur[j0 + n] = min(cur[j0 + n], best[t0 + n] + c)


@njit(cache=True, nogil=True)
def _after_day_off(prev, cur, s, c, length, k2, runs, offs, block, wk, n_counts, n_work, d,
                   bottom, top, rise, step, count_ok, switch):  # fmt: skip
    """Shift s today starts a working run after a long enough run of days off (or one that
    began on day 0)."""
    target = k2 * runs * block
    for o in range(offs):
        if o + 1 < offs and o != d - 1:
            continue
        base = n_work + o * block
        for m in range(bottom, top + 1):
            for w in range(wk - rise):
                i0 = base + (m * wk + w) * n_counts
                j0 = target + ((m + length) * wk + w + rise) * n_counts + step
                for n in range(n_counts):
                    if count_ok[s, n]:
                        cur[j0 + n] = min(cur[j0 + n], prev[i0 + n] + c + switch)


@njit(cache=True, nogil=True)
def _cheapest_end(last, n_work, block, wk, n_counts, minutes_min):
    """The cheapest state of the last day with the minimum minutes worked (-1: none)."""
    best = np.inf
    at = -1
    for i in range(last.shape[0]):
        q = i % block if i < n_work else (i - n_work) % block
        if q // (wk * n_counts) >= minutes_min and last[i] < best:
            best = last[i]
            at = i
    return at


@njit(cache=True, nogil=True)
def _step_back(value, d, at, cost, length, cls, may_follow, runs, going, offs, block, wk,
               n_counts, n_work, run_min, weekend_first, weekend_second, weekends_max,
               count_step, count_ok, switch):  # fmt: skip
    """(state of day d-1, shift of day d) of a transition that gives state `at` of day d its
    cost: the forward pass's transitions read backwards, with the same sums."""
    v = value[d, at]
    prev = value[d - 1]
    if at >= n_work:  # a day off
        o2, q = (at - n_work) // block, (at - n_work) % block
        if o2 == 0:
            for i in range(0, n_work, block):
                r = (i // block) % runs
                if (r + 1 >= run_min or r == d - 1) and prev[i + q] + switch[d] == v:
                    return i + q, -1
        for o in range(offs):
            i = n_work + o * block + q
            if min(o + 1, offs - 1) == o2 and prev[i] == v:
                return i, -1
        raise AssertionError("no transition reaches the day off")
    k2, r2, q = at // (runs * block), (at // block) % runs, at % block
    m, w, n = q // (wk * n_counts), (q // n_counts) % wk, q % n_counts
    rise_work = _rise(weekend_first[d], weekends_max)
    rise_off = _rise(weekend_first[d] or weekend_second[d], weekends_max)
    for s in range(cost.shape[1]):
        c = cost[d, s]
        n0 = n - count_step[s]
        if cls[s] != k2 or c >= UNREACHABLE or m < length[s] or n0 < 0 or not count_ok[s, n0]:
            continue
        m0 = m - length[s]
        if w >= rise_work:
            tail = (m0 * wk + w - rise_work) * n_counts + n0
            for r in range(going):
                if min(r + 1, runs - 1) != r2:
                    continue
                for k in range(may_follow.shape[0]):
                    i = (k * runs + r) * block + tail
                    if may_follow[k, s] and prev[i] + c == v:
                        return i, s
        if r2 == 0 and w >= rise_off:
            tail = (m0 * wk + w - rise_off) * n_counts + n0
            for o in range(offs):
                i = n_work + o * block + tail
                if (o + 1 >= offs or o == d - 1) and prev[i] + c + switch[d] == v:
                    return i, s
    raise AssertionError("no transition reaches the working state")


# ---------------------------------------------------------------- a person, their rules kept


@dataclass(frozen=True)
class Counting:
    """What the dynamic program reads of the shift types it counts exactly: each type's step
    in the counter [S] (0: not counted), which counter values allow one more of a shift [S, C],
    the counter's size, and the shifts grouped as interchangeable (`Pricer._interchangeable`)."""

    counted: tuple[int, ...]
    step: np.ndarray
    ok: np.ndarray
    size: int
    groups: np.ndarray
    states: int  # of the dynamic program counting these types


_buffers = threading.local()


def _work_buffer(days: int, states: int) -> np.ndarray:
    """The dynamic program's value table [days, >= states], one per thread and shared by every
    pricer the thread runs: a table per pricer held people x chains tables of up to a hundred
    megabytes at once (a 150-person window of a year roster: 4.4 GB after one warm-up step).
    A thread prices one person at a time, and every table is written before it is read."""
    flat = getattr(_buffers, "flat", None)
    if flat is None or flat.size < days * states:
        flat = np.empty(days * states)
        _buffers.flat = flat
    return flat[: days * states].reshape(days, states)


class Pricer:
    """A person's best schedule under the master's prices, with the person's rules kept.

        Shift types with a small maximum (at most `small_cap`: nights, say) are counted exactly in
        the dynamic program, once a schedule has broken that maximum, and then only when the
        schedule found without counting breaks it again: each counted type multiplies the states
    , and most prices never need it, as the
        cheapest schedule without the count keeps the maximum anyway. Larger maxima are kept by
        raising the price of that type (Lagrangian) until the schedule keeps them. Without the
        exact count the price jumps from too many nights to none.
    """

    def __init__(
        self, dec: Decomposition, rules: PersonRules, settings: SearchSettings = DEFAULT_SETTINGS
    ) -> None:
        self.settings = settings
        self.dec = dec
        self.rules = rules
        self._classes()
        self.penalty = np.zeros(dec.shifts)
        self.exact = True  # the last price kept every maximum without raising prices
        self.no_switch = np.zeros(dec.days)
        # work done since the search last charged its clock (RootSearch.charge): one thread
        # prices with a pricer at a time, so it needs no lock
        self.work = 0.0
        self.states = 0  # columns of the work buffer the dynamic program needs (_work_buffer)
        self.plain = self._counting(())
        self.counts = self.plain  # the types learned to count, used when the plain count breaks

    @property
    def counted(self) -> tuple[int, ...]:
        return self.counts.counted

    def _classes(self) -> None:
        """Group shift types by what may not follow them; order the groups by what may follow
        them, largest first, so nested groups are a prefix for each shift."""
        dec, rules = self.dec, self.rules
        mine = [s for s in range(dec.shifts) if rules.allowed[:, s].any()]
        key_of = {s: frozenset(t for t in mine if dec.may_follow[s, t]) for s in mine}
        order = sorted(set(key_of.values()), key=len, reverse=True)
        self.n_classes = max(1, len(order))
        index = {after: k for k, after in enumerate(order)}
        self.cls = np.zeros(dec.shifts, np.int64)
        for s in mine:
            self.cls[s] = index[key_of[s]]
        self.may_follow = np.zeros((self.n_classes, dec.shifts), np.bool_)
        for after, k in index.items():
            for t in after:
                self.may_follow[k, t] = True
        self.nested = all(order[i + 1] <= order[i] for i in range(len(order) - 1))
        self.last_class = np.full(dec.shifts, -1, np.int64)
        for t in range(dec.shifts):
            before = [k for k in range(len(order)) if self.may_follow[k, t]]
            if before:
                self.last_class[t] = max(before)
                self.nested = self.nested and before == list(range(len(before)))

    def _counting(self, shifts: tuple[int, ...]) -> Counting:
        """Counting these shift types exactly (one counter digit each); the work buffer grows
        to its states."""
        dec, rules = self.dec, self.rules
        counted = tuple(sorted(shifts))
        step = np.zeros(dec.shifts, np.int64)
        size = 1
        for s in counted:
            step[s] = size
            size *= int(rules.type_max[s]) + 1
        ok = np.ones((dec.shifts, size), np.bool_)
        values = np.arange(size)
        for s in counted:
            cap = int(rules.type_max[s])
            ok[s] = (values // step[s]) % (cap + 1) < cap
        runs = rules.run_max if rules.run_max > 0 else max(1, rules.run_min)
        weekends = rules.weekends_max + 1 if rules.weekends_max >= 0 else 1
        states = (self.n_classes * runs + max(1, rules.off_min)) * (rules.minutes_max + 1)
        states *= weekends * size
        self.states = max(self.states, states)
        return Counting(counted, step, ok, size, self._interchangeable(step), states)

    def _interchangeable(self, step: np.ndarray) -> np.ndarray:
        """[G, W]: the person's shifts grouped by all the dynamic program reads of them but
                their cost (class, length, the classes they may follow; a counted type alone), -1
                padded. A day's transitions are made once per group, by its cheapest shift that day
        ."""
        dec = self.dec
        by_key: dict[tuple[object, ...], list[int]] = {}
        for s in range(dec.shifts):
            if not self.rules.allowed[:, s].any():
                continue
            alone = s if step[s] else -1
            key = (alone, int(self.cls[s]), int(dec.length[s]), self.may_follow[:, s].tobytes())
            by_key.setdefault(key, []).append(s)
        width = max((len(m) for m in by_key.values()), default=1)
        groups = np.full((max(1, len(by_key)), width), -1, np.int64)
        for g, members in enumerate(by_key.values()):
            groups[g, : len(members)] = members
        return groups

    def _solve(
        self, cost: np.ndarray, must: np.ndarray, switch: np.ndarray, counting: Counting
    ) -> np.ndarray | None:
        """The cheapest schedule counting these types, or None when none keeps the rules."""
        dec, rules = self.dec, self.rules
        visited = dec.days * counting.states * len(counting.groups)
        self.work += WORK_PER_CALL + WORK_PER_STATE * visited
        value, shifts = best_schedule(
            cost,
            dec.length,
            self.cls,
            self.n_classes,
            self.may_follow,
            self.last_class,
            self.nested,
            rules.run_min,
            rules.run_max,
            rules.off_min,
            rules.minutes_min,
            rules.minutes_max,
            dec.weekend_first,
            dec.weekend_second,
            rules.weekends_max,
            must,
            counting.step,
            counting.ok,
            counting.size,
            _work_buffer(dec.days, self.states),
            switch,
            counting.groups,
        )
        return None if value >= UNREACHABLE else shifts

    def price(
        self,
        duals: np.ndarray,
        fixed: np.ndarray | None = None,
        banned: np.ndarray | None = None,
        switch: np.ndarray | None = None,
    ) -> tuple[float, np.ndarray] | None:
        """(cost of the schedule's wishes, shift per day) of the best schedule, or None when the
        person has none. `fixed` [D]: shift a dive fixed (-1 none); `banned` [D, S]; `switch`
        [D]: a price on going from work to rest or back into each day, which the schedule's
        cost returned does not include."""
        rules = self.rules
        cost = np.where(rules.allowed, rules.wish_cost - duals, UNREACHABLE)
        if banned is not None:
            cost[banned] = UNREACHABLE
        fix = rules.fixed if fixed is None else np.where(fixed >= 0, fixed, rules.fixed)
        must = fix >= 0
        for d in np.nonzero(must)[0]:
            keep = cost[d, fix[d]]
            cost[d, :] = UNREACHABLE
            cost[d, fix[d]] = keep
        changes = self.no_switch if switch is None else switch
        shifts = self._keep_type_maxima(cost, must, changes, float(np.abs(duals).max()))
        if shifts is None:
            return None
        return wishes(rules, shifts), shifts

    def _broken(self, shifts: np.ndarray) -> np.ndarray:
        counts = np.bincount(shifts[shifts >= 0], minlength=self.dec.shifts)
        return counts > self.rules.type_max

    def _keep_type_maxima(
        self, cost: np.ndarray, must: np.ndarray, switch: np.ndarray, scale: float
    ) -> np.ndarray | None:
        # Without counts first: when that schedule keeps the small maxima, it is also the
        # cheapest with them counted. Counts only when it breaks one (learned, or new).
        counting = self.plain
        while True:
            shifts = self._solve(cost, must, switch, counting)
            if shifts is None:
                return None
            broken = self._broken(shifts)
            if not self._count_more(broken) and (
                counting is self.counts or not broken[list(self.counted)].any()
            ):
                break
            counting = self.counts
        self.exact = not broken.any()
        if self.exact:
            return shifts
        return self._priced_down(cost, must, switch, broken, scale)

    def _priced_down(
        self,
        cost: np.ndarray,
        must: np.ndarray,
        switch: np.ndarray,
        broken: np.ndarray,
        scale: float,
    ) -> np.ndarray | None:
        """A large maximum broken: raise the price of that type until kept (from where the
        last call ended), then back off by halves to the least price that keeps it."""
        knobs = self.settings
        step = max(1.0, knobs.price_down_step * scale)
        low, high, best = np.zeros_like(self.penalty), None, None
        penalty = self.penalty.copy()
        for _ in range(knobs.price_down_rises):
            penalty = penalty + np.where(broken, np.maximum(penalty, step), 0.0)
            shifts = self._solve(cost + penalty, must, switch, self.counts)
            if shifts is None:
                return None
            now = self._broken(shifts)
            if not now.any():
                high, best = penalty, shifts
                break
            broken |= now
        if high is None or best is None:
            return None
        for _ in range(knobs.price_down_halvings):
            middle = (low + high) / 2
            shifts = self._solve(cost + middle, must, switch, self.counts)
            if shifts is not None and not self._broken(shifts).any():
                high, best = middle, shifts
            else:
                low = middle
        self.penalty = knobs.price_down_keep * high
        return best

    def _count_more(self, broken: np.ndarray) -> bool:
        """Count the broken small maxima exactly, while the counter stays small enough."""
        caps = self.rules.type_max
        grow = sorted(
            (
                s
                for s in np.nonzero(broken)[0]
                if s not in self.counted and caps[s] <= self.settings.small_cap
            ),
            key=lambda s: caps[s],
        )
        size, added = self.counts.size, []
        for s in grow:
            if size * (caps[s] + 1) <= self.settings.counter_limit:
                size *= int(caps[s]) + 1
                added.append(int(s))
        if added:
            self.counts = self._counting(self.counted + tuple(added))
        return bool(added)
