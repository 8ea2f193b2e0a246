"""Who may see what in inclusion. Built on rounds.people.access.

Self-identification is seen by the person, the inclusion office and the GME office only: never by
program staff, not even as a yes/no per person. Aggregates go to the inclusion and GME offices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rounds.people.access import UserRoles, require_roles, user_roles
from rounds.people.models import Role

if TYPE_CHECKING:
    from rounds.people.access import AnyUser
    from rounds.people.models import Person


def is_inclusion_reader(roles: UserRoles) -> bool:
    return roles.is_gme_office or Role.INCLUSION_OFFICE in roles.global_roles


def may_read_identity(user: AnyUser, person: Person) -> bool:
    if not user.is_authenticated:
        return False
    return person.user_id == user.pk or is_inclusion_reader(user_roles(user))


inclusion_required = require_roles(is_inclusion_reader)
