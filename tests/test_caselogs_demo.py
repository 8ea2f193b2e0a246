"""The demo shows case logs in use: the shipped lists, months of entries on scheduled days with
the attending of the day, and something waiting for the demo faculty account."""

from __future__ import annotations

import pytest

from rounds.assessment import demo as assessment_demo
from rounds.caselogs.demo import demo_extend
from rounds.caselogs.models import CaseLog, Procedure
from rounds.caselogs.selectors import queue_of, standing
from rounds.core.demo import demo_build
from rounds.people.models import Faculty, Trainee
from rounds.schedules import demo as schedules_demo
from tests.test_assessment_demo import deal_published_years


@pytest.mark.django_db
def test_demo_case_logs(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = "2026-12-07"
    demo_build(seed=7, scale=0.25)
    schedules_demo.demo_extend(seed=7, solve_programs=False)
    deal_published_years(2026)
    assessment_demo.demo_extend(seed=7)
    lines = demo_extend(seed=7)
    assert lines[0].startswith("caselogs:")
    specialties = set(Procedure.objects.values_list("specialty__acgme_code", flat=True))
    assert specialties == {"140", "440", "110"}
    assert standing(CaseLog.objects.all()).count() > 50
    assert CaseLog.objects.filter(status="returned").exists()
    # Most entries name the attending the schedule gives for that day and place.
    with_site = CaseLog.objects.filter(site__isnull=False).count()
    assert with_site > CaseLog.objects.count() / 2
    faculty = Faculty.objects.get(person__user__username="faculty")
    assert queue_of(faculty).filter(trainee__person__user__username="resident").count() == 3
    resident = Trainee.objects.get(person__user__username="resident")
    assert CaseLog.objects.filter(trainee=resident, status="verified").exists()
