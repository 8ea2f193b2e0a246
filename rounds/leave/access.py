"""Who may see and do what with leave, board standing and remediation: every view asks here.

- Leave and balances: as the training record (rounds/record/access.py): the trainee their own,
  a program's director and coordinator their trainees', the GME office everyone's.
- The program view (who is near or over): program staff and the GME office.
- Confirming an extension for leave: the program's director or coordinator, or the GME office.
- Remediation and probation: program leadership and the GME office only, never the trainee's
  colleagues nor the trainee's own leave page (the program tells the trainee in person).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rounds.people.access import UserRoles, can_manage_program, user_roles
from rounds.people.models import Trainee
from rounds.record.access import is_record_reader, may_see_record_of

if TYPE_CHECKING:
    from rounds.people.access import AnyUser


def may_open_leave_home(user: AnyUser) -> bool:
    return is_record_reader(user_roles(user))


def is_leave_staff(roles: UserRoles) -> bool:
    return roles.is_staff_member


def may_see_leave_of(user: AnyUser, trainee: Trainee) -> bool:
    return may_see_record_of(user, trainee)


def may_extend_for(user: AnyUser, trainee: Trainee) -> bool:
    return user.is_authenticated and can_manage_program(user, trainee.program)


def may_see_remediation_of(user: AnyUser, trainee: Trainee) -> bool:
    if not user.is_authenticated or trainee.person.user_id == user.pk:
        return False
    return can_manage_program(user, trainee.program)
