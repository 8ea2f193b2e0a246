"""Who may see and do what in the training record: every view asks here, nothing else decides.

- The GME office sees every trainee's record; a program director or coordinator sees the
  records of their program's trainees; a trainee sees their own. Everyone else: none (404 for a
  record, 403 for a staff page), so nobody learns whose records exist.
- Only the director of the trainee's program (on the letter's day) signs a verification letter:
  the signature is the director's word, so neither the coordinator nor the GME office signs.
- The public verification page needs no sign-in; it is reached only with a letter's code.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from rounds.people.access import (
    UserRoles,
    can_manage_program,
    programs_managed_by,
    user_roles,
)
from rounds.people.models import Role, Trainee
from rounds.people.training import history_of

if TYPE_CHECKING:
    from rounds.core.models import Program
    from rounds.people.access import AnyUser


def is_record_reader(roles: UserRoles) -> bool:
    """Program staff and the GME office (their programs' records) and trainees (their own)."""
    return roles.is_staff_member or roles.has(Role.TRAINEE)


def may_open_record_home(user: AnyUser) -> bool:
    return is_record_reader(user_roles(user))


def may_see_record_of(user: AnyUser, trainee: Trainee) -> bool:
    if not user.is_authenticated:
        return False
    if trainee.person.user_id == user.pk:
        return True
    return can_manage_program(user, trainee.program)


def may_sign_letter_for(user: AnyUser, trainee: Trainee, day: date) -> bool:
    if not user.is_authenticated:
        return False
    program_id = history_of(trainee).program_on(day)
    return Role.PROGRAM_DIRECTOR in user_roles(user).by_program.get(program_id, frozenset())


def record_programs(user: AnyUser) -> QuerySet[Program]:
    """The programs whose trainees' records `user` manages (none for a trainee)."""
    return programs_managed_by(user)


def may_record_credential_for(user: AnyUser, trainee: Trainee) -> bool:
    """The trainee keeps their own credentials up to date; program staff may too."""
    return may_see_record_of(user, trainee)


def is_credentials_reader(roles: UserRoles) -> bool:
    return roles.is_staff_member


def may_complete_onboarding(user: AnyUser, trainee: Trainee) -> bool:
    """The incoming trainee completes their own checklist; staff see it and its documents."""
    return user.is_authenticated and trainee.person.user_id == user.pk
