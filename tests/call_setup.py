"""Call months on top of the small institution: a hand-made month with a real roster problem, and
a pool of IM trainees on inpatient rotations large enough for the engine to build a month."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from rounds.core.models import Program
from rounds.lib.today import today
from rounds.people.models import Person, Trainee
from rounds.schedules.models import CallAssignment, CallSchedule, RotationAssignment
from tests.people import SmallInstitution
from tests.schedules_setup import SmallSchedules

NY = zoneinfo.ZoneInfo("America/New_York")
SHIFTS = [
    {"id": "C", "name": "24h call", "start": "07:00", "length": 1440, "kind": "in_house_call"},
    {"id": "N", "name": "Night float", "start": "19:00", "length": 720, "kind": "night_float"},
    {"id": "D", "name": "Day team", "start": "07:00", "length": 600, "kind": "in_house_clinical"},
]


def next_month() -> dt.date:
    """A month wholly ahead (December 2026 while these tests were written), inside the small
    institution's published rotation year."""
    return (today().replace(day=1) + dt.timedelta(days=40)).replace(day=1)


def problem_for(program: Program, month: dt.date, trainees: list[Trainee]) -> dict[str, Any]:
    """The shape `calls.call_problem` stores, for a hand-made month: one 24h call a day at most
    (no minimum, so a short hand-made month is not a coverage failure)."""
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    return {
        "name": f"{program.name} call {month:%B %Y}",
        "horizon": {"start": month.isoformat(), "days": (nxt - month).days,
                    "timezone": "America/New_York"},
        "people": [{"id": f"t{t.pk}", "name": t.person.full_name, "pgy": t.pgy}
                   for t in trainees],
        "shifts": SHIFTS,
        "coverage": [{"shift": "C", "max": 1}, {"shift": "N", "max": 1}],
        "acgme": {"weekly_limit_hours": 80},
    }  # fmt: skip


def shift(schedule: CallSchedule, trainee: Trainee, day: int, code: str = "C") -> CallAssignment:
    kind = next(s for s in SHIFTS if s["id"] == code)
    hours, minutes = (int(x) for x in str(kind["start"]).split(":"))
    start = dt.datetime.combine(
        schedule.month + dt.timedelta(days=day), dt.time(hours, minutes), tzinfo=NY
    )
    return CallAssignment.objects.create(
        schedule=schedule, trainee=trainee, day=start.date(), start=start,
        end=start + dt.timedelta(minutes=int(kind["length"])),
        kind="in_house_call" if code == "C" else "clinical", label=kind["name"],
        service="General medicine", site=schedule.program.sites.first(),
    )  # fmt: skip


def hand_month(small: SmallInstitution, status: str = "draft", number: int = 1) -> CallSchedule:
    month = next_month()
    return CallSchedule.objects.create(
        program=small.im, month=month, number=number, status=status,
        problem=problem_for(small.im, month, [small.ana, small.ben]),
    )  # fmt: skip


def call_pool(small: SmallInstitution, x: SmallSchedules, extra: int = 5) -> list[Trainee]:
    """`extra` more IM residents on Wards all year in the published rotation schedule, so the
    month has enough people for 24h call and night float every day."""
    added = []
    for i in range(extra):
        username = f"res{i}"
        person = Person.objects.create(
            kind=Person.Kind.TRAINEE, first_name=f"Res{i}", last_name=f"Extra{i}",
            email=f"{username}@example.org",
        )  # fmt: skip
        trainee = Trainee.objects.create(
            person=person, program=small.im, pgy=1 + i % 3, start_date=dt.date(2026, 7, 1),
            expected_end_date=dt.date(2029, 6, 30),
        )  # fmt: skip
        for block in x.im_blocks:
            RotationAssignment.objects.create(
                schedule=x.published, trainee=trainee, block=block, rotation=x.wards
            )
        added.append(trainee)
    return added
