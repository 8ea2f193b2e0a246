"""Call schedules: a program's month built by the roster engine from the rotation schedule.

Who takes call comes from the published rotation schedule: trainees on the program's inpatient
rotations that month. Days they are elsewhere (clinic, electives, vacation) are leave to the
roster engine. Requests collected from trainees (days off, days they would work) become wishes.
Every schedule the engine returns has been run through the ACGME work-hour checker; its findings
are kept with the schedule and shown before it is published.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rounds.core.models import Program
from rounds.core.services import audit_record
from rounds.engine.roster.problem import Problem as RosterProblem
from rounds.engine.roster.solve import solve as roster_solve
from rounds.people.models import Trainee
from rounds.schedules import notices, selectors
from rounds.schedules.models import (
    CallAssignment,
    CallRequest,
    CallSchedule,
    Rotation,
    SwapProposal,
)
from rounds.schedules.problem import active_trainees
from rounds.schedules.services import ScheduleError

KINDS = {
    "in_house_call": CallAssignment.Kind.IN_HOUSE_CALL,
    "home_call": CallAssignment.Kind.HOME_CALL,
    "education": CallAssignment.Kind.EDUCATION,
}
INPATIENT = (Rotation.Kind.CLINICAL, Rotation.Kind.NIGHT_FLOAT)


def month_days(month: dt.date) -> int:
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (nxt - month).days


def call_problem(program: Program, month: dt.date) -> tuple[dict[str, Any], dict[str, Rotation]]:
    """The roster problem for the month, and each person's inpatient rotation (for labels)."""
    days = month_days(month)
    last = month + dt.timedelta(days=days - 1)
    people: list[dict[str, Any]] = []
    leave: list[dict[str, str]] = []
    home: dict[str, Rotation] = {}
    for t in active_trainees([program]):
        spans = [s for s in selectors.rotation_days(t, month, last) if s[2].kind in INPATIENT]
        if not spans:
            continue
        on = set()
        for first, end, rotation in spans:
            home.setdefault(f"t{t.pk}", rotation)
            day = max(first, month)
            while day <= min(end, last):
                on.add(day)
                day += dt.timedelta(days=1)
        people.append({"id": f"t{t.pk}", "name": t.person.full_name, "pgy": t.pgy})
        leave += [
            {"person": f"t{t.pk}", "start": d.isoformat(), "end": d.isoformat()}
            for d in (month + dt.timedelta(days=i) for i in range(days))
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
    for r in CallRequest.objects.filter(trainee__program=program, day__gte=month, day__lte=last):
        if f"t{r.trainee_id}" not in ids:
            continue
        ref = {"person": f"t{r.trainee_id}", "day": (r.day - month).days, "weight": 5}
        (requests_off if r.kind == CallRequest.Kind.OFF else requests_on).append(ref)
    tz = next(iter(home.values())).site.timezone
    weekdays = [i for i in range(days) if (month + dt.timedelta(days=i)).weekday() < 5]
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


def call_schedule_build(
    *, program: Program, month: dt.date, by: Any, time_limit: float = 20.0
) -> CallSchedule:
    """Solve the month and store it as a draft call schedule (with the engine's findings)."""
    month = month.replace(day=1)
    data, home = call_problem(program, month)
    result = roster_solve(RosterProblem.from_json(data), time_limit=time_limit, workers=2)
    if not result.has_schedule:
        raise ScheduleError("No call schedule exists: " + " ".join(result.explanation))
    shifts = {s["id"]: s for s in data["shifts"]}
    with transaction.atomic():
        top = CallSchedule.objects.filter(program=program, month=month).aggregate(n=Max("number"))
        schedule = CallSchedule.objects.create(
            program=program,
            month=month,
            number=(top["n"] or 0) + 1,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            problem=data,
            result={k: v for k, v in result.to_json().items() if k != "assignments"},
        )
        tz = zoneinfo.ZoneInfo(data["horizon"]["timezone"])
        rows = []
        for a in result.assignments:
            shift = shifts[a.shift]
            day = month + dt.timedelta(days=a.day)
            hours, minutes = (int(x) for x in shift["start"].split(":"))
            start = dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=tz)
            rotation = home[a.person]
            rows.append(
                CallAssignment(
                    schedule=schedule,
                    trainee_id=int(a.person[1:]),
                    day=day,
                    start=start,
                    end=start + dt.timedelta(minutes=shift["length"]),
                    kind=KINDS.get(shift["kind"], CallAssignment.Kind.CLINICAL),
                    label=shift["name"],
                    service=rotation.service,
                    site=rotation.site,
                )
            )
        CallAssignment.objects.bulk_create(rows)
        audit_record(
            by=by,
            action="create",
            instance=schedule,
            summary=f"{schedule} built: {len(rows)} shifts, status {result.status.value}",
            changes={},
        )
    return schedule


def call_schedule_publish(*, schedule: CallSchedule, by: Any, notify: bool = True) -> None:
    """Publish a month; once it commits, everyone with shifts in it (or in the month it
    replaces) is told by email."""
    with transaction.atomic():
        replaced = CallSchedule.objects.filter(
            program=schedule.program, month=schedule.month, status=CallSchedule.Status.PUBLISHED
        )
        told = set(
            CallAssignment.objects.filter(schedule__in=[schedule, *replaced]).values_list(
                "trainee_id", flat=True
            )
        )
        replaced.update(status=CallSchedule.Status.SUPERSEDED)
        schedule.status = CallSchedule.Status.PUBLISHED
        schedule.published_at = timezone.now()
        schedule.save(update_fields=["status", "published_at"])
        audit_record(by=by, action="publish", instance=schedule, summary=f"{schedule} published",
                     changes={})  # fmt: skip
        if notify and told:
            transaction.on_commit(lambda: notices.call_published(schedule, sorted(told)))


def demo_call_month(year: int) -> list[str]:
    program = Program.objects.filter(name="Internal Medicine Residency").first()
    if program is None:
        return []
    today = timezone.localdate()
    month = today.replace(day=1) if dt.date(year, 7, 1) <= today else dt.date(year, 7, 1)
    try:
        schedule = call_schedule_build(program=program, month=month, by=None, time_limit=15)
    except ScheduleError as error:
        return [f"schedules: no IM call month ({error})"]
    call_schedule_publish(schedule=schedule, by=None, notify=False)
    count = schedule.shifts.count()
    return [f"schedules: IM call for {month:%B %Y} built with the roster engine, {count} shifts"]


def trainees_of(schedule: CallSchedule) -> list[Trainee]:
    ids = schedule.shifts.values_list("trainee_id", flat=True).distinct()
    return list(Trainee.objects.filter(pk__in=ids).select_related("person"))


# ---------------------------------------------------------------- the ACGME check of a month


def _record(
    trainee: Trainee, shifts: list[CallAssignment], month: dt.date, tz: str
) -> dict[str, Any]:
    zone = zoneinfo.ZoneInfo(tz)
    last = month + dt.timedelta(days=month_days(month) - 1)
    kinds = {"home_call": "home_call_work"}
    return {
        "timezone": tz,
        "trainee": {"id": str(trainee.pk), "pgy": min(trainee.pgy, 10)},
        "rotations": [{"name": "call month", "start": month.isoformat(), "end": last.isoformat()}],
        "periods": [
            {
                "start": s.start.astimezone(zone)
                .replace(tzinfo=None)
                .isoformat(timespec="minutes"),
                "end": s.end.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes"),
                "kind": kinds.get(s.kind, s.kind),
            }
            for s in sorted(shifts, key=lambda s: s.start)
        ],
    }


def call_findings(
    schedule: CallSchedule, moves: dict[int, int] | None = None
) -> dict[int, list[str]]:
    """ACGME findings per trainee id for the month, with `moves` (shift id -> new trainee id)
    applied first: the prospective check a draft or a swap shows before it is published."""
    from rounds.engine.errors import ProblemError
    from rounds.engine.workhours import Limits, Record, check

    moves = moves or {}
    by_trainee: dict[int, list[CallAssignment]] = {}
    for s in schedule.shifts.all():
        by_trainee.setdefault(moves.get(s.pk, s.trainee_id), []).append(s)
    trainees = Trainee.objects.in_bulk(list(by_trainee))
    tz = schedule.problem.get("horizon", {}).get("timezone", "America/New_York")
    limits = Limits(weekly_limit_hours=schedule.program.weekly_hours_limit)
    out: dict[int, list[str]] = {}
    for trainee_id, shifts in by_trainee.items():
        overlaps = _overlaps(shifts)
        try:
            report = check(
                Record.from_json(_record(trainees[trainee_id], shifts, schedule.month, tz)), limits
            )
        except ProblemError as error:
            out[trainee_id] = [*overlaps, f"cannot be checked: {error}"]
            continue
        texts = [f.detail for f in report.violations]
        if overlaps or texts:
            out[trainee_id] = overlaps + texts
    return out


def _overlaps(shifts: list[CallAssignment]) -> list[str]:
    ordered = sorted(shifts, key=lambda s: s.start)
    return [
        f"{b.label} on {b.start:%a %b %-d} overlaps {a.label} on {a.start:%a %b %-d}"
        for a, b in pairwise(ordered)
        if b.start < a.end
    ]


# ---------------------------------------------------------------- swaps


def swap_propose(*, shift: CallAssignment, to_trainee: Trainee, by: Any) -> SwapProposal:
    """Offer a shift to a colleague; every rule is checked now and again when decided."""
    if to_trainee.pk == shift.trainee_id:
        raise ScheduleError("Choose a colleague other than yourself.")
    if to_trainee.program_id != shift.schedule.program_id:
        raise ScheduleError("Swaps stay within the program that owns the call schedule.")
    if shift.schedule.status != CallSchedule.Status.PUBLISHED:
        raise ScheduleError("Only shifts of a published call schedule can be swapped.")
    findings = call_findings(shift.schedule, {shift.pk: to_trainee.pk}).get(to_trainee.pk, [])
    with transaction.atomic():
        proposal = SwapProposal.objects.create(
            shift=shift, to_trainee=to_trainee, findings=findings,
            proposed_by=by if getattr(by, "is_authenticated", False) else None,
        )  # fmt: skip
        audit_record(by=by, action="create", instance=proposal, summary=str(proposal)[:300],
                     changes={"findings": findings})  # fmt: skip
    return proposal


def swap_decide(*, proposal: SwapProposal, approve: bool, by: Any) -> SwapProposal:
    with transaction.atomic():
        proposal = (
            SwapProposal.objects.select_for_update()
            .select_related("shift__schedule__program", "to_trainee__person")
            .get(pk=proposal.pk)
        )
        if proposal.status != SwapProposal.Status.PROPOSED:
            raise ScheduleError(f"This swap was already {proposal.get_status_display().lower()}.")
        giver = proposal.shift.trainee_id
        if approve:
            shift = proposal.shift
            findings = call_findings(shift.schedule, {shift.pk: proposal.to_trainee_id}).get(
                proposal.to_trainee_id, []
            )
            if findings:
                proposal.findings = findings
                proposal.save(update_fields=["findings"])
                raise ScheduleError(
                    f"The swap would break a rule for {proposal.to_trainee.person}: {findings[0]}"
                )
            shift.trainee_id = proposal.to_trainee_id
            shift.save(update_fields=["trainee"])
        proposal.status = SwapProposal.Status.APPROVED if approve else SwapProposal.Status.DECLINED
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_at"])
        audit_record(by=by, action="update", instance=proposal,
                     summary=f"swap {proposal.status}: {proposal}"[:300], changes={})  # fmt: skip
        decided = proposal
        transaction.on_commit(lambda: notices.swap_decided(decided, giver))
    return proposal
