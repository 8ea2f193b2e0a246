"""Shared mentoring fixtures for tests/test_mentoring_*.py (this file holds no tests).

On top of the small institution: a faculty mentor ("faculty", Spanish-speaking, URiM), a second
faculty mentor ("faculty2", a user without roles who only mentors and coaches), a coach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from rounds.lib.today import today
from rounds.mentoring.models import Coach, CoachingSlot, Cycle, CycleMentor, MentorProfile, Pair
from rounds.people.models import Person, SpokenLanguage
from tests.people import PASSWORD, SmallInstitution


@dataclass
class Mentoring:
    rivera: MentorProfile  # user "faculty"
    smith: MentorProfile  # user "faculty2"
    coach: Coach  # user "coach"
    cycle: Cycle  # open, IM program, both mentors joined


def faculty_user(username: str, first: str, last: str) -> tuple[User, Person]:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    person = Person.objects.create(
        user=user, kind="faculty", first_name=first, last_name=last, email=user.email
    )
    return user, person


def build_mentoring(small: SmallInstitution) -> Mentoring:
    rivera_person = small.users["faculty"].person  # type: ignore[attr-defined]
    SpokenLanguage.objects.create(person=rivera_person, language="spa", proficiency="native")
    rivera = MentorProfile.objects.create(
        person=rivera_person,
        specialty=small.internal_medicine,
        clinical_interests=["global health"],
        research_interests=["health equity"],
        career_paths=["academic medicine"],
        identities=["URiM"],
        capacity=1,
    )
    user2, smith_person = faculty_user("faculty2", "Sam", "Smith")
    small.users["faculty2"] = user2
    smith = MentorProfile.objects.create(
        person=smith_person,
        specialty=small.cardiology,
        clinical_interests=["cardiology", "ultrasound"],
        career_paths=["fellowship"],
        capacity=2,
    )
    user3, coach_person = faculty_user("coach", "Cora", "Coach")
    small.users["coach"] = user3
    coach = Coach.objects.create(person=coach_person, trained_on=today())
    cycle = Cycle.objects.create(
        name="IM mentoring 2026", program=small.im, status=Cycle.Status.OPEN
    )
    CycleMentor.objects.create(cycle=cycle, profile=rivera, capacity=1)
    CycleMentor.objects.create(cycle=cycle, profile=smith, capacity=2)
    return Mentoring(rivera, smith, coach, cycle)


@pytest.fixture(name="mentoring")
def mentoring_fixture(small: SmallInstitution) -> Mentoring:
    return build_mentoring(small)


def active_pair(cycle: Cycle, mentor: MentorProfile, trainee: object, days_ago: int = 10) -> Pair:
    return Pair.objects.create(
        cycle=cycle,
        mentor=mentor,
        mentee=trainee,
        status=Pair.Status.ACTIVE,
        started_on=today() - timedelta(days=days_ago),
        explanation="shared interest in global health",
    )


def open_slot(coach: Coach, days: int = 3) -> CoachingSlot:
    return CoachingSlot.objects.create(
        coach=coach, starts_at=timezone.now() + timedelta(days=days), where="Room 4"
    )
