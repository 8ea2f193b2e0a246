"""The signed-in person's work areas, in one place: which links their roles open, in what order.

Like urls.py, this module knows every area; each area keeps its own rule for who may enter
(the same predicate its views use), so a link is shown exactly when the page would open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from rounds.people.access import UserRoles, user_roles


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def _areas() -> list[tuple[str, str, str, Any]]:
    """(label, url name, namespace that marks it current, who may open it)."""
    from rounds.assessment.access import may_use_assessment
    from rounds.caselogs.access import is_case_log_user
    from rounds.conferences.access import may_use_conferences
    from rounds.inclusion.access import is_inclusion_reader
    from rounds.milestones.access import may_use_milestones
    from rounds.people.access import is_staff_member
    from rounds.people.models import Role
    from rounds.record.access import is_record_reader
    from rounds.schedules.access import is_clinical, may_see_on_call
    from rounds.workhours.access import may_use_hours

    def is_trainee(roles: UserRoles) -> bool:
        return roles.has(Role.TRAINEE) and not roles.is_staff_member

    def anyone(roles: UserRoles) -> bool:
        return True

    def switchboard_only(roles: UserRoles) -> bool:
        return may_see_on_call(roles) and not is_clinical(roles)

    return [
        ("Dashboard", "staff:home", "staff", is_staff_member),
        ("My record", "staff:me", "staff", is_trainee),
        ("Schedules", "schedules:home", "schedules", is_clinical),
        ("On call", "schedules:on_call", "schedules", switchboard_only),
        ("Hours", "workhours:home", "workhours", may_use_hours),
        ("Evaluations", "assessment:home", "assessment", may_use_assessment),
        ("Milestones", "milestones:home", "milestones", may_use_milestones),
        ("Training record", "record:home", "record", is_record_reader),
        ("Case logs", "caselogs:home", "caselogs", is_case_log_user),
        ("Conferences", "conferences:home", "conferences", may_use_conferences),
        ("Mentoring", "mentoring:home", "mentoring", anyone),
        ("Wellness", "wellness:home", "wellness", anyone),
        ("Inclusion", "inclusion:home", "inclusion", is_inclusion_reader),
    ]


def work_links(request: HttpRequest) -> list[NavLink]:
    if not request.user.is_authenticated:
        return []
    roles = user_roles(request.user)
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    return [
        NavLink(label, reverse(url_name), namespace == area)
        for label, url_name, area, allowed in _areas()
        if allowed(roles)
    ]


def nav(request: HttpRequest) -> dict[str, Any]:
    return {"work_links": work_links(request)}
