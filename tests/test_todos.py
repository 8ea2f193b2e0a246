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
    assert mine["hour violation not reviewed"].count == 1
    assert mine["background job failed this week"].count == 1
    assert "concern not answered" not in mine  # only concern handlers read them
    ConcernHandler.objects.create(user=gme)
    page = client_as("gme").get(reverse("staff:home")).content.decode()
    waiting = _waiting(page)
    assert ("1", "concern not answered") in waiting
    assert ("1", "hour violation not reviewed") in waiting
    # Cardiology has trainees and no published rotation year; IM has one.
    assert ("1", "program without a published rotation year") in waiting
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
    assert waiting[0] == ("1", "hour violation not reviewed")  # urgent first
    assert ("3", "vacation requests to decide") in waiting
    assert ("1", "swap agreed, waiting for approval") in waiting
    assert ("1", "trainee with weeks of hours not logged") in waiting  # Ana; Ben starts Jul 1
    year = ahead[0].academic_year
    assert reverse("schedules:program", args=[small.im.pk, year]) in page
    assert reverse("schedules:swaps", args=[small.im.pk]) in page
    # Another program's director has none of it: only Cara's own unlogged weeks.
    cards = client_as("pd.cards").get(reverse("staff:home")).content.decode()
    assert _waiting(cards) == [("1", "trainee with weeks of hours not logged")]
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
    assert waiting["swap asked of you"] == 1
    assert waiting["pulse survey open"] == 1
    # Every finished week since July 1, 2025 is unlogged: 52 of them by June 30, 2026.
    assert waiting["weeks of hours to log"] == 52
    assert page.index("Waiting for you") < page.index("Your pages")
    assert reverse("schedules:my_calls") in page and reverse("workhours:home") in page
    # Ben has no swap asked of him and has not started: nothing waits.
    ben = client_as("resident2").get(reverse("staff:me")).content.decode()
    assert "swap asked of you" not in ben and "swaps asked of you" not in ben


def test_labels_say_one_or_many(small: SmallInstitution) -> None:
    one = Todo("swap agreed", "swaps agreed", 1, "/")
    assert one.label == "swap agreed" and Todo("swap agreed", "swaps agreed", 2, "/").label == (
        "swaps agreed"
    )


def test_faculty_land_on_evaluations_to_complete_and_their_teaching(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    from rounds.assessment.models import EvaluationRequest, EvaluatorKind
    from tests.assessment_setup import build_assessment

    a = build_assessment(small)
    day = today()
    version = a.forms[EvaluatorKind.FACULTY_OF_TRAINEE].versions.get()
    for trainee in (small.ana, small.ben):
        EvaluationRequest.objects.create(
            program=small.im, form_version=version, evaluator_kind=EvaluatorKind.FACULTY_OF_TRAINEE,
            evaluator=a.faculty.person, trainee=trainee, period_start=day - dt.timedelta(days=27),
            period_end=day, month=day.replace(day=1), sent_on=day,
            expires_on=day + dt.timedelta(days=21),
        )  # fmt: skip
    faculty = client_as("faculty")
    assert faculty.get(reverse("staff:start"))["Location"] == reverse("staff:me")
    page = faculty.get(reverse("staff:me")).content.decode()
    waiting = _waiting(page)
    assert ("2", "evaluations to complete") in waiting
    # MICU in block 1 and the wards all year both start on July 1, tomorrow.
    assert ("2", "teaching assignments in the next two weeks") in waiting
    assert page.index("Waiting for you") < page.index("Your pages")
    assert reverse("assessment:home") in page
    home = faculty.get(reverse("assessment:home")).content.decode()
    assert "Your teaching in the next two weeks (2)" in home and a.x.micu.name in home


def test_wellness_committee_and_inclusion_office_land_on_their_work(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    from rounds.inclusion.models import RecruitmentCycle
    from rounds.people.models import Person, TrainingEvent
    from rounds.wellness.models import Committee, CommitteeMember, Gathering, Initiative

    member = Person.objects.get(user=small.users["wellness"])
    committee = Committee.objects.create(name="Housestaff wellness")
    CommitteeMember.objects.create(committee=committee, person=member)
    Gathering.objects.create(committee=committee, title="May meeting", on=dt.date(2026, 5, 20))
    came = Gathering.objects.create(committee=committee, title="Picnic", on=dt.date(2026, 6, 1))
    came.attendees.add(member)
    Initiative.objects.create(committee=committee, title="Nap room")
    Initiative.objects.create(committee=committee, title="Quiet room")
    wellness = client_as("wellness")
    page = wellness.get(reverse("staff:me")).content.decode()
    waiting = _waiting(page)
    assert ("1", "meeting or event with no attendance recorded") in waiting
    assert ("2", "ideas waiting for a decision") in waiting
    assert committee.get_absolute_url() in page and "Housestaff wellness" in page
    # The inclusion office: an empty recruitment cycle of the coming Match, a leave not recorded.
    RecruitmentCycle.objects.create(program=small.im, season=2026)
    TrainingEvent.objects.create(
        trainee=small.ana, kind=TrainingEvent.Kind.LEAVE, effective_date=dt.date(2025, 9, 1),
        end_date=dt.date(2025, 10, 1),
    )  # fmt: skip
    page = client_as("inclusion").get(reverse("staff:me")).content.decode()
    waiting = _waiting(page)
    assert ("1", "recruitment cycle with no applicants imported") in waiting
    assert ("1", "leave of absence not in the advancement records") in waiting
    # Nobody with no role has anything waiting, and no landing page of theirs.
    assert client_as("nobody").get(reverse("staff:start"))["Location"] == reverse("public:home")


def test_swaps_wait_on_the_to_do_list_not_on_the_call_grid(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    month = hand_month(small, status="published")
    swap = SwapProposal.objects.create(shift=shift(month, small.ana, 3), to_trainee=small.ben)
    coord = client_as("coord.im")
    assert ("1", "swap agreed, waiting for approval") in _waiting(
        coord.get(reverse("staff:home")).content.decode()
    )
    grid = coord.get(reverse("schedules:call", args=[month.pk])).content.decode()
    assert "Swaps waiting for you" not in grid
    assert reverse("schedules:swap_decide", args=[swap.pk]) not in grid


def test_program_staff_see_lapsed_and_expiring_credentials_and_overdue_onboarding(
    small: SmallInstitution,
) -> None:
    """A coordinator's to-dos name the trainees whose required credential has lapsed (missing or
    expired: urgent, first), those whose credential expires soon, and overdue onboarding, for
    trainees in training and those arriving soon (Ben starts tomorrow); the other program's staff
    see none of it."""
    from rounds.record.models import OnboardingItem, OnboardingTask
    from tests.test_record_credentials import hold, require

    day = today()
    require(small, "bls", "acls")
    hold(small.ana, "bls", day + dt.timedelta(days=400))
    hold(small.ana, "acls", day + dt.timedelta(days=20))  # Ana: expiring soon only
    hold(small.ben, "bls", day - dt.timedelta(days=3))  # Ben: BLS expired, ACLS never recorded
    item = OnboardingItem.objects.create(program=small.im, title="Sign the handbook", kind="form")
    OnboardingTask.objects.create(trainee=small.ben, item=item, due_on=day - dt.timedelta(days=1))
    coordinator = todos_for(small.users["coord.im"])
    items = _by_label(coordinator)
    assert items["trainee with a required credential lapsed"].count == 1
    assert items["trainee with a required credential lapsed"].urgent
    assert items["trainee with a credential expiring within 60 days"].count == 1
    assert items["trainee with onboarding overdue"].count == 1
    assert items["trainee with onboarding overdue"].url == reverse("record:onboarding")
    assert coordinator[0].urgent
    assert not any("credential" in t.label for t in todos_for(small.users["pd.cards"]))
