"""Who may see and do what in conferences: every view asks here, nothing else decides.

- Program directors and coordinators (and the GME office) manage their programs' series and
  sessions, see each trainee's attendance and excuse a trainee with a reason.
- A session's code page: its program's staff, and its presenter when they have an account.
- A trainee checks in to their own program's sessions and sees their own attendance.
- Faculty see the sessions they present. Everyone else: 403 for a page, 404 for a record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from rounds.conferences.models import Series, Session
from rounds.people.access import (
    UserRoles,
    can_manage_program,
    can_view_trainee,
    programs_managed_by,
    trainee_of,
    user_roles,
)
from rounds.people.models import Role

if TYPE_CHECKING:
    from rounds.core.models import Program
    from rounds.people.access import AnyUser
    from rounds.people.models import Trainee


def may_use_conferences(roles: UserRoles) -> bool:
    """The work bar's rule: program staff, trainees and faculty (presenters)."""
    return roles.is_staff_member or roles.has(Role.TRAINEE) or roles.has(Role.FACULTY)


def may_check_in(roles: UserRoles) -> bool:
    return roles.has(Role.TRAINEE)


def may_manage_program_conferences(user: AnyUser, program: Program) -> bool:
    return can_manage_program(user, program)


def may_manage_series(user: AnyUser, series: Series) -> bool:
    return can_manage_program(user, series.program)


def may_show_code(user: AnyUser, session: Session) -> bool:
    if not user.is_authenticated:
        return False
    if session.presenter is not None and session.presenter.user_id == user.pk:
        return True
    return may_manage_series(user, session.series)


def may_see_attendance_of(user: AnyUser, trainee: Trainee) -> bool:
    """The trainee themself, and their program's staff (identified records, not aggregates)."""
    return can_view_trainee(user, trainee)


def conference_programs(user: AnyUser) -> QuerySet[Program]:
    return programs_managed_by(user)


def sessions_presented_by(user: AnyUser) -> QuerySet[Session]:
    if not user.is_authenticated:
        return Session.objects.none()
    return Session.objects.select_related("series__program", "site").filter(
        presenter__user_id=user.pk
    )


def may_see_session(user: AnyUser, session: Session) -> bool:
    return may_show_code(user, session)


def may_read_attendance(roles: UserRoles) -> bool:
    """Attendance rates: program staff (their trainees') and trainees (their own)."""
    return roles.is_staff_member or roles.has(Role.TRAINEE)


def _programs_read_by(user: AnyUser) -> set[int] | None:
    """The programs whose conferences a user reads: the staffed ones and a trainee's own (None:
    every program, for the GME office)."""
    roles = user_roles(user)
    if roles.is_gme_office:
        return None
    programs = set(roles.staffed_program_ids)
    trainee = trainee_of(user)
    if trainee is not None:
        programs.add(trainee.program_id)
    return programs


def sessions_visible_to(user: AnyUser) -> Q:
    """Filter on sessions a user may read (without their codes): the staffed programs' (all
    for the GME office), a trainee's own program's, and those the user presents."""
    programs = _programs_read_by(user)
    if programs is None:
        return Q()
    return Q(series__program__in=programs) | Q(presenter__user_id=user.pk)


def series_visible_to(user: AnyUser) -> Q:
    """Filter on series, the same way as sessions_visible_to: a presenter sees the series of
    the sessions they present."""
    programs = _programs_read_by(user)
    if programs is None:
        return Q()
    presents = Session.objects.filter(Q(presenter__user_id=user.pk), series=OuterRef("pk"))
    return Q(program__in=programs) | Q(Exists(presents))
