"""The ACGME work-hour rules (ACGME_RULES.md) as hard CP-SAT constraints for trainees.

Encoding (see docs/scheduling.md, "ACGME encoding"); the solver may be stricter than the checker,
never looser:
- Windows are `workhours.rules.averaging_windows` over the trainee's rotations clipped to the
  horizon, with uncovered stretches filled by rotations named "schedule" (after the last rotation,
  28-day pieces whose last one runs past the horizon); the record given to the
  checker carries exactly those rotations, so both cut the same windows.
- weekly-hours: sum over shifts of (real minutes inside the window, outside leave days) x 7 <=
  limit x 60 x effective days. Exact (shifts never overlap for one person).
- one-day-off-in-seven: a candidate day off is a 24-hour stretch [day d at anchor a, day d+1 at
  anchor a) inside the window, touching no leave day, at least 24 real hours long (a 23-hour
  daylight-saving day never counts). Its literal may be true only if no work and no at-home call
  overlaps it. Anchors are local midnight and the end times of the shifts (so the 36 hours after a
  night can count). For each window one anchor is chosen and at least ceil(effective days / 7)
  candidates of that anchor must be free. Same-anchor candidates are disjoint 24-hour stretches,
  so each maximal free stretch of the checker holds at least as many days off: conservative.
- max-continuous-hours / rest-after-24h: chains of shifts that touch end to start form continuous
  periods; every chain longer than 24+4 hours is forbidden, and after every chain of 24 hours or
  more, a shift starting less than 14 hours after its end is forbidden. Chains are enumerated once
  on (day, shift) instances.
- call-every-third-night: in-house call shifts starting in the window x 3 <= effective days.
- pgy1-moonlighting: no variable exists for PGY-1 on moonlighting shifts (see RosterModel.allowed).
- rest-8h: soft by default (weight `acgme.rest_8h_weight`), hard when the weight is null.
At-home call is not work (it is at-home call time in the record), so it only affects days off.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from rounds.engine.roster.problem import Problem, Rotation
from rounds.engine.roster.timeline import Instance, Timeline, overlap
from rounds.engine.workhours.rules import (
    Limits,
    Window,
    averaging_windows,
    rotation_windows,
    uncovered_windows,
)

if TYPE_CHECKING:
    from rounds.engine.roster.model import RosterModel

WORK_KINDS = {"in_house_clinical", "in_house_call", "night_float", "clinic", "education"}
MAX_ANCHORS = 3


@dataclass(frozen=True)
class RecordRotation:
    name: str
    start: dt.date
    end: dt.date


def limits(problem: Problem) -> Limits:
    return Limits(weekly_limit_hours=problem.acgme.weekly_limit_hours)


def record_rotations(problem: Problem, person_id: str) -> list[RecordRotation]:
    """The person's rotations clipped to the horizon (see `_clipped_end`); gaps filled by "schedule"
    rotations."""
    first = problem.horizon.start
    last = problem.horizon.date(problem.horizon.days - 1)
    own = sorted(
        (
            RecordRotation(r.name, max(r.start, first), _clipped_end(problem, r, last))
            for r in problem.rotations
            if r.person == person_id and r.end >= first and r.start <= last
        ),
        key=lambda r: r.start,
    )
    result: list[RecordRotation] = []
    cursor = first
    for rotation in own:
        if rotation.start > cursor:
            result.append(RecordRotation("schedule", cursor, rotation.start - dt.timedelta(days=1)))
        result.append(rotation)
        cursor = max(cursor, rotation.end + dt.timedelta(days=1))
    if cursor <= last:
        result.extend(_trailing_schedule(problem, cursor, last))
    return result


def _clipped_end(problem: Problem, rotation: Rotation, last: dt.date) -> dt.date:
    """A rotation running past the horizon ends with its window that holds the last day, so the
    horizon's last days keep the rotation's own window (not a short piece cut at the horizon)."""
    if rotation.end <= last:
        return rotation.end
    rules = limits(problem)
    for window in rotation_windows(rotation, rules.window_days, rules.single_window_max_days):
        if window.start <= last <= window.end:
            return window.end
    return last


def _trailing_schedule(problem: Problem, first: dt.date, last: dt.date) -> list[RecordRotation]:
    """The days after the last rotation. Up to a single window's length they are one window;
    longer, they are cut as the work-hour rules cut days without a rotation: 28-day windows from
    the first day, the last keeping its full 28 days past the end of the horizon (days without
    work). A single long rotation would be cut with a short last piece instead (365 days = 13 x
    28 + 1: a 1-day window that needs its own day off, so nobody could work the last day)."""
    rules = limits(problem)
    if (last - first).days + 1 <= rules.single_window_max_days:
        return [RecordRotation("schedule", first, last)]
    return [
        RecordRotation("schedule", w.start, w.end)
        for w in uncovered_windows((first, last, None), rules.window_days)
    ]


def windows(problem: Problem, person_id: str) -> list[Window]:
    first = problem.horizon.start
    last = problem.horizon.date(problem.horizon.days - 1)
    return averaging_windows(record_rotations(problem, person_id), first, last, limits(problem))


def is_work(problem: Problem, inst: Instance) -> bool:
    return problem.shifts[inst.shift].kind in WORK_KINDS


def add_acgme(rm: RosterModel) -> None:
    problem = rm.problem
    trainees = [p for p in range(len(problem.people)) if rm.is_trainee(p)]
    if not trainees:
        return
    chains = work_chains(rm.timeline, problem)
    rest8 = rm.short_gaps(8 * 60, WORK_KINDS)
    for p in trainees:
        person = problem.people[p]
        leave = problem.leave_days(person.id)
        by_day = shifts_by_day(rm, p)
        for window in windows(problem, person.id):
            add_window(rm, p, window, leave, by_day)
        add_chains(rm, p, chains)
        label = person.label
        guard = rm.group(("acgme", "rest-8h", p), f"{label} should have 8 hours off between shifts")
        rm.gap_pairs(p, rest8, problem.acgme.rest_8h_weight, "rest-8h", guard, "8 hours")


@dataclass
class WindowSpan:
    first_day: int
    last_day: int
    start: int  # real minutes
    end: int
    effective_days: int
    leave_spans: list[tuple[int, int]]


def window_span(rm: RosterModel, window: Window, leave: set[int]) -> WindowSpan:
    horizon = rm.problem.horizon
    first, last = horizon.day_of(window.start), horizon.day_of(window.end)
    days = range(first, last + 1)
    spans = [(rm.timeline.day_start(d), rm.timeline.day_start(d + 1)) for d in days if d in leave]
    return WindowSpan(
        first,
        last,
        rm.timeline.day_start(first),
        rm.timeline.day_start(last + 1),
        sum(1 for d in days if d not in leave),
        spans,
    )


# A person's assignment variables by day with their real times: a window reads only its own
# days (reading the whole year for each window made building a year slow).
ByDay = dict[int, list[tuple[Instance, cp_model.IntVar]]]


def shifts_by_day(rm: RosterModel, p: int) -> ByDay:
    by_day: ByDay = {}
    for (_q, d, s), var in rm.own[p]:
        by_day.setdefault(d, []).append((rm.timeline.instances[d, s], var))
    return by_day


def starting_in(by_day: ByDay, first: int, last: int) -> list[tuple[Instance, cp_model.IntVar]]:
    """The shifts of days first..last, in day order."""
    return [item for d in range(first, last + 1) for item in by_day.get(d, ())]


def add_window(rm: RosterModel, p: int, window: Window, leave: set[int], by_day: ByDay) -> None:
    span = window_span(rm, window, leave)
    if span.effective_days <= 0:
        return
    when = f"{rm.date_label(span.first_day)} - {rm.date_label(span.last_day)}"
    label = rm.problem.people[p].label
    add_weekly_hours(
        rm,
        p,
        span,
        by_day,
        f"{label} may work at most {rm.problem.acgme.weekly_limit_hours} hours/week "
        f"averaged over {when}",
    )
    add_days_off(rm, p, span, by_day, f"{label} needs one day off in seven over {when}")
    add_call_third_night(
        rm,
        p,
        span,
        by_day,
        f"{label} may take in-house call at most every third night over {when}",
    )


def add_weekly_hours(
    rm: RosterModel, p: int, span: WindowSpan, by_day: ByDay, sentence: str
) -> None:
    terms = []
    # Shifts last at most 48 hours: one starting two days before the window may reach into it.
    for inst, var in starting_in(by_day, span.first_day - 2, span.last_day):
        if not is_work(rm.problem, inst):
            continue
        minutes = overlap(inst.start, inst.end, span.start, span.end)
        minutes -= sum(overlap(inst.start, inst.end, a, b) for a, b in span.leave_spans)
        if minutes > 0:
            terms.append((var, minutes))
    limit = rm.problem.acgme.weekly_limit_hours * 60 * span.effective_days
    if sum(m for _v, m in terms) * 7 <= limit:
        return  # cannot be exceeded: keep the model small
    guard = rm.group(("acgme", "weekly-hours", p, span.first_day), sentence)
    rm.enforce(rm.model.add(sum(7 * m * v for v, m in terms) <= limit), guard)


def anchors(problem: Problem) -> list[int]:
    """Local minute-of-day anchors for candidate days off: midnight, then common shift ends."""
    ends: dict[int, int] = {}
    for shift in problem.shifts:
        end = (shift.start_minutes + shift.length) % (24 * 60)
        if end:
            ends[end] = ends.get(end, 0) + 1
    ranked = sorted(ends, key=lambda e: (-ends[e], e))
    return [0, *ranked[: MAX_ANCHORS - 1]]


def add_days_off(rm: RosterModel, p: int, span: WindowSpan, by_day: ByDay, sentence: str) -> None:
    needed = math.ceil(span.effective_days / 7)
    guard = rm.group(("acgme", "one-day-off-in-seven", p, span.first_day), sentence)
    choices = []
    for anchor in anchors(rm.problem):
        free = candidate_free_days(rm, p, span, anchor, by_day)
        if len(free) < needed:
            continue
        chosen = rm.model.new_bool_var(f"anchor_{p}_{span.first_day}_{anchor}")
        rm.model.add(sum(free) >= needed).only_enforce_if(chosen)
        choices.append(chosen)
    constraint = rm.model.add_bool_or(choices)
    rm.enforce(constraint, guard)


def candidate_free_days(
    rm: RosterModel,
    p: int,
    span: WindowSpan,
    anchor: int,
    by_day: ByDay,
) -> list[cp_model.IntVar]:
    horizon = rm.problem.horizon
    result = []
    for d in range(span.first_day - 1, span.last_day + 1):
        start = rm.timeline.minute(horizon.date(d), anchor)
        end = rm.timeline.minute(horizon.date(d + 1), anchor)
        if start < span.start or end > span.end or end - start < 24 * 60:
            continue
        if any(overlap(start, end, a, b) for a, b in span.leave_spans):
            continue
        # Shifts last at most 48 hours, so only those starting from d-2 to d+1 can overlap.
        nearby = starting_in(by_day, d - 2, d + 1)
        busy = [var for inst, var in nearby if overlap(start, end, inst.start, inst.end)]
        free = rm.model.new_bool_var(f"free_{p}_{d}_{anchor}")
        for var in busy:
            rm.model.add_implication(free, var.Not())
        result.append(free)
    return result


def add_call_third_night(
    rm: RosterModel, p: int, span: WindowSpan, by_day: ByDay, sentence: str
) -> None:
    calls = [
        var
        for inst, var in starting_in(by_day, span.first_day - 1, span.last_day + 1)
        if rm.problem.shifts[inst.shift].kind == "in_house_call"
        and span.start <= inst.start < span.end
    ]
    allowed = span.effective_days // 3
    if len(calls) <= allowed:
        return
    guard = rm.group(("acgme", "call-every-third-night", p, span.first_day), sentence)
    rm.enforce(rm.model.add(sum(calls) <= allowed), guard)


Chain = tuple[Instance, ...]


@dataclass(frozen=True)
class Chains:
    too_long: list[Chain]  # continuous periods over 24 + 4 hours
    after_long: list[tuple[Chain, Instance]]  # (24h+ period, too-early next)

    # A year of 30 shift types holds hundreds of thousands of chains and a resident works a few
    # of the types: walking only the chains made of those types (grouped once) made building
    # the year's model about twice as fast.
    def too_long_of(self, shift_types: set[int]) -> list[Chain]:
        return _made_of(self._too_long_by_types, shift_types)

    def after_long_of(self, shift_types: set[int]) -> list[Chain]:
        """The 24-hour periods with the shift that starts too soon after them, as one chain."""
        return _made_of(self._after_long_by_types, shift_types)

    @cached_property
    def _too_long_by_types(self) -> dict[frozenset[int], list[Chain]]:
        return _by_types(self.too_long)

    @cached_property
    def _after_long_by_types(self) -> dict[frozenset[int], list[Chain]]:
        return _by_types([(*chain, nxt) for chain, nxt in self.after_long])


def _by_types(chains: list[Chain]) -> dict[frozenset[int], list[Chain]]:
    grouped: dict[frozenset[int], list[Chain]] = {}
    for chain in chains:
        grouped.setdefault(frozenset(i.shift for i in chain), []).append(chain)
    return grouped


def _made_of(grouped: dict[frozenset[int], list[Chain]], shift_types: set[int]) -> list[Chain]:
    return [chain for types, group in grouped.items() if types <= shift_types for chain in group]


def work_chains(timeline: Timeline, problem: Problem) -> Chains:
    """Enumerate chains of work instances that touch end to start (one person never overlaps)."""
    lim = limits(problem)
    max_len = round(lim.max_period_hours * 60)
    long_len = round(lim.long_period_hours * 60)
    rest = round(lim.rest_after_long_hours * 60)
    work = [i for i in timeline.instances.values() if is_work(problem, i)]
    by_start: dict[int, list[Instance]] = {}
    for inst in work:
        by_start.setdefault(inst.start, []).append(inst)
    too_long: list[tuple[Instance, ...]] = []
    after_long: list[tuple[tuple[Instance, ...], Instance]] = []
    starts_sorted = sorted(by_start)
    one_a_day = problem.max_shifts_per_day == 1

    def extend(chain: tuple[Instance, ...]) -> None:
        length = chain[-1].end - chain[0].start
        if length > max_len:
            too_long.append(chain)
            return
        if length >= long_len:
            end = chain[-1].end
            for start in starts_sorted:
                if end < start < end + rest:
                    after_long.extend((chain, nxt) for nxt in by_start[start])
        days = {i.day for i in chain}
        for nxt in by_start.get(chain[-1].end, []):
            if one_a_day and nxt.day in days:
                continue  # one shift a day: this chain can never be worked
            extend((*chain, nxt))

    for inst in work:
        extend((inst,))
    return Chains(too_long, after_long)


def add_chains(rm: RosterModel, p: int, chains: Chains) -> None:
    label = rm.problem.people[p].label
    lim = limits(rm.problem)
    guard = rm.group(
        ("acgme", "max-continuous-hours", p),
        f"{label} may work at most {lim.max_period_hours:g} hours in a row",
    )
    works = {s for (_q, _d, s), _v in rm.own[p]}
    for chain in chains.too_long_of(works):
        _forbid(rm, p, chain, guard)
    guard = rm.group(
        ("acgme", "rest-after-24h", p), f"{label} needs 14 hours off after a 24-hour period"
    )
    for chain in chains.after_long_of(works):
        _forbid(rm, p, chain, guard)


def _forbid(rm: RosterModel, p: int, chain: Chain, guard: cp_model.IntVar | None) -> None:
    """p never works the whole chain (a chain holding a day p cannot work needs nothing)."""
    lits = [rm.lit(p, i.day, i.shift) for i in chain]
    if all(lit is not False for lit in lits):
        rm.clause([], negated=lits, guard=guard)
