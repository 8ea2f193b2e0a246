"""Who may see what in mentoring and coaching, built on rounds.people.access.

- A cycle is managed by the GME office, or by its program's director and coordinator.
- A pair's page is for its two people only; program staff see who has not met, not what was said.
- Re-match requests: the coordinator/director of the mentee's program and the GME office.
- Coaching notes: their trainee only. No predicate grants anyone else; the views never ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from rounds.lib.today import today
from rounds.mentoring.models import Coach, Cycle, MentorProfile, Pair
from rounds.people.access import can_manage_program, person_of, trainee_of, user_roles

if TYPE_CHECKING:
    from rounds.people.access import AnyUser
    from rounds.people.models import Trainee


def mentor_profile_of(user: AnyUser) -> MentorProfile | None:
    if not user.is_authenticated:
        return None
    return MentorProfile.objects.filter(person__user_id=user.pk).first()


def coach_of(user: AnyUser) -> Coach | None:
    if not user.is_authenticated:
        return None
    return Coach.objects.filter(person__user_id=user.pk, active=True).first()


def may_mentor(user: AnyUser) -> bool:
    """Faculty, and trainees past their first year, may offer to mentor."""
    person = person_of(user)
    if person is None:
        return False
    if person.kind == "faculty":
        return True
    trainee = trainee_of(user)
    return trainee is not None and trainee.pgy >= 2


def can_manage_cycle(user: AnyUser, cycle: Cycle) -> bool:
    roles = user_roles(user)
    if roles.is_gme_office:
        return True
    return cycle.program is not None and can_manage_program(user, cycle.program)


def may_create_cycles(user: AnyUser) -> bool:
    return user_roles(user).is_staff_member


def cycles_managed_by(user: AnyUser) -> QuerySet[Cycle]:
    roles = user_roles(user)
    cycles = Cycle.objects.select_related("program")
    if roles.is_gme_office:
        return cycles
    return cycles.filter(program__in=roles.staffed_program_ids)


def cycles_open_to(trainee: Trainee) -> QuerySet[Cycle]:

    return Cycle.objects.filter(
        Q(program=trainee.program) | Q(program__isnull=True), status=Cycle.Status.OPEN
    ).exclude(signup_closes__lt=today())


def can_join_as_mentee(user: AnyUser, cycle: Cycle) -> bool:
    trainee = trainee_of(user)
    return (
        trainee is not None
        and trainee.status == "active"
        and (cycle.program_id is None or cycle.program_id == trainee.program_id)
    )


def is_pair_party(user: AnyUser, pair: Pair) -> bool:
    if not user.is_authenticated:
        return False
    return user.pk in (pair.mentee.person.user_id, pair.mentor.person.user_id)


def pair_side(user: AnyUser, pair: Pair) -> str | None:
    if not user.is_authenticated:
        return None
    if pair.mentee.person.user_id == user.pk:
        return "mentee"
    if pair.mentor.person.user_id == user.pk:
        return "mentor"
    return None


def can_handle_rematch(user: AnyUser, pair: Pair) -> bool:
    return can_manage_program(user, pair.mentee.program)
