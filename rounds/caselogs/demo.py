"""Demo case logs: the shipped procedure lists (Internal Medicine, Surgery, Emergency Medicine)
and, for the residents of those programs, a few months of entries logged on days the published
schedule had them at work, with the site and attending the log form would have pre-filled. Most
are verified, some wait in their supervisor's queue, a few were returned with a comment; the
demo "faculty" account has entries of the demo "resident" to verify.

Rows are written in bulk (the demo's own data, no audit entries) to keep the demo fast.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from rounds.caselogs.loader import procedure_file_parse
from rounds.caselogs.models import CaseLog, CaseRole, Minimum, Procedure
from rounds.caselogs.selectors import prefill_for, procedures_for
from rounds.caselogs.services import procedures_load
from rounds.core.models import Program, Site
from rounds.lib import today as clock
from rounds.people.models import Faculty, Trainee
from rounds.people.training import history_of, trainees_in_training

PROGRAMS = ("Internal Medicine Residency", "Surgery Residency", "Emergency Medicine Residency")
SHIPPED = Path(__file__).resolve().parent / "data" / "procedures.csv"
DAYS_BACK = 150
DAYS_PER_TRAINEE = (3, 9)
RETURN_COMMENTS = [
    "I was not there for this one; please name the attending who was.",
    "This was a simulated line in the skills lab: log it as observed.",
    "You assisted on this case; please log it again as assisted.",
]


def demo_wipe() -> None:
    CaseLog.objects.filter(corrects__isnull=False).delete()
    CaseLog.objects.all().delete()
    Minimum.objects.all().delete()
    Procedure.objects.all().delete()


def demo_extend(*, seed: int) -> list[str]:
    data = procedure_file_parse(
        SHIPPED.read_text(encoding="utf-8"), name=SHIPPED.name, skip_absent=True
    )
    procedures, minimums = procedures_load(data=data)
    rng = random.Random(seed * 131 + 28)
    rows: list[CaseLog] = []
    for program in Program.objects.filter(name__in=PROGRAMS).order_by("name"):
        rows += _entries_for(program, rng)
    _demo_queue(rows)
    CaseLog.objects.bulk_create(rows)
    by_status = {s: sum(r.status == s for r in rows) for s in CaseLog.Status.values}
    return [
        f"caselogs: {procedures} procedures with {minimums} minimums; {len(rows)} entries "
        f"({by_status['verified']} verified, {by_status['pending']} waiting, "
        f"{by_status['returned']} returned)"
    ]


def _entries_for(program: Program, rng: random.Random) -> list[CaseLog]:
    today = clock.today()
    choices = list(procedures_for(program))
    fallback = list(Faculty.objects.filter(primary_program=program).order_by("pk"))
    if not choices or not fallback:
        return []
    rows = []
    for trainee in trainees_in_training([program], today, today):
        history = history_of(trainee)
        first = max(history.start, today - timedelta(days=DAYS_BACK))
        span = (today - first).days
        if span < 1:
            continue
        days = sorted(
            {
                first + timedelta(days=rng.randrange(span))
                for _ in range(rng.randint(*DAYS_PER_TRAINEE))
            }
        )
        for day in days:
            if not history.in_training_on(day):
                continue
            prefill = prefill_for(trainee, day)
            supervisor = prefill.supervisor or rng.choice(fallback)
            for _ in range(rng.randint(1, 3)):
                rows.append(
                    _entry(trainee, day, rng.choice(choices), supervisor, prefill.site, rng)
                )
    return rows


def _entry(
    trainee: Trainee,
    day: date,
    procedure: Procedure,
    supervisor: Faculty,
    site: Site | None,
    rng: random.Random,
) -> CaseLog:
    age = (clock.today() - day).days
    roll = rng.random()
    status = CaseLog.Status.PENDING if age < 10 and roll < 0.6 else CaseLog.Status.VERIFIED
    if roll > 0.96:
        status = CaseLog.Status.RETURNED
    role = rng.choices(CaseRole.values, weights=[2, 3, 6, 1])[0]
    logged = timezone.now() - timedelta(days=age)
    decided = (
        logged + timedelta(days=rng.randint(0, 4)) if status != CaseLog.Status.PENDING else None
    )
    return CaseLog(
        trainee=trainee, day=day, procedure=procedure, role=role, site=site,
        supervisor=supervisor, status=status, logged_at=logged,
        logged_by=trainee.person.user, decided_at=decided,
        decided_by=supervisor.person.user if decided else None,
        comment=rng.choice(RETURN_COMMENTS) if status == CaseLog.Status.RETURNED else "",
    )  # fmt: skip


def _demo_queue(rows: list[CaseLog]) -> None:
    """The demo "resident"'s three latest entries wait for the demo "faculty" account."""
    faculty = Faculty.objects.filter(person__user__username="faculty").first()
    if faculty is None:
        return
    mine = [
        r for r in rows if r.trainee.person.user and r.trainee.person.user.username == "resident"
    ]
    for row in sorted(mine, key=lambda r: r.day)[-3:]:
        row.supervisor, row.status = faculty, CaseLog.Status.PENDING
        row.decided_at, row.decided_by, row.comment = None, None, ""
