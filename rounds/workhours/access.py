"""Who may see which work-hour pages, built on rounds.people.access.

A trainee sees and changes their own log only; program directors and coordinators see their
programs' logs; the GME office sees all. Reviews are recorded by program directors and the GME
office. Someone else's record is a 404, never a 403, so ids reveal nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest

from rounds.core.models import Program
from rounds.people.access import UserRoles, can_manage_program, trainee_of, user_roles
from rounds.people.models import Role, Trainee


def own_trainee(request: HttpRequest) -> Trainee:
    """The signed-in user's trainee record; people who log no hours are refused."""
    trainee = trainee_of(request.user)
    if trainee is None:
        raise PermissionDenied("Only trainees log work hours.")
    return trainee


def may_use_hours(roles: UserRoles) -> bool:
    return roles.is_staff_member or roles.has(Role.TRAINEE)


def may_see_program(user: Any, program: Program) -> bool:
    return can_manage_program(user, program)


def visible_program(request: HttpRequest, pk: int) -> Program:
    program = Program.objects.filter(pk=pk).first()
    if program is None or not may_see_program(request.user, program):
        raise Http404("No such program.")
    return program


def may_review(user: Any, program: Program) -> bool:
    roles = user_roles(user)
    return roles.is_gme_office or roles.has(Role.PROGRAM_DIRECTOR, program.pk)


def periods_visible_to(user: Any) -> Q:
    """Filter on logged periods: a trainee's own, program staff their programs', the GME office
    all (the rule of the pages above, for lists such as the API's)."""
    roles = user_roles(user)
    if roles.is_gme_office:
        return Q()
    return Q(trainee__program__in=roles.staffed_program_ids) | Q(trainee__person__user_id=user.pk)
