"""Pages of moonlighting. Thin: access.py decides, services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.lib import today as clock
from rounds.lib.idempotency import token_from
from rounds.moonlighting import services
from rounds.moonlighting.access import (
    may_decide_as_director,
    may_decide_as_gme,
    may_request_for,
    may_revoke,
    may_see_request,
    may_use_moonlighting,
    may_withdraw,
)
from rounds.moonlighting.forms import DecisionForm, RequestForm
from rounds.moonlighting.models import MoonlightingRequest
from rounds.moonlighting.selectors import requests_for, waiting_for
from rounds.people.access import trainee_of, user_roles
from rounds.people.training import history_of

LIST_LIMIT = 200


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Requests the person may see: those waiting for their step first, then all, newest first."""
    if not may_use_moonlighting(user_roles(request.user)):
        raise PermissionDenied("Your roles do not include moonlighting.")
    trainee = trainee_of(request.user)
    visible = requests_for(request.user)
    context = {
        "waiting": list(visible.filter(waiting_for(request.user))),
        "requests": list(visible[:LIST_LIMIT]),
        "may_request": may_request_for(request.user, trainee),
        "today": clock.today(),
    }
    return render(request, "moonlighting/home.html", context)


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    trainee = trainee_of(request.user)
    if trainee is None or not may_request_for(request.user, trainee):
        raise PermissionDenied("Only trainees request moonlighting.")
    form = RequestForm(request.POST or None, trainee=trainee)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = services.RequestDraft(
            setting=data["setting"],
            where=data["where"],
            start=data["start"],
            end=data["end"],
            hours_per_week=data["hours_per_week"],
            licence=data.get("licence"),
            statement=data["statement"],
            weekly_pattern=data["weekly_pattern"],
            max_hours_per_week=data["max_hours_per_week"],
        )
        try:
            made = services.request_submit(
                trainee=trainee, draft=draft, by=request.user, token=token_from(request.POST)
            )
        except services.MoonlightingError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "Request sent to your program director.")
            return redirect("moonlighting:request", made.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "pgy1": history_of(trainee).pgy_on(clock.today()) == 1}
    return render(request, "moonlighting/new.html", context, status=status)


def _visible(request: HttpRequest, pk: int) -> MoonlightingRequest:
    found = get_object_or_404(
        MoonlightingRequest.objects.select_related(
            "trainee__person", "trainee__program", "licence__credential_type"
        ),
        pk=pk,
    )
    if not may_see_request(request.user, found):
        raise Http404
    return found


def _detail(
    request: HttpRequest, found: MoonlightingRequest, form: DecisionForm | None = None, **extra: Any
) -> dict[str, Any]:
    user = request.user
    return {
        "r": found,
        "decisions": found.decisions.select_related("by").all(),
        "entries": found.entries.select_related("period").order_by("period__start")[:50],
        "today": clock.today(),
        "form": form or DecisionForm(),
        "may_decide": may_decide_as_director(user, found) or may_decide_as_gme(user, found),
        "as_gme": may_decide_as_gme(user, found),
        "may_withdraw": may_withdraw(user, found),
        "may_revoke": may_revoke(user, found) and found.end >= clock.today(),
        **extra,
    }


@login_required
def request_page(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk)
    return render(request, "moonlighting/request.html", _detail(request, found))


ACTIONS = {
    "approve": "Approved.",
    "decline": "Declined; the trainee is told why.",
    "withdraw": "Request withdrawn.",
    "revoke": "Approval revoked; the trainee is told why.",
}


@login_required
@require_POST
def request_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    found = _visible(request, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    token = token_from(request.POST)
    try:
        if action == "approve":
            services.request_approve(request=found, note=note, by=request.user, token=token)
        elif action == "decline":
            services.request_decline(request=found, reason=note, by=request.user, token=token)
        elif action == "withdraw":
            services.request_withdraw(request=found, by=request.user, token=token)
        else:
            services.request_revoke(request=found, reason=note, by=request.user, token=token)
    except services.MoonlightingError as error:
        form.add_error("note" if error.field == "note" else None, error.message)
        context = _detail(request, found, form, action=action)
        return render(request, "moonlighting/request.html", context, status=400)
    messages.success(request, ACTIONS[action])
    return redirect("moonlighting:request", found.pk)
