"""Concerns are read only by designated handlers: GME office role AND a ConcernHandler row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rounds.concerns.models import ConcernHandler
from rounds.people.access import require_roles, user_roles

if TYPE_CHECKING:
    from rounds.people.access import AnyUser


def is_handler(user: AnyUser) -> bool:
    if not user.is_authenticated or not user_roles(user).is_gme_office:
        return False
    return ConcernHandler.objects.filter(user_id=user.pk).exists()


signed_in_required = require_roles(lambda roles: True)
