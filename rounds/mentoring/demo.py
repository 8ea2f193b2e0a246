"""Demo mentoring and coaching: mentor profiles across the institution, a published Internal
Medicine cycle with pairs, goals and meetings (some quiet for 90+ days, one private re-match
request), an open research-mentoring cycle waiting for its matcher run, and coaches with sessions.

The demo "resident" is mentored by the demo "faculty" member and has booked coaching. The
published pairs come from the real matcher, so their explanations are what the matcher says.
Same seed and same day: same rows.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rounds.core.models import Program
from rounds.engine.matching import Problem, match
from rounds.lib import today as clock
from rounds.mentoring.models import (
    CAREER_PATHS,
    Application,
    Coach,
    CoachingNote,
    CoachingSlot,
    Cycle,
    CycleMentor,
    Goal,
    Meeting,
    MentorProfile,
    Pair,
    RematchRequest,
)
from rounds.mentoring.selectors import matching_problem
from rounds.mentoring.services import _explain_by_hand, matching_store
from rounds.people.models import Faculty, Person, SelfIdentification, Trainee

PROGRAM = "Internal Medicine Residency"
PATHS = [value for value, _ in CAREER_PATHS]
TRAINEE_INTERESTS = [
    "global health",
    "health equity",
    "medical education",
    "quality improvement",
    "research",
    "point-of-care ultrasound",
    "critical care",
    "cardiology",
    "oncology",
    "palliative care",
    "addiction medicine",
    "health policy",
    "wellness and burnout",
]
GOALS = [
    "Choose a research project by December",
    "Submit an abstract to the regional meeting",
    "Draft a fellowship personal statement",
    "Plan an away elective",
    "Find a QI project on my clinic panel",
    "Protect one evening a week for family",
    "Teach a noon conference",
]
TOPICS = [
    "Fellowship timeline and who to ask for letters.",
    "How the night-float block went; sleep and getting home safely.",
    "Abstract draft; agreed on the figure to keep.",
    "Career paths in hospital medicine versus primary care.",
    "Balancing a new baby and the ICU month.",
    "Feedback on the first noon conference.",
]


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username).first()


def _profile_for(
    person: Person, rng: random.Random, interests: list[str], specialty: Any
) -> MentorProfile:
    identity = SelfIdentification.objects.filter(person=person).first()
    identities = []
    if identity and identity.urim:
        identities.append("URiM")
    if identity and identity.first_generation:
        identities.append("first generation")
    if rng.random() < 0.15:
        identities.append("parent in training")
    if rng.random() < 0.1:
        identities.append("international graduate")
    return MentorProfile(
        person=person,
        specialty=specialty,
        clinical_interests=interests[:2],
        research_interests=interests[2:3],
        career_paths=rng.sample(PATHS, 2),
        identities=identities,
        capacity=rng.choice([1, 2, 2, 3, 3, 4]),
        bio="Happy to talk about careers, research and life outside the hospital.",
    )


def _profiles(rng: random.Random) -> list[MentorProfile]:
    rows: list[MentorProfile] = []
    faculty = list(
        Faculty.objects.select_related("person", "primary_program__specialty").order_by("pk")
    )
    for f in faculty:
        if f.person.user_id is None and rng.random() > 0.45:
            continue
        interests = [x.strip().lower() for x in f.interests.split(",") if x.strip()]
        interests.append(rng.choice(TRAINEE_INTERESTS))
        specialty = f.primary_program.specialty if f.primary_program else None
        rows.append(_profile_for(f.person, rng, interests, specialty))
    seniors = Trainee.objects.filter(pgy__gte=3, status="active").select_related(
        "person", "program__specialty"
    )
    for t in seniors.order_by("pk"):
        if rng.random() < 0.06:
            rows.append(
                _profile_for(t.person, rng, rng.sample(TRAINEE_INTERESTS, 3), t.program.specialty)
            )
    MentorProfile.objects.bulk_create(rows)
    return list(MentorProfile.objects.select_related("person").order_by("pk"))


def _application(
    cycle: Cycle, trainee: Trainee, rng: random.Random, mentors: list[MentorProfile]
) -> Application:
    wishes: list[dict[str, str]] = []
    roll = rng.random()
    if roll < 0.08:
        wishes.append({"kind": "identity", "value": "URiM", "strength": "must"})
    elif roll < 0.16:
        wishes.append({"kind": "identity", "value": "parent in training", "strength": "prefer"})
    elif roll < 0.22:
        wishes.append({"kind": "language", "value": "Spanish", "strength": "prefer"})
    ranked = rng.sample(mentors, min(3, len(mentors))) if rng.random() < 0.5 else []
    return Application(
        cycle=cycle,
        trainee=trainee,
        interests=rng.sample(TRAINEE_INTERESTS, 2),
        career_paths=rng.sample(PATHS, 1),
        wishes=wishes,
        ranking=[m.pk for m in ranked],
        ratings={str(m.pk): rng.choice([3, 4, 5]) for m in ranked},
    )


def _cycle_with_mentors(
    name: str, program: Program, status: str, mentors: list[MentorProfile], by: Any
) -> Cycle:
    cycle = Cycle.objects.create(name=name, program=program, status=status, created_by=by)
    CycleMentor.objects.bulk_create(
        CycleMentor(cycle=cycle, profile=m, capacity=m.capacity) for m in mentors
    )
    return cycle


def _published_cycle(
    rng: random.Random, im: Program, mentors: list[MentorProfile], today: Any
) -> Cycle:
    by = _user("coord.im")
    start = today - timedelta(days=150)
    cycle = _cycle_with_mentors(
        f"{PROGRAM} mentoring {start.year}", im, Cycle.Status.CLOSED, mentors, by
    )
    trainees = list(
        Trainee.objects.filter(program=im, status="active").select_related("person").order_by("pk")
    )
    Application.objects.bulk_create(_application(cycle, t, rng, mentors) for t in trainees)
    # The demo resident asked for the demo faculty member; the coordinator set it by hand.
    resident, faculty = _user("resident"), _user("faculty")
    if resident and faculty:
        profile = next((m for m in mentors if m.person.user_id == faculty.pk), None)
        trainee = Trainee.objects.filter(person__user=resident).first()
        if profile and trainee:
            Pair.objects.create(cycle=cycle, mentor=profile, mentee=trainee, by_hand=True)
    cycle.problem = matching_problem(cycle)
    cycle.save(update_fields=["problem"])
    for pair in cycle.pairs.filter(by_hand=True):
        pair.fit, pair.explanation = _explain_by_hand(cycle, pair.mentee_id, pair.mentor)
        pair.save(update_fields=["fit", "explanation"])
    result = match(Problem.from_json(cycle.problem))
    matching_store(cycle=cycle, result=result.to_json())
    cycle.pairs.update(status=Pair.Status.ACTIVE, started_on=start)
    cycle.status, cycle.published_at = Cycle.Status.PUBLISHED, timezone.now() - timedelta(days=150)
    cycle.save()
    _pair_history(rng, cycle, today, start)
    return cycle


def _pair_history(rng: random.Random, cycle: Cycle, today: Any, start: Any) -> None:
    meetings: list[Meeting] = []
    goals: list[Goal] = []
    pairs = list(cycle.pairs.select_related("mentee__person", "mentor__person").order_by("pk"))
    for n, pair in enumerate(pairs):
        quiet = n % 7 == 3  # about one pair in seven has gone quiet
        day = start + timedelta(days=rng.randint(5, 20))
        last = today - timedelta(days=100 if quiet else 1)
        while day <= last:
            meetings.append(
                Meeting(
                    pair=pair,
                    date=day,
                    minutes=rng.choice([30, 45, 60]),
                    topics=rng.choice(TOPICS),
                    logged_by_id=pair.mentor.person.user_id,
                )
            )
            day += timedelta(days=rng.randint(21, 45))
        for text in rng.sample(GOALS, 2):
            goals.append(Goal(pair=pair, text=text, done=rng.random() < 0.4))
    Meeting.objects.bulk_create(meetings)
    Goal.objects.bulk_create(goals)
    # A mentee (without a demo account) asked privately for someone else.
    asker = next((p for p in pairs if p.mentee.person.user_id is None), None)
    if asker:
        RematchRequest.objects.create(
            pair=asker,
            side="mentee",
            reason="Our schedules never line up; a mentor at my site would help.",
            requested_by=None,
        )


def _open_cycle(rng: random.Random, im: Program, mentors: list[MentorProfile]) -> Cycle:
    research = [m for m in mentors if m.research_interests][:30]
    cycle = _cycle_with_mentors(
        f"{PROGRAM} research mentoring", im, Cycle.Status.OPEN, research, _user("coord.im")
    )
    cycle.signup_closes = clock.today() + timedelta(days=14)
    cycle.instructions = "Pick up to three research mentors; we match by the end of the month."
    cycle.save()
    trainees = Trainee.objects.filter(program=im, status="active").exclude(
        person__user__username="resident"
    )
    chosen = [t for t in trainees.order_by("pk") if rng.random() < 0.45]
    Application.objects.bulk_create(_application(cycle, t, rng, research) for t in chosen)
    return cycle


def _coaching(rng: random.Random, today: Any) -> tuple[int, int]:
    faculty = list(Faculty.objects.select_related("person").order_by("pk")[:200])
    coaches = [
        Coach(
            person=f.person,
            trained_on=today - timedelta(days=rng.randint(60, 900)),
            training="Institutional physician coaching program",
        )
        for f in rng.sample(faculty, min(12, len(faculty)))
    ]
    Coach.objects.bulk_create(coaches)
    trainees = list(Trainee.objects.filter(status="active").order_by("pk"))
    tz = timezone.get_current_timezone()
    slots: list[CoachingSlot] = []
    for coach in Coach.objects.order_by("pk"):
        for week in range(-10, 4):
            day = today + timedelta(days=7 * week + rng.randint(0, 4))
            starts = datetime.combine(day, time(rng.choice([7, 12, 17]), 0), tzinfo=tz)
            booked = rng.choice(trainees) if week < 0 or rng.random() < 0.4 else None
            slots.append(
                CoachingSlot(
                    coach=coach,
                    starts_at=starts,
                    where="Video link sent by email",
                    booked_by=booked,
                    booked_at=starts - timedelta(days=5) if booked else None,
                )
            )
    CoachingSlot.objects.bulk_create(slots)
    resident = Trainee.objects.filter(person__user__username="resident").first()
    if resident:
        past = CoachingSlot.objects.filter(
            starts_at__lt=timezone.now(), booked_by__isnull=False
        ).first()
        if past:
            past.booked_by = resident
            past.save(update_fields=["booked_by"])
            CoachingNote.objects.create(
                trainee=resident,
                session=past,
                text="Worked on saying no to extra shifts. Try: one protected evening a week.",
            )
    return len(coaches), len(slots)


@transaction.atomic
def demo_extend(*, seed: int) -> list[str]:
    rng = random.Random(seed * 7 + 6)
    today = clock.today()
    im = Program.objects.filter(name=PROGRAM).first()
    if im is None:
        return ["mentoring: no Internal Medicine program, nothing added"]
    mentors = _profiles(rng)
    # The program's own faculty and senior trainees first, the demo faculty member among them.
    own = Person.objects.filter(faculty__primary_program=im) | Person.objects.filter(
        trainee__program=im
    )
    own_ids = set(own.values_list("pk", flat=True))
    im_mentors = sorted(mentors, key=lambda m: (m.person_id not in own_ids, m.pk))[:60]
    published = _published_cycle(rng, im, im_mentors, today)
    open_cycle = _open_cycle(rng, im, mentors)
    coaches, slots = _coaching(rng, today)
    return [
        f"mentoring: {len(mentors)} mentor profiles; {published.pairs.count()} pairs in "
        f"{published}; {open_cycle.applications.count()} sign-ups in the open cycle",
        f"coaching: {coaches} coaches, {slots} sessions",
    ]


def demo_wipe() -> None:
    CoachingNote.objects.all().delete()
    CoachingSlot.objects.all().delete()
    Coach.objects.all().delete()
    RematchRequest.objects.all().delete()
    Cycle.objects.all().delete()  # applications, cycle mentors, pairs with a cycle
    Pair.objects.all().delete()
    MentorProfile.objects.all().delete()
