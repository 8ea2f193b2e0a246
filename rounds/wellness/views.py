"""Wellness pages. Thin: check who may, call a service or selector, render."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.concerns.access import is_handler
from rounds.core.models import Program
from rounds.core.services import form_save
from rounds.lib import today as clock
from rounds.people.access import gme_office_required, user_roles
from rounds.wellness import access, selectors, services
from rounds.wellness.errors import WellnessError
from rounds.wellness.forms import (
    AnswerForm,
    CommitteeForm,
    GatheringForm,
    InitiativeForm,
    MemberForm,
    QuestionForm,
    ResourceForm,
    SurveyForm,
)
from rounds.wellness.models import (
    Committee,
    CommitteeMember,
    Gathering,
    Initiative,
    Question,
    Resource,
    Survey,
)
from rounds.wellness.periods import period_current


def today() -> date:
    return clock.today()


# --- support directory (public) -------------------------------------------------------------


def support(request: HttpRequest) -> HttpResponse:
    resources = list(Resource.objects.all())
    by_category = [
        (label, [r for r in resources if r.category == value])
        for value, label in Resource.Category.choices
    ]
    context = {
        "by_category": [(label, rs) for label, rs in by_category if rs],
        "can_edit": request.user.is_authenticated and user_roles(request.user).is_gme_office,
    }
    return render(request, "wellness/support.html", context)


@gme_office_required
def resource_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Resource, pk=pk) if pk else Resource()
    form = ResourceForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, f"Saved {form.instance}.")
        return redirect("wellness:support")
    return render(
        request,
        "wellness/form.html",
        {"form": form, "title": "Support resource", "back": "/wellness/support/"},
    )


# --- trainee side ---------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    trainee = access.active_trainee_of(request.user)
    open_surveys = []
    if trainee is not None:
        for survey in Survey.objects.filter(stopped=False).select_related("program"):
            if survey.program_id not in (None, trainee.program_id):
                continue
            period = period_current(survey, today())
            if period is not None:
                answered = services.has_answered(period=period, person=trainee.person)
                open_surveys.append((survey, period, answered))
    committees = Committee.objects.select_related("program").prefetch_related("members__person")
    context = {
        "open_surveys": open_surveys,
        "memberships": access.memberships(request.user),
        "committees": committees,
        "results_scope": access.results_scope(request.user),
        "run_scope": access.run_scope(request.user),
        "minimum": selectors.minimum(),
        "handles_concerns": is_handler(request.user),
    }
    return render(request, "wellness/home.html", context)


@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    trainee = access.active_trainee_of(request.user)
    if trainee is None:
        raise PermissionDenied("Pulse surveys are answered by active residents and fellows.")
    if survey.program_id not in (None, trainee.program_id):
        raise PermissionDenied("This survey is for trainees of another program.")
    period = period_current(survey, today())
    questions = list(survey.ordered_questions())
    form = AnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    done = period is not None and services.has_answered(period=period, person=trainee.person)
    if request.method == "POST" and period is not None and not done and form.is_valid():
        try:
            services.survey_answer(
                period=period, trainee=trainee, answers=form.answers(), today=today()
            )
        except WellnessError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Thank you. Your answers were counted anonymously.")
        return redirect("wellness:home")
    context = {
        "survey": survey,
        "period": period,
        "form": form,
        "done": done,
        "minimum": selectors.minimum(),
    }
    return render(request, "wellness/answer.html", context)


# --- surveys and results --------------------------------------------------------------------


def _results_user(request: HttpRequest) -> access.WellnessScope:
    scope = access.results_scope(request.user)
    if not scope.any:
        raise PermissionDenied("Survey results are for wellness committees and program leaders.")
    return scope


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    scope = _results_user(request)
    surveys = [
        s
        for s in Survey.objects.select_related("program")
        if s.program_id is None or scope.covers(s.program_id)
    ]
    run = access.run_scope(request.user)
    context = {"surveys": surveys, "can_create": run.any, "today": today()}
    return render(request, "wellness/survey_list.html", context)


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey.objects.select_related("program"), pk=pk)
    scope = _results_user(request)
    if not access.can_see_survey(request.user, survey):
        raise PermissionDenied("This survey belongs to another program.")
    current = period_current(survey, today())
    periods = selectors.closed_periods(survey, today())
    results = [selectors.period_results(p, scope) for p in periods]
    latest = selectors.period_results(periods[-1], scope, with_workload=True) if periods else None
    questions = list(survey.ordered_questions())
    trend_rows = [(q, selectors.trends(results, q)) for q in questions if q.flag_from]
    choices = selectors.timeline_programs(results)
    chosen = _chosen_program(request, survey, choices)
    timeline = selectors.program_timeline(results, chosen, questions) if chosen else []
    context = {
        "choices": choices,
        "chosen": chosen,
        "chosen_label": dict(choices).get(chosen or 0, ""),
        "timeline": timeline,
        "flagged": [q for q in questions if q.flag_from],
        "survey": survey,
        "current": current,
        "periods": periods,
        "period_labels": [p.label for p in periods],
        "latest": latest,
        # Some figures are hidden only because the privacy check of their counts has not run.
        "checking": any(r.pending for r in results),
        "trend_rows": trend_rows,
        "minimum": selectors.minimum(),
        "can_run": access.can_run_survey(request.user, survey.program_id),
        "workload_available": selectors.workload_module_present(),
    }
    return render(request, "wellness/survey_detail.html", context)


def _chosen_program(
    request: HttpRequest, survey: Survey, choices: list[tuple[int, str]]
) -> int | None:
    """The program whose timeline to show: the one asked for, if the viewer sees it at all;
    else the survey's own program, or the viewer's only program."""
    visible = [pid for pid, _ in choices]
    try:
        asked = int(request.GET.get("program", ""))
    except ValueError:
        asked = None
    if asked in visible:
        return asked
    if survey.program_id in visible:
        return survey.program_id
    return visible[0] if len(visible) == 1 else None


@login_required
def survey_new(request: HttpRequest) -> HttpResponse:
    run = access.run_scope(request.user)
    if not run.any:
        raise PermissionDenied("Surveys are started by wellness committees and the GME office.")
    programs = (
        Program.objects.all() if run.everything else Program.objects.filter(pk__in=run.program_ids)
    )
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        programs=programs,
        institution=run.everything,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.survey_create(
                title=data["title"],
                program=data["program"],
                questions=list(data["questions"]),
                recurrence=data["recurrence"],
                starts_on=data["starts_on"],
                introduction=data["introduction"],
                by=request.user,
            )
        except WellnessError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Survey “{survey}” created.")
            return redirect(survey)
    context = {"form": form, "bank": Question.objects.all()}
    return render(request, "wellness/survey_new.html", context)


@login_required
def question_new(request: HttpRequest) -> HttpResponse:
    if not access.run_scope(request.user).any:
        raise PermissionDenied("Questions are added by wellness committees and the GME office.")
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, "Question added to the bank.")
        return redirect("wellness:survey_new")
    return render(
        request,
        "wellness/form.html",
        {"form": form, "title": "New custom question", "back": "/wellness/surveys/new/"},
    )


@require_POST
@login_required
def survey_remind(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    if not access.can_run_survey(request.user, survey.program_id):
        raise PermissionDenied("Reminders are sent by the survey's committee.")
    period = period_current(survey, today())
    if period is None:
        messages.error(request, "No round of this survey is open, so there is nobody to remind.")
    else:
        services.survey_remind(period=period, by=request.user)
        messages.success(
            request,
            "Reminders are on their way to everyone who has not answered yet. Rounds does not "
            "tell anyone who that is.",
        )
    return redirect(survey)


@require_POST
@login_required
def survey_stop(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=pk)
    if not access.can_run_survey(request.user, survey.program_id):
        raise PermissionDenied("Surveys are stopped by the survey's committee.")
    services.survey_stop(survey=survey, by=request.user)
    messages.success(request, f"“{survey}” is stopped: no new rounds will open. Results stay.")
    return redirect(survey)


# --- committees -----------------------------------------------------------------------------


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(Committee.objects.select_related("program"), pk=pk)
    if not access.can_view_committee(request.user, committee):
        raise PermissionDenied("Committee pages are for its members and the program's leaders.")
    gatherings = committee.gatherings.prefetch_related("attendees")
    context = {
        "committee": committee,
        "members": committee.members.select_related("person"),
        "gatherings": gatherings,
        "initiatives": committee.initiatives.select_related("lead"),
        "can_edit": access.can_edit_committee_work(request.user, committee),
        "can_manage": access.can_manage_members(request.user, committee),
        "member_form": MemberForm(),
        "surveys": Survey.objects.filter(program=committee.program_id),
    }
    return render(request, "wellness/committee.html", context)


@gme_office_required
def committee_new(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Committee, pk=pk) if pk else Committee()
    form = CommitteeForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        return redirect(form.instance)
    title = f"Edit {instance}" if pk else "New wellness committee"
    return render(
        request, "wellness/form.html", {"form": form, "title": title, "back": "/wellness/"}
    )


def _committee_for_edit(request: HttpRequest, pk: int) -> Committee:
    committee = get_object_or_404(Committee, pk=pk)
    if not access.can_edit_committee_work(request.user, committee):
        raise PermissionDenied("Only the committee's members record its work.")
    return committee


@login_required
def gathering_edit(request: HttpRequest, pk: int, gathering_pk: int | None = None) -> HttpResponse:
    committee = _committee_for_edit(request, pk)
    instance = (
        get_object_or_404(Gathering, pk=gathering_pk, committee=committee)
        if gathering_pk
        else Gathering(committee=committee)
    )
    form = GatheringForm(
        request.POST if request.method == "POST" else None, instance=instance, committee=committee
    )
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, f"Saved {form.instance}.")
        return redirect(committee)
    return _form(request, form, "Meeting or event", committee)


@login_required
def initiative_edit(
    request: HttpRequest, pk: int, initiative_pk: int | None = None
) -> HttpResponse:
    committee = _committee_for_edit(request, pk)
    instance = (
        get_object_or_404(Initiative, pk=initiative_pk, committee=committee)
        if initiative_pk
        else Initiative(committee=committee)
    )
    form = InitiativeForm(
        request.POST if request.method == "POST" else None, instance=instance, committee=committee
    )
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, f"Saved {form.instance}.")
        return redirect(committee)
    return _form(request, form, "Initiative", committee)


def _form(request: HttpRequest, form: Any, title: str, committee: Committee) -> HttpResponse:
    context = {
        "form": form,
        "title": f"{title} · {committee}",
        "back": committee.get_absolute_url(),
    }
    return render(request, "wellness/form.html", context)


@require_POST
@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=pk)
    if not access.can_manage_members(request.user, committee):
        raise PermissionDenied("Members are added by the chair or the GME office.")
    form = MemberForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["email"]
        services.committee_member_add(
            committee=committee,
            person=person,
            is_chair=form.cleaned_data["is_chair"],
            by=request.user,
        )
        messages.success(request, f"{person} is on the committee.")
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(committee)


@require_POST
@login_required
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    committee = get_object_or_404(Committee, pk=pk)
    if not access.can_manage_members(request.user, committee):
        raise PermissionDenied("Members are removed by the chair or the GME office.")
    member = get_object_or_404(CommitteeMember, pk=member_pk, committee=committee)
    services.committee_member_remove(member=member, by=request.user)
    messages.success(request, f"{member.person} has left the committee.")
    return redirect(committee)
