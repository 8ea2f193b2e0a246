"""Long staff rosters solved over time: windows of weeks with fixed seams, then repaired.

Why: on a year the pricing dynamic program's states (minutes and weekends so far, run lengths)
grow with the horizon, and so does everything built per (person, day, shift). Measured on the
50 x 364 x 10 year roster (`yeargen`): the compact model builds in 6 s to 0.23 GB, but one
Lagrangian warm-up step of the column search took 105 s and reached 19 GB. On a window of five
weeks both are the size of a Curtois instance, and the memory of a solve is one window's.

How (`solve_in_windows`):

1. **Forward pass** (`HorizonKnobs.first_pass` of the time): Monday-aligned windows of
   `forward_days` (optionally solved with `lookahead_days` more, dropped), the days before each
   fixed as context. Horizon-wide
   limits (shifts of a type, minutes, weekends) are shared out: each window may use the part of
   what is left that its days are of the days left. A window with no schedule backs up one
   window (both re-solved together).
2. **Seam repair** (the rest): windows shifted by half a window, so every seam of the first
   pass lies inside one; everything outside fixed, the limits exact (what the rest of the year
   leaves), the incumbent offered as a schedule: a window only ever gets better.

Each window is a `Problem` of its own (`window_problem`) solved by the column search alone
(`columns.ColumnSearch`): the compact model is not built, as building it per window costs more
than the window's share of the time on the large sizes. Context days are pinned by fixed
assignments and days off; context of `context_days` >= the longest run rule sees every run that
crosses a seam whole.

Only pure rostering that `decomposition.unsupported` accepts takes this path, and only above
`split_above_days` (`applies`); everything else, and every problem of the Curtois 1-16 table and
the resident call table, is solved as before.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rounds.engine import stop
from rounds.engine.clock import WALL, Clock
from rounds.engine.roster import columns, decomposition
from rounds.engine.roster.problem import (
    DayRef,
    Horizon,
    Leave,
    Problem,
    Rule,
    Scope,
)
from rounds.engine.roster.settings import HorizonKnobs

OFF = -1
OPEN = -2  # not yet decided


class OutOfTime(Exception):
    """The deadline passed (raised by Deadline.check)."""


class Deadline:
    """The time a solve must be back by (on its clock), consulted while models are built and
    between phases. `checks` (tests): raise after that many consultations instead of waiting
    for the clock."""

    def __init__(self, at: float, checks: int | None = None, clock: Clock = WALL) -> None:
        self.at = at
        self.checks = checks
        self.clock = clock
        self.consulted = 0

    @classmethod
    def after(cls, seconds: float, checks: int | None = None, clock: Clock = WALL) -> Deadline:
        return cls(clock.now() + seconds, checks, clock)

    def left(self) -> float:
        return self.at - self.clock.now()

    def check(self) -> None:
        self.consulted += 1
        if self.checks is not None and self.consulted > self.checks:
            raise OutOfTime
        if self.clock.now() >= self.at:
            raise OutOfTime


def applies(problem: Problem, knobs: HorizonKnobs) -> bool:
    return (
        problem.horizon.days > knobs.split_above_days and decomposition.unsupported(problem) is None
    )


def windows(problem: Problem, length: int, offset: int = 0) -> list[tuple[int, int]]:
    """[first, last) windows starting on Mondays (a weekend never crosses a seam), shifted by
    `offset` days; the first and last may be shorter."""
    days = problem.horizon.days
    monday = (7 - problem.horizon.start.weekday()) % 7
    width = max(7, 7 * round(length / 7))
    cuts = [c for c in range(monday + offset, days, width) if c > 0]
    if offset and monday + offset - width > 0:
        cuts.insert(0, monday + offset - width)
    bounds = [0, *cuts, days]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def context_days(problem: Problem) -> int:
    """Whole weeks longer than every run rule: a run crossing a seam is seen whole."""
    longest = 1
    for rule in problem.rules:
        if rule.family.startswith("consecutive"):
            longest = max(longest, rule.hard_min or 0, rule.hard_max or 0)
    return 7 * math.ceil((longest + 1) / 7)


# ---------------------------------------------------------------- a window as a problem


def _weekend_key(problem: Problem, d: int) -> int | None:
    weekday = problem.horizon.date(d).weekday()
    return d - (weekday - 5) if weekday >= 5 else None


def _use(
    problem: Problem,
    rule: Rule,
    row: np.ndarray,
    days: list[int],
    lengths: list[int],
    shift_ix: dict[str, int],
) -> int:
    """How much of a counted rule one person's decided days in `days` use."""
    wanted = None if rule.shift is None else shift_ix[rule.shift]
    if rule.family == "weekends":
        return len({_weekend_key(problem, d) for d in days if row[d] >= 0} - {None})
    total = 0
    for d in days:
        s = row[d]
        if s >= 0 and (wanted is None or s == wanted):
            total += lengths[s] if rule.family == "minutes" else 1
    return total


def _density(problem: Problem, person: Any) -> float:
    """The largest share of days a person's run rules let them work (runs of at most r work
    days, at least o days off between): r / (r + o), 1 without both."""
    run = rest = None
    for rule in problem.rules:
        if rule.scope.people is not None and person.id not in rule.scope.people:
            continue
        if rule.family == "consecutive_days" and rule.hard_max and rule.scope.includes(person):
            run = rule.hard_max if run is None else min(run, rule.hard_max)
        if rule.family == "consecutive_days_off" and rule.hard_min and rule.scope.includes(person):
            rest = rule.hard_min if rest is None else max(rest, rule.hard_min)
    return 1.0 if run is None or rest is None else run / (run + rest)


def window_problem(
    problem: Problem,
    grid: np.ndarray,
    first: int,
    free: tuple[int, int],
    last: int,
    slack: float = 0.0,
    commit: int | None = None,
    eased: frozenset[str] = frozenset(),
) -> Problem:
    """Days [first, last) of the problem: [free) to decide, the rest of it fixed from `grid`
    ([people, days], shift index, OFF, or OPEN). Counted limits: exact when no day outside is
    OPEN; otherwise the free days get their share of what the decided days leave, widened by
    `slack` (a share of it) but never leaving the open days more than they can do; `eased`
    people (no schedule at the steady pace) may also fall behind it by `slack`."""
    a, b = free
    shifts = problem.shifts
    lengths = [s.length for s in shifts]
    people = problem.people
    people_ix = problem.person_index()
    shift_ix = problem.shift_index()
    days_all = range(problem.horizon.days)
    context = [d for d in range(first, last) if not a <= d < b]
    horizon = Horizon(
        problem.horizon.start + dt.timedelta(days=first), last - first, problem.horizon.timezone
    )

    def keep(ref: DayRef) -> bool:
        return a <= ref.day < b

    def moved(ref: DayRef) -> DayRef:
        return replace(ref, day=ref.day - first)

    fixed = [moved(r) for r in problem.fixed if keep(r)]
    days_off = [moved(r) for r in problem.days_off if keep(r)]
    for p, person in enumerate(people):
        for d in context:
            s = grid[p, d]
            if s >= 0:
                fixed.append(DayRef(person.id, d - first, shifts[s].id))
            else:
                days_off.append(DayRef(person.id, d - first))
    coverage = []
    for c in problem.coverage:
        cdays = [d - first for d in (c.days if c.days is not None else days_all) if a <= d < b]
        if cdays:
            coverage.append(replace(c, days=tuple(cdays)))
    leave = []
    lo, hi = problem.horizon.date(a), problem.horizon.date(b - 1)
    for lv in problem.leave:
        start, end = max(lv.start, lo), min(lv.end, hi)
        if start <= end:
            leave.append(Leave(lv.person, start, end))
    rules: list[Rule] = []
    is_open = (grid == OPEN).any(axis=0)
    outside = [d for d in days_all if not first <= d < last and not is_open[d]]
    n_open = sum(1 for d in days_all if not first <= d < last and is_open[d])
    # The share is the kept days' (a forward window's lookahead is solved, then dropped): a
    # share over the lookahead too let the kept days use it, and weekends ran out by autumn.
    kept = (commit or b) - a
    share = kept / ((b - a) + n_open)
    later = n_open + (b - a) - kept  # open days after the kept ones
    longest = max(lengths)
    density = [_density(problem, person) for person in people]
    for rule in problem.rules:
        if rule.family not in ("shifts", "minutes", "weekends"):
            rules.append(rule)
            continue
        listed = people_ix if rule.scope.people is None else rule.scope.people
        for pid in listed:
            p = people_ix[pid]
            person = people[p]
            if not rule.scope.includes(person):
                continue
            used_ctx = _use(problem, rule, grid[p], context, lengths, shift_ix)
            used = used_ctx + _use(problem, rule, grid[p], outside, lengths, shift_ix)
            hard_max = hard_min = None
            top = None
            if rule.hard_max is not None:
                left = max(0, rule.hard_max - used)
                # Weekends are the scarce part of the year: no window takes more than its share.
                wide = 1 + (0 if rule.family == "weekends" and pid not in eased else slack)
                top = min(left, math.floor(left * share * wide + 0.5))
                hard_max = used_ctx + top
            if rule.hard_min is not None:
                left = max(0, rule.hard_min - used)
                # At least what the open days after cannot make up, else the share, less slack.
                after = later * density[p] * (longest if rule.family == "minutes" else 1)
                if rule.family == "weekends":
                    after = later / 7 + 1
                # A steady pace: tight rosters (minimum minutes near what the runs and weekends
                # allow) cannot make up later what a window left undone.
                # A minimum is shared over the lookahead too (work there is no work kept, so
                # it owes its share), a maximum over the kept days alone.
                pace = left * (b - a) / ((b - a) + n_open)
                pace *= (1 - slack) if pid in eased else 1
                low = max(math.ceil(left - after), math.ceil(pace - 1e-9))
                hard_min = used_ctx + (low if top is None else min(low, top))
            rules.append(
                replace(
                    rule, scope=Scope(people=(person.id,)), hard_min=hard_min, hard_max=hard_max
                )
            )
    return replace(
        problem,
        horizon=horizon,
        coverage=tuple(coverage),
        leave=tuple(leave),
        days_off=tuple(days_off),
        fixed=tuple(fixed),
        requests_on=tuple(moved(r) for r in problem.requests_on if keep(r)),
        requests_off=tuple(moved(r) for r in problem.requests_off if keep(r)),
        rules=tuple(rules),
        name=f"{problem.name} days {a}-{b - 1}",
    )


# ---------------------------------------------------------------- the passes


@dataclass
class _Outcome:
    grid: np.ndarray
    first: float | None
    windows: int = 0
    backups: int = 0
    repaired: int = 0
    hurried: int = 0  # forward windows given their first greedy roster only
    # the most a window ran past its time (its first greedy roster is always made): repair
    # starts no window with less time than this left, so the solve ends on time
    overrun: float = 0.0
    # how long the forward windows took to their first rosters (building them included)
    firsts: list[float] = field(default_factory=list)

    @property
    def floor(self) -> float:
        """What each forward window still to come needs at least: the slowest of the last
        three to their first roster (recent, so a first window that loaded the compiled
        pricing does not stand for every window, and a machine that got busier is seen)."""
        return max(self.firsts[-3:], default=0.0)


@dataclass(frozen=True)
class _Run:
    """What every window of one solve shares: its clock, workers and tuning."""

    knobs: HorizonKnobs
    workers: int
    clock: Clock


def _solve_window(
    problem: Problem,
    grid: np.ndarray,
    first: int,
    free: tuple[int, int],
    last: int,
    until: float,
    run: _Run,
    seed: int,
    commit: int | None = None,
    give_up: float | None = None,
    hurry: bool = False,
) -> tuple[np.ndarray | None, float | None]:
    """The window's best schedule [people, last - first] (shift index, OFF), or None; and how
    long it took to its first roster. In the forward pass a person without a schedule at the
    window's share of their limits is eased (`window_problem`) and the window tried again, up
    to `knobs.ease_people` people. A window in a `hurry` keeps its first greedy roster."""
    knobs, clock = run.knobs, run.clock
    started = clock.now()
    budget = max(0.05, until - started)
    current = grid[:, first:last]
    repairing = bool((current != OPEN).all())
    eased: set[str] = set()
    while True:
        sub = window_problem(
            problem, grid, first, free, last, knobs.share_slack, commit, frozenset(eased)
        )
        if decomposition.unsupported(sub) is not None:
            return None, None
        try:
            search = columns.ColumnSearch(sub, run.workers, seed, clock=clock)
        except ValueError:
            return None, None
        try:
            if repairing:  # start from the incumbent, keep it unless beaten
                search.offer_cells(
                    {(p, d, int(s)) for (p, d), s in np.ndenumerate(current) if s >= 0}
                )
            try:
                search.root(started if hurry else started + knobs.root_share * budget)
            except columns.NoSchedule as failed:
                person = sub.people[failed.person].id
                if repairing or person in eased or len(eased) >= knobs.ease_people:
                    return None, None
                if give_up is not None and clock.now() > give_up:
                    return None, None
                eased.add(person)
                continue
            took = None if search.first_found is None else search.first_found - started
            if hurry:
                return None if search.best is None else np.asarray(search.best), took
            if search.best is not None and clock.now() < until and not search.proven:
                search.round()
                search.best_replies(until, knobs.stalled * budget, knobs.stalled * budget)
        finally:
            search.close()
        return None if search.best is None else np.asarray(search.best), took


def forward(
    problem: Problem,
    until: float,
    run: _Run,
    seed: int,
    started: float,
    end: float | None = None,
    give_up: float | None = None,
) -> _Outcome:
    """The first whole schedule, window after window; raises OutOfTime when none is found, or
    when `give_up` passes first: no schedule rather than a late one. Each window gets its days'
    share of the time to `until` (past it, to `end`, the solve's own deadline: repair's time).
    Once the time to `end` is short of `hurry_margin` times what the windows left need for their
    first rosters (`_Outcome.floor`), windows hurry: the first greedy roster only. No window
    backs up unless the greedy rosters left still fit before `give_up`."""
    knobs, clock = run.knobs, run.clock
    n, days = len(problem.people), problem.horizon.days
    grid = np.full((n, days), OPEN, np.int64)
    parts = windows(problem, knobs.forward_days)
    context = context_days(problem)
    outcome = _Outcome(grid, None)
    k, backups, furthest = 0, 0, 0
    while k < len(parts):
        if k > furthest:  # each new window may back up max_backtrack times
            furthest, backups = k, 0
        stop.check()
        now = clock.now()
        if give_up is not None and now + outcome.floor > give_up:
            raise OutOfTime  # not even this window's greedy roster would be back in time
        a, b = parts[k]
        stop_at = min(days, b + knobs.lookahead_days)
        first = max(0, a - context)
        share = (b - a) / max(1, days - a)
        after = outcome.floor * (len(parts) - k - 1)  # what the windows after this one need
        hurry = end is not None and end - now < knobs.hurry_margin * (after + outcome.floor)
        # Past its own share of the time the pass borrows from repair's: a whole schedule first.
        to = until if now < until or end is None else end
        window_until = now + max(0.05, (to - now) * share)
        found, took = _solve_window(
            problem,
            grid,
            first,
            (a, stop_at),
            stop_at,
            window_until,
            run,
            seed + k,
            b,
            give_up,
            hurry,
        )
        if took is not None and k > 0:  # the first window also loads the compiled pricing
            outcome.firsts.append(took)
        outcome.overrun = max(outcome.overrun, clock.now() - window_until)
        outcome.windows += 1
        outcome.hurried += hurry
        if found is None:
            # Backing up decides two windows again: not when that cannot end in time.
            again = clock.now() + outcome.floor * (len(parts) - k + 1)
            late = give_up is not None and again > give_up
            if k == 0 or backups >= knobs.max_backtrack or late:
                raise OutOfTime
            backups += 1
            outcome.backups += 1
            # Back up: the previous window and this one decided again together.
            pa, _pb = parts[k - 1]
            grid[:, pa:] = OPEN
            parts[k - 1 : k + 1] = [(pa, b)]
            k -= 1
            continue
        grid[:, a:b] = found[:, a - first : b - first]
        k += 1
    outcome.first = clock.now() - started
    return outcome


def repair(problem: Problem, outcome: _Outcome, until: float, run: _Run, seed: int) -> None:
    """Windows shifted by half a window, everything else fixed, until the time is up."""
    knobs, clock = run.knobs, run.clock
    width = max(7, 7 * round(knobs.window_days / 7))
    context = context_days(problem)
    days = problem.horizon.days
    offset = 7 * max(1, round(width / 14))
    turn = 0
    while clock.now() < until:
        parts = windows(problem, knobs.window_days, offset if turn % 2 == 0 else 0)
        for i, (a, b) in enumerate(parts):
            stop.check()
            left = until - clock.now()
            if left <= max(0.05, outcome.overrun):
                return
            window_until = clock.now() + left / (len(parts) - i)
            first, last = max(0, a - context), min(days, b + context)
            found, _took = _solve_window(
                problem,
                outcome.grid,
                first,
                (a, b),
                last,
                window_until,
                run,
                seed + 1000 * (turn + 1) + i,
            )
            outcome.repaired += 1
            outcome.overrun = max(outcome.overrun, clock.now() - window_until)
            if found is not None:
                outcome.grid[:, a:b] = found[:, a - first : b - first]
        turn += 1


def cost(problem: Problem, grid: np.ndarray) -> tuple[float, list[dict[str, Any]]]:
    """The objective of a whole schedule (cover and requests: all a pure roster pays) and what
    was bent, costliest first. Read from the problem directly: decomposing a year again costs
    seconds (`decomposition._overlaps` walks every pair of types on every day)."""
    n_shifts, days = len(problem.shifts), problem.horizon.days
    shift_ix, person_ix = problem.shift_index(), problem.person_index()
    count = np.zeros((days, n_shifts), np.int64)
    for row in grid:
        count[decomposition.worked(row)] += 1
    required = np.zeros((days, n_shifts), np.int64)
    under = np.zeros((days, n_shifts))
    over = np.zeros((days, n_shifts))
    for c in problem.coverage:
        s = shift_ix[c.shift]
        for d in c.days if c.days is not None else range(days):
            required[d, s], under[d, s], over[d, s] = c.required or 0, c.weight_under, c.weight_over
    short = np.maximum(required - count, 0)
    extra = np.maximum(count - required, 0)
    total = float((short * under).sum() + (extra * over).sum())
    for ref in problem.requests_on:
        worked = int(grid[person_ix[ref.person], ref.day])
        granted = worked >= 0 if ref.shift is None else worked == shift_ix[ref.shift]
        total += 0 if granted else (ref.weight or 1)
    for ref in problem.requests_off:
        worked = int(grid[person_ix[ref.person], ref.day])
        broken = worked >= 0 if ref.shift is None else worked == shift_ix[ref.shift]
        total += (ref.weight or 1) if broken else 0
    bent: list[dict[str, Any]] = []
    for (d, s), missing in np.ndenumerate(short):
        if missing:
            label = f"{problem.shifts[s].label} on {problem.horizon.date(int(d)).isoformat()}"
            bent.append(
                {
                    "rule": "coverage",
                    "cost": float(missing * under[d, s]),
                    "text": f"{label} short by {missing}",
                }
            )
    for (d, s), more in np.ndenumerate(extra):
        if more:
            label = f"{problem.shifts[s].label} on {problem.horizon.date(int(d)).isoformat()}"
            bent.append(
                {
                    "rule": "coverage",
                    "cost": float(more * over[d, s]),
                    "text": f"{label} over by {more}",
                }
            )
    bent.sort(key=lambda item: -item["cost"])
    return total, bent


def solve_in_windows(
    problem: Problem,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    knobs: HorizonKnobs,
    started: float | None = None,
    clock: Clock = WALL,
) -> Any:
    """A Result (solve.Result) for a long pure roster, within the time limit."""
    from rounds.engine.roster.solve import Assignment, Result, Status, totals

    started = clock.now() if started is None else started
    end = started + time_limit - knobs.reserve
    run = _Run(knobs, workers, clock)
    try:
        outcome = forward(
            problem,
            started + knobs.first_pass * (end - started),
            run,
            seed,
            started,
            end,
            started + time_limit * (1 + knobs.overtime) - knobs.reserve,
        )
    except OutOfTime:
        return Result(
            Status.UNKNOWN,
            wall_time=clock.now() - started,
            explanation=[
                "no schedule was found window by window over the horizon within the time limit "
                "(a window and the ones before it had none: the rules may not hold together)"
            ],
        )
    repair(problem, outcome, end, run, seed)
    objective, bent = cost(problem, outcome.grid)
    assignments = [
        Assignment(problem.people[p].id, d, problem.shifts[s].id)
        for (p, d), s in np.ndenumerate(outcome.grid)
        if s >= 0
    ]
    return Result(
        Status.FEASIBLE,
        objective=objective,
        time_to_first_feasible=outcome.first,
        assignments=assignments,
        totals=totals(problem, assignments),
        bent=bent,
        stats={
            "windows": {
                "solved": outcome.windows,
                "hurried": outcome.hurried,
                "backups": outcome.backups,
                "repaired": outcome.repaired,
            }
        },
    )
