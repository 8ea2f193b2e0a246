"""Case logs on top of the small institution, its schedules and its attending faculty: the
shipped procedure lists loaded, and "today" ten days into block 1, when Ana (PGY-2) is on MICU
at Harbor VA, attended by the "faculty" user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rounds.caselogs.loader import procedure_file_parse
from rounds.caselogs.management.commands.load_procedures import SHIPPED
from rounds.caselogs.models import Procedure
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
