"""Demo conferences for Internal Medicine: Noon report (Tuesdays and Thursdays), Grand rounds
(Wednesday mornings, in the auditorium and on video) and Morbidity and mortality (Fridays),
weekly from the start of the academic year (at most 20 weeks back) to four weeks ahead.

Held sessions have check-ins: each resident comes to most sessions the schedule lets them
attend (a few come to too few and show below the requirement), and rarely to one they are
excused from. Residents on nights, post-call, on leave or rotating at another site are excused
by the schedule, so the rates show excuses of every kind. One Noon report is happening now (it
started 20 minutes before the demo was built), presented by the demo "faculty", so its code
page and a check-in can be tried at once. Same seed and same moment: same rows.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from rounds.conferences.models import Attendance, CheckInAttempt, Excuse, Series, Session
from rounds.conferences.selectors import (
    automatic_excuse,
    now,
    session_fact,
    trainees_facts,
    year_bounds,
)
from rounds.conferences.services import CODE_ALPHABET, CODE_LENGTH
from rounds.core.models import Program
from rounds.people.models import Person
from rounds.people.training import history_of, trainees_in_training

IM = "Internal Medicine Residency"
WEEKS_BACK = 20
WEEKS_AHEAD = 4
# (name, required %, weekdays, start, end, room, video, topics)
SERIES = [
    ("Noon report", 70, (1, 3), dt.time(12, 0), dt.time(13, 0), "Conference room 3", False,
     ("Hyponatremia", "Chest pain in the ED", "Fever of unknown origin", "DKA", "Syncope")),
    ("Grand rounds", 60, (2,), dt.time(7, 30), dt.time(8, 30), "Auditorium", True,
     ("Sepsis update", "Heart failure therapies", "Anticoagulation", "Hepatitis C")),
    ("Morbidity and mortality", 80, (4,), dt.time(12, 0), dt.time(13, 0), "Conference room 1",
     False, ("A missed PE", "Handoff errors", "Medication reconciliation")),
]  # fmt: skip


def demo_wipe() -> None:
    CheckInAttempt.objects.all().delete()
    Series.objects.all().delete()


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def _sessions(program: Program, rng: random.Random, first: dt.date, last: dt.date) -> list[Session]:
    site = program.sites.filter(programsite__is_primary=True).first() or program.sites.first()
    faculty = list(
        Person.objects.filter(kind=Person.Kind.FACULTY, faculty__primary_program=program)[:12]
    )
    taken: set[str] = set()
    made = []
    video_link = "https://video.example.org/grand-rounds"
    for name, rate, weekdays, start, end, room, video, topics in SERIES:
        series = Series.objects.create(program=program, name=name, required_rate=rate)
        day = first
        while day <= last:
            if day.weekday() in weekdays:
                presenter = rng.choice(faculty) if faculty else None
                made.append(
                    Session(
                        series=series, day=day, start_time=start, end_time=end, site=site,
                        room=room, video_url=video_link if video else "",
                        topic=rng.choice(topics), presenter=presenter, code=_code(rng, taken),
                    )
                )  # fmt: skip
            day += dt.timedelta(days=1)
    made = Session.objects.bulk_create(made)
    return [*made, _happening_now(program, site, rng, taken)]


def _happening_now(program: Program, site: object, rng: random.Random, taken: set[str]) -> Session:
    """A Noon report that started 20 minutes ago and runs an hour (clipped to the day)."""
    moment = now()
    start = (moment - dt.timedelta(minutes=20)).replace(second=0, microsecond=0)
    if start.date() != moment.date():
        start = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    end = min(start + dt.timedelta(hours=1), moment.replace(hour=23, minute=59, second=59))
    presenter = Person.objects.filter(user__username="faculty").first()
    series = Series.objects.get(program=program, name="Noon report")
    session, _ = Session.objects.update_or_create(
        series=series,
        day=moment.date(),
        start_time=start.time(),
        defaults={
            "end_time": end.time(),
            "site": site,
            "room": "Conference room 3",
            "topic": "Case of the day (happening now)",
            "presenter": presenter,
        },
        create_defaults={"code": _code(rng, taken), "end_time": end.time(), "site": site,
                         "room": "Conference room 3", "presenter": presenter,
                         "topic": "Case of the day (happening now)"},
    )  # fmt: skip
    return session


def _check_ins(program: Program, sessions: list[Session], rng: random.Random) -> tuple[int, int]:
    moment = now()
    held = [s for s in sessions if s.ends_at <= moment]
    if not held:
        return 0, 0
    first, last = held[0].day, held[-1].day
    days = sorted({s.day for s in held})
    rows, excused = [], 0
    trainees = trainees_in_training([program], first, last)
    histories = {t.pk: history_of(t) for t in trainees}
    all_facts = trainees_facts(trainees, histories, days, first, last)
    for trainee in trainees:
        history, facts = histories[trainee.pk], all_facts[trainee.pk]
        keen = rng.choice((0.5, 0.6, 0.85, 0.9, 0.9, 0.95, 0.95, 0.98))
        for session in held:
            if history.program_on(session.day) != program.pk:
                continue
            away = automatic_excuse(facts, session_fact(session)) is not None
            excused += away
            if rng.random() < (0.05 if away else keen):
                late = dt.timedelta(minutes=rng.randint(-5, 15))
                rows.append(
                    Attendance(
                        session=session, trainee=trainee, checked_in_at=session.starts_at + late
                    )
                )
    Attendance.objects.bulk_create(rows)
    return len(rows), excused


def _manual_excuse(program: Program, sessions: list[Session]) -> None:
    moment = now()
    held = [s for s in sessions if s.ends_at <= moment and s.series.name == "Noon report"]
    trainee = next(iter(trainees_in_training([program], moment.date(), moment.date())), None)
    if held and trainee is not None:
        session = held[-1]
        if not Attendance.objects.filter(session=session, trainee=trainee).exists():
            Excuse.objects.create(
                session=session, trainee=trainee, reason="Presenting a poster at the ACP meeting"
            )


@transaction.atomic
def demo_extend(*, seed: int) -> list[str]:
    program = Program.objects.filter(name=IM).first()
    if program is None:
        return []
    rng = random.Random(seed * 31 + 28)
    day = now().date()
    year_start, _ = year_bounds(day)
    first = max(year_start, day - dt.timedelta(weeks=WEEKS_BACK))
    sessions = _sessions(program, rng, first, day + dt.timedelta(weeks=WEEKS_AHEAD))
    sessions = sorted({s.pk: s for s in sessions}.values(), key=lambda s: (s.day, s.start_time))
    checked_in, excused = _check_ins(program, sessions, rng)
    _manual_excuse(program, sessions)
    return [
        f"Conferences: {len(SERIES)} series, {len(sessions)} sessions for {IM}; "
        f"{checked_in} check-ins, {excused} places excused by the schedule, one session now"
    ]
