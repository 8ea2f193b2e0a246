"""Two checks on every endpoint: the token carries the scope the view needs, and the token's
user holds a role the view allows (the same predicate the pages use, from the apps' access.py).
Which rows the user then sees is the views' queryset, again from access.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from rounds.api.models import ApiToken
from rounds.people.access import UserRoles, user_roles


class TokenScope(BasePermission):
    """The view's `scopes`: {"GET": scope, "POST": scope}; a method not listed needs no scope."""

    message = "This token's scopes do not include this request."

    def has_permission(self, request: Request, view: Any) -> bool:
        needed = getattr(view, "scopes", {}).get(request.method or "GET")
        if needed is None:
            return True
        token = request.auth
        return isinstance(token, ApiToken) and needed in token.scopes


class RolesAllow(BasePermission):
    """The view's `allowed(roles)`: the predicate its pages use."""

    message = "Your roles do not include this part of the API."

    def has_permission(self, request: Request, view: Any) -> bool:
        allowed: Callable[[UserRoles], bool] | None = getattr(view, "allowed", None)
        return allowed is None or allowed(user_roles(request.user))
