"""Pages of leave and board eligibility. Thin: access.py decides, services write, selectors read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.leave.access import (
    is_leave_staff,
    may_extend_for,
    may_open_leave_home,
    may_see_leave_of,
    may_see_remediation_of,
)
from rounds.leave.forms import ExtensionForm, RemediationCloseForm, RemediationForm
from rounds.leave.models import Remediation
from rounds.leave.selectors import (
    balances,
    blocks_and_months_in,
    leave_days,
    leave_runs,
    policies_below_minimum,
    policy_of,
    program_leave,
    remediations_of,
    standings,
)
from rounds.leave.services import (
    LeaveError,
    leave_extension_confirm,
    remediation_close,
    remediation_record,
)
from rounds.lib import today as clock
from rounds.lib.idempotency import token_from
from rounds.people.access import trainee_of, user_roles
from rounds.people.models import Trainee, TrainingEvent
from rounds.people.services import TrainingError, trainee_event_preview, training_event_draft
from rounds.people.training import history_of, history_prefetch
from rounds.record.access import record_programs


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff: their programs' trainees, flagged and near or over first. A trainee: their own."""
    if not may_open_leave_home(request.user):
        raise PermissionDenied("Your roles do not include the training record.")
    if not is_leave_staff(user_roles(request.user)):
        trainee = trainee_of(request.user)
        if trainee is None:
            raise PermissionDenied("Your roles do not include the training record.")
        return redirect("leave:trainee", trainee.pk)
    today = clock.today()
    programs = record_programs(request.user)
    rows = program_leave(programs, today)
    context = {
        "rows": rows,
        "below_minimum": policies_below_minimum(programs),
        "flagged": sum(1 for r in rows if r.standing.flagged),
        "today": today,
    }
    return render(request, "leave/home.html", context)


def _trainee_for(request: HttpRequest, pk: int) -> Trainee:
    query = Trainee.objects.select_related("person", "program").prefetch_related(
        *history_prefetch()
    )
    trainee = get_object_or_404(query, pk=pk)
    if not may_see_leave_of(request.user, trainee):
        raise Http404
    return trainee


def _context(request: HttpRequest, trainee: Trainee, **extra: Any) -> dict[str, Any]:
    today = clock.today()
    history = history_of(trainee)
    days = leave_days([trainee], history.start, history.last_day)[trainee.pk]
    policy = policy_of(history.program_on(min(max(today, history.start), history.last_day)))
    (standing,) = standings([trainee], today)
    sees_remediation = may_see_remediation_of(request.user, trainee)
    context = {
        "trainee": trainee,
        "today": today,
        "policy": policy,
        "balances": balances(policy, days, today, today),
        "runs": list(reversed(leave_runs(days))),
        "standing": standing,
        "may_extend": may_extend_for(request.user, trainee),
        "sees_remediation": sees_remediation,
        "remediations": remediations_of(trainee) if sees_remediation else [],
        "remediation_form": RemediationForm(initial={"start": today}),
        "close_form": RemediationCloseForm(initial={"end": today}),
    }
    return context | extra


@login_required
def trainee(request: HttpRequest, pk: int) -> HttpResponse:
    found = _trainee_for(request, pk)
    return render(request, "leave/trainee.html", _context(request, found))


@login_required
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the extension would change. POST: record it (the days as previewed)."""
    found = _trainee_for(request, pk)
    if not may_extend_for(request.user, found):
        raise PermissionDenied(
            "Only the program's director or coordinator, or the GME office, extends training."
        )
    today = clock.today()
    (standing,) = standings([found], today)
    form = ExtensionForm(request.POST or None, initial={"days": standing.days_to_add})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            leave_extension_confirm(
                trainee=found,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                token=token_from(request.POST),
            )
        except LeaveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Training of {found.person.full_name} extended.")
            return redirect("leave:trainee", found.pk)
    if request.method == "POST":
        status = 400
    context = {"trainee": found, "standing": standing, "form": form, "changes": [], "stays_in": []}
    if standing.flagged:
        try:
            draft = training_event_draft(
                trainee=found,
                kind=TrainingEvent.Kind.EXTENSION,
                first_day=today,
                last_day=standing.new_end,
            )
            preview = trainee_event_preview(trainee=found, event=draft)
        except TrainingError as error:
            context["problem"] = str(error)
        else:
            context["changes"] = preview.changes
            first = standing.expected_end + timedelta(days=1)
            context["stays_in"] = blocks_and_months_in(found, first, standing.new_end)
    return render(request, "leave/extend.html", context, status=status)


@login_required
@require_POST
def remediation_add(request: HttpRequest, pk: int) -> HttpResponse:
    found = _trainee_for(request, pk)
    if not may_see_remediation_of(request.user, found):
        raise Http404
    form = RemediationForm(request.POST)
    if form.is_valid():
        try:
            remediation_record(
                trainee=found, by=request.user, token=token_from(request.POST), **form.cleaned_data
            )
        except LeaveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Recorded.")
            return redirect("leave:trainee", found.pk)
    return render(
        request, "leave/trainee.html", _context(request, found, remediation_form=form), status=400
    )


@login_required
@require_POST
def remediation_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        Remediation.objects.select_related("trainee__person", "trainee__program"), pk=pk
    )
    if not may_see_remediation_of(request.user, row.trainee):
        raise Http404
    found = _trainee_for(request, row.trainee_id)
    form = RemediationCloseForm(request.POST)
    if form.is_valid():
        try:
            remediation_close(remediation=row, by=request.user, **form.cleaned_data)
        except LeaveError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Closed.")
            return redirect("leave:trainee", found.pk)
    return render(
        request,
        "leave/trainee.html",
        _context(request, found, close_form=form, close_of=row.pk),
        status=400,
    )
