"""Every rule a call month is checked against, for the grid, a hand edit and a swap.

- ACGME work hours: the roster engine's own schedule-to-record conversion and the independent
  work-hour checker (`rounds.engine.roster.record.check_schedule`), over the month's stored
  problem, so the grid and the solver read the rules the same way (same averaging windows, same
  leave days).
- Coverage: the month's hard minimum and maximum per shift and day (broken), and its soft
  "wanted" numbers (bent), each day's count computed once (`MonthCheck.cover`) for the grid's
  coverage row, the findings list and the summary alike.
- Leave: a shift on a day the trainee is not on an inpatient rotation of the published rotation
  schedule (clinic, elective, vacation).
- Overlaps: one trainee on two shifts at the same time.
- Requests: a shift on a day the trainee asked to have off (bent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.db.models import Q

from rounds.engine import readers
from rounds.engine.roster import problem as roster
from rounds.engine.workhours import rules
from rounds.people.models import Trainee
from rounds.people.training import history_of, history_prefetch
from rounds.schedules.models import (
    CallAssignment,
    CallRequest,
    CallSchedule,
    Rotation,
    RotationAssignment,
    RotationSchedule,
)

INPATIENT = (Rotation.Kind.CLINICAL, Rotation.Kind.NIGHT_FLOAT)
# Rules about an average over a window concern the trainee's month, not the days the window
# spans: their findings go next to the row. Every other finding concerns a period or a day, and
# is marked on the cells it spans.
WINDOW_RULES = frozenset(
    {rules.WEEKLY_HOURS, rules.ONE_DAY_OFF_IN_SEVEN, rules.CALL_EVERY_THIRD_NIGHT}
)


def month_days(month: dt.date) -> int:
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (nxt - month).days


def day_label(day: dt.date) -> str:
    return f"{day:%a %b} {day.day}"


@dataclass(frozen=True)
class ShiftType:
    """One of the month's shift types as the pages and the stored shifts use it: the roster
    engine's shift type, its start a time of day and its name never empty."""

    id: str
    name: str
    start: dt.time
    minutes: int
    kind: str

    @classmethod
    def of(cls, shift: roster.ShiftType) -> ShiftType:
        start = dt.time.fromisoformat(shift.start)
        return cls(shift.id, shift.label, start, shift.length, shift.kind)

    @property
    def hours(self) -> str:
        end = (dt.datetime.combine(dt.date(2000, 1, 1), self.start) + self.span).time()
        return f"{self.start:%H:%M}–{end:%H:%M}"

    @property
    def span(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)


def shift_types(schedule: CallSchedule) -> list[ShiftType]:
    """The shift types of the month's stored roster problem, read by the engine's own parser (the
    one that read the problem when the month was solved)."""
    shifts = readers.each(schedule.problem.get("shifts"), "shifts", roster.ShiftType.parse)
    return [ShiftType.of(s) for s in shifts]


def shift_code(shift: CallAssignment, types: Iterable[ShiftType]) -> str:
    """The short code a grid shows for a stored shift: its type's id, else its label's start."""
    return next((t.id for t in types if t.name == shift.label), shift.label[:2])


@dataclass(frozen=True)
class CallFinding:
    """One rule a month breaks (`broken`) or one wish it bends, and what it concerns."""

    text: str
    broken: bool
    trainee_id: int | None = None  # None: a day's coverage
    first: dt.date | None = None
    last: dt.date | None = None
    short: str = ""  # a day's coverage as the grid's column shows it: "C 0/1"
    window: bool = False  # about an average over weeks: shown next to the row, not on cells

    def on_cells(self) -> bool:
        return self.trainee_id is not None and self.first is not None and not self.window

    def days(self) -> list[dt.date]:
        if self.first is None or self.last is None:
            return []
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class ShiftCover:
    """One shift type on one day against the month's coverage rule for it: a hard minimum and
    maximum (outside them the month breaks a rule) and a soft wanted number (a wish)."""

    day: dt.date
    shift: str  # the shift type's id: "C"
    name: str  # its name: "24h call"
    staffed: int
    min: int | None = None
    max: int | None = None
    wanted: int | None = None
    soft_under: bool = True  # fewer than wanted is a bent wish (it weighs in the solve)
    soft_over: bool = True  # more than wanted is a bent wish

    @property
    def state(self) -> str:
        """'short' or 'over' (a broken rule), 'under' or 'above' (a bent wish), else 'met'."""
        n = self.staffed
        if self.min is not None and n < self.min:
            return "short"
        if self.max is not None and n > self.max:
            return "over"
        if self.wanted is not None and n < self.wanted and self.soft_under:
            return "under"
        if self.wanted is not None and n > self.wanted and self.soft_over:
            return "above"
        return "met"

    @property
    def broken(self) -> bool:
        return self.state in ("short", "over")

    @property
    def bent(self) -> bool:
        return self.state in ("under", "above")

    @property
    def need(self) -> str:
        """What the shift needs, as the coverage row says it: '1', '1–2', '≥1' or '≤1'."""
        if self.wanted is not None:
            return str(self.wanted)
        if self.min is not None and self.max is not None:
            return str(self.min) if self.min == self.max else f"{self.min}–{self.max}"
        return f"≥{self.min}" if self.min is not None else f"≤{self.max}"

    @property
    def line(self) -> str:
        return f"{self.shift} {self.staffed}/{self.need}"

    @property
    def finding(self) -> CallFinding | None:
        """The broken rule or bent wish, named with its shift and day; None when met."""
        when, n = f"{self.name} on {day_label(self.day)}", self.staffed
        text = {
            "short": f"{when} has {n}; it needs at least {self.min}",
            "over": f"{when} has {n}; it takes at most {self.max}",
            "under": f"{when}: {n} staffed, {self.wanted} wanted",
            "above": f"{when}: {n} staffed, {self.wanted} wanted",
        }.get(self.state)
        if text is None:
            return None
        return CallFinding(text, self.broken, None, self.day, self.day, self.line)


def rotations_in_month(
    trainee_ids: Iterable[int], month: dt.date, instead: RotationSchedule | None = None
) -> dict[int, dict[dt.date, Rotation]]:
    """Each trainee's rotation on each day of the month in the published rotation schedules,
    in one query. Half-block placements override a whole-block one on their days. `instead`, a
    draft, is read in place of the published version of its program's year: what the month
    would rest on once that draft is published."""
    last = month + dt.timedelta(days=month_days(month) - 1)
    versions = Q(schedule__status=RotationSchedule.Status.PUBLISHED)
    if instead is not None:
        versions = (
            versions
            & ~Q(schedule__program_id=instead.program_id,
                 schedule__academic_year=instead.academic_year)
        ) | Q(schedule=instead)  # fmt: skip
    rows = RotationAssignment.objects.filter(
        versions,
        trainee_id__in=list(trainee_ids),
        block__start__lte=last,
        block__end__gte=month,
    ).select_related("block", "rotation__site")
    out: dict[int, dict[dt.date, Rotation]] = {}
    for row in sorted(rows, key=lambda r: r.half):
        first, end = row.block.half_range(row.half)
        day = max(first, month)
        while day <= min(end, last):
            out.setdefault(row.trainee_id, {})[day] = row.rotation
            day += dt.timedelta(days=1)
    return out


class MonthCheck:
    """The month's shifts (with proposed moves applied) checked against every rule."""

    _cover: list[ShiftCover] | None = None  # counted once per check, however often asked

    def __init__(self, schedule: CallSchedule, moves: dict[int, int] | None = None) -> None:
        self.schedule = schedule
        self.month = schedule.month
        self.types = shift_types(schedule)
        moves = moves or {}
        self.shifts = list(schedule.shifts.all())
        self.owner = {s.pk: moves.get(s.pk, s.trainee_id) for s in self.shifts}
        ids = set(self.owner.values()) | _problem_trainee_ids(schedule.problem)
        trainees = Trainee.objects.select_related("person").prefetch_related(*history_prefetch())
        self.trainees = trainees.in_bulk(list(ids))

    def name(self, trainee_id: int) -> str:
        trainee = self.trainees.get(trainee_id)
        return trainee.person.full_name if trainee else f"Trainee {trainee_id}"

    def findings(self, *, coverage: bool = True) -> list[CallFinding]:
        out = self.overlaps() + self.leave() + self.acgme()
        if coverage:
            out += self.coverage()
        return out + self.requests_off()

    # ------------------------------------------------------------ ACGME work hours

    def problem(self, extra_people: Iterable[int] = ()) -> roster.Problem:
        """The stored roster problem, with any trainee who holds a shift but was not in the pool
        when the month was built (a swap, a hand edit) added, so their hours are checked too."""
        data: dict[str, Any] = dict(self.schedule.problem)
        known = {str(p.get("id")) for p in data.get("people") or []}
        data["people"] = list(data.get("people") or []) + [
            {"id": f"t{t}", "name": self.name(t), "pgy": min(self.trainees[t].pgy, 10)}
            for t in sorted(set(extra_people))
            if f"t{t}" not in known and t in self.trainees
        ]
        return roster.Problem.from_json(data)

    def acgme(self) -> list[CallFinding]:
        from rounds.engine.errors import ProblemError
        from rounds.engine.roster.record import check_schedule
        from rounds.engine.roster.solve import Assignment

        by_name = {t.name: t.id for t in self.types}
        out: list[CallFinding] = []
        assignments = []
        for s in self.shifts:
            owner = self.owner[s.pk]
            if s.label not in by_name:
                text = (
                    f"{s.label} on {day_label(s.day)} is not one of this month's shift types, "
                    "so its hours cannot be checked"
                )
                out.append(CallFinding(text, True, owner, s.day, s.day))
                continue
            assignments.append(Assignment(f"t{owner}", (s.day - self.month).days, by_name[s.label]))
        try:
            problem = self.problem(self.owner.values())
        except ProblemError as error:
            return [*out, CallFinding(f"The work-hour rules cannot be checked: {error}", True)]
        for f in check_schedule(problem, assignments):
            trainee_id = _trainee_id(f["person"])
            first = dt.date.fromisoformat(f["start"][:10])
            last = dt.date.fromisoformat(f["end"][:10])
            if f["end"][11:16] == "00:00" and last > first:
                last -= dt.timedelta(days=1)  # a period ending at midnight does not touch that day
            should = "" if f["severity"] == "violation" else " (a should, not a must)"
            broken = f["severity"] == "violation"
            window = f["rule"] in WINDOW_RULES
            text = f["detail"] + should
            out.append(CallFinding(text, broken, trainee_id, first, last, window=window))
        return out

    # ------------------------------------------------------------ coverage

    def coverage(self) -> list[CallFinding]:
        """Each shift of each day staffed outside its rule, as the findings list tells it."""
        return [c.finding for c in self.cover() if c.finding is not None]

    def cover(self) -> list[ShiftCover]:
        """Every shift of every day a coverage rule speaks of, counted against that rule: the
        one computation the coverage row, the findings list and the summary's count all read,
        so the row cannot show a day short that the summary does not count."""
        from rounds.engine.errors import ProblemError

        if self._cover is not None:
            return self._cover
        try:
            problem = self.problem()
        except ProblemError:
            return []  # acgme() says the month cannot be checked
        names = {t.id: t.name for t in self.types}
        by_name = {t.name: t.id for t in self.types}
        count: dict[tuple[int, str], int] = {}
        for s in self.shifts:
            key = ((s.day - self.month).days, by_name.get(s.label, ""))
            count[key] = count.get(key, 0) + 1
        out: list[ShiftCover] = []
        for c in problem.coverage:
            if c.min is None and c.max is None and c.required is None:
                continue  # a rule with no number asks nothing of the day
            for d in c.days if c.days is not None else range(problem.horizon.days):
                out.append(
                    ShiftCover(
                        day=self.month + dt.timedelta(days=d),
                        shift=c.shift,
                        name=names.get(c.shift, c.shift),
                        staffed=count.get((d, c.shift), 0),
                        min=c.min,
                        max=c.max,
                        wanted=c.required,
                        soft_under=bool(c.weight_under),
                        soft_over=bool(c.weight_over),
                    )
                )
        self._cover = out
        return out

    # ------------------------------------------------------------ leave, overlaps, requests

    def leave(self, instead: RotationSchedule | None = None) -> list[CallFinding]:
        """Shifts on days their trainee is not on an inpatient rotation; with `instead`, of the
        rotation schedule as it would be once that draft is published."""
        return [f for _shift, f in self.leave_by_shift(instead)]

    def leave_by_shift(
        self, instead: RotationSchedule | None = None
    ) -> list[tuple[CallAssignment, CallFinding]]:
        rotations = rotations_in_month(set(self.owner.values()), self.month, instead)
        histories = {pk: history_of(t) for pk, t in self.trainees.items()}
        out = []
        for s in self.shifts:
            owner = self.owner[s.pk]
            history = histories.get(owner)
            if history is not None and not history.in_training_on(s.day):
                # A leave, a withdrawal or a start recorded after the month was built.
                text = (
                    f"{self.name(owner)} is not in training on {day_label(s.day)} "
                    f"({history.status_label_on(s.day).lower()})"
                )
                out.append((s, CallFinding(text, True, owner, s.day, s.day)))
                continue
            rotation = rotations.get(owner, {}).get(s.day)
            if rotation is not None and rotation.kind in INPATIENT:
                continue
            where = (
                "has no published rotation"
                if rotation is None
                else "is on vacation"
                if rotation.is_off
                else f"is on {rotation.name}, not an inpatient rotation,"
            )
            text = f"{self.name(owner)} {where} on {day_label(s.day)}"
            out.append((s, CallFinding(text, True, owner, s.day, s.day)))
        return out

    def overlaps(self) -> list[CallFinding]:
        by_owner: dict[int, list[CallAssignment]] = {}
        for s in self.shifts:
            by_owner.setdefault(self.owner[s.pk], []).append(s)
        out = []
        for owner, shifts in by_owner.items():
            for a, b in pairwise(sorted(shifts, key=lambda s: s.start)):
                if b.start < a.end:
                    text = (
                        f"{b.label} on {day_label(b.day)} overlaps {a.label} on {day_label(a.day)}"
                    )
                    out.append(CallFinding(text, True, owner, a.day, b.day))
        return out

    def requests_off(self) -> list[CallFinding]:
        last = self.month + dt.timedelta(days=month_days(self.month) - 1)
        off = set(
            CallRequest.objects.filter(
                trainee_id__in=set(self.owner.values()),
                kind=CallRequest.Kind.OFF,
                day__gte=self.month,
                day__lte=last,
            ).values_list("trainee_id", "day")
        )
        out = []
        for s in self.shifts:
            owner = self.owner[s.pk]
            if (owner, s.day) in off:
                text = f"{self.name(owner)} asked for {day_label(s.day)} off"
                out.append(CallFinding(text, False, owner, s.day, s.day))
        return out


def _trainee_id(person: str) -> int | None:
    return int(person[1:]) if person[:1] == "t" and person[1:].isdigit() else None


def _problem_trainee_ids(problem: dict[str, Any]) -> set[int]:
    ids = (_trainee_id(str(p.get("id", ""))) for p in problem.get("people") or [])
    return {i for i in ids if i is not None}


def call_findings(
    schedule: CallSchedule, moves: dict[int, int] | None = None
) -> dict[int, list[str]]:
    """Broken rules per trainee id, with `moves` (shift id -> new trainee id) applied first: the
    prospective check a swap shows before it is approved (coverage cannot change in a swap)."""
    out: dict[int, list[str]] = {}
    for f in MonthCheck(schedule, moves).findings(coverage=False):
        if f.broken and f.trainee_id is not None:
            out.setdefault(f.trainee_id, []).append(f.text)
    return out
