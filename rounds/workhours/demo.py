"""Demo work-hour logs for every Internal Medicine resident, from July (or 16 weeks) to last Sunday.

Rotations alternate wards (long days with a 24-hour call every fourth day), clinic, and night
float; a few residents have bad stretches so the program and institution pages show real
findings: a 29-hour call, too little rest after a call, and a heavy block over 80 hours a week.
The demo "resident" leaves last week and one earlier week unlogged, so reminders have work.
Same seed and same day: same rows.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from rounds.core.models import Program
from rounds.lib.today import today
from rounds.people.models import Trainee
from rounds.people.training import history_of, trainees_in_training
from rounds.workhours.models import (
    Finding,
    LeaveSpan,
    LoggedPeriod,
    ViolationReview,
    WeekConfirmation,
)
from rounds.workhours.record import academic_year, program_zone, year_blocks
from rounds.workhours.selectors import missing_weeks_of, monday_of
from rounds.workhours.services import findings_refresh

WEEKS = 16
PROGRAM = "Internal Medicine Residency"
Row = tuple[date, int, int, str]  # day, start hour, hours, kind


def _wards(day: date, n: int, offset: int) -> list[Row]:
    # call, post-call, two long days, call, post-call, day off
    slot = (n + offset) % 7
    if slot in (0, 4):
        return [(day, 7, 26, "in_house_call")]  # 24 hours plus transition time
    if slot in (2, 3):
        return [(day, 7, 11, "clinical")]
    return []


def _clinic(day: date, n: int, offset: int) -> list[Row]:
    if day.weekday() >= 5:
        return []
    rows: list[Row] = [(day, 8, 9, "clinical")]
    if day.weekday() == 2:
        rows.append((day, 17, 2, "education"))
    return rows


def _nights(day: date, n: int, offset: int) -> list[Row]:
    return [] if day.weekday() in (4, 5) else [(day, 19, 12, "clinical")]


ROTATIONS = (_wards, _clinic, _nights, _clinic)


def _rotation(day: date, offset: int) -> Any:
    """Rotations follow the year's four-week blocks, as real rotation schedules do."""
    number = next(n for n, b in enumerate(year_blocks(day)) if b.start <= day <= b.end)
    return ROTATIONS[(number + offset) % len(ROTATIONS)]


def _trainee_rows(
    trainee: Trainee, first: date, days: int, offset: int, rng: random.Random
) -> list[Row]:
    rows: list[Row] = []
    for n in range(days):
        day = first + timedelta(days=n)
        rotation = _rotation(day, offset)
        for d, hour, hours, kind in rotation(day, n, offset):
            hours += rng.choice((0, 0, 0, 1)) if kind == "clinical" else 0
            rows.append((d, hour, hours, kind))
        moonlighting = rotation is _clinic and day.weekday() == 5 and trainee.pgy >= 2
        if moonlighting and rng.random() < 0.3:
            rows.append((day, 9, 8, "moonlighting_internal"))
    return rows


def _bad_stretch(k: int, first: date, days: int) -> list[Row]:
    """Rows that break a rule; the k-th bad stretch is later in the year than the one before."""
    kind = k % 3
    day = first + timedelta(days=min(12 + 23 * k, days - 30))
    if kind == 0:
        return [(day, 7, 29, "in_house_call")]  # 29 hours straight
    if kind == 1:  # 24-hour call, back after 10 hours
        return [(day, 7, 24, "in_house_call"), (day + timedelta(days=1), 17, 6, "clinical")]
    # a heavy block (one averaging window): 15-hour days, six a week
    block = next(b for b in year_blocks(day) if b.start >= day)
    return [(block.start + timedelta(days=k), 6, 15, "clinical") for k in range(28) if k % 7 != 6]


def _span(row: Row) -> tuple[datetime, datetime]:
    start = datetime.combine(row[0], datetime.min.time()) + timedelta(hours=row[1])
    return start, start + timedelta(hours=row[2])


def _clean(rows: list[Row], keep_clear: list[Row], rest: timedelta) -> list[Row]:
    """Drop rows that would clash: less than `rest` from a kept row or from `keep_clear`."""
    busy = [_span(r) for r in keep_clear]
    kept: list[Row] = []
    for row in sorted(rows, key=lambda r: (r[0], r[1], -r[2])):
        start, end = _span(row)
        if any(s - rest < end and start < e + rest for s, e in busy):
            continue
        busy.append((start, end))
        kept.append(row)
    return kept


def _periods(trainee: Trainee, rows: list[Row], zone: ZoneInfo, until: date) -> list[LoggedPeriod]:
    out = []
    for day, hour, hours, kind in rows:
        if day > until:
            continue
        start = datetime.combine(day, datetime.min.time()).replace(hour=hour, tzinfo=zone)
        out.append(
            LoggedPeriod(
                trainee=trainee,
                kind=kind,
                start=start,
                end=start + timedelta(hours=hours),
                source=LoggedPeriod.Source.SCHEDULED,
            )
        )
    return out


@transaction.atomic
def demo_extend(*, seed: int) -> list[str]:
    program = Program.objects.filter(name=PROGRAM).first()
    if program is None:
        return []
    demo_wipe()
    rng = random.Random(seed * 31 + 4)
    zone = program_zone(program)
    last_sunday = monday_of(today(zone)) - timedelta(days=1)
    # From the start of the academic year, or 16 weeks back early in the year.
    first = min(
        monday_of(academic_year(last_sunday)[0]), last_sunday - timedelta(days=WEEKS * 7 - 1)
    )
    days = (last_sunday - first).days + 1
    # Only those in training in these weeks log, and only on their days in training.
    trainees = trainees_in_training([program], first, last_sunday)
    training = {t.pk: set(history_of(t).days_in(first, last_sunday)) for t in trainees}
    periods: list[LoggedPeriod] = []
    leave: list[LeaveSpan] = []
    bad = {t.pk: k for k, t in enumerate(rng.sample(trainees, min(6, len(trainees))))}
    for trainee in trainees:
        offset = rng.randrange(7)
        extra = _bad_stretch(bad[trainee.pk], first, days) if trainee.pk in bad else []
        rows = _trainee_rows(trainee, first, days, offset, rng)
        rows = _clean(rows, extra, timedelta(hours=10)) + extra
        start = first + timedelta(days=rng.randrange(20, days - 20))
        if rng.random() < 0.3 and _rotation(start, offset) is _clinic:  # a week off clinic
            leave.append(LeaveSpan(trainee=trainee, start=start, end=start + timedelta(days=4)))
            rows = [r for r in rows if not start <= r[0] <= start + timedelta(days=4)]
        until = last_sunday
        if trainee.person.user and trainee.person.user.username == "resident":
            until = last_sunday - timedelta(days=7)  # last week not logged yet
            rows = [
                r
                for r in rows
                if not (first + timedelta(days=63) <= r[0] < first + timedelta(days=70))
            ]
        rows = [r for r in rows if r[0] in training[trainee.pk]]
        periods += _periods(trainee, rows, zone, until)
    LoggedPeriod.objects.bulk_create(periods, batch_size=2000)
    LeaveSpan.objects.bulk_create(leave)
    years = {academic_year(first)[0], academic_year(last_sunday)[0]}
    for trainee in trainees:
        for year_start in years:
            findings_refresh(trainee=trainee, day=year_start)
    violations = Finding.objects.filter(trainee__program=program, severity="violation").count()
    _review_one(program)
    due = sum(1 for weeks in missing_weeks_of(trainees).values() if weeks)
    return [
        f"Work hours: {due} {'resident has' if due == 1 else 'residents have'} weeks to log; "
        "email with "
        f"`manage.py send_hour_reminders --program {program.slug}` (add --dry-run to list).",
        f"Work hours: {len(periods)} logged periods for {len(trainees)} {PROGRAM} residents "
        f"({first:%b %-d} - {last_sunday:%b %-d}), {violations} violations to review.",
    ]


def _review_one(program: Program) -> None:
    """The program director has already reviewed the first 29-hour call."""
    from django.contrib.auth import get_user_model

    director = get_user_model().objects.filter(username="pd.im").first()
    finding = Finding.objects.filter(trainee__program=program, rule="max-continuous-hours").first()
    if director and finding:
        ViolationReview.objects.create(
            finding=finding,
            outcome=ViolationReview.Outcome.EXCEPTION,
            reason="Stayed to hand over a patient in septic shock to the ICU team; "
            "approved as a patient-safety exception and discussed at the next check-in.",
            reviewed_by=director,
        )


def demo_wipe() -> None:
    ViolationReview.objects.all().delete()
    Finding.objects.all().delete()
    LoggedPeriod.objects.all().delete()
    LeaveSpan.objects.all().delete()
    WeekConfirmation.objects.all().delete()
