"""Who may see what. Every view asks here; nothing else decides access.

Rules: the GME office sees everything; a program director or coordinator sees their programs; a
trainee sees their own record. Other roles (faculty, wellness committee, inclusion office) get
their own, narrower pages in the issues that build them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from rounds.people.models import Person, Role, RoleAssignment, Trainee

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet

    from rounds.core.models import Program
    from rounds.people.models import Person, Trainee

    AnyUser = AbstractBaseUser | AnonymousUser

ViewFunc = Callable[..., HttpResponse]
PROGRAM_STAFF_ROLES = frozenset({Role.PROGRAM_DIRECTOR, Role.PROGRAM_COORDINATOR})


@dataclass(frozen=True)
class UserRoles:
    """The roles one user holds: global ones, and program-scoped ones by program id."""

    global_roles: frozenset[str] = frozenset()
    by_program: dict[int, frozenset[str]] = field(default_factory=dict)

    def has(self, role: str, program_id: int | None = None) -> bool:
        if role in self.global_roles:
            return True
        if program_id is None:
            return any(role in roles for roles in self.by_program.values())
        return role in self.by_program.get(program_id, frozenset())

    @property
    def is_gme_office(self) -> bool:
        return Role.GME_OFFICE in self.global_roles

    @property
    def staffed_program_ids(self) -> frozenset[int]:
        return frozenset(
            pid for pid, roles in self.by_program.items() if roles & PROGRAM_STAFF_ROLES
        )

    @property
    def is_staff_member(self) -> bool:
        """May use the staff side at all (GME office or program leadership)."""
        return self.is_gme_office or bool(self.staffed_program_ids)

    @property
    def labels(self) -> list[str]:
        names = dict(Role.choices)
        found = set(self.global_roles)
        for roles in self.by_program.values():
            found |= roles
        return [names[r] for r in Role.values if r in found]


def user_roles(user: AnyUser) -> UserRoles:
    """The roles of `user`, read once per request and cached on the user object."""
    if not user.is_authenticated:
        return UserRoles()
    cached: UserRoles | None = getattr(user, "_rounds_roles", None)
    if cached is not None:
        return cached
    global_roles: set[str] = set()
    by_program: dict[int, set[str]] = {}
    for role, program_id in RoleAssignment.objects.filter(user_id=user.pk).values_list(
        "role", "program_id"
    ):
        if program_id is None:
            global_roles.add(role)
        else:
            by_program.setdefault(program_id, set()).add(role)
    roles = UserRoles(frozenset(global_roles), {pid: frozenset(r) for pid, r in by_program.items()})
    user._rounds_roles = roles  # type: ignore[attr-defined]
    return roles


def programs_managed_by(user: AnyUser) -> QuerySet[Program]:
    from rounds.core.models import Program

    roles = user_roles(user)
    if roles.is_gme_office:
        return Program.objects.all()
    return Program.objects.filter(pk__in=roles.staffed_program_ids)


def can_manage_program(user: AnyUser, program: Program) -> bool:
    roles = user_roles(user)
    return roles.is_gme_office or program.pk in roles.staffed_program_ids


def can_view_trainee(user: AnyUser, trainee: Trainee) -> bool:
    if not user.is_authenticated:
        return False
    if trainee.person.user_id == user.pk:
        return True
    return can_manage_program(user, trainee.program)


def trainees_visible_to(user: AnyUser) -> QuerySet[Trainee]:
    from rounds.people.models import Trainee

    roles = user_roles(user)
    visible = Trainee.objects.select_related("person", "program")
    if roles.is_gme_office:
        return visible
    return visible.filter(program__in=roles.staffed_program_ids) | visible.filter(
        person__user=user.pk
    )


def require_roles(allowed: Callable[[UserRoles], bool]) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: sign-in first, then `allowed(roles)` or a 403 page."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(user_roles(request.user)):
                raise PermissionDenied("Your roles do not include this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def is_staff_member(roles: UserRoles) -> bool:
    return roles.is_staff_member


def is_gme_office(roles: UserRoles) -> bool:
    return roles.is_gme_office


staff_required = require_roles(is_staff_member)
gme_office_required = require_roles(is_gme_office)


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    """Whom a user may see in a directory: themselves; program staff also their programs'
    trainees and faculty; the GME office everyone."""
    from django.db.models import Q

    from rounds.people.models import Person

    roles = user_roles(user)
    if roles.is_gme_office:
        return Person.objects.all()
    staffed = roles.staffed_program_ids
    mine = Q(user_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    return Person.objects.filter(
        mine | Q(trainee__program__in=staffed) | Q(faculty__primary_program__in=staffed)
    ).distinct()


def person_of(user: AnyUser) -> Person | None:
    """The person record of a signed-in user (None for anonymous or an account without one)."""
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user_id=user.pk).first()


def trainee_of(user: AnyUser) -> Trainee | None:
    """The user's own trainee record, with person and program (None if they are not a trainee)."""
    if not user.is_authenticated:
        return None
    return (
        Trainee.objects.select_related("person", "program").filter(person__user_id=user.pk).first()
    )
