"""Call schedule pages: build a month, see it with its ACGME check, publish; requests and swaps."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rounds.core.models import Program
from rounds.jobs.models import Job
from rounds.people.models import Trainee
from rounds.schedules.access import manage_or_404, own_trainee, staff_required, trainee_required
from rounds.schedules.calls import (
    call_findings,
    call_schedule_publish,
    month_days,
    swap_decide,
    swap_propose,
)
from rounds.schedules.jobs import CALL_KIND, call_build_start
from rounds.schedules.models import CallAssignment, CallRequest, CallSchedule, SwapProposal
from rounds.schedules.services import ScheduleError


@staff_required
def program_calls(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    context = {
        "program": program,
        "schedules": CallSchedule.objects.filter(program=program),
        "jobs": Job.objects.filter(kind=CALL_KIND, params__program=program.pk)[:5],
        "this_month": timezone.localdate().strftime("%Y-%m"),
        "requests": CallRequest.objects.filter(
            trainee__program=program, day__gte=timezone.localdate()
        ).select_related("trainee__person")[:100],
    }
    return render(request, "schedules/calls_program.html", context)


@staff_required
@require_POST
def call_build(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    month = request.POST.get("month", "")
    try:
        dt.date.fromisoformat(month + "-01")
    except ValueError:
        messages.error(request, "Choose a month, for example 2026-11.")
        return redirect("schedules:calls", pk=pk)
    call_build_start(program=program, month=month, by=request.user)
    messages.success(
        request, f"Building the call schedule for {month}; it appears below when ready."
    )
    return redirect("schedules:calls", pk=pk)


def _call(request: HttpRequest, pk: int) -> CallSchedule:
    schedule = get_object_or_404(CallSchedule.objects.select_related("program"), pk=pk)
    manage_or_404(request.user, schedule.program)
    return schedule


@staff_required
def call_grid(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _call(request, pk)
    days = [schedule.month + dt.timedelta(days=i) for i in range(month_days(schedule.month))]
    cells: dict[tuple[int, dt.date], list[str]] = {}
    for s in schedule.shifts.all():
        code = {"24h call": "C", "Night float": "N", "Day team": "D"}.get(s.label, s.label[:2])
        cells.setdefault((s.trainee_id, s.day), []).append(code)
    findings = call_findings(schedule)
    trainees = Trainee.objects.filter(
        pk__in=schedule.shifts.values_list("trainee_id", flat=True)
    ).select_related("person")
    rows = [
        (t, [" ".join(cells.get((t.pk, d), [])) for d in days], findings.get(t.pk, []))
        for t in sorted(trainees, key=lambda t: (-t.pgy, t.person.last_name))
    ]
    swaps = SwapProposal.objects.filter(
        shift__schedule=schedule, status=SwapProposal.Status.PROPOSED
    ).select_related("shift__trainee__person", "to_trainee__person")
    context = {
        "schedule": schedule, "days": days, "rows": rows, "swaps": swaps,
        "broken": sum(len(f) for f in findings.values()),
        "bent": schedule.result.get("bent", [])[:20],
    }  # fmt: skip
    return render(request, "schedules/calls_grid.html", context)


@staff_required
@require_POST
def call_publish(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _call(request, pk)
    if schedule.status != CallSchedule.Status.DRAFT:
        messages.error(request, "Only a draft can be published.")
    else:
        call_schedule_publish(schedule=schedule, by=request.user)
        messages.success(
            request,
            f"Call for {schedule.month:%B %Y} is published; the trainees on it are told by email.",
        )
    return redirect("schedules:call", pk=pk)


@staff_required
@require_POST
def swap_decision(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        SwapProposal.objects.select_related("shift__schedule__program"), pk=pk
    )
    manage_or_404(request.user, proposal.shift.schedule.program)
    try:
        swap_decide(proposal=proposal, approve=request.POST.get("approve") == "1", by=request.user)
    except ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Swap decided; both trainees are told by email.")
    return redirect("schedules:call", pk=proposal.shift.schedule_id)


@trainee_required
def my_calls(request: HttpRequest) -> HttpResponse:
    trainee = own_trainee(request.user)
    if trainee is None:
        raise Http404("You have no trainee record.")
    today = timezone.localdate()
    shifts = CallAssignment.objects.filter(
        trainee=trainee, schedule__status=CallSchedule.Status.PUBLISHED, day__gte=today
    ).select_related("site")[:60]
    colleagues = (
        Trainee.objects.filter(program=trainee.program, status=Trainee.Status.ACTIVE)
        .exclude(pk=trainee.pk)
        .select_related("person")
    )
    context = {
        "trainee": trainee, "shifts": shifts, "colleagues": colleagues,
        "requests": CallRequest.objects.filter(trainee=trainee, day__gte=today),
        "proposals": SwapProposal.objects.filter(shift__trainee=trainee)
        .select_related("shift", "to_trainee__person").order_by("-created_at")[:20],
        "kinds": CallRequest.Kind.choices,
    }  # fmt: skip
    return render(request, "schedules/calls_mine.html", context)


@trainee_required
@require_POST
def swap_offer(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = own_trainee(request.user)
    shift = get_object_or_404(CallAssignment.objects.select_related("schedule"), pk=pk)
    if trainee is None or shift.trainee_id != trainee.pk:
        raise Http404("No such shift.")
    colleague = Trainee.objects.filter(pk=request.POST.get("to_trainee") or 0).first()
    if colleague is None:
        messages.error(request, "Choose the colleague who takes the shift.")
        return redirect("schedules:my_calls")
    try:
        proposal = swap_propose(shift=shift, to_trainee=colleague, by=request.user)
    except ScheduleError as error:
        messages.error(request, str(error))
    else:
        if proposal.findings:
            messages.error(
                request, f"Sent, but your coordinator will see a problem: {proposal.findings[0]}"
            )
        else:
            messages.success(request, "Sent to your coordinator; every rule holds for the swap.")
    return redirect("schedules:my_calls")


@trainee_required
@require_POST
def call_request(request: HttpRequest) -> HttpResponse:
    trainee = own_trainee(request.user)
    if trainee is None:
        raise Http404("You have no trainee record.")
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        messages.error(request, "Choose the day, for example 2026-12-24.")
        return redirect("schedules:my_calls")
    if day < timezone.localdate():
        messages.error(request, "That day has passed; requests are for days to come.")
        return redirect("schedules:my_calls")
    kind = request.POST.get("kind", CallRequest.Kind.OFF)
    if kind not in CallRequest.Kind.values:
        kind = CallRequest.Kind.OFF
    CallRequest.objects.update_or_create(
        trainee=trainee, day=day,
        defaults={"kind": kind, "note": request.POST.get("note", "")[:200]},
    )  # fmt: skip
    messages.success(
        request, f"Request for {day:%a %b %-d} saved; the next call schedule weighs it."
    )
    return redirect("schedules:my_calls")
