"""Who may see and do what with case logs: every view asks here, nothing else decides.

- A trainee logs their own procedures and sees their own log and progress.
- The faculty member named as supervisor verifies or returns the entry (their queue); nobody
  else decides it, not even the program director, because the verification is the word of the
  person who was there.
- A program's director and coordinator, and the GME office, see their programs' trainees' logs,
  the program's progress page and its export.
- Everyone else: 403 on the area's pages, 404 on a trainee's log or an entry (so nobody learns
  whose records exist).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from rounds.assessment.access import faculty_of
from rounds.people.access import UserRoles, can_manage_program, programs_managed_by, user_roles
from rounds.people.models import Role, Trainee

__all__ = ["faculty_of"]  # the one definition is assessment's; views here ask for it here

if TYPE_CHECKING:
    from rounds.caselogs.models import CaseLog
    from rounds.core.models import Program
    from rounds.people.access import AnyUser


def is_case_log_user(roles: UserRoles) -> bool:
    """Trainees, faculty and program staff: those for whom the area has a page."""
    return roles.is_staff_member or roles.has(Role.TRAINEE) or roles.has(Role.FACULTY)


def may_open_home(user: AnyUser) -> bool:
    return is_case_log_user(user_roles(user)) or faculty_of(user) is not None


def may_see_log_of(user: AnyUser, trainee: Trainee) -> bool:
    if not user.is_authenticated:
        return False
    if trainee.person.user_id == user.pk:
        return True
    return can_manage_program(user, trainee.program)


def may_log_for(user: AnyUser, trainee: Trainee) -> bool:
    """Only the trainee logs (and corrects) their own procedures."""
    return user.is_authenticated and trainee.person.user_id == user.pk


def may_decide(user: AnyUser, entry: CaseLog) -> bool:
    """Only the supervising faculty named on the entry verifies or returns it."""
    return user.is_authenticated and entry.supervisor.person.user_id == user.pk


def may_see_program(user: AnyUser, program: Program) -> bool:
    return user.is_authenticated and can_manage_program(user, program)


def case_log_programs(user: AnyUser) -> QuerySet[Program]:
    """The programs whose case logs `user` oversees (none for a trainee or faculty member)."""
    return programs_managed_by(user)


def entries_visible_to(user: AnyUser) -> Q:
    """Filter on entries, as the pages show them: a trainee's own, the staffed programs'
    trainees' (all for the GME office), and those waiting in a faculty member's queue."""
    from rounds.caselogs.models import CaseLog

    roles = user_roles(user)
    if roles.is_gme_office:
        return Q()
    return (
        Q(trainee__program__in=roles.staffed_program_ids)
        | Q(trainee__person__user_id=user.pk)
        | Q(supervisor__person__user_id=user.pk, status=CaseLog.Status.PENDING)
    )
