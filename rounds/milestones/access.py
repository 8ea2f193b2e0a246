"""Who may see and do what with milestones and the CCC: the one place that decides.

- A sitting CCC member sees the reviews of their program's residents and proposes levels.
- The program director and coordinator see their program's reviews; they (and members) record
  the consensus; only the director appoints members, signs off, corrects a signed level and
  records the semiannual meeting. Director and coordinator export the ACGME upload.
- A resident sees only their own results, and only once the review is signed off.
- The GME office sees summary figures across programs, never a resident's levels or narratives.
- Faculty who are not members, and every other role, see nothing here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rounds.core.models import Program
from rounds.milestones.models import CommitteeMember, CommitteeReview, TraineeReview
from rounds.people.access import user_roles
from rounds.people.models import Role

if TYPE_CHECKING:
    from rounds.people.access import AnyUser, UserRoles


def is_director(user: AnyUser, program: Program) -> bool:
    return Role.PROGRAM_DIRECTOR in user_roles(user).by_program.get(program.pk, frozenset())


def is_program_staff(user: AnyUser, program: Program) -> bool:
    return program.pk in user_roles(user).staffed_program_ids


def is_member(user: AnyUser, program: Program) -> bool:
    if not user.is_authenticated:
        return False
    return CommitteeMember.objects.filter(
        program=program, person__user_id=user.pk, ended_on__isnull=True
    ).exists()


def ccc_programs(user: AnyUser) -> list[Program]:
    """Programs whose reviews the user works on: as director, coordinator or sitting member."""
    if not user.is_authenticated:
        return []
    seats = CommitteeMember.objects.filter(person__user_id=user.pk, ended_on__isnull=True)
    ids = set(user_roles(user).staffed_program_ids) | set(
        seats.values_list("program_id", flat=True)
    )
    return list(Program.objects.filter(pk__in=ids).order_by("name"))


def may_see_program(user: AnyUser, program: Program) -> bool:
    return is_program_staff(user, program) or is_member(user, program)


def may_see_review(user: AnyUser, review: CommitteeReview) -> bool:
    return may_see_program(user, review.program)


def may_open_review(user: AnyUser, program: Program) -> bool:
    return is_program_staff(user, program)


def may_manage_committee(user: AnyUser, program: Program) -> bool:
    return is_director(user, program)


def may_propose(user: AnyUser, review: CommitteeReview) -> bool:
    return is_member(user, review.program)


def may_record_consensus(user: AnyUser, review: CommitteeReview) -> bool:
    return may_see_review(user, review)


def may_sign_off(user: AnyUser, review: CommitteeReview) -> bool:
    """Sign-off, corrections after it, and the semiannual meeting: the director's."""
    return is_director(user, review.program)


def may_export(user: AnyUser, review: CommitteeReview) -> bool:
    return is_program_staff(user, review.program)


def may_see_summary(user: AnyUser) -> bool:
    return user_roles(user).is_gme_office


def is_own_result(user: AnyUser, trainee_review: TraineeReview) -> bool:
    return (
        user.is_authenticated
        and trainee_review.trainee.person.user_id == user.pk
        and trainee_review.review.is_signed_off
    )


def may_use_milestones(roles: UserRoles) -> bool:
    """Whether the menu shows the area (the menu knows roles, not committee seats): faculty see
    it because any of them may sit on a committee; the home page then lists only their seats."""
    return bool(
        roles.is_gme_office
        or roles.staffed_program_ids
        or roles.has(Role.TRAINEE)
        or roles.has(Role.FACULTY)
    )
