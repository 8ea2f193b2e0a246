"""Case logs on top of the small institution, its schedules and its attending faculty: the
shipped procedure lists loaded, and "today" ten days into block 1, when Ana (PGY-2) is on MICU
at Harbor VA, attended by the "faculty" user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rounds.caselogs.loader import procedure_file_parse
from rounds.caselogs.management.commands.load_procedures import SHIPPED
from rounds.caselogs.models import CaseLog, Procedure
from rounds.caselogs.services import procedures_load
from tests.assessment_setup import SmallAssessment, build_assessment
from tests.people import SmallInstitution


@dataclass
class SmallCaseLogs:
    a: SmallAssessment
    today: date
    paracentesis: Procedure
    central_line: Procedure


def build_case_logs(small: SmallInstitution, settings) -> SmallCaseLogs:  # type: ignore[no-untyped-def]
    a = build_assessment(small)
    today = a.x.im_blocks[0].start + timedelta(days=10)
    settings.ROUNDS_TODAY = today.isoformat()
    procedures_load(
        data=procedure_file_parse(SHIPPED.read_text(encoding="utf-8"), skip_absent=True)
    )
    im = Procedure.objects.filter(specialty=small.internal_medicine)
    return SmallCaseLogs(a, today, im.get(code="paracentesis"), im.get(code="central-line"))


def a_returned_entry(small: SmallInstitution) -> CaseLog:
    """An entry of Ana's the faculty returned, written straight to the tables (for the access
    matrix, which has no schedules or procedure lists)."""
    from django.utils import timezone

    from rounds.people.models import Faculty

    procedure, _ = Procedure.objects.get_or_create(
        specialty=small.internal_medicine, code="paracentesis", defaults={"name": "Paracentesis"}
    )
    faculty, _ = Faculty.objects.get_or_create(
        person=small.users["faculty"].person,  # type: ignore[attr-defined]
        defaults={"primary_program": small.im},
    )
    return CaseLog.objects.create(
        trainee=small.ana, day=date(2026, 7, 8), procedure=procedure, role="performed",
        supervisor=faculty, status=CaseLog.Status.RETURNED, comment="You assisted.",
        logged_at=timezone.now(),
    )  # fmt: skip
