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
Per-type maxima that are not counted are the caller's business (`columns.Pricer`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

UNREACHABLE = 1e17  # a cost at or above this means the cell may not be worked


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
                if nested:
                    if last_class[s] >= 0:
                        _after_work(
                            prefix[last_class[s]],
                            prefix_at[last_class[s]],
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
                elif _group_minima(
                    prev, group, group_at, may_follow, s, n_classes, runs, going, block, low, high
                ):
                    _after_work(
                        group,
                        group_at,
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
                low, high):  # fmt: skip
    """Day d off: after a working run long enough (or one that began on day 0), or after
    another day off."""
    for k in range(n_classes):
        for r in range(runs):
            if r + 1 < run_min and r != d - 1:
                continue
            base = (k * runs + r) * block
            for q in range(low, high):
                v = prev[base + q]
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
                   n_counts, n_work, d, bottom, top, rise, step, count_ok):  # fmt: skip
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
                    v = prev[i0 + n] + c
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
