"""What publishing a version would set off, read before it is published.

A rotation year or a call month is published only through a preview: the difference from the
version in force (cells, and the trainees they belong to), and what it breaks or changes
downstream:

- published call months whose shifts fall on days their trainee would no longer be on an
  inpatient rotation (the call checks' own leave rule, read against the draft);
- hours trainees logged "as scheduled" (one tap, pre-filled from the schedule) on days whose
  placement or shift changes: they may now be false;
- who arrives at which site in blocks still to come.

The preview carries a fingerprint of what it was computed from (the draft's cells and the version
it replaces). Publishing checks it again under the row lock, so a draft edited after its preview,
or a month someone else published meanwhile, is previewed again instead of published unseen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from rounds.core.models import Site
from rounds.lib import today as clock
from rounds.lib.cache import SCHEDULE_DATA, computed
from rounds.people.models import Trainee
from rounds.schedules.call_checks import MonthCheck, day_label
from rounds.schedules.models import (
    Block,
    CallAssignment,
    CallSchedule,
    Rotation,
    RotationSchedule,
)
from rounds.workhours.models import LoggedPeriod

SHOWN = 60  # rows of a list shown before "and N more"


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def published_rotation(schedule: RotationSchedule) -> RotationSchedule | None:
    return RotationSchedule.objects.filter(
        program_id=schedule.program_id,
        academic_year=schedule.academic_year,
        status=RotationSchedule.Status.PUBLISHED,
    ).first()


def published_call(schedule: CallSchedule) -> CallSchedule | None:
    return CallSchedule.objects.filter(
        program_id=schedule.program_id,
        month=schedule.month,
        status=CallSchedule.Status.PUBLISHED,
    ).first()


def rotation_fingerprint(schedule: RotationSchedule, previous: RotationSchedule | None) -> str:
    """Changes when any cell of the draft changes or another version becomes the one in force."""
    cells = schedule.assignments.order_by("trainee_id", "block_id", "half").values_list(
        "trainee_id", "block_id", "half", "rotation_id"
    )
    head = f"rotation {schedule.pk} replaces {previous.pk if previous else '-'}"
    return _digest([head, *(f"{t} {b} {h} {r}" for t, b, h, r in cells)])


def call_fingerprint(schedule: CallSchedule, previous: CallSchedule | None) -> str:
    shifts = schedule.shifts.order_by("trainee_id", "start", "label").values_list(
        "trainee_id", "start", "end", "label"
    )
    head = f"call {schedule.pk} replaces {previous.pk if previous else '-'}"
    return _digest([head, *(f"{t} {s.isoformat()} {e.isoformat()} {lb}" for t, s, e, lb in shifts)])


# ---------------------------------------------------------------- what a preview holds


@dataclass
class CellChange:
    """One trainee's block (or call day) that differs: what it was, what it becomes."""

    trainee: Trainee
    when: str
    before: str
    after: str
    started: bool = False  # the block or day has begun: history changes


@dataclass
class TraineeChanges:
    trainee: Trainee
    cells: list[CellChange]


@dataclass
class BrokenMonth:
    """A published call month the draft would break: its shifts on days off inpatient work."""

    month: CallSchedule
    shift_ids: list[int]
    sentences: list[str]
    kept: int  # shifts that still hold and a rebuild keeps

    @property
    def label(self) -> str:
        return f"{self.month.month:%B %Y}"


@dataclass
class LoggedAtRisk:
    """Hours logged "as scheduled" on a day whose schedule changes."""

    trainee: Trainee
    period: LoggedPeriod
    why: str


@dataclass
class Arrival:
    trainee: Trainee
    rotation: str
    first_day: dt.date
    arriving: bool  # False: no longer comes


@dataclass
class SiteArrivals:
    site: Site
    arrivals: list[Arrival]


@dataclass
class PublishPreview:
    kind: str  # "rotation" or "call"
    schedule: RotationSchedule | CallSchedule
    previous: RotationSchedule | CallSchedule | None
    fingerprint: str
    changes: list[TraineeChanges] = field(default_factory=list)
    broken_months: list[BrokenMonth] = field(default_factory=list)
    logged: list[LoggedAtRisk] = field(default_factory=list)
    sites: list[SiteArrivals] = field(default_factory=list)
    # A call month's shifts on days their trainee is away (on leave from training, on vacation,
    # off inpatient rotations): what publishing it would put in a published month, broken.
    away: list[str] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return sum(len(t.cells) for t in self.changes)

    @property
    def trainees(self) -> int:
        return len(self.changes)

    @property
    def started_cells(self) -> int:
        return sum(1 for t in self.changes for c in t.cells if c.started)

    @property
    def broken_shifts(self) -> int:
        return sum(len(m.shift_ids) for m in self.broken_months)

    @property
    def arrivals(self) -> int:
        return sum(len(s.arrivals) for s in self.sites)

    @property
    def shown_changes(self) -> list[TraineeChanges]:
        return self.changes[:SHOWN]

    @property
    def more_changes(self) -> int:
        return max(0, len(self.changes) - SHOWN)

    @property
    def shown_logged(self) -> list[LoggedAtRisk]:
        return self.logged[:SHOWN]

    @property
    def more_logged(self) -> int:
        return max(0, len(self.logged) - SHOWN)


# ---------------------------------------------------------------- a rotation year


Cell = tuple[int, int]  # (trainee id, block id)


def _cells(schedule: RotationSchedule | None) -> dict[Cell, dict[int, Rotation]]:
    out: dict[Cell, dict[int, Rotation]] = {}
    if schedule is not None:
        for a in schedule.assignments.select_related("rotation__site"):
            out.setdefault((a.trainee_id, a.block_id), {})[a.half] = a.rotation
    return out


def _names(parts: dict[int, Rotation] | None) -> str:
    if not parts:
        return "—"
    return " / ".join(parts[h].name for h in sorted(parts))


def _same(a: dict[int, Rotation] | None, b: dict[int, Rotation] | None) -> bool:
    return {h: r.pk for h, r in (a or {}).items()} == {h: r.pk for h, r in (b or {}).items()}


def rotation_publish_preview(schedule: RotationSchedule) -> PublishPreview:
    """Everything publishing this draft changes, counted first, then listed."""
    previous = published_rotation(schedule)
    old, new = _cells(previous), _cells(schedule)
    changed = sorted(k for k in set(old) | set(new) if not _same(old.get(k), new.get(k)))
    trainees = Trainee.objects.select_related("person").in_bulk({t for t, _ in changed})
    blocks = Block.objects.in_bulk({b for _, b in changed})
    today = clock.today()
    per: dict[int, list[CellChange]] = defaultdict(list)
    for t, b in sorted(changed, key=lambda k: (k[0], blocks[k[1]].number)):
        block = blocks[b]
        per[t].append(
            CellChange(trainees[t], block.label, _names(old.get((t, b))), _names(new.get((t, b))),
                       started=block.start <= today)
        )  # fmt: skip
    preview = PublishPreview(
        "rotation", schedule, previous, rotation_fingerprint(schedule, previous)
    )
    preview.changes = sorted(
        (TraineeChanges(trainees[t], cells) for t, cells in per.items()),
        key=lambda x: (x.trainee.person.last_name, x.trainee.person.first_name),
    )
    cells = [(trainees[t], blocks[b], old.get((t, b)), new.get((t, b))) for t, b in changed]
    preview.broken_months = months_broken_by(schedule)
    preview.logged = _logged_in_cells(cells)
    preview.sites = _arrivals(cells, today)
    return preview


def months_broken_by(schedule: RotationSchedule) -> list[BrokenMonth]:
    """Published call months of the draft's year that would hold shifts on days their trainee is
    no longer on an inpatient rotation (and did not before: breaks already there are not news)."""
    first = dt.date(schedule.academic_year, 7, 1)
    last = dt.date(schedule.academic_year + 1, 6, 30)
    out = []
    for month in CallSchedule.objects.filter(
        program_id=schedule.program_id,
        status=CallSchedule.Status.PUBLISHED,
        month__gte=first,
        month__lte=last,
    ).order_by("month"):
        check = MonthCheck(month)
        before = {s.pk for s, _ in check.leave_by_shift()}
        after = [(s, f) for s, f in check.leave_by_shift(schedule) if s.pk not in before]
        if after:
            out.append(
                BrokenMonth(month, [s.pk for s, _ in after], [f.text for _, f in after],
                            kept=len(check.shifts) - len(after))
            )  # fmt: skip
    return out


def _logged_in_cells(
    cells: list[tuple[Trainee, Block, dict[int, Rotation] | None, dict[int, Rotation] | None]],
) -> list[LoggedAtRisk]:
    """Hours logged as scheduled inside a changed block: they were the old placement's hours."""
    if not cells:
        return []
    ranges: dict[int, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for trainee, block, before, after in cells:
        ranges[trainee.pk].append(
            (block.start, block.end, f"{block.label}: {_names(before)} → {_names(after)}")
        )
    lo = min(b.start for _, b, _, _ in cells)
    hi = max(b.end for _, b, _, _ in cells) + dt.timedelta(days=1)
    rows = LoggedPeriod.objects.filter(
        trainee_id__in=list(ranges),
        source=LoggedPeriod.Source.SCHEDULED,
        start__date__gte=lo - dt.timedelta(days=1),
        start__date__lte=hi,
    ).select_related("trainee__person", "trainee__program")
    trainees = {t.pk: t for t, *_ in cells}
    out = []
    for period in rows:
        day = timezone.localdate(period.start)
        why = next((w for a, b, w in ranges[period.trainee_id] if a <= day <= b), None)
        if why is not None:
            out.append(LoggedAtRisk(trainees[period.trainee_id], period, why))
    return sorted(out, key=lambda x: (x.trainee.person.last_name, x.period.start))


def _sites(parts: dict[int, Rotation] | None) -> dict[int, Rotation]:
    return {r.site_id: r for r in (parts or {}).values() if not r.is_off}


def _arrivals(
    cells: list[tuple[Trainee, Block, dict[int, Rotation] | None, dict[int, Rotation] | None]],
    today: dt.date,
) -> list[SiteArrivals]:
    """Changes to who arrives at each site, in blocks not yet over (what a site's page lists)."""
    per: dict[int, list[Arrival]] = defaultdict(list)
    sites: dict[int, Site] = {}
    for trainee, block, before, after in cells:
        if block.end < today:
            continue
        old, new = _sites(before), _sites(after)
        for site_id in set(old) | set(new):
            if site_id in old and site_id in new:
                continue
            rotation = new.get(site_id) or old[site_id]
            sites[site_id] = rotation.site
            per[site_id].append(
                Arrival(trainee, rotation.name, max(block.start, today), site_id in new)
            )
    return sorted(
        (SiteArrivals(sites[s], sorted(a, key=lambda x: (x.first_day, not x.arriving)))
         for s, a in per.items()),
        key=lambda x: x.site.name,
    )  # fmt: skip


# ---------------------------------------------------------------- a call month


def call_publish_preview(schedule: CallSchedule) -> PublishPreview:
    previous = published_call(schedule)

    def shifts(s: CallSchedule | None) -> dict[tuple[int, dt.date], list[CallAssignment]]:
        out: dict[tuple[int, dt.date], list[CallAssignment]] = defaultdict(list)
        if s is not None:
            for shift in s.shifts.all():
                out[shift.trainee_id, shift.day].append(shift)
        return out

    def text(items: list[CallAssignment] | None) -> str:
        return " + ".join(sorted(s.label for s in items or [])) or "off"

    def key(items: list[CallAssignment] | None) -> set[tuple[dt.datetime, str]]:
        return {(s.start, s.label) for s in items or []}

    old, new = shifts(previous), shifts(schedule)
    changed = sorted(k for k in set(old) | set(new) if key(old.get(k)) != key(new.get(k)))
    trainees = Trainee.objects.select_related("person").in_bulk({t for t, _ in changed})
    today = clock.today()
    per: dict[int, list[CellChange]] = defaultdict(list)
    for t, day in changed:
        per[t].append(CellChange(trainees[t], day_label(day), text(old.get((t, day))),
                                 text(new.get((t, day))), started=day <= today))  # fmt: skip
    preview = PublishPreview("call", schedule, previous, call_fingerprint(schedule, previous))
    preview.changes = sorted(
        (TraineeChanges(trainees[t], cells) for t, cells in per.items()),
        key=lambda x: (x.trainee.person.last_name, x.trainee.person.first_name),
    )
    removed = [
        s for k in changed for s in old.get(k, []) if (s.start, s.label) not in key(new.get(k))
    ]
    preview.logged = _logged_on_shifts(removed, trainees)
    preview.away = [f.text for _, f in MonthCheck(schedule).leave_by_shift()]
    return preview


def _logged_on_shifts(
    removed: list[CallAssignment], trainees: dict[int, Trainee]
) -> list[LoggedAtRisk]:
    """Hours logged as scheduled over a shift the new version takes away or moves."""
    if not removed:
        return []
    rows = LoggedPeriod.objects.filter(
        trainee_id__in={s.trainee_id for s in removed},
        source=LoggedPeriod.Source.SCHEDULED,
        start__lt=max(s.end for s in removed),
        end__gt=min(s.start for s in removed),
    )
    out = []
    for period in rows:
        shift = next((s for s in removed if _overlaps(s, period)), None)
        if shift is not None:
            why = f"{shift.label} on {day_label(shift.day)} is no longer theirs"
            out.append(LoggedAtRisk(trainees[period.trainee_id], period, why))
    return sorted(out, key=lambda x: (x.trainee.person.last_name, x.period.start))


def _overlaps(shift: CallAssignment, period: LoggedPeriod) -> bool:
    return (
        shift.trainee_id == period.trainee_id
        and shift.start < period.end
        and period.start < shift.end
    )


# ---------------------------------------------------------------- what is broken now


@dataclass
class BrokenNow:
    """A published call month resting on rotations that no longer hold its shifts."""

    month: CallSchedule
    shifts: int
    draft: CallSchedule | None  # the newest draft of the month, if a replacement is under way


def call_months_broken(program_id: int, since: dt.date | None = None) -> list[BrokenNow]:
    """Published call months of a program (from `since`, default the start of this academic
    year) with shifts on days their trainee is not on an inpatient rotation of the published
    rotation schedule: flagged on the program's schedule pages until a replacement is published.

    Every schedule page of the program asks, and the answer changes only with the data: it is
    kept in the shared cache under the schedule data version (rounds.lib.cache.SCHEDULE_DATA,
    moved on by any write to what it reads) and the day."""
    today = clock.today()
    since = since or dt.date(today.year if today.month >= 7 else today.year - 1, 7, 1)
    parts = ("call-months-broken", program_id, since.isoformat(), today.isoformat())
    return computed(SCHEDULE_DATA, parts, lambda: _call_months_broken(program_id, since))


def _call_months_broken(program_id: int, since: dt.date) -> list[BrokenNow]:
    out = []
    for month in CallSchedule.objects.filter(
        program_id=program_id, status=CallSchedule.Status.PUBLISHED, month__gte=since
    ).order_by("month"):
        count = len(MonthCheck(month).leave_by_shift())
        if count:
            draft = (
                CallSchedule.objects.filter(
                    program_id=program_id, month=month.month, status=CallSchedule.Status.DRAFT
                )
                .order_by("-number")
                .first()
            )
            out.append(BrokenNow(month, count, draft))
    return out
