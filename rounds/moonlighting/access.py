"""Who may see and do what with moonlighting requests: every view asks here, nothing else decides.

- A trainee requests moonlighting for themself, sees their own requests, and withdraws one
  while it waits.
- The program director of the trainee's program takes the first step (approve with a note or
  decline with a reason) and may revoke an approval; a coordinator of the program sees the
  program's requests but decides nothing.
- The GME office sees every request and takes the second step once the director approved.
- Anyone else: the list page is 403, a request of someone else is 404 (ids reveal nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from rounds.people.access import UserRoles, can_manage_program, user_roles
from rounds.people.models import Role

if TYPE_CHECKING:
    from rounds.moonlighting.models import MoonlightingRequest
    from rounds.people.access import AnyUser
    from rounds.people.models import Trainee


def may_use_moonlighting(roles: UserRoles) -> bool:
    """The list page: program staff and the GME office (their requests), trainees (their own)."""
    return roles.is_staff_member or roles.has(Role.TRAINEE)


def may_request_for(user: AnyUser, trainee: Trainee | None) -> bool:
    return trainee is not None and user.is_authenticated and trainee.person.user_id == user.pk


def may_see_request(user: AnyUser, request: MoonlightingRequest) -> bool:
    if not user.is_authenticated:
        return False
    trainee = request.trainee
    return trainee.person.user_id == user.pk or can_manage_program(user, trainee.program)


def requests_visible_to(user: AnyUser) -> Q:
    """Filter on requests: own, the staffed programs', or all for the GME office."""
    roles = user_roles(user)
    if roles.is_gme_office:
        return Q()
    return Q(trainee__program__in=roles.staffed_program_ids) | Q(trainee__person__user_id=user.pk)


def is_director_of(user: AnyUser, request: MoonlightingRequest) -> bool:
    if not user.is_authenticated:
        return False
    return user_roles(user).has(Role.PROGRAM_DIRECTOR, request.trainee.program_id)


def may_decide_as_director(user: AnyUser, request: MoonlightingRequest) -> bool:
    return request.status == request.Status.AWAITING_DIRECTOR and is_director_of(user, request)


def may_decide_as_gme(user: AnyUser, request: MoonlightingRequest) -> bool:
    if not user.is_authenticated:
        return False
    return request.status == request.Status.AWAITING_GME and user_roles(user).is_gme_office


def may_withdraw(user: AnyUser, request: MoonlightingRequest) -> bool:
    return request.is_pending and may_request_for(user, request.trainee)


def may_revoke(user: AnyUser, request: MoonlightingRequest) -> bool:
    return request.status == request.Status.APPROVED and is_director_of(user, request)
