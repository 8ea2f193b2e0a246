"""Reads for the call pages: the month as trainees x days with every finding in place, and two
versions of a month side by side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rounds.lib.cache import SCHEDULE_DATA, computed
from rounds.lib.today import today
from rounds.people.models import Trainee
from rounds.people.training import history_of
from rounds.record.selectors import lapse_marks
from rounds.schedules.call_checks import (
    CallFinding,
    MonthCheck,
    ShiftCover,
    ShiftType,
    day_label,
    month_days,
    shift_code,
    shift_types,
)
from rounds.schedules.history import call_corrections, day_started
from rounds.schedules.models import (
    CallSchedule,
    Rotation,
    RotationAssignment,
    RotationSchedule,
)


@dataclass
class CallCell:
    day: dt.date
    codes: str = ""  # "C", "N", "" (off); "C+D" when a swap left two shifts on one day
    locked: bool = False
    broken: list[str] = field(default_factory=list)
    bent: list[str] = field(default_factory=list)
    started: bool = False  # the day has begun: history, read-only on the grid
    corrected: str = ""  # the reason, when the day is a marked correction
    leave: bool = False  # on a vacation block, or on leave from training: not to be on call

    @property
    def css(self) -> str:
        names = [
            ("broken", bool(self.broken)),
            ("bent", not self.broken and bool(self.bent)),
            ("locked", self.locked),
            ("history", self.started),
            ("corrected", bool(self.corrected)),
            ("leave", self.leave),
            ("weekend", self.day.weekday() >= 5),
        ]
        return " ".join(name for name, on in names if on)

    @property
    def label(self) -> str:
        """What a screen reader hears for the cell."""
        parts = [day_label(self.day), self.codes or "off"]
        if self.leave:
            parts.append("on leave")
        if self.started:
            parts.append("history")
        if self.corrected:
            parts.append(f"corrected: {self.corrected}")
        if self.locked:
            parts.append("locked")
        if self.broken:
            parts.append(f"{len(self.broken)} broken rule{'s' if len(self.broken) > 1 else ''}")
        return ", ".join(parts)


@dataclass
class CallRow:
    trainee: Trainee
    cells: list[CallCell]
    findings: list[CallFinding]  # every one about this trainee, told next to the row
    shifts: int = 0
    lapse: str = ""  # required credentials lapsed on the month's days, in words


@dataclass
class DayCover:
    """A day's column of the coverage row: each shift's count against its need, read from the
    same `ShiftCover`s the findings list and the summary count."""

    day: dt.date
    shifts: list[ShiftCover] = field(default_factory=list)

    @property
    def lines(self) -> list[tuple[str, str]]:
        """('C 1/1', 'met'): each shift's count against its need, and its state."""
        return [(c.line, c.state) for c in self.shifts]

    @property
    def broken(self) -> bool:
        return any(c.broken for c in self.shifts)

    @property
    def bent(self) -> bool:
        return any(c.bent for c in self.shifts)

    @property
    def short(self) -> str:
        """The shifts staffed outside their rule: 'C 0/1'."""
        return " ".join(c.line for c in self.shifts if c.state != "met")

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass
class CallGrid:
    schedule: CallSchedule
    days: list[dt.date]
    types: list[ShiftType]
    rows: list[CallRow]
    cover: list[DayCover]
    findings: list[CallFinding]  # every one, broken first, for the list above the grid
    names: dict[int, str]

    @property
    def editable(self) -> bool:
        return self.schedule.is_draft

    @property
    def started(self) -> int:
        """How many of the month's days have begun (their cells are history)."""
        return sum(1 for d in self.days if day_started(d))

    @property
    def broken(self) -> int:
        return sum(1 for f in self.findings if f.broken)

    @property
    def bent(self) -> int:
        return sum(1 for f in self.findings if not f.broken)

    @property
    def locked(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.locked)

    def sentence(self, finding: CallFinding) -> str:
        """The finding with whose it is, for the list above the grid."""
        if finding.trainee_id is None or finding.text.startswith(self.names[finding.trainee_id]):
            return finding.text
        return f"{self.names[finding.trainee_id]}: {finding.text}"

    @property
    def sentences(self) -> list[tuple[bool, str]]:
        return [(f.broken, self.sentence(f)) for f in self.findings]


def call_grid(schedule: CallSchedule) -> CallGrid:
    """Trainees x days with every rule checked; findings on the cells (and days) they concern."""
    check = MonthCheck(schedule)
    days = [schedule.month + dt.timedelta(days=i) for i in range(month_days(schedule.month))]
    covers = check.cover()
    # The coverage findings come from the very counts the coverage row shows.
    found = month_findings(schedule, check) + [c.finding for c in covers if c.finding]
    findings = sorted(found, key=lambda f: (not f.broken, f.first or schedule.month))
    trainees = sorted(
        check.trainees.values(), key=lambda t: (-t.pgy, t.person.last_name, t.person.first_name)
    )
    started = {d: day_started(d) for d in days}  # one look at the clock per day, not per cell
    cells = {(t.pk, d): CallCell(d, started=started[d]) for t in trainees for d in days}
    counts: dict[int, int] = {}
    for s in sorted(check.shifts, key=lambda s: s.start):
        cell = cells[s.trainee_id, s.day]
        code = shift_code(s, check.types)
        cell.codes = f"{cell.codes}+{code}" if cell.codes else code
        cell.locked = cell.locked or s.locked
        counts[s.trainee_id] = counts.get(s.trainee_id, 0) + 1
    for (trainee_id, day), why in call_corrections(schedule).items():
        if (trainee_id, day) in cells:
            cells[trainee_id, day].corrected = why
    for key in leave_days([t.pk for t in trainees], days[0], days[-1]):
        if key in cells:
            cells[key].leave = True
    for t in trainees:  # on leave from training (a leave of absence, parental or medical leave)
        history = history_of(t)
        for d in days:
            if history.on_leave(d):
                cells[t.pk, d].leave = True
    per_row: dict[int, list[CallFinding]] = {}
    cover = {d: DayCover(d) for d in days}
    for c in covers:
        if c.day in cover:
            cover[c.day].shifts.append(c)
    for f in findings:
        if f.trainee_id is not None:
            per_row.setdefault(f.trainee_id, []).append(f)
            if f.on_cells():
                _on_cells(cells, f)
    lapses = lapse_marks(trainees, days[0], days[-1])
    rows = [
        CallRow(
            t,
            [cells[t.pk, d] for d in days],
            per_row.get(t.pk, []),
            counts.get(t.pk, 0),
            lapses.get(t.pk, ""),
        )
        for t in trainees
    ]
    names = {t.pk: t.person.full_name for t in trainees}
    return CallGrid(schedule, days, check.types, rows, list(cover.values()), findings, names)


def leave_days(trainee_ids: list[int], first: dt.date, last: dt.date) -> set[tuple[int, dt.date]]:
    """(trainee, day) for each day from `first` to `last` the published rotation schedules
    place the trainee on vacation: one query for the whole month."""
    rows = RotationAssignment.objects.filter(
        schedule__status=RotationSchedule.Status.PUBLISHED,
        trainee_id__in=trainee_ids,
        rotation__kind=Rotation.Kind.VACATION,
        block__start__lte=last,
        block__end__gte=first,
    ).select_related("block")
    out: set[tuple[int, dt.date]] = set()
    for row in rows:
        start, end = row.block.half_range(row.half)
        day = max(start, first)
        while day <= min(end, last):
            out.add((row.trainee_id, day))
            day += dt.timedelta(days=1)
    return out


def month_findings(schedule: CallSchedule, check: MonthCheck) -> list[CallFinding]:
    """Every rule `check` finds broken or bent in the month but coverage (which the grid reads
    from `check.cover()`, as its coverage row does).

    A published (or superseded) month is never edited, so its findings are kept in the shared
    cache: under the schedule data version (rounds.lib.cache.SCHEDULE_DATA), which any write to
    what the check reads moves on, and under the day. A draft is checked afresh on every view.
    """
    if schedule.is_draft:
        return check.findings(coverage=False)
    parts = ("call-findings", schedule.pk, schedule.revision, today().isoformat())
    return computed(SCHEDULE_DATA, parts, lambda: check.findings(coverage=False))


def _on_cells(cells: dict[tuple[int, dt.date], CallCell], finding: CallFinding) -> None:
    """Mark the cells of the days a finding spans that hold a shift (a long period ends early
    on an empty day); all of them when none does."""
    spanned = [
        cells[key] for day in finding.days() if (key := (finding.trainee_id or 0, day)) in cells
    ]
    for cell in [c for c in spanned if c.codes] or spanned:
        (cell.broken if finding.broken else cell.bent).append(finding.text)


@dataclass
class CompareRow:
    trainee: Trainee
    cells: list[tuple[str, str]]  # (code in a, code in b) per day


@dataclass
class CallComparison:
    a: CallSchedule
    b: CallSchedule
    days: list[dt.date]
    rows: list[CompareRow]
    changed: int


def call_compare(a: CallSchedule, b: CallSchedule) -> CallComparison:
    """Two versions of a month, trainee by day; `changed` counts the cells that differ."""
    days = [a.month + dt.timedelta(days=i) for i in range(month_days(a.month))]
    codes: dict[tuple[int, int, dt.date], list[str]] = {}
    for side, schedule in enumerate((a, b)):
        types = shift_types(schedule)
        for s in schedule.shifts.all():
            codes.setdefault((side, s.trainee_id, s.day), []).append(shift_code(s, types))
    ids = {t for _, t, _ in codes}
    trainees = sorted(
        Trainee.objects.filter(pk__in=ids).select_related("person"),
        key=lambda t: (-t.pgy, t.person.last_name, t.person.first_name),
    )
    rows, changed = [], 0
    for t in trainees:
        pairs = [(_codes(codes, 0, t.pk, d), _codes(codes, 1, t.pk, d)) for d in days]
        changed += sum(1 for x, y in pairs if x != y)
        rows.append(CompareRow(t, pairs))
    return CallComparison(a, b, days, rows, changed)


def _codes(codes: dict[tuple[int, int, dt.date], list[str]], side: int, t: int, d: dt.date) -> str:
    return "+".join(sorted(codes.get((side, t, d), [])))
