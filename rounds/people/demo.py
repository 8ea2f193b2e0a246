"""The demo's people on the day it is loaded: dated training history, so every dated rule shows.

Runs after the core demo and before schedules are solved (INSTALLED_APPS order), so the solve,
the call months, the hours and the reminders all meet: leaves of absence under way and to come,
off-cycle starts (one already started this year, one still to come), an extension, a withdrawal,
and next year's matched interns (starting next July 1, in no schedule of this year).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils.text import slugify
from faker import Faker

from rounds.core.demo import DEMO_EMAIL_DOMAIN, academic_year_start
from rounds.core.models import ApprovedPositions, Program
from rounds.lib import today as clock
from rounds.people.models import Person, Trainee
from rounds.people.services import (
    trainee_extend,
    trainee_leave_of_absence_record,
    trainee_start_set,
    trainee_withdraw,
)
from rounds.people.training import history_of

IM = "Internal Medicine Residency"
# Programs whose matched interns for next July are already in (the others import theirs later).
MATCHED = ("Internal Medicine Residency", "Psychiatry Residency", "General Surgery Residency")


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _end_after(start: date, years: int) -> date:
    return date(start.year + years, start.month, 1) - timedelta(days=1)


def _pick(rng: random.Random, trainees: list[Trainee], taken: set[int]) -> Trainee | None:
    free = [t for t in trainees if t.pk not in taken and t.person.user_id is None]
    if not free:
        return None
    chosen = rng.choice(free)
    taken.add(chosen.pk)
    return chosen


@transaction.atomic
def demo_extend(*, seed: int) -> list[str]:
    im = Program.objects.filter(name=IM).first()
    if im is None:
        return []
    rng = random.Random(seed * 53 + 7)
    today = clock.today()
    year = academic_year_start(today)
    july = date(year, 7, 1)
    taken: set[int] = set()
    lines = [_dated_leaves(today)]
    im_trainees = list(
        Trainee.objects.filter(program=im, status=Trainee.Status.ACTIVE)
        .select_related("person")
        .order_by("pk")
    )
    interns = [t for t in im_trainees if t.pgy == im.first_pgy]
    seniors = [t for t in im_trainees if t.pgy == im.first_pgy + im.length_years - 1]
    # Off-cycle starts: one who began this year after July (blocks before are not theirs), one
    # still to come (in no block before that day, and not yet in any count).
    started = _first_of_month(today - timedelta(days=45))
    coming = _first_of_month(today + timedelta(days=45))
    for start, when in ((started, "began"), (coming, "begins")):
        if not july < start <= date(year + 1, 6, 1):
            continue
        trainee = _pick(rng, interns, taken)
        if trainee is None:
            continue
        trainee_start_set(
            trainee=trainee, start=start, expected_end=_end_after(start, im.length_years),
            reason="Off-cycle start (visa processing)", by=None,
        )  # fmt: skip
        lines.append(f"People: {trainee.person.full_name} {when} off-cycle on {start:%b %-d, %Y}.")
    # A leave of absence to come, six weeks from next month.
    trainee = _pick(rng, [t for t in im_trainees if t.pgy > im.first_pgy], taken)
    first = _first_of_month(today + timedelta(days=35))
    if trainee is not None and first + timedelta(days=41) <= history_of(trainee).last_day:
        trainee_leave_of_absence_record(
            trainee=trainee, first_day=first, last_day=first + timedelta(days=41),
            reason="Parental leave", by=None,
        )  # fmt: skip
        lines.append(
            f"People: {trainee.person.full_name} has six weeks of leave from {first:%b %-d}."
        )
    # An extension of training for a senior, decided a month ago.
    trainee = _pick(rng, seniors, taken)
    decided = today - timedelta(days=30)
    if trainee is not None and history_of(trainee).start <= decided:
        end = history_of(trainee).expected_end
        trainee_extend(
            trainee=trainee, new_end=date(end.year, 9, 30), decided_on=decided,
            reason="Extended three months to make up leave", by=None,
        )  # fmt: skip
        lines.append(f"People: {trainee.person.full_name}'s training is extended to Sep 30.")
    trainee = _pick(rng, interns, taken)
    left = today - timedelta(days=20)
    if trainee is not None and history_of(trainee).in_training_on(left):
        trainee_withdraw(trainee=trainee, last_day=left, reason="Left the program", by=None)
        lines.append(f"People: {trainee.person.full_name} withdrew on {left:%b %-d}.")
    lines.append(_matched_interns(seed, year + 1))
    return lines


def _dated_leaves(today: date) -> str:
    """The core demo marks a few trainees "on leave" with no dates; give each dated leave
    around today (three weeks gone, three to come), as an office keeping dates would."""
    count = 0
    for trainee in Trainee.objects.filter(status=Trainee.Status.LEAVE).select_related("person"):
        history = history_of(trainee)
        first = max(history.start, today - timedelta(days=21))
        last = min(history.last_day, today + timedelta(days=21))
        if first > last:
            continue
        trainee_leave_of_absence_record(
            trainee=trainee, first_day=first, last_day=last, reason="Medical leave", by=None
        )
        count += 1
    return f"People: {count} trainees on a dated leave of absence today."


def _matched_interns(seed: int, year: int) -> str:
    """Next year's entry class of a few programs, matched and imported, starting July 1."""
    fake = Faker("en_US")
    fake.seed_instance(seed * 7 + 3)
    taken = set(Person.objects.values_list("email", flat=True))
    made = 0
    for program in Program.objects.filter(name__in=MATCHED).order_by("name"):
        seats = ApprovedPositions.objects.filter(program=program, pgy=program.first_pgy).first()
        for _ in range(seats.count if seats else 0):
            first, last = fake.first_name(), fake.last_name()
            base, n = f"{slugify(first)}.{slugify(last)}", 1
            email = f"{base}@{DEMO_EMAIL_DOMAIN}"
            while email in taken:
                n += 1
                email = f"{base}{n}@{DEMO_EMAIL_DOMAIN}"
            taken.add(email)
            person = Person.objects.create(
                kind=Person.Kind.TRAINEE, first_name=first, last_name=last, email=email
            )
            Trainee.objects.create(
                person=person, program=program, pgy=program.first_pgy,
                start_date=date(year, 7, 1),
                expected_end_date=date(year + program.length_years, 6, 30),
            )  # fmt: skip
            made += 1
    return f"People: {made} matched interns start on Jul 1, {year} (in no schedule of this year)."
