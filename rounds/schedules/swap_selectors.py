"""Reads for swaps and trades: what waits for a trainee and for a program's coordinator."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from rounds.core.models import Program
from rounds.lib import today as clock
from rounds.people.models import Trainee
from rounds.people.training import history_of
from rounds.schedules.models import CallAssignment, CallSchedule, SwapProposal
from rounds.schedules.swaps import MonthData

Status = SwapProposal.Status
_RELATED = (
    "shift__schedule__program", "shift__trainee__person", "shift__site", "to_trainee__person",
    "in_return",
)  # fmt: skip


def _ahead(query: QuerySet[SwapProposal]) -> QuerySet[SwapProposal]:
    """Pending swaps whose shift is still ahead: one for a day that started can no longer
    happen, so it waits for nobody."""
    return query.filter(shift__day__gt=clock.today()).select_related(*_RELATED)


def asked_of(trainee: Trainee) -> list[SwapProposal]:
    """Offers and trades waiting for this trainee's yes or no."""
    return list(
        _ahead(SwapProposal.objects.filter(to_trainee=trainee, status=Status.ASKED)).order_by(
            "shift__day"
        )
    )


def pool_for(trainee: Trainee) -> list[SwapProposal]:
    """Open give-aways of the trainee's program they could pick up now: in training that day
    and breaking no rule by taking it (the check the pick-up runs again)."""
    history = history_of(trainee)
    out = []
    open_ones = _ahead(
        SwapProposal.objects.filter(
            status=Status.OPEN, shift__schedule__program_id=trainee.program_id
        ).exclude(shift__trainee=trainee)
    ).order_by("shift__day")
    months: dict[int, MonthData] = {}
    for proposal in open_ones[:30]:
        shift = proposal.shift
        if not history.in_training_on(shift.day):
            continue
        month = months.setdefault(shift.schedule_id, MonthData(shift.schedule))
        if not month.findings({shift.pk: trainee.pk}).get(trainee.pk):
            out.append(proposal)
    return out


def proposals_of(trainee: Trainee) -> list[SwapProposal]:
    """The trainee's own offers, newest first, pending ones withdrawable."""
    return list(
        SwapProposal.objects.filter(shift__trainee=trainee)
        .select_related(*_RELATED)
        .order_by("-created_at")[:20]
    )


def trade_options(shift: CallAssignment, partners: list[Trainee]) -> list[CallAssignment]:
    """Shifts the trainee could take in return: the partners' own shifts ahead in the same
    month's published version (each trade is checked in full when it is offered)."""
    today = clock.today()
    return list(
        CallAssignment.objects.filter(schedule=shift.schedule, trainee__in=partners, day__gt=today)
        .exclude(day=shift.day)
        .select_related("trainee__person")
        .order_by("day", "trainee__person__last_name")[:200]
    )


def program_queue(program: Program) -> dict[str, Any]:
    pending = _ahead(
        SwapProposal.objects.filter(
            shift__schedule__program=program,
            shift__schedule__status=CallSchedule.Status.PUBLISHED,
            status__in=SwapProposal.PENDING,
        )
    ).order_by("shift__day")
    rows = list(pending)
    return {
        "to_approve": [p for p in rows if p.status == Status.PROPOSED],
        "asked": [p for p in rows if p.status == Status.ASKED],
        "open": [p for p in rows if p.status == Status.OPEN],
        "approval_needed": program.swaps_need_approval,
    }


def to_approve_count(program_ids: list[int]) -> int:
    """Swaps a colleague agreed to that wait for the programs' coordinators."""
    return _ahead(
        SwapProposal.objects.filter(
            status=Status.PROPOSED, shift__schedule__program_id__in=program_ids
        )
    ).count()


def swaps_to_approve(program_ids: list[int]) -> dict[int, int]:
    """`to_approve_count` per program, in one query."""
    rows = (
        _ahead(
            SwapProposal.objects.filter(
                status=Status.PROPOSED, shift__schedule__program_id__in=program_ids
            )
        )
        .values_list("shift__schedule__program_id")
        .annotate(n=Count("pk"))
        .values_list("shift__schedule__program_id", "n")
    )
    return dict(rows)


def asked_count(trainee: Trainee) -> int:
    return _ahead(SwapProposal.objects.filter(to_trainee=trainee, status=Status.ASKED)).count()
