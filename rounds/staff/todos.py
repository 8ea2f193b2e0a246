"""The work waiting for one person, counted and linked: what each landing page leads with.

One selector for every role, so the GME office, a program's director or coordinator and a trainee
each see exactly the items their roles give them (a person with several roles sees each list):

- GME office: hour violations nobody reviewed, concerns not answered (for concern handlers),
  programs without a published rotation year, background jobs that failed this week, trainees
  whose leave goes past their board's allowance with no extension confirmed;
- directors and coordinators, for their programs: vacation requests to decide (linking to the
  program-year page, where they are decided in bulk), swaps a colleague agreed to, trainees
  with weeks of hours not logged, hour violations not reviewed, trainees with a required
  credential lapsed or expiring soon, trainees with onboarding overdue, trainees past their
  board's leave allowance (urgent) and trainees near or over the program's leave policy;
- directors and the GME office: moonlighting requests waiting for their step;
- faculty: procedure log entries naming them as supervisor, waiting for their verification;
- trainees: weeks of hours to log, swaps offered to them (and open shifts they could pick up),
  pulse surveys open and not yet answered, case log entries returned to them this month;
- faculty (and anyone asked for one): evaluations to complete; faculty also their teaching
  assignments of the next two weeks;
- wellness committee members, for their committees: gatherings past with nobody recorded as
  coming, ideas waiting for a decision;
- the inclusion office: this season's recruitment cycles with no applicants imported, leaves of
  absence of this academic year not in the advancement records.

Each item is told with its count in words made for it ("1 swap agreed", "2 swaps agreed").

Only items with something waiting are returned; the page says "nothing waiting" otherwise.
Counts are of people's records, shown only to those who may open them, so no disclosure control
applies (these are not aggregates published about groups).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, prefetch_related_objects
from django.urls import reverse
from django.utils.translation import ngettext

from rounds.core.models import Program
from rounds.jobs.models import Job
from rounds.lib import today as clock
from rounds.people.access import person_of, trainee_of, user_roles
from rounds.people.models import Person, Role, Trainee
from rounds.people.training import history_of, history_prefetch, trainees_in_training
from rounds.workhours.models import Finding
from rounds.workhours.record import academic_year

if TYPE_CHECKING:
    from rounds.leave.selectors import LeaveFlag
    from rounds.people.access import AnyUser


@dataclass(frozen=True)
class Todo:
    one: str  # what waits, in words, for one: "vacation request to decide"
    many: str  # and for several: "vacation requests to decide"
    count: int
    url: str
    where: str = ""  # the program (or committee), when the item is about one
    urgent: bool = False  # rules broken, failures: shown first and marked

    @property
    def label(self) -> str:
        return ngettext(self.one, self.many, self.count)


def todos_for(user: AnyUser) -> list[Todo]:
    """Everything waiting for `user`, most urgent first."""
    if not user.is_authenticated:
        return []
    roles = user_roles(user)
    person = person_of(user)
    items: list[Todo] = []
    if roles.is_gme_office:
        items += gme_office_todos(user)
    if roles.staffed_program_ids:
        programs = Program.objects.filter(pk__in=roles.staffed_program_ids).order_by("name")
        items += program_todos(list(programs))
    items += moonlighting_todos(user)
    items += faculty_todos(user)
    if roles.has(Role.TRAINEE):
        trainee = trainee_of(user)
        if trainee is not None:
            # Their history is asked by several items: read once.
            prefetch_related_objects([trainee], *history_prefetch())
            items += trainee_todos(trainee)
    if person is not None:
        items += evaluation_todos(person, teaching=roles.has(Role.FACULTY))
        if roles.has(Role.WELLNESS_COMMITTEE):
            items += wellness_todos(person)
    if roles.has(Role.INCLUSION_OFFICE):
        items += inclusion_todos()
    return sorted((t for t in items if t.count), key=lambda t: not t.urgent)


# ---------------------------------------------------------------- GME office


def _unreviewed(programs: list[int] | None = None) -> QuerySet[Finding]:
    first, last = academic_year(clock.today())
    found = Finding.objects.filter(
        severity=Finding.Severity.VIOLATION,
        resolved_at__isnull=True,
        starts_on__range=(first, last),
        reviews__isnull=True,
    )
    return found.filter(trainee__program__in=programs) if programs is not None else found


def gme_office_todos(user: AnyUser) -> list[Todo]:
    from rounds.concerns.access import is_handler
    from rounds.concerns.models import Concern

    items = [
        Todo("hour violation not reviewed", "hour violations not reviewed",
             _unreviewed().count(), reverse("workhours:institution"), urgent=True),
        Todo("background job failed this week", "background jobs failed this week",
             _failed_jobs(), reverse("staff:jobs_failed"), urgent=True),
        Todo("program without a published rotation year",
             "programs without a published rotation year", len(programs_without_year()),
             reverse("schedules:home")),
        Todo("trainee past their board's leave allowance",
             "trainees past their board's leave allowance", _past_leave_allowance(),
             reverse("leave:home")),
    ]  # fmt: skip
    if is_handler(user):
        new = Concern.objects.filter(status=Concern.Status.NEW).count()
        items.append(
            Todo(
                "concern not answered",
                "concerns not answered",
                new,
                reverse("concerns:inbox") + "?status=new",
                urgent=True,
            )
        )
    return items


def _past_leave_allowance() -> int:
    from rounds.leave.selectors import flagged_count

    return flagged_count(None, clock.today())


def _failed_jobs() -> int:
    return failed_jobs().count()


def failed_jobs() -> QuerySet[Job]:
    since = clock.today() - timedelta(days=7)
    return Job.objects.filter(status=Job.Status.FAILED, created_at__date__gte=since)


PLANNING_AHEAD = timedelta(days=90)


def planned_year(today: date) -> int:
    """The academic year schedules must be published for: the current one, and from April on
    the one starting in July (the current one is almost over by then)."""
    return academic_year(today + PLANNING_AHEAD)[0].year


def programs_without_year(today: date | None = None) -> list[Program]:
    """Programs with trainees and no published rotation schedule for the planned year."""
    from rounds.schedules.models import RotationSchedule

    year = planned_year(today or clock.today())
    published = RotationSchedule.objects.filter(academic_year=year, status="published").values(
        "program_id"
    )
    return list(
        Program.objects.filter(trainees__isnull=False)
        .exclude(pk__in=published)
        .distinct()
        .order_by("name")
    )


# ---------------------------------------------------------------- directors and coordinators


def program_todos(programs: list[Program]) -> list[Todo]:
    from rounds.leave.selectors import leave_flags
    from rounds.record.selectors import trainees_to_credential
    from rounds.schedules.models import VacationRequest
    from rounds.schedules.swap_selectors import swaps_to_approve
    from rounds.workhours.selectors import missing_weeks_of

    today = clock.today()
    # Pending requests for blocks still to come, by program and the year their block is in:
    # each year's are decided (in bulk) on that program-year's page.
    vacations: dict[int, list[tuple[int, int]]] = {}
    for program_id, year, n in (
        VacationRequest.objects.filter(
            trainee__program__in=programs, status="requested", block__end__gte=today
        )
        .values_list("trainee__program", "block__academic_year")
        .annotate(n=Count("pk"))
        .order_by("block__academic_year")
    ):
        vacations.setdefault(program_id, []).append((year, n))
    unreviewed = dict(
        _unreviewed([p.pk for p in programs])
        .values_list("trainee__program")
        .annotate(n=Count("pk"))
        .values_list("trainee__program", "n")
    )
    swaps = swaps_to_approve([p.pk for p in programs])
    # This academic year's trainees, read once: the leave flags are about them all, the other
    # items about those in training today.
    ids = {p.pk for p in programs}
    this_year = trainees_in_training(programs, *academic_year(today))
    in_training = [
        t
        for t in this_year
        if t.program_id in ids
        and any(history_of(t).in_training_during(today, today, pk) for pk in ids)
    ]
    # Credentials and onboarding matter from before day one: those arriving soon count too.
    upcoming = trainees_to_credential(programs, today)
    flags = leave_flags(programs, today, this_year)
    items: list[Todo] = []
    for program in programs:
        pk, name = program.pk, program.name
        theirs = [t for t in in_training if t.program_id == pk]
        missing = missing_weeks_of(theirs, today) if theirs else {}
        behind = sum(1 for weeks in missing.values() if weeks)
        items += [
            Todo("hour violation not reviewed", "hour violations not reviewed",
                 unreviewed.get(pk, 0), reverse("workhours:program_hours", args=[pk]), name,
                 urgent=True),
            *[
                Todo("vacation request to decide", "vacation requests to decide", n,
                     reverse("schedules:program", args=[pk, year]), f"{name} {year}–{year + 1}")
                for year, n in vacations.get(pk, [])
            ],
            Todo("swap agreed, waiting for approval", "swaps agreed, waiting for approval",
                 swaps.get(pk, 0), reverse("schedules:swaps", args=[pk]), name),
            Todo("trainee with weeks of hours not logged",
                 "trainees with weeks of hours not logged", behind,
                 reverse("workhours:program_hours", args=[pk]), name),
            *record_todos([t for t in upcoming if t.program_id == pk], today, name),
            *leave_todos([f for f in flags if f.program_id == pk], name),
        ]  # fmt: skip
    return items


def leave_todos(flags: list[LeaveFlag], where: str) -> list[Todo]:
    """The leave page's flags, counted: trainees past their board's allowance with no extension
    confirmed (urgent: their training must be extended), and the others near or over a
    balance of the program's policy this year."""
    url = reverse("leave:home")
    return [
        Todo("trainee past their board's leave allowance",
             "trainees past their board's leave allowance",
             sum(1 for f in flags if f.flagged), url, where, urgent=True),
        Todo("trainee near or over the leave policy", "trainees near or over the leave policy",
             sum(1 for f in flags if f.near_or_over and not f.flagged), url, where),
    ]  # fmt: skip


def record_todos(trainees: list[Trainee], today: date, where: str) -> list[Todo]:
    """The training record's work for a program's staff, about its trainees in training now or
    arriving soon: required credentials lapsed (not valid today: expired or never recorded) and
    about to expire, and onboarding overdue."""
    from rounds.record.selectors import EXPIRING_SOON_DAYS, credential_gaps, overdue_onboarding

    if not trainees:
        return []
    gaps = credential_gaps(trainees, today)
    lapsed = {g.trainee.pk for g in gaps if g.lapsed}
    expiring = {g.trainee.pk for g in gaps if not g.lapsed} - lapsed
    credentials = reverse("record:credentials")
    return [
        Todo("trainee with a required credential lapsed",
             "trainees with a required credential lapsed", len(lapsed), credentials, where,
             urgent=True),
        Todo(f"trainee with a credential expiring within {EXPIRING_SOON_DAYS} days",
             f"trainees with a credential expiring within {EXPIRING_SOON_DAYS} days",
             len(expiring), credentials, where),
        Todo("trainee with onboarding overdue", "trainees with onboarding overdue",
             overdue_onboarding(trainees, today), reverse("record:onboarding"), where),
    ]  # fmt: skip


def moonlighting_todos(user: AnyUser) -> list[Todo]:
    """Moonlighting requests waiting for this person's step: a director's, per program, then the
    GME office's."""
    from rounds.moonlighting.selectors import requests_awaiting

    url = reverse("moonlighting:home")
    return [
        Todo(f"moonlighting request to {step}", f"moonlighting requests to {step}", n, url, where)
        for step, where, n in requests_awaiting(user)
    ]


# ---------------------------------------------------------------- faculty


def faculty_todos(user: AnyUser) -> list[Todo]:
    """Procedure log entries naming the user as supervising faculty, waiting for them."""
    from rounds.assessment.access import faculty_of
    from rounds.caselogs.selectors import queue_count

    faculty = faculty_of(user)
    if faculty is None:
        return []
    return [Todo("procedure log entry to verify", "procedure log entries to verify",
                 queue_count(faculty),
                 reverse("caselogs:queue"))]  # fmt: skip


# ---------------------------------------------------------------- trainees


def trainee_todos(trainee: Trainee) -> list[Todo]:
    from rounds.schedules.swap_selectors import asked_count, pool_for
    from rounds.workhours.selectors import missing_weeks

    calls = reverse("schedules:my_calls")
    return [
        Todo("swap asked of you", "swaps asked of you", asked_count(trainee), calls, urgent=True),
        Todo("week of hours to log", "weeks of hours to log", len(missing_weeks(trainee)),
             reverse("workhours:home")),
        Todo("open shift you could pick up", "open shifts you could pick up",
             len(pool_for(trainee)), calls),
        Todo("pulse survey open", "pulse surveys open", open_surveys(trainee),
             reverse("wellness:home")),
        Todo("case log entry returned to you", "case log entries returned to you",
             returned_case_logs(trainee), reverse("caselogs:trainee", args=[trainee.pk])),
    ]  # fmt: skip


def returned_case_logs(trainee: Trainee) -> int:
    """Entries the supervisor sent back in the last 30 days: the trainee logs them again."""
    from rounds.caselogs.models import CaseLog

    since = clock.today() - timedelta(days=30)
    return CaseLog.objects.filter(
        trainee=trainee, status=CaseLog.Status.RETURNED, decided_at__date__gte=since
    ).count()


def open_surveys(trainee: Trainee) -> int:
    """Surveys of the trainee's program (or everyone's) open today and not answered yet."""
    from rounds.wellness.models import Survey
    from rounds.wellness.periods import period_current
    from rounds.wellness.services import has_answered

    count = 0
    for survey in Survey.objects.filter(stopped=False):
        if survey.program_id not in (None, trainee.program_id):
            continue
        period = period_current(survey, clock.today())
        if period is not None and not has_answered(period=period, person=trainee.person):
            count += 1
    return count


# ---------------------------------------------------------------- faculty and evaluators


def evaluation_todos(person: Person, *, teaching: bool) -> list[Todo]:
    """Evaluations asked of the person and not yet sent (anyone may be asked: faculty,
    trainees, nurses); for faculty also their teaching assignments of the next two weeks,
    listed on the evaluations page."""
    from rounds.assessment.selectors import teaching_ahead, waiting_count

    home = reverse("assessment:home")
    today = clock.today()
    items = [
        Todo("evaluation to complete", "evaluations to complete",
             waiting_count(person, today), home),
    ]  # fmt: skip
    if teaching:
        coming = len(teaching_ahead(person, today))
        items.append(
            Todo("teaching assignment in the next two weeks",
                 "teaching assignments in the next two weeks", coming, home + "#teaching-h")
        )  # fmt: skip
    return items


# ---------------------------------------------------------------- wellness committees


def wellness_todos(person: Person) -> list[Todo]:
    """For each committee the person sits on: meetings and events past with nobody recorded as
    coming (this academic year), and ideas waiting for the committee's decision."""
    from rounds.wellness.models import Committee, Gathering, Initiative

    first, _last = academic_year(clock.today())
    committees = Committee.objects.filter(members__person=person).order_by("name")
    items: list[Todo] = []
    for committee in committees:
        unrecorded = Gathering.objects.filter(
            committee=committee, on__gte=first, on__lt=clock.today(), headcount=0,
            attendees__isnull=True,
        ).count()  # fmt: skip
        ideas = Initiative.objects.filter(
            committee=committee, status=Initiative.Status.IDEA
        ).count()
        url = committee.get_absolute_url()
        items += [
            Todo("meeting or event with no attendance recorded",
                 "meetings or events with no attendance recorded", unrecorded, url,
                 committee.name),
            Todo("idea waiting for a decision", "ideas waiting for a decision", ideas, url,
                 committee.name),
        ]  # fmt: skip
    return items


# ---------------------------------------------------------------- inclusion office


def inclusion_todos() -> list[Todo]:
    """This season's recruitment cycles with no applicants imported yet, and this academic
    year's leaves of absence not yet in the advancement records."""
    from rounds.inclusion.models import AdvancementEvent, RecruitmentCycle
    from rounds.people.models import TrainingEvent

    first, last = academic_year(clock.today())
    empty = RecruitmentCycle.objects.filter(
        season__gte=first.year + 1, applicants__isnull=True
    ).count()
    recorded = AdvancementEvent.objects.filter(
        kind=AdvancementEvent.Kind.LEAVE, academic_year=first.year
    ).values("trainee_id")
    leaves = (
        TrainingEvent.objects.filter(
            kind=TrainingEvent.Kind.LEAVE, effective_date__range=(first, last)
        )
        .exclude(trainee_id__in=recorded)
        .values("trainee_id")
        .distinct()
        .count()
    )
    return [
        Todo("recruitment cycle with no applicants imported",
             "recruitment cycles with no applicants imported", empty,
             reverse("inclusion:cycles")),
        Todo("leave of absence not in the advancement records",
             "leaves of absence not in the advancement records", leaves,
             reverse("inclusion:advancement_record")),
    ]  # fmt: skip
