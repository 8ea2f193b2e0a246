"""The switchboard's on-call list and a program's printable call month (PDF)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from rounds.core.models import Program, Site
from rounds.people.access import can_manage_program, trainee_of
from rounds.schedules import oncall
from rounds.schedules.access import ContactViewer, on_call_required
from rounds.schedules.call_pdf import call_month_pdf
from rounds.schedules.models import CallSchedule


def _day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


@on_call_required
def on_call(request: HttpRequest) -> HttpResponse:
    """Now (default) or a whole call day (`?date=`), at one site or all, by service."""
    sites = list(Site.objects.filter(rotations__isnull=False).distinct().order_by("name"))
    site = next((s for s in sites if s.slug == request.GET.get("site")), None)
    now = oncall.local_now(site, timezone.now())
    day = _day(request.GET.get("date"))
    if day is None:
        shifts, shown_day = oncall.shifts_at(site, now), now.date()
    else:
        shifts, shown_day = oncall.shifts_on(site, day), day
    viewer = ContactViewer(request.user)
    context = {
        "groups": oncall.board(shifts, shown_day, viewer),
        "site": site,
        "sites": sites,
        "now": now,
        "day": day,
        "shown_day": shown_day,
        "previous": shown_day - dt.timedelta(days=1),
        "next": shown_day + dt.timedelta(days=1),
        "sees_all": viewer.sees_all,
        "not_recorded": oncall.NOT_RECORDED,
    }
    return render(request, "schedules/on_call.html", context)


def _month(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw + "-01")
    except ValueError:
        raise Http404("Give the month as 2026-12.") from None


@on_call_required
def call_month_pdf_view(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    """The program's published call month as a PDF, for its staff and its own trainees."""
    program = get_object_or_404(Program, pk=pk)
    mine = trainee_of(request.user)
    if not can_manage_program(request.user, program) and (
        mine is None or mine.program_id != program.pk
    ):
        raise Http404("No such call schedule.")
    schedule = get_object_or_404(
        CallSchedule.objects.select_related("program"),
        program=program, month=_month(month), status=CallSchedule.Status.PUBLISHED,
    )  # fmt: skip
    response = HttpResponse(call_month_pdf(schedule), content_type="application/pdf")
    name = f"{program.slug}-call-{schedule.month:%Y-%m}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
