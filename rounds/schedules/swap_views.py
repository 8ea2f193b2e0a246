"""Pages for swaps and trades: a trainee's call shifts with what is offered to them and the open
pool, one shift's swap page with the partners for whom every rule holds, and the coordinator's
queue. The writes are rounds.schedules.swaps; who may do what is checked here before each."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.core.models import Program
from rounds.lib import today as clock
from rounds.lib.idempotency import token_from
from rounds.lib.params import id_or_none
from rounds.people.access import trainee_of
from rounds.people.models import Trainee
from rounds.schedules import swap_selectors
from rounds.schedules.access import manage_or_404, staff_required, trainee_required
from rounds.schedules.history import day_started
from rounds.schedules.models import CallAssignment, CallRequest, CallSchedule, SwapProposal
from rounds.schedules.services import ScheduleError
from rounds.schedules.swaps import (
    swap_answer,
    swap_decide,
    swap_partners,
    swap_pick_up,
    swap_propose,
    swap_withdraw,
)


def _me(request: HttpRequest) -> Trainee:
    trainee = trainee_of(request.user)
    if trainee is None:
        raise Http404("You have no trainee record.")
    return trainee


@trainee_required
def my_calls(request: HttpRequest) -> HttpResponse:
    trainee = _me(request)
    today = clock.today()
    shifts = list(
        CallAssignment.objects.filter(
            trainee=trainee, schedule__status=CallSchedule.Status.PUBLISHED, day__gte=today
        ).select_related("site")[:60]
    )
    context = {
        "trainee": trainee,
        "shifts": shifts,
        # Today's shifts may already be worked: they are listed, but only days ahead are offered.
        "swappable": {s.pk for s in shifts if not day_started(s.day)},
        "asked": swap_selectors.asked_of(trainee),
        "pool": swap_selectors.pool_for(trainee),
        "requests": CallRequest.objects.filter(trainee=trainee, day__gte=today),
        "proposals": swap_selectors.proposals_of(trainee),
        "kinds": CallRequest.Kind.choices,
        # The months of those shifts, each printable as the program's call month (PDF).
        "months": sorted({s.day.replace(day=1) for s in shifts}),
    }
    return render(request, "schedules/calls_mine.html", context)


def _own_shift(request: HttpRequest, pk: int) -> tuple[Trainee, CallAssignment]:
    trainee = _me(request)
    shift = get_object_or_404(
        CallAssignment.objects.select_related("schedule__program", "trainee__person", "site"),
        pk=pk,
    )
    if shift.trainee_id != trainee.pk:
        raise Http404("No such shift.")
    return trainee, shift


@trainee_required
def swap_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One shift: who could take it with every rule holding, and the three ways to offer it."""
    _trainee, shift = _own_shift(request, pk)
    if shift.schedule.status != CallSchedule.Status.PUBLISHED or day_started(shift.day):
        messages.error(request, "Only shifts still ahead in a published month can be swapped.")
        return redirect("schedules:my_calls")
    partners = swap_partners(shift)
    context = {
        "shift": shift,
        "partners": partners,
        "trades": swap_selectors.trade_options(shift, partners),
        "pending": SwapProposal.objects.filter(
            shift=shift, status__in=SwapProposal.PENDING
        ).first(),
    }
    return render(request, "schedules/swap_shift.html", context)


@trainee_required
@require_POST
def swap_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """Give to a colleague (`to_trainee`), trade (`in_return`: the colleague's shift) or give to
    the open pool (`pool`)."""
    _trainee, shift = _own_shift(request, pk)
    to_trainee: Trainee | None = None
    in_return: CallAssignment | None = None
    if back_id := id_or_none(request.POST.get("in_return")):
        found = CallAssignment.objects.select_related("trainee__person").filter(pk=back_id)
        in_return = found.first()
        to_trainee = in_return.trainee if in_return else None
    elif colleague_id := id_or_none(request.POST.get("to_trainee")):
        to_trainee = Trainee.objects.select_related("person").filter(pk=colleague_id).first()
    if to_trainee is None and request.POST.get("pool") != "1":
        messages.error(request, "Choose the colleague, the shift to trade for, or the open pool.")
        return redirect("schedules:swap_shift", pk=pk)
    try:
        proposal = swap_propose(
            shift=shift, to_trainee=to_trainee, in_return=in_return, by=request.user,
            token=token_from(request.POST),
        )  # fmt: skip
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedules:swap_shift", pk=pk)
    if proposal.findings:
        messages.error(request, f"Sent, but as it stands it breaks a rule: {proposal.findings[0]}")
    elif proposal.to_trainee is None:
        messages.success(request, "In the open pool: colleagues who may take it are told.")
    else:
        messages.success(
            request, f"Sent to {proposal.to_trainee.person.full_name}, who accepts or declines."
        )
    return redirect("schedules:my_calls")


def _proposal(pk: int) -> SwapProposal:
    return get_object_or_404(
        SwapProposal.objects.select_related(
            "shift__schedule__program", "shift__trainee__person", "to_trainee__person"
        ),
        pk=pk,
    )


def _done(request: HttpRequest, work: Callable[[], object], success: str) -> None:
    """Run one swap step; say what happened, or why it was refused."""
    try:
        work()
    except ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)


@trainee_required
@require_POST
def swap_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The colleague asked answers; a trainee of the program picks up from the pool; the one who
    offered withdraws. Anyone else finds no such swap."""
    trainee = _me(request)
    proposal = _proposal(pk)
    action = request.POST.get("action", "")
    if action in ("accept", "decline") and proposal.to_trainee_id == trainee.pk:
        accept = action == "accept"
        said = "Accepted" if accept else "Declined"
        _done(
            request,
            lambda: swap_answer(proposal=proposal, accept=accept, by=request.user),
            f"{said}; everyone involved is told.",
        )
    elif action == "pick_up" and proposal.shift.schedule.program_id == trainee.program_id:
        _done(
            request,
            lambda: swap_pick_up(proposal=proposal, trainee=trainee, by=request.user),
            "Picked up; everyone involved is told.",
        )
    elif action == "withdraw" and proposal.shift.trainee_id == trainee.pk:
        _done(
            request,
            lambda: swap_withdraw(proposal=proposal, by=request.user),
            "Withdrawn; the shift stays yours.",
        )
    else:
        raise Http404("No such swap.")
    return redirect("schedules:my_calls")


@staff_required
def swap_queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator's swaps: waiting for them first, then those waiting on a colleague."""
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    published = CallSchedule.objects.filter(
        program=program,
        status=CallSchedule.Status.PUBLISHED,
        month__gte=clock.today().replace(day=1),
    ).order_by("month")[:3]
    context = {
        "program": program,
        "months": [c.month for c in published],
        **swap_selectors.program_queue(program),
    }
    return render(request, "schedules/swaps_program.html", context)


@staff_required
@require_POST
def swap_decision(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    program = proposal.shift.schedule.program
    manage_or_404(request.user, program)
    approve = request.POST.get("approve") == "1"
    _done(
        request,
        lambda: swap_decide(proposal=proposal, approve=approve, by=request.user),
        "Approved: a new version of the month is published; everyone involved is told."
        if approve
        else "Declined; both trainees are told.",
    )
    return redirect("schedules:swaps", pk=program.pk)
