"""Who may see what in assessment: every view asks here, nothing else decides.

- Everyone signed in answers the requests addressed to them (their queue), and reads what they
  wrote themselves.
- A trainee reads the evaluations about them (by faculty, peers, staff, patients, and their own
  self-evaluation) once released; peers, staff and patients are not named to them.
- Trainees' evaluations of faculty and of rotations are read one by one by their writer only.
  The faculty member evaluated, and program staff, see them only as aggregates over enough
  evaluations and after a delay (selectors.anonymous_aggregates, through rounds.lib.disclosure).
- Program directors and coordinators read their program's evaluations of trainees, manage its
  teaching assignments, forms, settings and one-time links, and see its burden figures.
- The GME office manages any program's setup and sees completion and burden figures across
  programs, never an evaluation's answers or narratives (unless it also staffs the program).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from rounds.assessment.models import (
    ABOUT_TRAINEE,
    ANONYMOUS_TO_EVALUATED,
    UNNAMED_EVALUATORS,
    Evaluation,
    EvaluationRequest,
)
from rounds.core.models import Program
from rounds.lib.today import today
from rounds.people.access import UserRoles, can_manage_program, user_roles

if TYPE_CHECKING:
    from rounds.people.access import AnyUser
    from rounds.people.models import Faculty


def faculty_of(user: AnyUser) -> Faculty | None:
    from rounds.people.models import Faculty

    if not user.is_authenticated:
        return None
    return Faculty.objects.select_related("person").filter(person__user_id=user.pk).first()


def may_use_assessment(roles: UserRoles) -> bool:
    """The menu entry: trainees, faculty and program staff (who evaluate and are evaluated),
    and the GME office (burden figures). Anyone signed in may still open their queue."""
    return roles.is_gme_office or bool(roles.by_program)


def is_writer(user: AnyUser, request: EvaluationRequest) -> bool:
    return (
        user.is_authenticated
        and request.evaluator is not None
        and request.evaluator.user_id == user.pk
    )


def may_answer(user: AnyUser, request: EvaluationRequest) -> bool:
    return is_writer(user, request)


def is_program_staff(user: AnyUser, program_id: int) -> bool:
    """Director or coordinator of the program (the GME office role alone is not enough to read
    evaluations: it sees figures)."""
    return program_id in user_roles(user).staffed_program_ids


def may_read_evaluation(user: AnyUser, evaluation: Evaluation) -> bool:
    request = evaluation.request
    if is_writer(user, request):
        return True
    if request.evaluator_kind in ANONYMOUS_TO_EVALUATED:
        return False
    if request.evaluator_kind not in ABOUT_TRAINEE or request.trainee is None:
        return False
    if is_program_staff(user, request.program_id) or is_program_staff(
        user, request.trainee.program_id
    ):
        return True
    return request.trainee.person.user_id == user.pk and evaluation.released_on <= today()


def evaluator_shown_to(user: AnyUser, evaluation: Evaluation) -> str:
    """The evaluator's name as this reader may see it."""
    request = evaluation.request
    if request.evaluator is None:
        label = request.evaluator_label or request.get_evaluator_kind_display()
        return label if not _is_subject(user, request) else _unnamed(request.evaluator_kind)
    if _is_subject(user, request) and request.evaluator_kind in UNNAMED_EVALUATORS:
        return _unnamed(request.evaluator_kind)
    return request.evaluator.full_name


def _is_subject(user: AnyUser, request: EvaluationRequest) -> bool:
    return request.trainee is not None and request.trainee.person.user_id == user.pk


def _unnamed(kind: str) -> str:
    return {"peer": "A peer", "staff": "A nurse or staff member", "patient": "A patient"}.get(
        kind, "Anonymous"
    )


def may_manage_assessment(user: AnyUser, program: Program) -> bool:
    """Teaching assignments, forms, settings and one-time links of a program."""
    return can_manage_program(user, program)


def may_read_program_evaluations(user: AnyUser, program: Program) -> bool:
    return is_program_staff(user, program.pk)


def burden_programs(user: AnyUser) -> QuerySet[Program]:
    roles = user_roles(user)
    if roles.is_gme_office:
        return Program.objects.all()
    return Program.objects.filter(pk__in=roles.staffed_program_ids)


def may_see_burden(roles: UserRoles) -> bool:
    return roles.is_staff_member


def may_see_faculty_aggregates(user: AnyUser, faculty: Faculty) -> bool:
    if faculty.person.user_id == user.pk and user.is_authenticated:
        return True
    return faculty.primary_program_id is not None and is_program_staff(
        user, faculty.primary_program_id
    )


# ---------------------------------------------------------------- read through the API


def may_read_teaching(roles: UserRoles) -> bool:
    """Teaching assignments: program staff and the GME office (who manage them) and faculty
    (their own)."""
    from rounds.people.models import Role

    return roles.is_staff_member or roles.has(Role.FACULTY)


def teaching_visible_to(user: AnyUser) -> Q:
    """Filter on TeachingAssignment: the GME office sees all, program staff their programs',
    a faculty member their own."""
    roles = user_roles(user)
    if roles.is_gme_office:
        return Q()
    return Q(program__in=roles.staffed_program_ids) | Q(faculty__person__user_id=user.pk)


def evaluator_listed_as(user: AnyUser, request: EvaluationRequest) -> str:
    """The evaluator's name in a list of requests: trainees judging faculty or rotations stay
    unnamed to everyone but themselves (their answers are read only as aggregates)."""
    if request.evaluator_kind in ANONYMOUS_TO_EVALUATED and not is_writer(user, request):
        return "A trainee"
    if request.evaluator is not None:
        return request.evaluator.full_name
    return request.evaluator_label or request.get_evaluator_kind_display()
