"""The Curtois & Qu (2014) shift scheduling benchmark: reader, conversion, independent evaluator.

The instance is converted into the general roster `Problem` (same engine, same model); `evaluate`
recomputes the published objective and hard constraints from an assignment list alone, so tests
and benchmarks never trust the solver's own number.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rounds.engine.clock import WALL, Clock
from rounds.engine.errors import ProblemError
from rounds.engine.roster.problem import (
    Acgme,
    Coverage,
    DayRef,
    Horizon,
    Person,
    Problem,
    Rule,
    Scope,
    ShiftType,
    Succession,
)
from rounds.engine.roster.settings import SearchSettings

BEST_KNOWN = {
    1: 607, 2: 828, 3: 1001, 4: 1716, 5: 1143, 6: 1950, 7: 1056, 8: 1300,
    9: 439, 10: 4631, 11: 3443, 12: 4040, 13: 1348, 14: 1278, 15: 3828, 16: 3225,
}  # fmt: skip
MONDAY = dt.date(2024, 1, 1)  # all instances start on a Monday
# Instances 1-16 ship with the repository (public data), so every test runs on a fresh clone;
# ROUNDS_CURTOIS_DIR points elsewhere (the other instances of the benchmark, say).
BENCH_DIR = Path(
    os.environ.get("ROUNDS_CURTOIS_DIR")
    or Path(__file__).resolve().parents[3] / "bench" / "data" / "curtois"
)


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass
class Instance:
    name: str
    days: int
    lengths: dict[str, int]  # shift id -> minutes, in file order
    forbidden: dict[str, list[str]]  # shift -> shifts that may not follow it
    staff: list[Staff]
    days_off: dict[str, list[int]] = field(default_factory=dict)
    on: list[tuple[str, int, str, int]] = field(default_factory=list)
    off: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: list[tuple[int, str, int, int, int]] = field(default_factory=list)

    @property
    def number(self) -> int | None:
        digits = "".join(c for c in self.name if c.isdigit())
        return int(digits) if digits else None


def load(instance: str) -> Instance:
    """An instance by path, or by number 1-16 from the shared benchmark folder."""
    if instance.isdigit():
        number = int(instance)
        if not 1 <= number <= 16:
            raise ProblemError("INSTANCE", "must be a file or a number 1-16")
        path = BENCH_DIR / f"Instance{number}.txt"
    else:
        path = Path(instance)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ProblemError("INSTANCE", f"cannot read {path}: {exc.strerror}") from None
    return parse(text, path.stem)


def _sections(text: str) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            current = sections.setdefault(line, [])
        elif current is not None:
            current.append([part.strip() for part in line.split(",")])
    return sections


def parse(text: str, name: str = "instance") -> Instance:
    s = _sections(text)
    try:
        days = int(s["SECTION_HORIZON"][0][0])
        lengths = {row[0]: int(row[1]) for row in s["SECTION_SHIFTS"]}
        forbidden = {row[0]: [f for f in row[2].split("|") if f] for row in s["SECTION_SHIFTS"]}
        staff = [_staff(row) for row in s["SECTION_STAFF"]]
        instance = Instance(name, days, lengths, forbidden, staff)
        for row in s.get("SECTION_DAYS_OFF", []):
            instance.days_off[row[0]] = [int(d) for d in row[1:] if d]
        instance.on = [
            (r[0], int(r[1]), r[2], int(r[3])) for r in s.get("SECTION_SHIFT_ON_REQUESTS", [])
        ]
        instance.off = [
            (r[0], int(r[1]), r[2], int(r[3])) for r in s.get("SECTION_SHIFT_OFF_REQUESTS", [])
        ]
        instance.cover = [
            (int(r[0]), r[1], int(r[2]), int(r[3]), int(r[4])) for r in s["SECTION_COVER"]
        ]
    except (KeyError, IndexError, ValueError) as exc:
        raise ProblemError("INSTANCE", f"not a Curtois instance file ({exc})") from None
    return instance


def _staff(row: list[str]) -> Staff:
    max_shifts = {}
    for item in row[1].split("|"):
        shift, count = item.split("=")
        max_shifts[shift] = int(count)
    return Staff(row[0], max_shifts, *(int(v) for v in row[2:8]))


def to_problem(instance: Instance) -> Problem:
    """The instance as a general roster problem: hard rules per person, soft cover and requests."""
    rules: list[Rule] = []
    for st in instance.staff:
        scope = Scope(people=(st.id,))
        for shift, count in st.max_shifts.items():
            rules.append(Rule(f"max-{shift}", "shifts", scope, shift=shift, hard_max=count))
        rules += [
            Rule("minutes", "minutes", scope, hard_min=st.min_minutes, hard_max=st.max_minutes),
            Rule(
                "consecutive",
                "consecutive_days",
                scope,
                hard_min=st.min_consecutive,
                hard_max=st.max_consecutive,
            ),
            Rule("days-off", "consecutive_days_off", scope, hard_min=st.min_days_off),
            Rule("weekends", "weekends", scope, hard_max=st.max_weekends),
        ]
    return Problem(
        horizon=Horizon(MONDAY, instance.days, "UTC"),
        people=tuple(Person(st.id) for st in instance.staff),
        shifts=tuple(ShiftType(sid, "00:00", length) for sid, length in instance.lengths.items()),
        coverage=tuple(
            Coverage(shift, (day,), required=req, weight_under=under, weight_over=over)
            for day, shift, req, under, over in instance.cover
        ),
        days_off=tuple(DayRef(p, d) for p, days in instance.days_off.items() for d in days),
        requests_on=tuple(DayRef(p, d, s, w) for p, d, s, w in instance.on),
        requests_off=tuple(DayRef(p, d, s, w) for p, d, s, w in instance.off),
        successions=tuple(
            Succession(a, b) for a, followers in instance.forbidden.items() for b in followers
        ),
        rules=tuple(rules),
        acgme=Acgme(enabled=False),
        name=instance.name,
    )


# ---------------------------------------------------------------- independent evaluator


def evaluate(instance: Instance, assignments: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """The published objective of an assignment list, and every hard constraint it breaks."""
    errors: list[str] = []
    grid: dict[tuple[str, int], str] = {}
    for a in assignments:
        key = (a["person"], a["day"])
        if key in grid:
            errors.append(f"{a['person']} has two shifts on day {a['day']}")
        grid[key] = a["shift"]
    for st in instance.staff:
        errors += _staff_errors(instance, st, [grid.get((st.id, d)) for d in range(instance.days)])
    penalty = 0
    for person, day, shift, weight in instance.on:
        penalty += weight * (grid.get((person, day)) != shift)
    for person, day, shift, weight in instance.off:
        penalty += weight * (grid.get((person, day)) == shift)
    for day, shift, req, under, over in instance.cover:
        count = sum(1 for (_p, d), s in grid.items() if d == day and s == shift)
        penalty += under * max(0, req - count) + over * max(0, count - req)
    return penalty, errors


def _runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    """(start, length) of maximal runs equal to `value`."""
    runs, start = [], None
    for d, w in enumerate([*worked, not value]):
        if w == value and start is None:
            start = d
        elif w != value and start is not None:
            runs.append((start, d - start))
            start = None
    return runs


def _staff_errors(instance: Instance, st: Staff, row: list[str | None]) -> list[str]:
    errors = []
    n = instance.days
    for shift, limit in st.max_shifts.items():
        if row.count(shift) > limit:
            errors.append(f"{st.id}: {row.count(shift)} x {shift} > {limit}")
    minutes = sum(instance.lengths[s] for s in row if s)
    if not st.min_minutes <= minutes <= st.max_minutes:
        errors.append(f"{st.id}: {minutes} minutes outside {st.min_minutes}-{st.max_minutes}")
    worked = [s is not None for s in row]
    for start, length in _runs(worked, True):
        if length > st.max_consecutive:
            errors.append(f"{st.id}: {length} shifts in a row from day {start}")
        if length < st.min_consecutive and start > 0 and start + length < n:
            errors.append(f"{st.id}: only {length} shifts in a row from day {start}")
    for start, length in _runs(worked, False):
        if length < st.min_days_off and start > 0 and start + length < n:
            errors.append(f"{st.id}: only {length} days off from day {start}")
    weekends = sum(1 for w in range(n // 7) if worked[7 * w + 5] or worked[7 * w + 6])
    if weekends > st.max_weekends:
        errors.append(f"{st.id}: {weekends} weekends > {st.max_weekends}")
    for d in instance.days_off.get(st.id, []):
        if row[d] is not None:
            errors.append(f"{st.id}: works on day off {d}")
    for d in range(n - 1):
        if row[d] and row[d + 1] and row[d + 1] in instance.forbidden.get(row[d] or "", []):
            errors.append(f"{st.id}: {row[d + 1]} follows {row[d]} on day {d + 1}")
    return errors


def run(
    instance: Instance,
    *,
    time_limit: float = 60.0,
    workers: int = 2,
    seed: int = 0,
    use_columns: bool = True,
    settings: SearchSettings | None = None,
    clock: Clock = WALL,
) -> dict[str, Any]:
    """Solve an instance through the general engine; the objective is re-evaluated independently.
    `clock` is what `time_limit` counts (wall seconds, or work: `rounds.engine.clock`)."""
    from rounds.engine.roster.settings import DEFAULT_SETTINGS
    from rounds.engine.roster.solve import solve

    result = solve(
        to_problem(instance),
        time_limit=time_limit,
        workers=workers,
        seed=seed,
        check=False,
        use_columns=use_columns,
        settings=settings or DEFAULT_SETTINGS,
        clock=clock,
    )
    assignments = [a.to_json() for a in result.assignments]
    objective, errors = evaluate(instance, assignments) if result.has_schedule else (None, [])
    best = BEST_KNOWN.get(instance.number or 0)
    return {
        "instance": instance.name,
        "status": result.status.value,
        "objective": objective,
        "solver_objective": result.objective,
        "best_bound": result.best_bound,
        "best_known": best,
        "gap_percent": None
        if objective is None or not best
        else round(100 * (objective - best) / best, 2),
        "wall_time": result.wall_time,
        "time_to_first_feasible": result.time_to_first_feasible,
        "hard_violations": errors,
        "assignments": assignments,
        "stats": result.stats,
    }
