"""The API world with something for the training endpoints to show: Ana's case log (one entry
waiting for the faculty, one verified, one returned), an IM noon report with a session open
today, and a moonlighting request of Ana's. "Today" is ten days into block 1, when Ana (PGY-2)
is on MICU at Harbor VA, attended by the "faculty" user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rounds.caselogs.loader import procedure_file_parse
from rounds.caselogs.management.commands.load_procedures import SHIPPED
from rounds.caselogs.models import CaseLog, Procedure
from rounds.caselogs.services import caselog_log, caselog_return, caselog_verify, procedures_load
from rounds.conferences.models import Series, Session
from rounds.moonlighting.models import MoonlightingRequest
from rounds.record.models import Credential
from tests.api_setup import ApiWorld, build_api_world
from tests.assessment_setup import SmallAssessment, build_assessment
from tests.conferences_setup import noon_report, session_all_day, session_on
from tests.moonlighting_setup import licence
from tests.people import SmallInstitution


@dataclass
class TrainingWorld:
    api: ApiWorld
    a: SmallAssessment
    today: date
    paracentesis: Procedure
    waiting: CaseLog
    verified: CaseLog
    returned: CaseLog
    series: Series
    open_session: Session
    ana_licence: Credential
    ana_request: MoonlightingRequest


def ana_logs(world_today: date, small: SmallInstitution, a: SmallAssessment, n: int) -> None:
    """`n` more entries of Ana's waiting for the faculty (for query counts)."""
    procedure = Procedure.objects.get(specialty=small.internal_medicine, code="paracentesis")
    for k in range(n):
        caselog_log(
            trainee=small.ana, by=None, day=world_today - timedelta(days=k % 5),
            procedure=procedure, role="performed", supervisor=a.faculty, site=small.affiliate,
        )  # fmt: skip


def build_training_world(small: SmallInstitution, settings) -> TrainingWorld:  # type: ignore[no-untyped-def]
    api = build_api_world(small)
    a = build_assessment(small, api.schedules)
    today = a.x.im_blocks[0].start + timedelta(days=10)
    settings.ROUNDS_TODAY = today.isoformat()
    procedures_load(
        data=procedure_file_parse(SHIPPED.read_text(encoding="utf-8"), skip_absent=True)
    )
    para = Procedure.objects.get(specialty=small.internal_medicine, code="paracentesis")
    line = Procedure.objects.get(specialty=small.internal_medicine, code="central-line")
    faculty = small.users["faculty"]

    def logged(procedure: Procedure, days_ago: int) -> CaseLog:
        return caselog_log(
            trainee=small.ana, by=None, day=today - timedelta(days=days_ago), procedure=procedure,
            role="performed", supervisor=a.faculty, site=small.affiliate,
        )  # fmt: skip

    waiting = logged(para, 0)
    verified = caselog_verify(entry=logged(line, 1), by=faculty)
    returned = caselog_return(entry=logged(para, 2), by=faculty, comment="You assisted.")
    series = noon_report(small)
    session_on(series, today - timedelta(days=7))
    open_session = session_all_day(series, today)
    ana_licence = licence(small.ana)
    request = MoonlightingRequest.objects.create(
        trainee=small.ana, setting="internal", where="Riverside urgent care",
        start=today + timedelta(days=30), end=today + timedelta(days=120), hours_per_week=8,
        licence=ana_licence, statement="Weekend shifts.",
    )  # fmt: skip
    return TrainingWorld(
        api, a, today, para, waiting, verified, returned, series, open_session, ana_licence,
        request,
    )  # fmt: skip
