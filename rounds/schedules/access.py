"""Who may see which schedule page, built on rounds.people.access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from rounds.people.access import (
    UserRoles,
    can_manage_program,
    is_gme_office,
    require_roles,
    user_roles,
)
from rounds.people.models import Person, Role

if TYPE_CHECKING:
    from rounds.core.models import Program
    from rounds.people.access import AnyUser


def is_clinical(roles: UserRoles) -> bool:
    """Anyone who works shifts or runs programs: who is on call concerns them."""
    return roles.is_staff_member or roles.has(Role.TRAINEE) or roles.has(Role.FACULTY)


def is_trainee(roles: UserRoles) -> bool:
    return roles.has(Role.TRAINEE)


staff_required = require_roles(lambda roles: roles.is_staff_member)
clinical_required = require_roles(is_clinical)
trainee_required = require_roles(is_trainee)
# Work across every program at once (the institution-wide solve) is the GME office's.
gme_required = require_roles(is_gme_office)


def manage_or_404(user: AnyUser, program: Program) -> None:
    """Other programs' schedules do not exist for this user."""
    if not can_manage_program(user, program):
        raise Http404("No such schedule.")


def may_read_schedules(roles: UserRoles) -> bool:
    """Program staff read their programs' schedules, a trainee their own (the pages' rule)."""
    return roles.is_staff_member or is_trainee(roles)


def schedule_rows_visible_to(user: AnyUser) -> Q:
    """Filter on assignment rows (rotation or call, with `schedule` and `trainee`): the GME
    office sees all, program staff their programs' schedules, a trainee their own rows."""
    roles = user_roles(user)
    if roles.is_gme_office:
        return Q()
    return Q(schedule__program__in=roles.staffed_program_ids) | Q(trainee__person__user_id=user.pk)


class ContactViewer:
    """Whose phone and pager a viewer of the on-call list sees: switchboard operators, the GME
    office and program staff see everyone's; anyone sees their own; colleagues see the numbers
    of people who chose to share them (`Person.share_contact`)."""

    def __init__(self, user: AnyUser) -> None:
        roles = user_roles(user)
        self.sees_all = roles.is_staff_member or roles.has(Role.SWITCHBOARD) or roles.is_gme_office
        self.person_id = (
            Person.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()
            if user.pk is not None
            else None
        )

    def sees_numbers_of(self, person: Person) -> bool:
        return self.sees_all or person.pk == self.person_id or person.share_contact


def may_see_on_call(roles: UserRoles) -> bool:
    """The on-call list is for clinical people and the switchboard."""
    return is_clinical(roles) or roles.has(Role.SWITCHBOARD)


on_call_required = require_roles(may_see_on_call)
