"""Who is in training when: the one place that reads a trainee's dated history.

Every schedule, reminder, email, swap offer and count asks here, for the day or days it is about,
never the `Trainee.status` column. A history is built from the trainee's row (the record before
any dated event, and what an import or a test writes directly) and its `TrainingEvent` rows:

- training runs from the start date to the last day: the completion or withdrawal date if one is
  recorded, else the expected end (the latest start or extension sets it);
- a leave of absence takes its days out of training, and so does logged parental, caregiver or
  medical leave (`workhours.LeaveSpan`): a trainee away on either is scheduled, given call,
  offered a swap or reminded on none of those days;
- the PGY level and program on a day are the ones the latest event on or before that day set.

A row marked graduated or withdrawn with no dated event is a record from before dates were kept:
it is in training on no day. A row marked on leave with no leave event is on leave on every day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, Q

from rounds.core.models import Program
from rounds.people.models import Trainee, TrainingEvent

Span = tuple[date, date]  # first and last day, inclusive

# Logged leave (workhours.LeaveSpan kinds) that takes its days out of training, as a recorded
# leave of absence does. Vacation and sick days are logged after the fact for the hours record;
# parental, caregiver and medical leave is leave from training.
AWAY_KINDS = frozenset({"parental", "medical"})


def history_prefetch(path: str = "") -> list[str | Prefetch]:
    """What `history_of` reads, to prefetch when building many histories: the training events
    and the logged leave from training (only those kinds: a trainee logs many vacation and sick
    days, which the dates never read). `path`: "" from trainees, "trainee__" from rows that
    point at one."""
    from rounds.workhours.models import LeaveSpan

    away = LeaveSpan.objects.filter(kind__in=AWAY_KINDS).only("trainee", "start", "end")
    return [
        f"{path}training_events",
        Prefetch(f"{path}leave", queryset=away, to_attr="away_leave"),
    ]


STATUS_LABELS = {
    "incoming": "Starts later",
    "active": "In training",
    "leave": "On leave",
    "ended": "Past expected end",
    "graduated": "Graduated",
    "withdrawn": "Withdrawn",
}
_FINISH: dict[str, str] = {
    TrainingEvent.Kind.COMPLETION: "graduated",
    TrainingEvent.Kind.WITHDRAWAL: "withdrawn",
}


@dataclass(frozen=True)
class History:
    """A trainee's training dates as recorded; every question is about a day or a period."""

    trainee_id: int
    start: date
    expected_end: date
    finished: tuple[str, date] | None  # ("graduated" | "withdrawn", last day in training)
    leaves: tuple[Span, ...]
    levels: tuple[tuple[date, int], ...]  # (from this day, PGY level), by date
    programs: tuple[tuple[date, int], ...]  # (from this day, program id), by date
    legacy_status: str | None = None  # graduated/withdrawn/leave with no dated events
    logged: tuple[Span, ...] = ()  # logged parental, caregiver or medical leave

    @property
    def away(self) -> tuple[Span, ...]:
        """Every span out of training on leave: leaves of absence and logged leave from
        training (`leaves` alone are the training events, which letters and counts list)."""
        return self.leaves + self.logged

    @property
    def last_day(self) -> date:
        return self.finished[1] if self.finished else self.expected_end

    def spans(self) -> list[Span]:
        """The runs of days in training, leave taken out, in order."""
        if self.legacy_status in ("graduated", "withdrawn", "leave"):
            return []
        out: list[Span] = []
        cursor, last = self.start, self.last_day
        for first, end in sorted(self.away):
            if end < cursor or first > last:
                continue
            if first > cursor:
                out.append((cursor, first - timedelta(days=1)))
            cursor = max(cursor, end + timedelta(days=1))
        if cursor <= last:
            out.append((cursor, last))
        return out

    def enrolled_on(self, day: date) -> bool:
        """Between the start and the last day, on leave or not: one of the program's trainees."""
        if self.legacy_status in ("graduated", "withdrawn"):
            return False
        return self.start <= day <= self.last_day

    def in_training_on(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.spans())

    def in_training_during(self, first: date, last: date, program_id: int | None = None) -> bool:
        return any(
            self._in_program(max(a, first), min(b, last), program_id) for a, b in self.spans()
        )

    def days_in(self, first: date, last: date, program_id: int | None = None) -> list[date]:
        """The days of [first, last] in training (in that program, if one is named)."""
        return [
            lo + timedelta(days=n)
            for lo, hi in self.stretches_in(first, last, program_id)
            for n in range((hi - lo).days + 1)
        ]

    def stretches_in(self, first: date, last: date, program_id: int | None = None) -> list[Span]:
        """The runs of days of [first, last] in training (in that program, if one is named), in
        order: what `days_in` lists day by day, for questions that need no list of days (a
        grid asks them for every trainee and block on every edit)."""
        out: list[Span] = []
        for a, b in self.spans():
            out += self._in_program(max(a, first), min(b, last), program_id)
        return sorted(out)

    def count_days_in(self, first: date, last: date, program_id: int | None = None) -> int:
        return sum((hi - lo).days + 1 for lo, hi in self.stretches_in(first, last, program_id))

    def _in_program(self, start: date, end: date, program_id: int | None) -> list[Span]:
        """The stretches of [start, end] in `program_id` (all of it when None), cut at the
        program changes rather than asking program_on day by day: the schedule pages ask this
        for every trainee and block, and a day-by-day walk was most of their time."""
        if start > end:
            return []
        if program_id is None:
            return [(start, end)]
        out = []
        for i, (since, program) in enumerate(self.programs):
            # As in program_on: the first program holds before its date too; a later one holds
            # until the day before the next change.
            lo = date.min if i == 0 else since
            hi = (
                self.programs[i + 1][0] - timedelta(days=1)
                if i + 1 < len(self.programs)
                else date.max
            )
            if program == program_id and max(lo, start) <= min(hi, end):
                out.append((max(lo, start), min(hi, end)))
        return out

    def on_leave(self, day: date) -> bool:
        if self.legacy_status == "leave":
            return self.start <= day <= self.last_day
        return any(a <= day <= b for a, b in self.away)

    def pgy_on(self, day: date) -> int:
        return _in_force(self.levels, day)

    def program_on(self, day: date) -> int:
        return _in_force(self.programs, day)

    def first_day_in(self, first: date, last: date) -> date | None:
        days = self.days_in(first, last)
        return days[0] if days else None

    def status_on(self, day: date) -> str:
        if self.legacy_status in ("graduated", "withdrawn"):
            return self.legacy_status
        if self.finished and day > self.finished[1]:
            return self.finished[0]
        if day < self.start:
            return "incoming"
        if day > self.expected_end and not self.finished:
            return "ended"
        return "leave" if self.on_leave(day) else "active"

    def status_label_on(self, day: date) -> str:
        return STATUS_LABELS[self.status_on(day)]


def _in_force(changes: Sequence[tuple[date, int]], day: date) -> int:
    value = changes[0][1]
    for since, v in changes:
        if since > day:
            break
        value = v
    return value


def history_build(trainee: Trainee, events: Iterable[TrainingEvent]) -> History:
    """The history of `trainee` from its row, these events (saved or not: previews pass one
    more) and its logged leave from training (prefetched `leave` when there)."""
    ordered = sorted(events, key=lambda e: (e.effective_date, e.pk or 1 << 62))
    by_recording = sorted(ordered, key=lambda e: e.pk or 1 << 62)
    start, expected_end = trainee.start_date, trainee.expected_end_date
    for e in by_recording:
        if e.kind == TrainingEvent.Kind.START:
            start = e.effective_date
        if e.kind in (TrainingEvent.Kind.START, TrainingEvent.Kind.EXTENSION) and e.end_date:
            expected_end = e.end_date
    finishes = [e for e in ordered if e.kind in _FINISH]
    finished = (_FINISH[finishes[0].kind], finishes[0].effective_date) if finishes else None
    leaves = tuple(
        (e.effective_date, e.end_date or expected_end)
        for e in ordered
        if e.kind == TrainingEvent.Kind.LEAVE
    )
    legacy = None
    legacy_leave = trainee.status == Trainee.Status.LEAVE and not leaves
    if (
        not finishes
        and trainee.status != Trainee.Status.ACTIVE
        and (trainee.status != Trainee.Status.LEAVE or legacy_leave)
    ):
        legacy = trainee.status
    return History(
        trainee_id=trainee.pk,
        start=start,
        expected_end=expected_end,
        finished=finished,
        leaves=leaves,
        levels=_changes(ordered, "pgy", trainee.pgy),
        programs=_changes(ordered, "program_id", trainee.program_id),
        legacy_status=legacy,
        logged=tuple(sorted((s.start, s.end) for s in _away_leave(trainee))),
    )


def _away_leave(trainee: Trainee) -> Iterable[Any]:
    """The trainee's logged leave from training: prefetched (`history_prefetch`), else read."""
    prefetched = getattr(trainee, "away_leave", None)
    if prefetched is not None:
        return prefetched
    return trainee.leave.filter(kind__in=AWAY_KINDS).only("start", "end")


def _changes(
    ordered: list[TrainingEvent], field: str, current: int
) -> tuple[tuple[date, int], ...]:
    """Change points of a value: before the first event that set it, the value it replaced."""
    setting = [e for e in ordered if getattr(e, field) is not None]
    if not setting:
        return ((date.min, current),)
    before = getattr(setting[0], f"from_{field}")
    first = before if before is not None else getattr(setting[0], field)
    return ((date.min, first), *((e.effective_date, getattr(e, field)) for e in setting))


def history_of(trainee: Trainee) -> History:
    """Uses prefetched `training_events` and logged leave when there (`history_prefetch`: two
    queries for many trainees)."""
    return history_build(trainee, trainee.training_events.all())


def histories_of(trainees: Iterable[Trainee]) -> dict[int, History]:
    return {t.pk: history_of(t) for t in trainees}


def trainees_in_training(
    programs: Iterable[Program | int] | None, first: date, last: date
) -> list[Trainee]:
    """Trainees in training on at least one day of [first, last] (in one of `programs` on that
    day, when given), with person, program and events loaded."""
    query = Trainee.objects.select_related("person", "program").prefetch_related(
        *history_prefetch()
    )
    program_ids: list[int] | None = None
    if programs is not None:
        program_ids = [p if isinstance(p, int) else p.pk for p in programs]
        query = query.filter(
            Q(program__in=program_ids)
            | Q(training_events__program__in=program_ids)
            | Q(training_events__from_program__in=program_ids)
        ).distinct()
    out = []
    for trainee in query.order_by("pk"):
        history = history_of(trainee)
        if program_ids is None:
            if history.in_training_during(first, last):
                out.append(trainee)
        elif any(history.in_training_during(first, last, p) for p in program_ids):
            out.append(trainee)
    return out


def in_training_on(trainee: Trainee, day: date) -> bool:
    return history_of(trainee).in_training_on(day)


def pgy_on(trainee: Trainee, day: date) -> int:
    return history_of(trainee).pgy_on(day)


def count_in_training(day: date, programs: Iterable[Program | int] | None = None) -> int:
    """How many are in training on `day`: the "active" figure on dashboards and the finder."""
    return len(trainees_in_training(programs, day, day))


def trainees_enrolled_on(day: date) -> list[Trainee]:
    """Trainees between their start and last day on `day`, those on leave included."""
    query = Trainee.objects.select_related("person", "program").prefetch_related(
        *history_prefetch()
    )
    return [t for t in query.order_by("pk") if history_of(t).enrolled_on(day)]
