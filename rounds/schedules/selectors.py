"""Reads of schedules. Other apps (work hours, sites, calendars) depend on these three names:
`scheduled_shifts`, `trainees_at_site` and `blocks_of`."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.db.models import Q

from rounds.people.training import history_prefetch
from rounds.schedules.models import (
    Block,
    CallAssignment,
    CallSchedule,
    Rotation,
    RotationAssignment,
    RotationSchedule,
    VacationRequest,
)

if TYPE_CHECKING:
    from rounds.core.models import Program, Site
    from rounds.people.models import Trainee


@dataclass(frozen=True)
class ScheduledShift:
    start: dt.datetime  # aware
    end: dt.datetime  # aware
    kind: str  # "clinical", "in_house_call", "education" or "home_call"
    label: str
    site: str


@dataclass(frozen=True)
class SiteStint:
    trainee: Trainee
    rotation: str
    program: Program
    first_day: dt.date
    last_day: dt.date


def blocks_of(program: Program, academic_year: int) -> list[Block]:
    return list(Block.objects.filter(program=program, academic_year=academic_year))


def published_schedule(program: Program, academic_year: int) -> RotationSchedule | None:
    return RotationSchedule.objects.filter(
        program=program, academic_year=academic_year, status=RotationSchedule.Status.PUBLISHED
    ).first()


def _published_assignments(**filters: object) -> list[RotationAssignment]:
    return list(
        RotationAssignment.objects.filter(
            schedule__status=RotationSchedule.Status.PUBLISHED, **filters
        ).select_related("block", "rotation__site", "trainee__person", "trainee__program")
    )


def rotation_days(
    trainee: Trainee, start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date, Rotation]]:
    """(first day, last day, rotation) of published placements overlapping the range."""
    rows = _published_assignments(trainee=trainee, block__start__lte=end, block__end__gte=start)
    spans = []
    for row in rows:
        first, last = row.block.half_range(row.half)
        if first <= end and last >= start:
            spans.append((first, last, row.rotation))
    return sorted(spans, key=lambda s: s[0])


def rotation_days_of(
    trainees: list[Trainee], start: dt.date, end: dt.date
) -> dict[int, list[tuple[dt.date, dt.date, Rotation]]]:
    """`rotation_days` for many trainees in one query, by trainee id."""
    rows = _published_assignments(
        trainee__in=trainees, block__start__lte=end, block__end__gte=start
    )
    spans: dict[int, list[tuple[dt.date, dt.date, Rotation]]] = {t.pk: [] for t in trainees}
    for row in rows:
        first, last = row.block.half_range(row.half)
        if first <= end and last >= start:
            spans[row.trainee_id].append((first, last, row.rotation))
    return {pk: sorted(found, key=lambda s: s[0]) for pk, found in spans.items()}


def scheduled_shifts(trainee: Trainee, start: dt.date, end: dt.date) -> list[ScheduledShift]:
    """The trainee's planned work from `start` to `end` inclusive, in time order.

    Days with published call/shift assignments use those; other days the published rotation's
    default daily hours (weekdays, or every day for rotations that work weekends).
    """
    calls = list(
        CallAssignment.objects.filter(
            schedule__status=CallSchedule.Status.PUBLISHED,
            trainee=trainee,
            day__gte=start,
            day__lte=end,
        ).select_related("site")
    )
    shifts = [ScheduledShift(c.start, c.end, c.kind, c.label, c.site.name) for c in calls]
    called_days = {c.day for c in calls}
    for first, last, rotation in rotation_days(trainee, start, end):
        if rotation.is_off or not rotation.day_hours:
            continue
        tz = zoneinfo.ZoneInfo(rotation.site.timezone)
        day = max(first, start)
        while day <= min(last, end):
            if day not in called_days and (rotation.works_weekends or day.weekday() < 5):
                begin = dt.datetime.combine(day, rotation.day_start, tzinfo=tz)
                finish = begin + dt.timedelta(hours=float(rotation.day_hours))
                shifts.append(
                    ScheduledShift(begin, finish, "clinical", rotation.name, rotation.site.name)
                )
            day += dt.timedelta(days=1)
    return sorted(shifts, key=lambda s: s.start)


def trainees_at_site(site: Site, start: dt.date, end: dt.date) -> list[SiteStint]:
    """Who rotates at `site` between `start` and `end`, from published rotation schedules.

    Consecutive blocks on the same rotation are one stint, so a start date is the real arrival.
    """
    # Look a year either side, so a stint that spans the range keeps its real first and last day.
    margin = dt.timedelta(days=366)
    rows = _published_assignments(
        rotation__site=site, block__start__lte=end + margin, block__end__gte=start - margin
    )
    rows = [r for r in rows if not r.rotation.is_off]
    rows.sort(key=lambda r: (r.trainee_id, r.rotation_id, r.block.half_range(r.half)[0]))
    stints: list[SiteStint] = []
    for row in rows:
        first, last = row.block.half_range(row.half)
        prev = stints[-1] if stints else None
        if (
            prev is not None
            and prev.trainee.pk == row.trainee_id
            and prev.rotation == row.rotation.name
            and (first - prev.last_day).days <= 1
        ):
            stints[-1] = SiteStint(prev.trainee, prev.rotation, prev.program, prev.first_day, last)
        else:
            program = row.trainee.program
            stints.append(SiteStint(row.trainee, row.rotation.name, program, first, last))
    stints = [s for s in stints if s.first_day <= end and s.last_day >= start]
    return sorted(stints, key=lambda s: (s.first_day, s.trainee.person.last_name))


def on_call_now(site: Site | None, at: dt.datetime) -> list[CallAssignment]:
    """Published shifts in progress at `at`, optionally at one site."""
    query = CallAssignment.objects.filter(
        schedule__status=CallSchedule.Status.PUBLISHED, start__lte=at, end__gt=at
    )
    if site is not None:
        query = query.filter(site=site)
    return list(
        query.select_related("trainee__person", "trainee__program", "site")
        .prefetch_related(*history_prefetch("trainee__"))
        .order_by("site__name", "service", "label")
    )


def schedules_for(program: Program, academic_year: int | None = None) -> list[RotationSchedule]:
    query = RotationSchedule.objects.filter(program=program)
    if academic_year is not None:
        query = query.filter(academic_year=academic_year)
    return list(query.select_related("created_by"))


def shared_load(
    rotation_ids: list[int], academic_year: int, exclude_program_id: int
) -> dict[tuple[int, int], int]:
    """Trainees other programs already place on each rotation, by (rotation id, block number).

    Counts published schedules of other programs, so a program solving alone leaves them room.
    """
    rows = RotationAssignment.objects.filter(
        Q(schedule__status=RotationSchedule.Status.PUBLISHED),
        schedule__academic_year=academic_year,
        rotation_id__in=rotation_ids,
    ).exclude(schedule__program_id=exclude_program_id)
    load: dict[tuple[int, int], int] = {}
    for rotation_id, number in rows.values_list("rotation_id", "block__number"):
        load[(rotation_id, number)] = load.get((rotation_id, number), 0) + 1
    return load


@dataclass
class GridCell:
    block: Block
    rotation: Rotation | None  # the whole block's; None when empty or split in halves
    locked: bool
    findings: list[str]
    halves: list[tuple[int, Rotation]] = field(default_factory=list)  # (1 or 2, rotation)
    history: bool = False  # the whole block has started: changed only by a correction
    correction: str = ""  # why history was corrected here, if it was

    @property
    def css(self) -> str:
        """The cell's classes, put together here: one lookup per cell instead of six in the
        template, which renders about a thousand cells per grid."""
        names = [
            ("broken", bool(self.findings)),
            ("locked", self.locked),
            ("off", self.is_off),
            ("split", bool(self.halves)),
            ("history", self.history),
            ("corrected", bool(self.correction)),
        ]
        return " ".join(name for name, on in names if on)

    @property
    def split_label(self) -> str:
        """'Clinic / Elective': first half, then second ('—' for a half left empty)."""
        by_half = dict(self.halves)
        return " / ".join(by_half[h].name if h in by_half else "—" for h in (1, 2))

    @property
    def second_half_start(self) -> dt.date:
        return self.block.half_range(2)[0]

    @property
    def filled(self) -> bool:
        return self.rotation is not None or bool(self.halves)

    @property
    def is_off(self) -> bool:
        return all(r.is_off for r in self.rotations) and self.filled

    @property
    def rotations(self) -> list[Rotation]:
        return [self.rotation] if self.rotation is not None else [r for _, r in self.halves]


@dataclass
class GridRow:
    trainee: Trainee
    cells: list[GridCell]
    options: list[Rotation]
    findings: list[str]
    splits: list[tuple[Rotation, Rotation]] = field(default_factory=list)  # first, second half
    lapse: str = ""  # required credentials lapsed on the dates of the grid, in words


@dataclass
class Grid:
    schedule: RotationSchedule
    blocks: list[Block]
    rows: list[GridRow]
    block_findings: dict[int, list[str]]
    problem_error: str = ""
    violations: int = 0
    warnings: int = 0
    cost: float | None = None


@dataclass(frozen=True)
class GridCheck:
    """What the rules checker says about a version's cells: findings by cell (trainee id, block
    id), by trainee id and by block number, and the counts and score the page shows."""

    per_cell: dict[tuple[int, int], list[str]]
    per_trainee: dict[int, list[str]]
    per_block: dict[int, list[str]]
    problem_error: str = ""
    violations: int = 0
    warnings: int = 0
    cost: float | None = None


Cell = tuple[
    int, int, int, int, bool, str
]  # trainee, block, half, rotation ids; locked, correction


def schedule_grid(schedule: RotationSchedule, only_trainee: int | None = None) -> Grid:
    """Trainees x blocks with every rule checked; findings placed on the cells they concern.
    `only_trainee`: an edit's answer shows that trainee's row alone, so the lapse marks (read
    per row, not needed by the rules or the legend) are read for that row alone."""
    from rounds.record.selectors import lapse_marks
    from rounds.schedules.history import started
    from rounds.schedules.models import RotationProgram
    from rounds.schedules.problem import active_trainees, span_of

    program = schedule.program
    blocks = blocks_of(program, schedule.academic_year)
    # Read once for the rows and the rules check both (an edit redraws a row every time).
    active = active_trainees([program], *span_of(blocks, schedule.academic_year))
    trainees = sorted(active, key=lambda t: (-t.pgy, t.person.last_name, t.person.first_name))
    uses = list(
        RotationProgram.objects.filter(program=program, rotation__is_active=True).select_related(
            "rotation__site"
        )
    )
    # The cells as plain tuples, each rotation loaded once: a year is ~1,000 cells, and a model
    # instance (with its block and rotation) per cell was a good part of the page's time.
    rows: list[Cell] = list(
        schedule.assignments.order_by("half").values_list(
            "trainee_id", "block_id", "half", "rotation_id", "locked", "correction"
        )
    )
    rotations = {u.rotation.pk: u.rotation for u in uses}
    missing = {r[3] for r in rows} - rotations.keys()
    rotations.update(Rotation.objects.select_related("site").in_bulk(missing))
    cells: dict[tuple[int, int], Rotation] = {}
    halves: dict[tuple[int, int], list[tuple[int, Rotation]]] = {}
    locked: set[tuple[int, int]] = set()
    corrected: dict[tuple[int, int], str] = {}
    for trainee_id, block_id, half, rotation_id, is_locked, correction in rows:
        key = (trainee_id, block_id)
        if correction:
            corrected[key] = correction
        if half:
            halves.setdefault(key, []).append((half, rotations[rotation_id]))
        else:
            cells[key] = rotations[rotation_id]
        if is_locked:
            locked.add(key)
    checked = grid_check(schedule, blocks, rows, rotations, active)
    grid = Grid(
        schedule,
        blocks,
        [],
        checked.per_block,
        problem_error=checked.problem_error,
        violations=checked.violations,
        warnings=checked.warnings,
        cost=checked.cost,
    )
    history = {b.pk: started(b, 2) for b in blocks}  # one look at the clock per block
    marked = [t for t in trainees if only_trainee is None or t.pk == only_trainee]
    lapses = lapse_marks(marked, blocks[0].start, blocks[-1].end) if blocks else {}
    choices: dict[int, tuple[list[Rotation], list[tuple[Rotation, Rotation]]]] = {}
    for t in trainees:
        if t.pgy not in choices:  # the same for every trainee of a level: made once a level
            options = [u.rotation for u in uses if u.eligible(t.pgy) or u.rotation.is_off]
            by_halves = [
                u.rotation
                for u in uses
                if u.half_blocks and (u.eligible(t.pgy) or u.rotation.is_off)
            ]
            choices[t.pgy] = (options, [(a, b) for a in by_halves for b in by_halves if a != b])
        options, splits = choices[t.pgy]
        row_cells = []
        for b in blocks:
            found = cells.get((t.pk, b.pk))
            row_cells.append(
                GridCell(
                    b,
                    found,
                    (t.pk, b.pk) in locked,
                    checked.per_cell.get((t.pk, b.pk), []),
                    [] if found else halves.get((t.pk, b.pk), []),
                    history=history[b.pk],
                    correction=corrected.get((t.pk, b.pk), ""),
                )
            )
        findings = checked.per_trainee.get(t.pk, [])
        grid.rows.append(GridRow(t, row_cells, options, findings, splits, lapses.get(t.pk, "")))
    return grid


def grid_check(
    schedule: RotationSchedule,
    blocks: list[Block],
    rows: list[Cell],
    rotations: dict[int, Rotation],
    trainees: list[Trainee] | None = None,
) -> GridCheck:
    """Every rule checked on the version's cells (`rows`, as `schedule_grid` reads them;
    `trainees`, the year's active trainees, when read already).

    A published (or superseded) version is never edited, so its check is kept in the shared
    cache: under the schedule data version (rounds.lib.cache.SCHEDULE_DATA), which any write to
    what the check reads moves on (a trainee's dates, a rule, another program's publishing), and
    under the day, as everything else that depends on today is. A draft, edited cell by cell, is
    checked afresh on every view.
    """
    from rounds.lib.cache import SCHEDULE_DATA, computed
    from rounds.lib.today import today

    def check() -> GridCheck:
        return _grid_check(schedule, blocks, rows, rotations, trainees)

    if schedule.is_draft:
        return check()
    parts = ("grid-check", schedule.pk, schedule.revision, today().isoformat())
    return computed(SCHEDULE_DATA, parts, check)


def _grid_check(
    schedule: RotationSchedule,
    blocks: list[Block],
    rows: list[Cell],
    rotations: dict[int, Rotation],
    trainees: list[Trainee] | None = None,
) -> GridCheck:
    from rounds.engine.errors import ProblemError
    from rounds.engine.rotations.check import Placement, check
    from rounds.engine.rotations.problem import Problem
    from rounds.engine.rotations.score import score
    from rounds.schedules.problem import build_problem, pk_of, placements_of, rid, tid

    checked = GridCheck({}, {}, {})
    try:
        problem = Problem.from_json(
            build_problem([schedule.program], schedule.academic_year, trainees=trainees)
        )
    except ProblemError as error:
        return replace(checked, problem_error=str(error))
    if not blocks:
        return checked
    by_number = {b.number: b.pk for b in blocks}
    numbers = {b.pk: b.number for b in blocks}
    placements = (
        [
            Placement(tid(t), numbers[b], None if rotations[r].is_off else rid(r), half)
            for t, b, half, r, _, _ in rows
        ]
        if all(r[1] in numbers for r in rows)
        else placements_of(schedule)
    )
    violations = warnings = 0
    for f in check(problem, placements):
        if f.severity == "violation":
            violations += 1
        else:
            warnings += 1
        if f.trainee and f.block:
            cell = (pk_of(f.trainee), by_number[f.block])
            checked.per_cell.setdefault(cell, []).append(f.text)
        elif f.trainee:
            checked.per_trainee.setdefault(pk_of(f.trainee), []).append(f.text)
        elif f.block:
            checked.per_block.setdefault(f.block, []).append(f.text)
    return replace(
        checked, violations=violations, warnings=warnings, cost=score(problem, placements)
    )


@dataclass
class SolveChange:
    """One cell a re-solve moved from the version it started from, and why."""

    trainee: str
    block: str
    was: str
    now: str
    why: str


def solve_changes(schedule: RotationSchedule) -> list[SolveChange]:
    """The cells the solve that made this version changed from its base, in words (the names
    come from the problem the solve kept)."""
    changes = (schedule.solve_result or {}).get("changes") or []
    if not changes:
        return []
    data = schedule.solve_input or {}
    people = {t["id"]: t.get("name") or t["id"] for t in data.get("trainees", [])}
    places = {r["id"]: r.get("name") or r["id"] for r in data.get("rotations", [])}

    def where(rotation: str | None) -> str:
        return "off" if rotation is None else places.get(rotation, rotation)

    out = []
    for c in changes:
        label = f"Block {c['block']}"
        if c.get("half"):
            label = f"{label}, {'first' if c['half'] == 1 else 'second'} half"
        out.append(
            SolveChange(
                people.get(c["trainee"], c["trainee"]),
                label,
                where(c.get("from")),
                where(c.get("to")),
                c.get("why") or "",
            )
        )
    return out


@dataclass
class VacationBook:
    """A program year's vacation requests as the coordinator works them: those waiting for a
    decision first; requests never decided whose block has started apart (no longer work to
    do); decided ones last."""

    waiting: list[VacationRequest]
    passed: list[VacationRequest]
    decided: list[VacationRequest]


def vacation_book(program: Program, academic_year: int) -> VacationBook:
    from rounds.lib.today import today

    rows = (
        VacationRequest.objects.filter(block__program=program, block__academic_year=academic_year)
        .select_related("trainee__person", "block")
        .order_by("block__number", "trainee__person__last_name", "trainee__person__first_name")
    )
    now = today()
    book = VacationBook([], [], [])
    for row in rows:
        if row.status != VacationRequest.Status.REQUESTED:
            book.decided.append(row)
        elif row.block.start <= now:
            book.passed.append(row)
        else:
            book.waiting.append(row)
    return book
