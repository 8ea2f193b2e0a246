"""Who may do what with committees and surveys, built on rounds.people.access.

Results (aggregates only) are seen by: the GME office and institution-wide wellness people
(committee members of the institution's committee, or the wellness committee role without a
program) for every program; program committee members, program-scoped wellness role holders and
program leadership for their own programs. Nobody sees anything per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rounds.people.access import trainee_of, user_roles
from rounds.people.models import Role, Trainee
from rounds.wellness.models import Committee, CommitteeMember, Survey

if TYPE_CHECKING:
    from rounds.people.access import AnyUser


@dataclass(frozen=True)
class WellnessScope:
    """The programs whose aggregate results a user may see (`everything` = all of them)."""

    everything: bool
    program_ids: frozenset[int]

    @property
    def any(self) -> bool:
        return self.everything or bool(self.program_ids)

    def covers(self, program_id: int | None) -> bool:
        if self.everything:
            return True
        return program_id is not None and program_id in self.program_ids


def memberships(user: AnyUser) -> list[CommitteeMember]:
    if not user.is_authenticated:
        return []
    return list(
        CommitteeMember.objects.filter(person__user_id=user.pk).select_related("committee__program")
    )


def results_scope(user: AnyUser) -> WellnessScope:
    if not user.is_authenticated:
        return WellnessScope(False, frozenset())
    roles = user_roles(user)
    everything = roles.is_gme_office or Role.WELLNESS_COMMITTEE in roles.global_roles
    programs = set(roles.staffed_program_ids)
    programs |= {pid for pid, rs in roles.by_program.items() if Role.WELLNESS_COMMITTEE in rs}
    for member in memberships(user):
        if member.committee.program_id is None:
            everything = True
        else:
            programs.add(member.committee.program_id)
    return WellnessScope(everything, frozenset(programs))


def run_scope(user: AnyUser) -> WellnessScope:
    """Where a user may start surveys and send reminders: the GME office anywhere, committee
    members and wellness role holders within their committee's scope (not program leadership:
    the committee is resident-led)."""
    if not user.is_authenticated:
        return WellnessScope(False, frozenset())
    roles = user_roles(user)
    everything = roles.is_gme_office or Role.WELLNESS_COMMITTEE in roles.global_roles
    programs = {pid for pid, rs in roles.by_program.items() if Role.WELLNESS_COMMITTEE in rs}
    for member in memberships(user):
        if member.committee.program_id is None:
            everything = True
        else:
            programs.add(member.committee.program_id)
    return WellnessScope(everything, frozenset(programs))


def can_see_survey(user: AnyUser, survey: Survey) -> bool:
    """Institution surveys: anyone with a results scope (they see their programs' rows)."""
    scope = results_scope(user)
    return scope.any if survey.program_id is None else scope.covers(survey.program_id)


def can_run_survey(user: AnyUser, survey_program_id: int | None) -> bool:
    scope = run_scope(user)
    return scope.everything if survey_program_id is None else scope.covers(survey_program_id)


def can_view_committee(user: AnyUser, committee: Committee) -> bool:
    if is_member(user, committee):
        return True
    # covers(None) is true only for institution-wide viewers: the institution's committee.
    return results_scope(user).covers(committee.program_id)


def is_member(user: AnyUser, committee: Committee) -> bool:
    return any(m.committee_id == committee.pk for m in memberships(user))


def can_edit_committee_work(user: AnyUser, committee: Committee) -> bool:
    """Meetings, events, attendance and initiatives: the members themselves, and the GME office."""
    return user_roles(user).is_gme_office or is_member(user, committee)


def can_manage_members(user: AnyUser, committee: Committee) -> bool:
    if user_roles(user).is_gme_office:
        return True
    return any(m.committee_id == committee.pk and m.is_chair for m in memberships(user))


def active_trainee_of(user: AnyUser) -> Trainee | None:
    """The user's trainee record while they are in training: pulse surveys are answered by
    active residents and fellows only."""
    trainee = trainee_of(user)
    return trainee if trainee is not None and trainee.status == Trainee.Status.ACTIVE else None
