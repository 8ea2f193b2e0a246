"""Speaking-up pages. Reporters: raise, return by code or by name. Handlers: read and answer."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rounds.concerns import services
from rounds.concerns.access import is_handler, signed_in_required
from rounds.concerns.forms import CodeForm, MessageForm, RaiseForm, StatusForm
from rounds.concerns.models import Concern, ConcernHandler
from rounds.lib import today as clock
from rounds.lib.idempotency import token_from
from rounds.lib.params import id_or_none
from rounds.people.access import gme_office_required
from rounds.people.models import Role, RoleAssignment


def today() -> date:
    return clock.today()


@never_cache
@signed_in_required
def raise_concern(request: HttpRequest) -> HttpResponse:
    form = RaiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            raised = services.concern_raise(
                reporter=request.user,
                category=data["category"],
                subject=data["subject"],
                body=data["body"],
                program=data["program"],
                anonymous=data["anonymous"],
                today=today(),
                token=token_from(request.POST),
            )
        except services.ConcernError as error:
            form.add_error(None, str(error))
        else:
            if raised.code:
                # Shown once, in this response: no redirect carrying the code, no session
                # message (a session write would time-stamp this user's activity).
                return render(request, "concerns/code.html", {"code": raised.code})
            messages.success(request, f"Concern {raised.concern.reference} sent to the GME office.")
            return redirect("concerns:mine_detail", raised.concern.reference)
    mine = Concern.objects.filter(reporter_id=request.user.pk)
    return render(request, "concerns/raise.html", {"form": form, "mine": mine})


@never_cache
@require_http_methods(["GET", "POST"])
def return_by_code(request: HttpRequest) -> HttpResponse:
    """Public: an anonymous reporter's way back. The code travels only in POST bodies (typed,
    then carried in a hidden field while they write back): never in a URL, where browser
    history and access logs would keep it, and never in a session, which would date the visit.
    The thread is rendered in the response itself, with no redirect."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "concerns/return.html", {"form": form})
    code = services.normalise_code(form.cleaned_data["code"])
    concern = services.concern_by_code(code)
    if concern is None:
        form.add_error("code", "No conversation has this code. Check it letter by letter.")
        return render(request, "concerns/return.html", {"form": form})
    message = MessageForm(request.POST if "body" in request.POST else None)
    if "body" in request.POST and message.is_valid():
        try:
            services.concern_reply_reporter(
                concern=concern, body=message.cleaned_data["body"], by=None, today=today()
            )
        except services.ConcernError as error:
            message.add_error(None, str(error))
        else:
            message = MessageForm()
    context = {"concern": concern, "form": message, "reporter_view": True, "code": code}
    return render(request, "concerns/thread.html", context)


@never_cache
@signed_in_required
def mine_detail(request: HttpRequest, reference: str) -> HttpResponse:
    concern = get_object_or_404(
        Concern, reference=reference, reporter_id=request.user.pk, anonymous=False
    )
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_reply_reporter(
                concern=concern, body=form.cleaned_data["body"], by=request.user, today=today()
            )
        except services.ConcernError as error:
            form.add_error(None, str(error))
        else:
            return redirect("concerns:mine_detail", reference)
    context = {"concern": concern, "form": form, "reporter_view": True}
    return render(request, "concerns/thread.html", context)


def _handler_only(request: HttpRequest) -> None:
    if not is_handler(request.user):
        raise PermissionDenied("Concerns are read only by the GME office's designated handlers.")


@never_cache
@signed_in_required
def inbox(request: HttpRequest) -> HttpResponse:
    _handler_only(request)
    services.concern_view_record(concern=None, by=request.user, what="concern list viewed")
    concerns = Concern.objects.select_related("program")
    status = request.GET.get("status", "")
    if status not in Concern.Status.values:
        status = ""
    counts = dict(
        Concern.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    context = {
        "concerns": concerns.filter(status=status) if status else concerns,
        "status": status,
        "tabs": [(value, label, counts.get(value, 0)) for value, label in Concern.Status.choices],
    }
    return render(request, "concerns/inbox.html", context)


@never_cache
@signed_in_required
def case(request: HttpRequest, reference: str) -> HttpResponse:
    if not is_handler(request.user):
        raise Http404("No such concern.")
    concern = get_object_or_404(
        Concern.objects.select_related("program", "reporter"), reference=reference
    )
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.concern_reply_office(
                concern=concern, body=form.cleaned_data["body"], by=request.user, today=today()
            )
        except services.ConcernError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Answer sent.")
            return redirect("concerns:case", reference)
    services.concern_view_record(
        concern=concern, by=request.user, what=f"concern {concern.reference} read"
    )
    context = {
        "concern": concern,
        "form": form,
        "status_form": StatusForm(initial={"status": concern.status}),
        "reporter_view": False,
    }
    return render(request, "concerns/thread.html", context)


@require_POST
@signed_in_required
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    if not is_handler(request.user):
        raise Http404("No such concern.")
    concern = get_object_or_404(Concern, reference=reference)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.concern_status_set(
            concern=concern, status=form.cleaned_data["status"], by=request.user
        )
        messages.success(request, f"Concern {concern.reference}: {concern.get_status_display()}.")
    return redirect("concerns:case", reference)


@gme_office_required
def handlers(request: HttpRequest) -> HttpResponse:
    office_ids = RoleAssignment.objects.filter(role=Role.GME_OFFICE, program=None).values("user_id")
    users = get_user_model().objects.filter(pk__in=office_ids).order_by("username")
    if request.method == "POST":
        user = get_object_or_404(users, pk=id_or_none(request.POST.get("user")))
        designated = request.POST.get("designated") == "1"
        services.handler_set(user=user, designated=designated, by=request.user)
        messages.success(
            request, f"{user} {'now handles' if designated else 'no longer handles'} concerns."
        )
        return redirect("concerns:handlers")
    designated_ids = set(ConcernHandler.objects.values_list("user_id", flat=True))
    rows = [(u, u.pk in designated_ids) for u in users]
    return render(request, "concerns/handlers.html", {"rows": rows})
