"""One person's cheapest schedule under given cell costs: a dynamic program over the days.

Column generation (`columns.py`) asks, many times a second, "what is the best whole-horizon
schedule for this person if covering (day, shift) is worth so much?". CP-SAT answers that in
30-50 ms a person; this dynamic program answers it exactly in about 0.2 ms (Curtois 8) to 5 ms
(Curtois 13), compiled by numba.

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

import numpy as np
from numba import njit

from rounds.engine.roster.decomposition import Decomposition, PersonRules, wishes

UNREACHABLE = 1e17  # a cost at or above this means the cell may not be worked
SMALL_CAP = 6  # per-type maxima up to this are counted exactly in the dynamic program
COUNTER_LIMIT = 48  # ... as long as the counter stays this small


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
    back: np.ndarray,  # [D, states] int32 work buffer: the state each state came from
    chosen: np.ndarray,  # [D, states] int16 work buffer: the shift worked (-1 off)
    switch: np.ndarray,  # [D] float: cost of going from work to rest or back into day d
) -> tuple[float, np.ndarray]:
    """The cheapest schedule: (its cost, shift index per day, -1 for a day off). The cost is
    >= UNREACHABLE when no schedule keeps the rules."""
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
    prev = np.full(n_states, np.inf)
    cur = np.full(n_states, np.inf)
    # run levels a working day may follow: all of them when runs saturate, else all but the last
    going = runs if saturate else runs - 1
    span = max(1, going * block)
    prefix = np.empty((n_classes if nested else 1, span))
    prefix_at = np.empty((n_classes if nested else 1, span), np.int32)
    group = np.empty(span)
    group_at = np.empty(span, np.int32)
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
        cur,
        back,
        chosen,
    )
    for d in range(1, days):
        prev, cur = cur, prev
        cur[:] = np.inf
        # minutes a state of day d-1 can hold and still reach the minimum by the end
        low = max(0, minutes_min - (days - d) * longest) * wk * n_counts
        high = (min(minutes_max, d * longest) + 1) * wk * n_counts
        if not must_work[d]:
            _to_day_off(
                prev,
                cur,
                back[d],
                chosen[d],
                d,
                n_classes,
                runs,
                offs,
                block,
                run_min,
                n_work,
                low,
                high,
                switch[d],
            )
        rise_work = 1 if (weekends_max >= 0 and weekend_first[d]) else 0
        rise_off = 1 if (weekends_max >= 0 and (weekend_first[d] or weekend_second[d])) else 0
        if nested and going > 0:
            _prefix_minima(prev, prefix, prefix_at, n_classes, runs, going, block, low, high)
        for s in range(n_shifts):
            c = cost[d, s]
            if c >= UNREACHABLE:
                continue
            top = min(minutes_max - length[s], high // (wk * n_counts) - 1)
            bottom = low // (wk * n_counts)
            if going > 0:
                # the cheapest state of day d-1 that shift s may follow, per run state
                before, before_at = group, group_at
                if nested:
                    follows_work = last_class[s] >= 0
                    if follows_work:
                        before, before_at = prefix[last_class[s]], prefix_at[last_class[s]]
                else:
                    follows_work = _group_minima(
                        prev,
                        group,
                        group_at,
                        may_follow,
                        s,
                        n_classes,
                        runs,
                        going,
                        block,
                        low,
                        high,
                    )
                if follows_work:
                    _after_work(
                        before,
                        before_at,
                        cur,
                        back[d],
                        chosen[d],
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
                back[d],
                chosen[d],
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
    return _backtrack(cur, back, chosen, days, n_work, block, wk, n_counts, minutes_min)


@njit(cache=True, nogil=True)
def _first_day(cost, length, cls, runs, block, wk, n_counts, weekend_first, weekend_second,
               weekends_max, minutes_max, must_work, count_step, count_ok, n_work, cur, back,
               chosen):  # fmt: skip
    weekend = 1 if (weekends_max >= 0 and (weekend_first[0] or weekend_second[0])) else 0
    for s in range(cost.shape[1]):
        c = cost[0, s]
        if c >= UNREACHABLE or length[s] > minutes_max or weekend >= wk or not count_ok[s, 0]:
            continue
        i = cls[s] * runs * block + (length[s] * wk + weekend) * n_counts + count_step[s]
        if c < cur[i]:
            cur[i] = c
            back[0, i] = -1
            chosen[0, i] = s
    if not must_work[0]:
        cur[n_work] = 0.0
        back[0, n_work] = -1
        chosen[0, n_work] = -1


@njit(cache=True, nogil=True)
def _to_day_off(prev, cur, back_d, chosen_d, d, n_classes, runs, offs, block, run_min, n_work,
                low, high, switch):  # fmt: skip
    """Day d off: after a working run long enough (or one that began on day 0), or after
    another day off."""
    for k in range(n_classes):
        for r in range(runs):
            if r + 1 < run_min and r != d - 1:
                continue
            base = (k * runs + r) * block
            for q in range(low, high):
                v = prev[base + q] + switch
                if v < cur[n_work + q]:
                    cur[n_work + q] = v
                    back_d[n_work + q] = base + q
                    chosen_d[n_work + q] = -1
    for o in range(offs):
        o2 = min(o + 1, offs - 1)
        base = n_work + o * block
        base2 = n_work + o2 * block
        for q in range(low, high):
            v = prev[base + q]
            if v < cur[base2 + q]:
                cur[base2 + q] = v
                back_d[base2 + q] = base + q
                chosen_d[base2 + q] = -1


@njit(cache=True, nogil=True)
def _prefix_minima(prev, prefix, prefix_at, n_classes, runs, going, block, low, high):
    """prefix[k][r, q] = the best of classes 0..k (nested classes: a shift that may follow class
    k may follow every class before it)."""
    for k in range(n_classes):
        base = k * runs * block
        for r in range(going):
            off = r * block
            for q in range(off + low, off + high):
                v = prev[base + q]
                if k == 0 or v < prefix[k - 1, q]:
                    prefix[k, q] = v
                    prefix_at[k, q] = base + q
                else:
                    prefix[k, q] = prefix[k - 1, q]
                    prefix_at[k, q] = prefix_at[k - 1, q]


@njit(cache=True, nogil=True)
def _group_minima(prev, group, group_at, may_follow, s, n_classes, runs, going, block, low,
                  high):  # fmt: skip
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
                if not found or v < group[q]:
                    group[q] = v
                    group_at[q] = base + q
        found = True
    return found


@njit(cache=True, nogil=True)
def _after_work(best, best_at, cur, back_d, chosen_d, s, c, length, k2, runs, going, block, wk,
                n_counts, bottom, top, rise, step, count_ok):  # fmt: skip
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
                    if not count_ok[s, n]:
                        continue
                    v = best[t0 + n] + c
                    if v < cur[j0 + n]:
                        cur[j0 + n] = v
                        back_d[j0 + n] = best_at[t0 + n]
                        chosen_d[j0 + n] = s


@njit(cache=True, nogil=True)
def _after_day_off(prev, cur, back_d, chosen_d, s, c, length, k2, runs, offs, block, wk,
                   n_counts, n_work, d, bottom, top, rise, step, count_ok, switch):  # fmt: skip
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
                    if not count_ok[s, n]:
                        continue
                    v = prev[i0 + n] + c + switch
                    if v < cur[j0 + n]:
                        cur[j0 + n] = v
                        back_d[j0 + n] = i0 + n
                        chosen_d[j0 + n] = s


@njit(cache=True, nogil=True)
def _backtrack(last, back, chosen, days, n_work, block, wk, n_counts, minutes_min):
    best = np.inf
    at = -1
    for i in range(last.shape[0]):
        q = i % block if i < n_work else (i - n_work) % block
        if q // (wk * n_counts) >= minutes_min and last[i] < best:
            best = last[i]
            at = i
    shifts = np.full(days, -1, np.int64)
    if at < 0 or best >= UNREACHABLE:
        return np.inf, shifts
    for d in range(days - 1, -1, -1):
        shifts[d] = chosen[d, at]
        at = back[d, at]
    return best, shifts


# ---------------------------------------------------------------- a person, their rules kept


class Pricer:
    """A person's best schedule under the master's prices, with the person's rules kept.

    Shift types with a small maximum (at most SMALL_CAP: nights, say) are counted exactly in
    the dynamic program, but only once a schedule has broken that maximum (most never do, and
    each counted type multiplies the states); larger maxima are kept by raising the price of
    that type (Lagrangian) until the schedule keeps them. Without the exact count the price
    jumps from too many nights to none (Curtois 8: a reduced cost of +370 where -9 exists).
    """

    def __init__(self, dec: Decomposition, rules: PersonRules) -> None:
        self.dec = dec
        self.rules = rules
        self._classes()
        self.penalty = np.zeros(dec.shifts)
        self.exact = True  # the last price kept every maximum without raising prices
        self.no_switch = np.zeros(dec.days)
        self.count(())

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

    def count(self, shifts: tuple[int, ...]) -> None:
        """Count these shift types exactly from now on (one counter digit each)."""
        dec, rules = self.dec, self.rules
        self.counted = tuple(sorted(shifts))
        self.count_step = np.zeros(dec.shifts, np.int64)
        size = 1
        for s in self.counted:
            self.count_step[s] = size
            size *= int(rules.type_max[s]) + 1
        self.n_counts = size
        self.count_ok = np.ones((dec.shifts, size), np.bool_)
        values = np.arange(size)
        for s in self.counted:
            cap = int(rules.type_max[s])
            self.count_ok[s] = (values // self.count_step[s]) % (cap + 1) < cap
        runs = rules.run_max if rules.run_max > 0 else max(1, rules.run_min)
        weekends = rules.weekends_max + 1 if rules.weekends_max >= 0 else 1
        states = (self.n_classes * runs + max(1, rules.off_min)) * (rules.minutes_max + 1)
        states *= weekends * size
        self.back = np.empty((dec.days, states), np.int32)
        self.chosen = np.empty((dec.days, states), np.int16)

    def _solve(
        self, cost: np.ndarray, must: np.ndarray, switch: np.ndarray
    ) -> tuple[float, np.ndarray]:
        dec, rules = self.dec, self.rules
        return best_schedule(
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
            self.count_step,
            self.count_ok,
            self.n_counts,
            self.back,
            self.chosen,
            switch,
        )

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
        value, shifts = self._solve(cost, must, switch)
        if value >= UNREACHABLE:
            return None
        broken = self._broken(shifts)
        while broken.any() and self._count_more(broken):
            value, shifts = self._solve(cost, must, switch)
            if value >= UNREACHABLE:
                return None
            broken = self._broken(shifts)
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
        step = max(1.0, 0.05 * scale)
        low, high, best = np.zeros_like(self.penalty), None, None
        penalty = self.penalty.copy()
        for _ in range(12):
            penalty = penalty + np.where(broken, np.maximum(penalty, step), 0.0)
            value, shifts = self._solve(cost + penalty, must, switch)
            if value >= UNREACHABLE:
                return None
            now = self._broken(shifts)
            if not now.any():
                high, best = penalty, shifts
                break
            broken |= now
        if high is None or best is None:
            return None
        for _ in range(3):
            middle = (low + high) / 2
            value, shifts = self._solve(cost + middle, must, switch)
            if value < UNREACHABLE and not self._broken(shifts).any():
                high, best = middle, shifts
            else:
                low = middle
        self.penalty = 0.8 * high
        return best

    def _count_more(self, broken: np.ndarray) -> bool:
        """Count the broken small maxima exactly, while the counter stays small enough."""
        caps = self.rules.type_max
        grow = sorted(
            (s for s in np.nonzero(broken)[0] if s not in self.counted and caps[s] <= SMALL_CAP),
            key=lambda s: caps[s],
        )
        size, added = self.n_counts, []
        for s in grow:
            if size * (caps[s] + 1) <= COUNTER_LIMIT:
                size *= int(caps[s]) + 1
                added.append(int(s))
        if added:
            self.count(self.counted + tuple(added))
        return bool(added)
