"""Contact time: the days and shifts each trainee spent with each faculty member.

Three sources, all as published: the rotation schedules (where a trainee is, block by block), the
call schedules (which shifts a trainee works, at which site and service) and the teaching
assignments (which faculty member attends which rotation on which days). A day together is a
working day of a trainee's placement on a rotation the faculty member attends that day (weekdays,
or every day for rotations that work weekends), or a day the trainee works a shift at that
rotation's site and service; a shift together is such a shift. Days a trainee is not in training
(before the start, on leave, after the end) count for nothing.

Everything is read in a few queries and joined in memory, so the whole institution's year is a
fraction of a second (bench/assessment.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from rounds.assessment.models import TeachingAssignment
from rounds.people.models import Trainee
from rounds.people.training import History, history_of, history_prefetch
from rounds.schedules.models import (
    Block,
    CallAssignment,
    CallSchedule,
    Rotation,
    RotationAssignment,
    RotationSchedule,
)


@dataclass(frozen=True)
class Placement:
    """A trainee on a rotation for a block or half a block, as published."""

    trainee_id: int
    program_id: int
    rotation: Rotation
    first_day: date
    last_day: date
    ends_on: date  # the placement's own last day, even when the period asked about ends sooner


@dataclass
class Together:
    """What one trainee and one faculty member shared within one placement (or, for shifts
    away from the trainee's placement, within the period asked about)."""

    trainee_id: int
    faculty_id: int
    rotation_id: int
    # Days as ordinals (date.toordinal()): a year of an institution is a few hundred thousand
    # of them, and integers are much cheaper to make, hash and compare than dates.
    days: set[int] = field(default_factory=set)
    shift_days: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class ContactTime:
    trainee_id: int
    faculty_id: int
    days: int
    shifts: int
    first_day: date
    last_day: date


@dataclass
class ScheduleFacts:
    """The published facts of a period, loaded once: placements, shifts, teaching, histories."""

    start: date
    end: date
    placements: list[Placement]
    shifts: list[tuple[int, date, int, str, str]]  # trainee, day, site id, service, label
    shifts_by_trainee: dict[int, list[tuple[int, date, int, str, str]]]
    teaching: dict[int, list[TeachingAssignment]]  # by rotation id
    rotations_at_site: dict[int, list[Rotation]]
    histories: dict[int, History]
    spans: dict[int, list[tuple[date, date]]] = field(default_factory=dict)

    def training_spans(self, trainee_id: int) -> list[tuple[date, date]]:
        """`History.spans`, worked out once per trainee and load."""
        spans = self.spans.get(trainee_id)
        if spans is None:
            history = self.histories.get(trainee_id)
            spans = self.spans[trainee_id] = history.spans() if history else []
        return spans

    def in_training(self, trainee_id: int, day: date) -> bool:
        return any(first <= day <= last for first, last in self.training_spans(trainee_id))

    def working_in_training(
        self, trainee_id: int, rotation: Rotation, first: date, last: date
    ) -> list[int]:
        """The rotation's working days of [first, last] the trainee is in training, as
        ordinals."""
        out: list[int] = []
        for a, b in self.training_spans(trainee_id):
            lo, hi = max(a, first), min(b, last)
            if lo <= hi:
                out += working_ordinals(rotation, lo, hi)
        return out

    def faculty_on(self, rotation_id: int, day: date) -> list[int]:
        return [t.faculty_id for t in self.teaching.get(rotation_id, ()) if t.covers(day)]


def facts_load(
    start: date,
    end: date,
    *,
    program_ids: Iterable[int] | None = None,
    trainee_id: int | None = None,
) -> ScheduleFacts:
    placements = _placements(start, end, program_ids, trainee_id)
    shifts = _shifts(start, end, program_ids, trainee_id)
    teaching: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for row in TeachingAssignment.objects.filter(first_day__lte=end, last_day__gte=start):
        teaching[row.rotation_id].append(row)
    rotations_at_site: dict[int, list[Rotation]] = defaultdict(list)
    for rotation in Rotation.objects.filter(pk__in=list(teaching)):
        rotations_at_site[rotation.site_id].append(rotation)
    trainee_ids = {p.trainee_id for p in placements} | {s[0] for s in shifts}
    trainees = Trainee.objects.filter(pk__in=trainee_ids).prefetch_related(*history_prefetch())
    histories = {t.pk: history_of(t) for t in trainees}
    by_trainee: dict[int, list[tuple[int, date, int, str, str]]] = defaultdict(list)
    for shift in shifts:
        by_trainee[shift[0]].append(shift)
    return ScheduleFacts(
        start, end, placements, shifts, by_trainee, teaching, rotations_at_site, histories
    )


def _placements(
    start: date, end: date, program_ids: Iterable[int] | None, trainee_id: int | None
) -> list[Placement]:
    """Read as plain values, blocks and rotations once each: a year of a whole institution is
    tens of thousands of rows, and model instances per row were most of the time."""
    rows = RotationAssignment.objects.filter(
        schedule__status=RotationSchedule.Status.PUBLISHED,
        block__start__lte=end,
        block__end__gte=start,
    )
    if program_ids is not None:
        rows = rows.filter(schedule__program__in=list(program_ids))
    if trainee_id is not None:
        rows = rows.filter(trainee_id=trainee_id)
    values = list(
        rows.values_list("trainee_id", "schedule__program_id", "rotation_id", "block_id", "half")
    )
    blocks = Block.objects.in_bulk({v[3] for v in values})
    rotations = Rotation.objects.in_bulk({v[2] for v in values})
    out = []
    for trainee, program, rotation, block, half in values:
        first, last = blocks[block].half_range(half)
        end_of = last
        first, last = max(first, start), min(last, end)
        if first <= last:
            out.append(Placement(trainee, program, rotations[rotation], first, last, end_of))
    return out


def _shifts(
    start: date, end: date, program_ids: Iterable[int] | None, trainee_id: int | None
) -> list[tuple[int, date, int, str, str]]:
    rows = CallAssignment.objects.filter(
        schedule__status=CallSchedule.Status.PUBLISHED, day__gte=start, day__lte=end
    )
    if program_ids is not None:
        rows = rows.filter(schedule__program__in=list(program_ids))
    if trainee_id is not None:
        rows = rows.filter(trainee_id=trainee_id)
    return list(rows.values_list("trainee_id", "day", "site_id", "service", "label"))


def working_ordinals(rotation: Rotation, first: date, last: date) -> list[int]:
    """The rotation's working days from `first` to `last` as ordinals: every day for a rotation
    that works weekends, else Monday to Friday (ordinal 1 was a Monday)."""
    days = range(first.toordinal(), last.toordinal() + 1)
    if rotation.works_weekends:
        return list(days)
    return [d for d in days if (d - 1) % 7 < 5]


def working_count(rotation: Rotation, first: date, last: date) -> int:
    return len(working_ordinals(rotation, first, last)) if first <= last else 0


def placement_contacts(facts: ScheduleFacts, placement: Placement) -> dict[int, Together]:
    """faculty id -> what they shared with the trainee on this placement: the working days
    the faculty member attended its rotation, and the trainee's shifts on its service."""
    out: dict[int, Together] = {}
    history = facts.histories.get(placement.trainee_id)
    if history is None:
        return out
    rotation = placement.rotation
    for row in facts.teaching.get(rotation.pk, ()):
        first = max(row.first_day, placement.first_day)
        last = min(row.last_day, placement.last_day)
        if first > last:
            continue
        days = facts.working_in_training(placement.trainee_id, rotation, first, last)
        if days:
            together = out.setdefault(
                row.faculty_id, Together(placement.trainee_id, row.faculty_id, rotation.pk)
            )
            together.days.update(days)
    for _, day, site_id, service, label in facts.shifts_by_trainee.get(placement.trainee_id, ()):
        if not placement.first_day <= day <= placement.last_day or site_id != rotation.site_id:
            continue
        if not _same_service(rotation, service, label) or not facts.in_training(
            placement.trainee_id, day
        ):
            continue
        for faculty_id in facts.faculty_on(rotation.pk, day):
            together = out.setdefault(
                faculty_id, Together(placement.trainee_id, faculty_id, rotation.pk)
            )
            together.days.add(day.toordinal())
            together.shift_days.add(day.toordinal())
    return out


def together_all(facts: ScheduleFacts) -> dict[tuple[int, int, int], Together]:
    """(trainee, faculty, rotation) -> what they shared in the period."""
    out: dict[tuple[int, int, int], Together] = {}

    def note(trainee_id: int, faculty_id: int, rotation_id: int) -> Together:
        key = (trainee_id, faculty_id, rotation_id)
        if key not in out:
            out[key] = Together(trainee_id, faculty_id, rotation_id)
        return out[key]

    for placement in facts.placements:
        for row in facts.teaching.get(placement.rotation.pk, ()):
            first = max(row.first_day, placement.first_day)
            last = min(row.last_day, placement.last_day)
            if first > last:
                continue
            days = facts.working_in_training(placement.trainee_id, placement.rotation, first, last)
            if days:
                note(placement.trainee_id, row.faculty_id, placement.rotation.pk).days.update(days)
    for trainee_id, day, site_id, service, label in facts.shifts:
        if not facts.in_training(trainee_id, day):
            continue
        for rotation in facts.rotations_at_site.get(site_id, ()):
            if not _same_service(rotation, service, label):
                continue
            for faculty_id in facts.faculty_on(rotation.pk, day):
                together = note(trainee_id, faculty_id, rotation.pk)
                together.shift_days.add(day.toordinal())
                together.days.add(day.toordinal())
    return out


def _same_service(rotation: Rotation, service: str, label: str) -> bool:
    names = {rotation.service.lower(), rotation.name.lower()}
    return service.lower() in names or label.lower() in names


def contact_time(
    start: date,
    end: date,
    *,
    program_ids: Iterable[int] | None = None,
    trainee_id: int | None = None,
    faculty_id: int | None = None,
) -> dict[tuple[int, int], ContactTime]:
    """(trainee id, faculty id) -> the days and shifts they shared from `start` to `end`
    inclusive, by the published schedules and the teaching assignments. Pairs who shared
    nothing are absent."""
    facts = facts_load(start, end, program_ids=program_ids, trainee_id=trainee_id)
    days: dict[tuple[int, int], set[int]] = defaultdict(set)
    shifts: dict[tuple[int, int], set[int]] = defaultdict(set)
    for together in together_all(facts).values():
        if faculty_id is not None and together.faculty_id != faculty_id:
            continue
        pair = (together.trainee_id, together.faculty_id)
        days[pair] |= together.days
        shifts[pair] |= together.shift_days
    return {
        pair: ContactTime(
            pair[0],
            pair[1],
            len(d),
            len(shifts[pair]),
            date.fromordinal(min(d)),
            date.fromordinal(max(d)),
        )
        for pair, d in days.items()
        if d
    }
