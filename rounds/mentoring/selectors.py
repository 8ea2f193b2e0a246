"""Reads: the matcher's problem from the database, lists for pages, coaching counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from rounds.lib import today as clock
from rounds.lib.disclosure import hidden_cells
from rounds.lib.languages import language_name
from rounds.mentoring.models import Application, CoachingSlot, Cycle, CycleMentor, Pair
from rounds.people.access import programs_managed_by
from rounds.people.models import SpokenLanguage

if TYPE_CHECKING:
    from rounds.people.access import AnyUser

QUIET_DAYS = 90
# Mentoring can run in a language a person speaks at a working level or better.
WORKING_LEVELS = ("professional", "full", "native")


def mentee_key(application: Application) -> str:
    return f"a{application.pk}"


def mentor_key(cycle_mentor: CycleMentor) -> str:
    return f"m{cycle_mentor.profile_id}"


def _languages(person_ids: set[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = SpokenLanguage.objects.filter(person_id__in=person_ids, proficiency__in=WORKING_LEVELS)
    for person_id, code in rows.values_list("person_id", "language"):
        out.setdefault(person_id, []).append(language_name(code))
    return out


def matching_problem(cycle: Cycle) -> dict[str, Any]:
    """The engine's problem JSON for this cycle: applications are mentees, cycle mentors mentors."""
    applications = list(
        cycle.applications.select_related("trainee__person", "trainee__program__specialty")
    )
    mentors = list(
        cycle.mentors.select_related("profile__person", "profile__specialty").filter(capacity__gt=0)
    )
    languages = _languages(
        {a.trainee.person_id for a in applications} | {m.profile.person_id for m in mentors}
    )
    mentor_ids = {m.profile_id: mentor_key(m) for m in mentors}
    application_ids = {a.pk: mentee_key(a) for a in applications}
    mentees = [_mentee(a, mentors, mentor_ids, languages) for a in applications]
    mentor_rows = [_mentor(m, application_ids, languages) for m in mentors]
    pinned = [
        [application_ids[app_pk], mentor_ids[pair.mentor_id]]
        for pair, app_pk in _hand_pairs(cycle, applications)
        if app_pk in application_ids and pair.mentor_id in mentor_ids
    ]
    return {
        "mode": cycle.mode,
        "common_language": "English",
        "mentees": mentees,
        "mentors": mentor_rows,
        "pinned": pinned,
    }


def _hand_pairs(cycle: Cycle, applications: list[Application]) -> list[tuple[Pair, int]]:
    """Pairs a coordinator set by hand stay put when the matcher runs again."""
    by_trainee = {a.trainee_id: a.pk for a in applications}
    return [
        (pair, by_trainee[pair.mentee_id])
        for pair in cycle.pairs.filter(by_hand=True, status=Pair.Status.PROPOSED)
        if pair.mentee_id in by_trainee
    ]


def _mentee(
    app: Application,
    mentors: list[CycleMentor],
    mentor_ids: dict[int, str],
    languages: dict[int, list[str]],
) -> dict[str, Any]:
    ratings = {int(k): int(v) for k, v in app.ratings.items() if int(k) in mentor_ids}
    excluded = [mentor_ids[pid] for pid, r in ratings.items() if r == 0]
    # Nobody mentors themselves (a senior trainee with a profile may also sign up as a mentee).
    excluded += [
        mentor_ids[m.profile_id]
        for m in mentors
        if m.profile.person_id == app.trainee.person_id and mentor_ids[m.profile_id] not in excluded
    ]
    return {
        "id": mentee_key(app),
        "specialty": app.trainee.program.specialty.name,
        "interests": app.interests,
        "career_paths": app.career_paths,
        "languages": ["English", *languages.get(app.trainee.person_id, [])],
        "wishes": app.wishes,
        "ranking": [mentor_ids[int(p)] for p in app.ranking if int(p) in mentor_ids],
        "ratings": {mentor_ids[pid]: r for pid, r in ratings.items() if r > 0},
        "excluded": excluded,
    }


def _mentor(
    m: CycleMentor, application_ids: dict[int, str], languages: dict[int, list[str]]
) -> dict[str, Any]:
    ratings = {int(k): int(v) for k, v in m.ratings.items() if int(k) in application_ids}
    profile = m.profile
    return {
        "id": mentor_key(m),
        "capacity": m.capacity,
        "kind": "trainee" if profile.is_trainee else "faculty",
        "specialty": profile.specialty.name if profile.specialty else None,
        "interests": profile.interests,
        "career_paths": profile.career_paths,
        "languages": ["English", *languages.get(profile.person_id, [])],
        "identities": profile.identities,
        "ratings": {application_ids[a]: r for a, r in ratings.items() if r > 0},
        "excluded": [application_ids[a] for a, r in ratings.items() if r == 0],
    }


def proposed_pairs(cycle: Cycle) -> QuerySet[Pair]:
    return cycle.pairs.select_related("mentor__person", "mentee__person", "mentee__program")


def mentor_load(cycle: Cycle) -> dict[int, int]:
    """Profile id -> mentees given in this cycle."""
    rows = cycle.pairs.exclude(status=Pair.Status.ENDED).values("mentor_id").annotate(n=Count("id"))
    return {row["mentor_id"]: row["n"] for row in rows}


def pairs_of(user: AnyUser) -> QuerySet[Pair]:
    """Active pairs this user is in, as mentee or mentor. Never anyone else's."""
    return (
        Pair.objects.filter(status=Pair.Status.ACTIVE)
        .filter(Q(mentee__person__user_id=user.pk) | Q(mentor__person__user_id=user.pk))
        .select_related("mentor__person", "mentee__person", "mentee__program")
        .annotate(last_met=Max("meetings__date"))
    )


@dataclass
class QuietPair:
    pair: Pair
    last_met: date | None
    days: int


def quiet_pairs(user: AnyUser, *, today: date | None = None) -> list[QuietPair]:
    """Active pairs in programs this user manages whose last meeting (or start) is 90+ days ago."""
    today = today or clock.today()
    cutoff = today - timedelta(days=QUIET_DAYS)
    pairs = (
        Pair.objects.filter(
            status=Pair.Status.ACTIVE, mentee__program__in=programs_managed_by(user)
        )
        .select_related("mentor__person", "mentee__person", "mentee__program")
        .annotate(last_met=Max("meetings__date"))
    )
    out: list[QuietPair] = []
    for pair in pairs:
        since = pair.last_met or pair.started_on
        if since is None or since <= cutoff:
            days = (today - since).days if since else QUIET_DAYS
            out.append(QuietPair(pair, pair.last_met, days))
    out.sort(key=lambda q: -q.days)
    return out


def open_slots(*, now: Any = None) -> QuerySet[CoachingSlot]:
    now = now or timezone.now()
    return CoachingSlot.objects.filter(
        booked_by__isnull=True, starts_at__gt=now, coach__active=True
    ).select_related("coach__person")


@dataclass
class ParticipationRow:
    program: str
    trainees: int
    participants: int | None  # None: suppressed (small cell)
    sessions: int | None


def coaching_participation(
    user: AnyUser, *, since: date
) -> tuple[list[ParticipationRow], int | None]:
    """Per managed program: how many active trainees booked coaching since `since`, and sessions.

    Counts only, small cells suppressed. Within a program, participants and non-participants
    partition the known program size, so that split goes through hidden_cells. The total across
    programs is shown only when no program is hidden, so nothing can be had by subtraction.
    """
    booked = Q(trainees__status="active", trainees__coaching_sessions__starts_at__date__gte=since)
    programs = (
        programs_managed_by(user)
        .annotate(
            size=Count("trainees", filter=Q(trainees__status="active"), distinct=True),
            participants=Count("trainees", filter=booked, distinct=True),
            sessions=Count("trainees__coaching_sessions", filter=booked),
        )
        .order_by("name")
    )
    out: list[ParticipationRow] = []
    total, any_hidden = 0, False
    for p in programs:
        n, size = p.participants, p.size
        hide = "yes" in hidden_cells({"yes": n, "no": max(0, size - n)})
        any_hidden |= hide
        total += n
        sessions = p.sessions
        out.append(ParticipationRow(p.name, size, None if hide else n, None if hide else sessions))
    return out, None if any_hidden else total
