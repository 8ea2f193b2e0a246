"""To-dos first: each role's landing page leads with the work waiting for them, counted and linked,
and shows nobody another program's work."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from rounds.concerns.models import Concern, ConcernHandler
from rounds.jobs.models import Job
from rounds.lib.today import today
from rounds.schedules.models import SwapProposal, VacationRequest
from rounds.staff.todos import Todo, todos_for
from rounds.workhours.models import Finding
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules
from tests.test_wellness_anonymity import new_survey


def _violation(small: SmallInstitution) -> Finding:
    day = today() - dt.timedelta(days=10)
    return Finding.objects.create(
        trainee=small.ana, severity="violation", rule="weekly_80", start=day.isoformat(),
        end=day.isoformat(), starts_on=day, detail="84 hours", key=f"w80-{day}",
    )  # fmt: skip


def _by_label(items: list[Todo]) -> dict[str, Todo]:
    return {t.label: t for t in items}


def _waiting(page: str) -> list[tuple[str, str]]:
    """(count, label) of each to-do on a landing page, in order."""
    return re.findall(
        r'<span class="todo-count">(\d+)</span> <span class="todo-label">([^<]+)</span>', page
    )


def test_the_gme_office_sees_violations_concerns_programs_without_a_year_and_failed_jobs(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    gme = small.users["gme"]
    _violation(small)
    Job.objects.create(kind="import", title="Import interns", started_by=gme, status="failed")
    Concern.objects.create(category="workload", subject="Nights", raised_on=today())
    mine = _by_label(todos_for(gme))
    assert mine["hour violations not reviewed"].count == 1
    assert mine["background jobs failed this week"].count == 1
    assert "concerns not answered" not in mine  # only concern handlers read them
    ConcernHandler.objects.create(user=gme)
    page = client_as("gme").get(reverse("staff:home")).content.decode()
    waiting = _waiting(page)
    assert ("1", "concerns not answered") in waiting
    assert ("1", "hour violations not reviewed") in waiting
    # Cardiology has trainees and no published rotation year; IM has one.
    assert ("1", "programs without a published rotation year") in waiting
    assert page.index("Waiting for you") < page.index("Institution records")
    failed = client_as("gme").get(reverse("staff:jobs_failed")).content.decode()
    assert "Import interns" in failed


def test_program_staff_see_their_programs_vacations_swaps_hours_and_findings(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    _violation(small)
    ahead = [b for b in x.im_blocks if b.end >= today()]
    for block in ahead[:3]:
        VacationRequest.objects.create(trainee=small.ana, block=block)
    month = hand_month(small, status="published")
    SwapProposal.objects.create(shift=shift(month, small.ana, 3), to_trainee=small.ben)
    page = client_as("coord.im").get(reverse("staff:home")).content.decode()
    waiting = _waiting(page)
    assert waiting[0] == ("1", "hour violations not reviewed")  # urgent first
    assert ("3", "vacation requests to decide") in waiting
    assert ("1", "swaps agreed, waiting for approval") in waiting
    assert ("1", "trainees with weeks of hours not logged") in waiting  # Ana; Ben starts Jul 1
    year = ahead[0].academic_year
    assert reverse("schedules:program", args=[small.im.pk, year]) in page
    assert reverse("schedules:swaps", args=[small.im.pk]) in page
    # Another program's director has none of it: only Cara's own unlogged weeks.
    cards = client_as("pd.cards").get(reverse("staff:home")).content.decode()
    assert _waiting(cards) == [("1", "trainees with weeks of hours not logged")]
    assert reverse("schedules:swaps", args=[small.im.pk]) not in cards


def test_a_trainee_lands_on_hours_to_log_swaps_offered_and_surveys_open(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    month = hand_month(small, status="published")
    SwapProposal.objects.create(
        shift=shift(month, small.ben, 3), to_trainee=small.ana, status="asked", kind="give"
    )
    new_survey(None, small.users["gme"])
    ana = client_as("resident")
    start = ana.get(reverse("staff:start"))
    assert start["Location"] == reverse("staff:me")
    page = ana.get(reverse("staff:me")).content.decode()
    waiting = dict((label, int(count)) for count, label in _waiting(page))
    assert waiting["swaps asked of you"] == 1
    assert waiting["pulse surveys open"] == 1
    # Every finished week since July 1, 2025 is unlogged: 52 of them by June 30, 2026.
    assert waiting["weeks of hours to log"] == 52
    assert page.index("Waiting for you") < page.index("Your pages")
    assert reverse("schedules:my_calls") in page and reverse("workhours:home") in page
    # Ben has no swap asked of him and has not started: nothing waits.
    ben = client_as("resident2").get(reverse("staff:me")).content.decode()
    assert "swaps asked of you" not in ben
