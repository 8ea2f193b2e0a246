"""Call schedules: a program's month built by the roster engine from the rotation schedule, then
edited by hand, re-solved around locked shifts, published, and changed only by new versions.

Who takes call comes from the published rotation schedule: trainees on the program's inpatient
rotations that month. Days they are elsewhere (clinic, electives, vacation) are leave to the
roster engine. Requests collected from trainees (days off, days they would work) become wishes.
Every rule is checked again on every edit (`call_checks`).

Versions: a draft is edited (each edit carries the revision it was made against, so two
coordinators never overwrite each other); a published version never changes. "Make a change"
copies it into a new draft with a reason; an approved swap publishes a new version with the one
shift moved. Publishing supersedes the month's published version and tells, by email, exactly the
trainees whose shifts differ.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rounds.core.models import Program, ProgramSite
from rounds.core.services import audit_record
from rounds.engine.roster.problem import Problem as RosterProblem
from rounds.engine.roster.solve import Assignment, Result, Status
from rounds.engine.roster.solve import solve as roster_solve
from rounds.lib.engine_clock import engine_clock
from rounds.lib.today import today, today_is
from rounds.people.models import Trainee
from rounds.people.training import history_of
from rounds.schedules import notices
from rounds.schedules.call_checks import (
    INPATIENT,
    MonthCheck,
    ShiftType,
    day_label,
    month_days,
    rotations_in_month,
    shift_types,
)
from rounds.schedules.consequences import call_fingerprint
from rounds.schedules.history import call_corrections, call_history_differences, day_started
from rounds.schedules.models import (
    CallAssignment,
    CallRequest,
    CallSchedule,
    Rotation,
    SwapProposal,
)
from rounds.schedules.problem import active_trainees
from rounds.schedules.services import (
    ScheduleError,
    check_editable,
    lock_program,
    publish_replacing,
    require_correctable,
    require_fingerprint,
    require_reason,
    revision_bump,
    year_open_check,
)

KINDS = {
    "in_house_call": CallAssignment.Kind.IN_HOUSE_CALL,
    "home_call": CallAssignment.Kind.HOME_CALL,
    "education": CallAssignment.Kind.EDUCATION,
}


def call_problem(program: Program, month: dt.date) -> tuple[dict[str, Any], dict[str, Rotation]]:
    """The roster problem for the month, and each person's inpatient rotation (for labels)."""
    days = month_days(month)
    all_days = [month + dt.timedelta(days=i) for i in range(days)]
    people: list[dict[str, Any]] = []
    leave: list[dict[str, str]] = []
    home: dict[str, Rotation] = {}
    trainees = list(active_trainees([program], all_days[0], all_days[-1]))
    by_day = rotations_in_month([t.pk for t in trainees], month)
    for t in trainees:
        # Only days in training in this program: no call before the start, after the end or
        # on a leave of absence, whatever the rotation schedule still says.
        training = set(history_of(t).days_in(all_days[0], all_days[-1], program.pk))
        on = {
            d: r for d, r in by_day.get(t.pk, {}).items() if r.kind in INPATIENT and d in training
        }
        if not on:
            continue
        home[f"t{t.pk}"] = on[min(on)]
        pgy = history_of(t).pgy_on(min(on))
        people.append({"id": f"t{t.pk}", "name": t.person.full_name, "pgy": pgy})
        leave += [
            {"person": f"t{t.pk}", "start": d.isoformat(), "end": d.isoformat()}
            for d in all_days
            if d not in on
        ]
    if len(people) < 3:
        raise ScheduleError(
            f"Only {len(people)} {program} trainee(s) are on inpatient rotations in "
            f"{month:%B %Y}; publish the rotation schedule first."
        )
    requests_off: list[dict[str, Any]] = []
    requests_on: list[dict[str, Any]] = []
    ids = {p["id"] for p in people}
    last = all_days[-1]
    for r in CallRequest.objects.filter(trainee__program=program, day__gte=month, day__lte=last):
        if f"t{r.trainee_id}" not in ids:
            continue
        ref = {"person": f"t{r.trainee_id}", "day": (r.day - month).days, "weight": 5}
        (requests_off if r.kind == CallRequest.Kind.OFF else requests_on).append(ref)
    tz = next(iter(home.values())).site.timezone
    weekdays = [i for i, d in enumerate(all_days) if d.weekday() < 5]
    problem = {
        "name": f"{program.name} call {month:%B %Y}",
        "horizon": {"start": month.isoformat(), "days": days, "timezone": tz},
        "people": people,
        "shifts": [
            {
                "id": "C",
                "name": "24h call",
                "start": "07:00",
                "length": 1440,
                "kind": "in_house_call",
            },
            {
                "id": "N",
                "name": "Night float",
                "start": "19:00",
                "length": 720,
                "kind": "night_float",
            },
            {
                "id": "D",
                "name": "Day team",
                "start": "07:00",
                "length": 600,
                "kind": "in_house_clinical",
            },
        ],
        "coverage": [
            {"shift": "C", "min": 1, "max": 1},
            {"shift": "N", "min": 1, "max": 1},
            {
                "shift": "D",
                "days": weekdays,
                "required": max(1, len(people) // 3),
                "weight_under": 10,
            },
        ],
        "leave": _merge_leave(leave),
        "requests_off": requests_off,
        "requests_on": requests_on,
        "acgme": {"weekly_limit_hours": program.weekly_hours_limit},
    }
    return problem, home


def _merge_leave(days: list[dict[str, str]]) -> list[dict[str, str]]:
    """Single days of leave joined into runs, so the problem stays small and readable."""
    out: list[dict[str, str]] = []
    for item in days:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev["person"] == item["person"]
            and dt.date.fromisoformat(prev["end"]) + dt.timedelta(days=1)
            == dt.date.fromisoformat(item["start"])
        ):
            prev["end"] = item["end"]
        else:
            out.append(dict(item))
    return out


# ---------------------------------------------------------------- storing a month


def _next_number(program: Program, month: dt.date) -> int:
    year_open_check(month.year if month.month >= 7 else month.year - 1)
    lock_program(program)
    top = CallSchedule.objects.filter(program=program, month=month).aggregate(n=Max("number"))
    return (top["n"] or 0) + 1


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _shift_row(
    schedule: CallSchedule,
    trainee_id: int,
    day: dt.date,
    shift: ShiftType,
    where: tuple[str, int],
) -> CallAssignment:
    """An unsaved shift; `where` is its (service, site id)."""
    tz = zoneinfo.ZoneInfo(_timezone(schedule))
    start = dt.datetime.combine(day, shift.start, tzinfo=tz)
    return CallAssignment(
        schedule=schedule,
        trainee_id=trainee_id,
        day=day,
        start=start,
        end=start + shift.span,
        kind=KINDS.get(shift.kind, CallAssignment.Kind.CLINICAL),
        label=shift.name,
        service=where[0],
        site_id=where[1],
    )


def _timezone(schedule: CallSchedule) -> str:
    return str(schedule.problem.get("horizon", {}).get("timezone") or "America/New_York")


def _store_result(
    *,
    program: Program,
    month: dt.date,
    data: dict[str, Any],
    home: dict[str, Rotation],
    result: Result,
    by: Any,
    based_on: CallSchedule | None = None,
    reason: str = "",
    locked: frozenset[tuple[str, int, str]] = frozenset(),
    history: tuple[list[CallAssignment], int] = ([], 0),
) -> CallSchedule:
    """A new draft holding the engine's schedule; `locked` (person, day, shift) stay locked.
    `history` is (shifts already worked, first day index not yet started): those shifts are
    copied as they were, and the engine's assignments before that day (the same, fixed) are
    not written twice."""
    schedule = CallSchedule.objects.create(
        program=program,
        month=month,
        number=_next_number(program, month),
        created_by=_user(by),
        based_on=based_on,
        reason=reason[:300],
        problem=data,
        result={
            **{k: v for k, v in result.to_json().items() if k != "assignments"},
            # Days corrected to off have no shift to carry the mark; the version carries it.
            **_corrected_off(based_on),
        },
    )
    types = {t.id: t for t in shift_types(schedule)}
    worked, first_free = history
    rows = [_copy_row(schedule, s) for s in worked]
    for a in result.assignments:
        if a.day < first_free:
            continue
        day = month + dt.timedelta(days=a.day)
        rotation = home[a.person]
        where = (rotation.service, rotation.site_id)
        row = _shift_row(schedule, int(a.person[1:]), day, types[a.shift], where)
        row.locked = (a.person, a.day, a.shift) in locked
        rows.append(row)
    CallAssignment.objects.bulk_create(rows)
    audit_record(
        by=by,
        action="create",
        instance=schedule,
        summary=f"{schedule} built: {len(rows)} shifts, status {result.status.value}"[:300],
        changes={"based_on": based_on.pk if based_on else None},
    )
    return schedule


def _corrected_off(schedule: CallSchedule | None) -> dict[str, Any]:
    off = schedule.result.get("corrected_off") if schedule is not None else None
    return {"corrected_off": off} if off else {}


def _copy_row(schedule: CallSchedule, s: CallAssignment) -> CallAssignment:
    return CallAssignment(
        schedule=schedule, trainee_id=s.trainee_id, day=s.day, start=s.start, end=s.end,
        kind=s.kind, label=s.label, service=s.service, site_id=s.site_id,
        correction=s.correction,
    )  # fmt: skip


def call_history(
    program: Program, month: dt.date, draft: CallSchedule | None = None
) -> list[CallAssignment]:
    """Shifts already worked in the month: the published version's (else the draft's) on days
    that have started, with the days the draft corrected (`call_shift_correct`) read from the
    draft instead."""
    published = CallSchedule.objects.filter(
        program=program, month=month, status=CallSchedule.Status.PUBLISHED
    ).first()
    source = published or draft
    if source is None:
        return []
    corrected = call_corrections(draft) if draft is not None and source != draft else {}
    kept = [
        s for s in source.shifts.all()
        if day_started(s.day) and (s.trainee_id, s.day) not in corrected
    ]  # fmt: skip
    if corrected and draft is not None:
        kept += [s for s in draft.shifts.all() if (s.trainee_id, s.day) in corrected]
    return kept


def first_open_day(month: dt.date) -> int:
    """Index of the month's first day not yet started (0: none has; the month's length: all)."""
    return min(month_days(month), max(0, (today() - month).days + 1))


def with_history(
    data: dict[str, Any], month: dt.date, worked: list[CallAssignment]
) -> dict[str, Any]:
    """The month's problem with its started days as history: each shift worked is a fixed
    assignment (still counted in the ACGME windows and in fairness), everyone else is off on
    those days, and coverage, leave and requests speak only of the days still ahead."""
    first_free = first_open_day(month)
    if not first_free:
        return data
    if first_free >= month_days(month):
        raise ScheduleError(
            f"Every day of {month:%B %Y} has started; its shifts are history and are not solved "
            "again."
        )
    codes = {t.name: t.id for t in shift_types_of(data)}
    people = {p["id"] for p in data["people"]}
    fixed, busy = [], set()
    for s in worked:
        person, day, code = f"t{s.trainee_id}", (s.day - month).days, codes.get(s.label)
        if person in people and code and 0 <= day < first_free:
            fixed.append({"person": person, "day": day, "shift": code})
            busy.add((person, day))
    off = [
        {"person": p, "day": d} for p in sorted(people) for d in range(first_free)
        if (p, d) not in busy
    ]  # fmt: skip
    opens = month + dt.timedelta(days=first_free)
    leave = [
        {**item, "start": max(item["start"], opens.isoformat())}
        for item in data.get("leave", [])
        if item["end"] >= opens.isoformat()
    ]
    every_day = range(month_days(month))
    coverage = [
        {**c, "days": [d for d in (c.get("days") or every_day) if d >= first_free]}
        for c in data.get("coverage", [])
    ]
    ahead = [r for r in data.get("requests_off", []) if r["day"] >= first_free]
    wished = [r for r in data.get("requests_on", []) if r["day"] >= first_free]
    return {
        **data,
        "fixed": [*data.get("fixed", []), *fixed],
        "days_off": [*data.get("days_off", []), *off],
        "leave": leave,
        "coverage": coverage,
        "requests_off": ahead,
        "requests_on": wished,
    }


def shift_types_of(data: dict[str, Any]) -> list[Any]:
    """The shift types a stored problem defines (names and ids)."""
    return shift_types(CallSchedule(problem=data))


def call_schedule_build(
    *, program: Program, month: dt.date, by: Any, time_limit: float = 20.0
) -> CallSchedule:
    """Solve the month and store it as a draft call schedule (with the engine's findings). In a
    month already under way the published version's started days are kept as they were."""
    month = month.replace(day=1)
    data, home = call_problem(program, month)
    worked = call_history(program, month)
    data = with_history(data, month, worked)
    result = roster_solve(
        RosterProblem.from_json(data), time_limit=time_limit, workers=2, clock=engine_clock()
    )
    if not result.has_schedule:
        raise ScheduleError("No call schedule exists: " + " ".join(result.explanation))
    with transaction.atomic():
        return _store_result(
            program=program, month=month, data=data, home=home, result=result, by=by,
            history=(worked, first_open_day(month)),
        )  # fmt: skip


# ---------------------------------------------------------------- re-solving around locks


STAY_WEIGHT = 1  # per draft shift a re-solve moves; trainees' requests weigh 5


class NoSchedule(ScheduleError):
    """The engine found no schedule; `lines` say which requirements clash."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("No call schedule exists: " + " ".join(lines))
        self.lines = lines


def call_schedule_resolve(
    *, schedule: CallSchedule, by: Any, time_limit: float = 20.0
) -> CallSchedule:
    """Re-plan the month around the draft's locked shifts: a new draft version based on it.

    The problem is built again from today's rotation schedule and requests; every locked shift
    is a fixed assignment, and the whole draft is the solver's starting point (a warm start), so
    cells nobody needs to move tend to stay. The draft itself is left as it was: a coordinator
    compares the two and publishes the one they want.
    """
    schedule = CallSchedule.objects.select_related("program").get(pk=schedule.pk)  # as stored now
    data, home = call_problem(schedule.program, schedule.month)
    worked = call_history(schedule.program, schedule.month, schedule)
    data = with_history(data, schedule.month, worked)
    first_free = first_open_day(schedule.month)
    types = {t.name: t.id for t in shift_types(schedule)}
    people = {p["id"] for p in data["people"]}
    fixed: list[Assignment] = []
    hints: list[Assignment] = []
    outside: list[str] = []
    for s in schedule.shifts.select_related("trainee__person"):
        if (s.day - schedule.month).days < first_free:
            continue  # history: fixed as it was worked, whatever the draft says
        ref = Assignment(f"t{s.trainee_id}", (s.day - schedule.month).days, types.get(s.label, ""))
        if ref.shift and ref.person in people:
            hints.append(ref)
            if s.locked:
                fixed.append(ref)
        elif s.locked:
            outside.append(f"{s.trainee.person} ({s.label} on {day_label(s.day)})")
    if outside:
        raise NoSchedule(
            [f"These locked shifts belong to trainees not on an inpatient rotation that month "
             f"or to shift types the month no longer has; unlock them: {', '.join(outside)}."]
        )  # fmt: skip
    stored = {**data, "fixed": [*data.get("fixed", []), *(a.to_json() for a in fixed)]}
    # Every shift of the draft is a light wish to stay where it is, so the re-solve moves only
    # what the locks, the rules and the trainees' wishes (weight 5) need moved.
    stays = [{**a.to_json(), "weight": STAY_WEIGHT} for a in hints]
    data = {**stored, "requests_on": [*data["requests_on"], *stays]}
    result = roster_solve(
        RosterProblem.from_json(data),
        time_limit=time_limit,
        workers=2,
        warm_start=Result(Status.FEASIBLE, assignments=hints),
        clock=engine_clock(),
    )
    if not result.has_schedule:
        raise NoSchedule(result.explanation or ["The engine found no schedule in time."])
    result.bent = [b for b in result.bent if not _is_stay(b)]
    locked = frozenset((a.person, a.day, a.shift) for a in fixed)
    reason = f"re-solved around {len(fixed)} locked shift(s) of version {schedule.number}"
    with transaction.atomic():
        return _store_result(
            program=schedule.program, month=schedule.month, data=stored, home=home, result=result,
            by=by, based_on=schedule, reason=reason, locked=locked,
            history=(worked, first_free),
        )  # fmt: skip


def _is_stay(bent: dict[str, Any]) -> bool:
    """A draft shift the re-solve moved: not a wish anyone made, so not listed as one."""
    return bent.get("rule") == "request-on" and bent.get("cost") == STAY_WEIGHT


# ---------------------------------------------------------------- hand edits


def _copy(
    source: CallSchedule,
    *,
    by: Any,
    reason: str,
    status: str = CallSchedule.Status.DRAFT,
    moves: dict[int, int] | None = None,
) -> tuple[CallSchedule, dict[int, int]]:
    """A new version holding `source`'s shifts (locks too), `moves` applied; also old -> new
    shift ids, so pending swap proposals can follow their shift."""
    moves = moves or {}
    copy = CallSchedule.objects.create(
        program=source.program,
        month=source.month,
        number=_next_number(source.program, source.month),
        status=status,
        reason=reason[:300],
        based_on=source,
        created_by=_user(by),
        published_at=timezone.now() if status == CallSchedule.Status.PUBLISHED else None,
        problem=source.problem,
        result=source.result,
    )
    old = list(source.shifts.all())
    new = CallAssignment.objects.bulk_create(
        CallAssignment(
            schedule=copy, trainee_id=moves.get(s.pk, s.trainee_id), day=s.day, start=s.start,
            end=s.end, kind=s.kind, label=s.label, service=s.service, site_id=s.site_id,
            locked=s.locked, correction=s.correction,
        )
        for s in old
    )  # fmt: skip
    return copy, {a.pk: b.pk for a, b in zip(old, new, strict=True)}


def call_version_new(*, schedule: CallSchedule, reason: str, by: Any) -> CallSchedule:
    """'Make a change': a draft copy of a version (usually the published one), with the reason
    the people affected will read when it is published."""
    reason = reason.strip()
    if not reason:
        raise ScheduleError("Say why the schedule changes; the people affected will read it.")
    with transaction.atomic():
        draft, _ = _copy(schedule, by=by, reason=reason)
        audit_record(by=by, action="create", instance=draft,
                     summary=f"draft {draft} from version {schedule.number}: {reason}"[:300],
                     changes={"based_on": schedule.pk})  # fmt: skip
    return draft


def _where(schedule: CallSchedule, trainee: Trainee, day: dt.date) -> tuple[str, int]:
    """Service and site of a hand-set shift: the trainee's inpatient rotation that day, else one
    of theirs that month, else where the month's other shifts are (the leave check flags it)."""
    days = rotations_in_month([trainee.pk], schedule.month).get(trainee.pk, {})
    inpatient = [r for d, r in sorted(days.items()) if r.kind in INPATIENT]
    rotation = days[day] if day in days and days[day].kind in INPATIENT else None
    rotation = rotation or (inpatient[0] if inpatient else None)
    if rotation is not None:
        return rotation.service, rotation.site_id
    other = schedule.shifts.exclude(trainee=trainee).first()
    if other is not None:
        return other.service, other.site_id
    link = ProgramSite.objects.filter(program=schedule.program).order_by("-is_primary").first()
    if link is None:
        raise ScheduleError("Add a site to the program first: every shift happens somewhere.")
    return "Call", link.site_id


@dataclass
class CellChange:
    """What a saved cell edit did, for the page's message."""

    text: str
    changed: bool = True
    codes: list[str] = field(default_factory=list)


def call_cell_set(
    *,
    schedule: CallSchedule,
    trainee: Trainee,
    day: dt.date,
    shift: str,
    locked: bool,
    revision: int,
    by: Any,
) -> CellChange:
    """Set one trainee's day of a draft to one of the month's shift types (`shift` its id) or
    off (""), and lock or unlock it; refused if anyone saved the draft since `revision`."""
    with transaction.atomic():
        schedule = CallSchedule.objects.select_for_update().get(pk=schedule.pk)
        check_editable(schedule, revision)
        types = {t.id: t for t in shift_types(schedule)}
        where = f"{trainee.person} on {day_label(day)}"
        if trainee.program_id != schedule.program_id:
            raise ScheduleError(f"{trainee.person} belongs to another program.")
        if not 0 <= (day - schedule.month).days < month_days(schedule.month):
            raise ScheduleError(f"{day_label(day)} is not in {schedule.month:%B %Y}.")
        if shift and shift not in types:
            raise ScheduleError(f"{shift} is not one of this month's shift types.")
        if day_started(day):
            raise ScheduleError(
                f"{day_label(day)} has started and is history: its shifts stay as they were "
                "worked. Change a day still ahead."
            )
        cell = list(schedule.shifts.filter(trainee=trainee, day=day))
        before = sorted(s.label for s in cell)
        after = [types[shift].name] if shift else []
        if locked and not after:
            raise ScheduleError(f"{where} is off; only a shift can be locked.")
        if any(s.locked for s in cell) and locked and before != after:
            raise ScheduleError(f"{where} is locked. Untick Locked to change it.")
        was_locked = bool(cell) and all(s.locked for s in cell)
        if before == after and was_locked == locked:
            return CellChange(f"{where} is unchanged.", changed=False)
        if before != after:
            schedule.shifts.filter(trainee=trainee, day=day).delete()
            if shift:
                place = _where(schedule, trainee, day)
                _shift_row(schedule, trainee.pk, day, types[shift], place).save()
        schedule.shifts.filter(trainee=trainee, day=day).update(locked=locked)
        revision_bump(schedule)
        text = f"{where}: {' + '.join(before) or 'off'} → {' + '.join(after) or 'off'}"
        if before == after:
            text = f"{where} {'locked' if locked else 'unlocked'}"
        elif locked:
            text += ", locked"
        audit_record(by=by, action="update", instance=schedule, summary=text[:300],
                     changes={"from": before, "to": after, "locked": locked})  # fmt: skip
    return CellChange(text, codes=[shift] if shift else [])


# ---------------------------------------------------------------- correcting history


def call_shift_correct(
    *,
    schedule: CallSchedule,
    trainee: Trainee,
    day: dt.date,
    shift: str,
    reason: str,
    by: Any,
    revision: int | None = None,
) -> list[CallAssignment]:
    """Correct history: what a trainee really worked on a call day that has started (`shift` a
    shift type's id, "" for off), with the reason. Only on a draft: the day's shift is marked
    with the correction (a day corrected to off is marked on the version), audited, kept by
    re-solves, and reaches the published month (and the work-hour checks that read it) when the
    draft is published. Returns the day's shifts as corrected."""
    reason = reason.strip()
    if not reason:
        raise ScheduleError("Say why history is corrected; the correction is kept with it.")
    if not day_started(day):
        raise ScheduleError(
            f"{day_label(day)} has not started yet: change it on the grid, no correction needed."
        )
    with transaction.atomic():
        schedule = CallSchedule.objects.select_for_update().get(pk=schedule.pk)
        require_correctable(schedule, revision, "day")
        if trainee.program_id != schedule.program_id:
            raise ScheduleError(f"{trainee.person} belongs to another program.")
        if not 0 <= (day - schedule.month).days < month_days(schedule.month):
            raise ScheduleError(f"{day_label(day)} is not in {schedule.month:%B %Y}.")
        types = {t.id: t for t in shift_types(schedule)}
        if shift and shift not in types:
            raise ScheduleError(f"{shift} is not one of this month's shift types.")
        # "Before" is what history says: the published month's shifts that day, if there is one.
        source = (
            CallSchedule.objects.filter(
                program=schedule.program, month=schedule.month, status=CallSchedule.Status.PUBLISHED
            ).first()
            or schedule
        )
        was = source.shifts.filter(trainee=trainee, day=day)
        before = " + ".join(sorted(s.label for s in was)) or "off"
        schedule.shifts.filter(trainee=trainee, day=day).delete()
        off = [
            item for item in schedule.result.get("corrected_off", [])
            if (item["trainee"], item["day"]) != (trainee.pk, day.isoformat())
        ]  # fmt: skip
        rows = []
        if shift:
            row = _shift_row(
                schedule, trainee.pk, day, types[shift], _where(schedule, trainee, day)
            )
            row.correction = reason[:300]
            row.save()
            rows.append(row)
        else:
            off.append({"trainee": trainee.pk, "day": day.isoformat(), "reason": reason[:300]})
        schedule.result = {**schedule.result, "corrected_off": off}
        schedule.save(update_fields=["result"])
        revision_bump(schedule)
        after = types[shift].name if shift else "off"
        audit_record(
            by=by,
            action="correct",
            instance=schedule,
            summary=f"{trainee.person} on {day_label(day)} corrected: {before} → {after} "
            f"({reason})"[:300],
            changes={"day": day.isoformat(), "from": before, "to": after, "reason": reason},
        )
    return rows


def call_history_keep(previous: CallSchedule | None, schedule: CallSchedule) -> None:
    """Refuse to publish a month that rewrites started days other than by marked corrections."""
    lines = call_history_differences(previous, schedule)
    if lines:
        assert previous is not None
        more = f" and {len(lines) - 3} more" if len(lines) > 3 else ""
        raise ScheduleError(
            f"This draft differs from version {previous.number} on days that have started: "
            f"{'; '.join(lines[:3])}{more}. History changes only as a correction with a reason: "
            "correct those days, or start a new version from the published one."
        )


# ---------------------------------------------------------------- publishing


@dataclass
class ShiftChanges:
    """One trainee's shifts that a new version adds and removes, as sentences."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    count: int = 0  # shifts in the new version


def shift_changes(previous: CallSchedule | None, schedule: CallSchedule) -> dict[int, ShiftChanges]:
    """Per trainee whose shifts differ between two versions: what was added and removed."""

    def cells(s: CallSchedule | None) -> dict[int, set[tuple[dt.datetime, str]]]:
        out: dict[int, set[tuple[dt.datetime, str]]] = {}
        if s is not None:
            for trainee_id, start, label in s.shifts.values_list("trainee_id", "start", "label"):
                out.setdefault(trainee_id, set()).add((start, label))
        return out

    zone = zoneinfo.ZoneInfo(_timezone(schedule))

    def text(start: dt.datetime, label: str) -> str:
        local = start.astimezone(zone)
        return f"{day_label(local.date())}, {label} from {local:%H:%M}"

    old, new = cells(previous), cells(schedule)
    out: dict[int, ShiftChanges] = {}
    for trainee_id in set(old) | set(new):
        a, b = old.get(trainee_id, set()), new.get(trainee_id, set())
        if a != b:
            out[trainee_id] = ShiftChanges(
                added=[text(*x) for x in sorted(b - a)],
                removed=[text(*x) for x in sorted(a - b)],
                count=len(b),
            )
    return out


def _carry_proposals(old: CallSchedule, moved: dict[int, int], keep: int | None = None) -> None:
    """Pending swaps follow their shifts (and a trade's shift in return) into the version that
    replaces `old`; one whose shift is gone is withdrawn (its trainee is told by the publish
    email that the shift changed)."""
    pending = SwapProposal.objects.filter(
        shift__schedule=old, status__in=SwapProposal.PENDING
    ).exclude(pk=keep or 0)
    for proposal in pending:
        back = proposal.in_return_id
        if proposal.shift_id in moved and (back is None or back in moved):
            proposal.shift_id = moved[proposal.shift_id]
            proposal.in_return_id = moved[back] if back is not None else None
            proposal.save(update_fields=["shift", "in_return"])
        else:
            proposal.status = SwapProposal.Status.WITHDRAWN
            proposal.outcome = "The shift changed in a new version of the month"
            proposal.decided_at = timezone.now()
            proposal.save(update_fields=["status", "outcome", "decided_at"])


def _same_shifts(old: CallSchedule, new: CallSchedule) -> dict[int, int]:
    """Old shift id -> the identical shift (trainee, start, label) of the new version."""
    index = {
        (s.trainee_id, s.start, s.label): s.pk for s in new.shifts.only("trainee", "start", "label")
    }
    return {
        s.pk: index[key]
        for s in old.shifts.only("trainee", "start", "label")
        if (key := (s.trainee_id, s.start, s.label)) in index
    }


def call_schedule_publish(
    *,
    schedule: CallSchedule,
    by: Any,
    reason: str = "",
    notify: bool = True,
    fingerprint: str | None = None,
) -> list[int]:
    """Publish a draft month. The version it replaces is superseded; once it commits, exactly
    the trainees whose shifts differ are told by email. Returns their ids. With `fingerprint`
    (the preview's), refused if the draft or the month's published version changed since."""
    with transaction.atomic():
        schedule = CallSchedule.objects.select_for_update().get(pk=schedule.pk)
        if not schedule.is_draft:
            raise ScheduleError(
                f"Version {schedule.number} is already {schedule.get_status_display().lower()}."
            )
        if not schedule.shifts.exists():
            raise ScheduleError("This draft is empty; build it or fill it in before publishing.")
        previous = (
            CallSchedule.objects.select_for_update()
            .filter(program=schedule.program, month=schedule.month, status="published")
            .first()
        )
        if fingerprint is not None:
            require_fingerprint(fingerprint, call_fingerprint(schedule, previous))
        reason = reason.strip() or schedule.reason
        require_reason(previous, reason)
        call_history_keep(previous, schedule)
        changes = shift_changes(previous, schedule)
        publish_replacing(previous, schedule, reason)
        if previous is not None:
            _carry_proposals(previous, _same_shifts(previous, schedule))
        audit_record(
            by=by,
            action="publish",
            instance=schedule,
            summary=f"{schedule} published; {len(changes)} trainee(s) affected"[:300],
            changes={"superseded": previous.pk if previous else None, "reason": reason},
        )
        if notify and changes:
            replaces = previous.number if previous else None
            transaction.on_commit(lambda: notices.call_published(schedule, changes, replaces))
    return sorted(changes)


def call_month_rebuild(*, month: CallSchedule, because: str, by: Any) -> CallSchedule:
    """A draft of a published month that the published rotation schedule no longer holds: the
    shifts on days their trainee is off inpatient rotations are taken out, every other shift is
    kept and locked, so a re-solve (`call_resolve_start`) fills only the gaps. `because` starts
    the reason the trainees will read when it is published."""
    with transaction.atomic():
        month = CallSchedule.objects.select_for_update().get(pk=month.pk)
        if month.status != CallSchedule.Status.PUBLISHED:
            raise ScheduleError(
                f"Version {month.number} of {month.month:%B %Y} is not the published one."
            )
        broken = [s.pk for s, _ in MonthCheck(month).leave_by_shift()]
        if not broken:
            raise ScheduleError(f"Call for {month.month:%B %Y} still holds; nothing to rebuild.")
        reason = (
            f"{because}: {len(broken)} shift(s) fell on days off inpatient rotations and are "
            "planned again; every other shift is kept"
        )
        draft, copied = _copy(month, by=by, reason=reason)
        draft.shifts.filter(pk__in=[copied[pk] for pk in broken]).delete()
        draft.shifts.update(locked=True)
        audit_record(by=by, action="create", instance=draft,
                     summary=f"draft {draft} rebuilt from version {month.number}"[:300],
                     changes={"based_on": month.pk, "taken_out": len(broken)})  # fmt: skip
    return draft


def demo_call_month(year: int) -> list[str]:
    program = Program.objects.filter(name="Internal Medicine Residency").first()
    if program is None:
        return []
    now = today()
    month = now.replace(day=1) if dt.date(year, 7, 1) <= now else dt.date(year, 7, 1)
    # Built and published the day before the month began, as a coordinator would: every day of
    # it is filled, today included, so the on-call list has someone on call tonight.
    try:
        with today_is(month - dt.timedelta(days=1)):
            schedule = call_schedule_build(program=program, month=month, by=None, time_limit=15)
            call_schedule_publish(schedule=schedule, by=None, notify=False)
    except ScheduleError as error:
        return [f"schedules: no IM call month ({error})"]
    count = schedule.shifts.count()
    return [f"schedules: IM call for {month:%B %Y} built with the roster engine, {count} shifts"]


def trainees_of(schedule: CallSchedule) -> list[Trainee]:
    ids = schedule.shifts.values_list("trainee_id", flat=True).distinct()
    return list(Trainee.objects.filter(pk__in=ids).select_related("person"))
