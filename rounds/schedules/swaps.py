"""Swaps and trades of call shifts, as residents arrange them (services: every write is here).

A trainee's shift changes hands in one of three ways (`SwapProposal.Kind`):
- a give-away to a named colleague, who is asked first (accept or decline);
- a trade: the colleague takes the shift and the trainee takes one of the colleague's in return;
- a give-away to the open pool, which any colleague for whom every rule still holds may pick up.

Once a colleague agrees, the program's coordinator approves when the program asks for it
(`Program.swaps_need_approval`); otherwise the swap takes effect at once. Taking effect is what
approval always was: published versions never change, so a new version of the month is published
with the shifts moved, and the swaps pending on other shifts follow into it.

Every step checks the same rules as a hand edit of the month (`call_findings`: ACGME hours, rest,
leave and dates in training), for both trainees of a trade. Everyone involved hears of each step
by email once it commits. Concurrent answers or approvals are serialised on the program row, then
the month's published version, then the proposal (the order every write here takes), so a swap is
never applied twice and two swaps of one month never both build on the same version.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rounds.core.services import audit_record
from rounds.engine.roster.problem import Problem as RosterProblem
from rounds.lib.idempotency import AlreadySubmitted, submit_once
from rounds.people.models import Trainee
from rounds.people.training import history_of, history_prefetch, trainees_in_training
from rounds.schedules import notices
from rounds.schedules.call_checks import MonthCheck, day_label, shift_types
from rounds.schedules.calls import _carry_proposals, _copy, _user
from rounds.schedules.history import day_started
from rounds.schedules.models import CallAssignment, CallSchedule, SwapProposal
from rounds.schedules.services import ScheduleError, lock_program

Status = SwapProposal.Status
Kind = SwapProposal.Kind
_RELATED = ("shift__schedule__program", "shift__trainee__person", "to_trainee__person", "in_return")


# ---------------------------------------------------------------- checks (reads)


def shift_open_check(shift: CallAssignment) -> None:
    """A shift can change hands while its month's version is the published one and its day is
    still ahead (started days are history)."""
    if shift.schedule.status != CallSchedule.Status.PUBLISHED:
        raise ScheduleError("Only shifts of a published call schedule can be swapped.")
    if day_started(shift.day):
        raise ScheduleError(
            f"{day_label(shift.day)} has started; only shifts still ahead can be swapped."
        )


def partner_check(shift: CallAssignment, partner: Trainee) -> None:
    """The colleague may take the shift at all: another trainee of the program, in training
    that day (not before their start, on leave or after their end)."""
    if partner.pk == shift.trainee_id:
        raise ScheduleError("Choose a colleague other than yourself.")
    if partner.program_id != shift.schedule.program_id:
        raise ScheduleError("Swaps stay within the program that owns the call schedule.")
    history = history_of(partner)
    if not history.in_training_on(shift.day):
        raise ScheduleError(
            f"{partner.person.full_name} is not in training on {shift.day:%a %b %-d} "
            f"({history.status_label_on(shift.day).lower()}); choose a colleague who is."
        )


def return_check(shift: CallAssignment, in_return: CallAssignment, partner: Trainee) -> None:
    """A trade's other half is the partner's own shift, in the same month's published version,
    on a day still ahead."""
    if in_return.trainee_id != partner.pk or in_return.schedule_id != shift.schedule_id:
        raise ScheduleError(
            f"The shift in return must be one of {partner.person.full_name}'s shifts in the "
            "same month."
        )
    if day_started(in_return.day):
        raise ScheduleError(f"{day_label(in_return.day)} has started; choose a shift ahead.")
    if not history_of(shift.trainee).in_training_on(in_return.day):
        raise ScheduleError(
            f"You are not in training on {in_return.day:%a %b %-d}; choose another shift."
        )


def moves_of(proposal: SwapProposal, to_trainee_id: int | None = None) -> dict[int, int]:
    """Shift id -> trainee id who works it once the swap is done."""
    taker = to_trainee_id or proposal.to_trainee_id
    assert taker is not None
    moves = {proposal.shift_id: taker}
    if proposal.in_return_id:
        moves[proposal.in_return_id] = proposal.shift.trainee_id
    return moves


class FocusedMonthCheck(MonthCheck):
    """The month's checks for some trainees only: their shifts after the moves, nobody else's.
    Every rule a swap can break (ACGME hours and rest, overlaps, dates in training, rotations)
    is about one trainee's own shifts, so this finds for them exactly what the whole month's
    check finds (tests/test_swaps.py compares the two), at a fraction of its cost: the partner
    filter runs it once per colleague. Coverage cannot change in a swap and is not checked."""

    def __init__(self, month: MonthData, moves: dict[int, int], people: set[int]) -> None:
        self.schedule = month.schedule
        self.month = month.schedule.month
        self.types = month.types
        owner = {s.pk: moves.get(s.pk, s.trainee_id) for s in month.shifts}
        self.shifts = [s for s in month.shifts if owner[s.pk] in people]
        self.owner = {s.pk: owner[s.pk] for s in self.shifts}
        self.trainees = {pk: month.trainees[pk] for pk in people if pk in month.trainees}
        self.data = month
        self.people = people

    def problem(self, extra_people: Iterable[int] = ()) -> RosterProblem:
        """The month's problem narrowed to the trainees checked (the rules are per person)."""
        whole = self.data.problem()
        wanted = {f"t{pk}" for pk in self.people}
        return dataclasses.replace(whole, people=tuple(p for p in whole.people if p.id in wanted))


class MonthData:
    """What every focused check of one month reads, read once."""

    def __init__(self, schedule: CallSchedule) -> None:
        self.schedule = schedule
        self.types = shift_types(schedule)
        self.shifts = list(schedule.shifts.all())
        ids = {s.trainee_id for s in self.shifts} | set(
            Trainee.objects.filter(program_id=schedule.program_id).values_list("pk", flat=True)
        )
        query = Trainee.objects.select_related("person").prefetch_related(*history_prefetch())
        self.trainees = query.in_bulk(list(ids | _problem_ids(schedule)))
        self._problem: RosterProblem | None = None

    def problem(self) -> RosterProblem:
        """The month's roster problem with every trainee who could hold a shift, parsed once."""
        if self._problem is None:
            whole = FocusedMonthCheck(self, {}, set(self.trainees))
            self._problem = MonthCheck.problem(whole, self.trainees)
        return self._problem

    def findings(self, moves: dict[int, int]) -> dict[int, list[str]]:
        people = set(moves.values())
        out: dict[int, list[str]] = {}
        for f in FocusedMonthCheck(self, moves, people).findings(coverage=False):
            if f.broken and f.trainee_id in people:
                out.setdefault(f.trainee_id, []).append(f.text)
        return out


def _problem_ids(schedule: CallSchedule) -> set[int]:
    ids = (str(p.get("id", "")) for p in schedule.problem.get("people") or [])
    return {int(i[1:]) for i in ids if i[:1] == "t" and i[1:].isdigit()}


def swap_findings(
    schedule: CallSchedule, moves: dict[int, int], month: MonthData | None = None
) -> list[str]:
    """Every rule the moves would break, for any trainee they touch, each naming the trainee."""
    month = month or MonthData(schedule)
    found = month.findings(moves)
    names = {t: month.trainees[t].person.full_name for t in found if t in month.trainees}
    return [
        f"{names.get(t, '')}: {text}"
        for t in dict.fromkeys(moves.values())
        for text in found.get(t, [])
    ]


def swap_partners(shift: CallAssignment) -> list[Trainee]:
    """The partner filter: colleagues of the program in training on the shift's day for whom
    every rule still holds if they take the shift (the same check the swap itself runs)."""
    candidates = [
        t
        for t in trainees_in_training([shift.schedule.program], shift.day, shift.day)
        if t.pk != shift.trainee_id and t.program_id == shift.schedule.program_id
    ]
    month = MonthData(shift.schedule)
    return [t for t in candidates if not month.findings({shift.pk: t.pk}).get(t.pk)]


# ---------------------------------------------------------------- writes


def swap_propose(
    *,
    shift: CallAssignment,
    to_trainee: Trainee | None = None,
    in_return: CallAssignment | None = None,
    by: Any,
    token: str = "",
    notify: bool = True,
) -> SwapProposal:
    """Offer a shift: to `to_trainee` (asked first), as a trade for `in_return` (one of their
    shifts), or with no colleague to the open pool. Rules are checked now and at every later
    step; what would break is kept on the proposal so everyone sees it. The same form
    (`token`) sent twice offers once."""
    shift_open_check(shift)
    if to_trainee is not None:
        partner_check(shift, to_trainee)
        if in_return is not None:
            return_check(shift, in_return, to_trainee)
    elif in_return is not None:
        raise ScheduleError("A trade needs the colleague whose shift you take in return.")
    kind = Kind.POOL if to_trainee is None else Kind.TRADE if in_return else Kind.GIVE
    moves = {shift.pk: to_trainee.pk} if to_trainee else {}
    if in_return is not None:
        moves[in_return.pk] = shift.trainee_id
    findings = swap_findings(shift.schedule, moves) if moves else []

    def create() -> SwapProposal:
        if SwapProposal.objects.filter(shift=shift, status__in=SwapProposal.PENDING).exists():
            raise ScheduleError(
                f"Your {shift.label} on {day_label(shift.day)} is already offered; withdraw "
                "that offer first."
            )
        made = SwapProposal.objects.create(
            kind=kind, shift=shift, to_trainee=to_trainee, in_return=in_return,
            status=Status.OPEN if kind == Kind.POOL else Status.ASKED,
            findings=findings, proposed_by=_user(by),
        )  # fmt: skip
        audit_record(by=by, action="create", instance=made, summary=str(made)[:300],
                     changes={"kind": kind, "findings": findings})  # fmt: skip
        if notify:
            transaction.on_commit(lambda: notices.swap_asked(made))
        return made

    with transaction.atomic():
        lock_program(shift.schedule.program)
        try:
            proposal, _first = submit_once(
                token=token, scope="schedules.swap", by=by, model=SwapProposal, write=create
            )
        except AlreadySubmitted as error:
            raise ScheduleError(error.message) from None
    return proposal


def _locked(proposal: SwapProposal) -> SwapProposal:
    """Inside a transaction: the proposal re-read under its locks, taken in the one order every
    swap write uses (program, the month's version, the proposal), so a publish or another swap
    that moved it meanwhile is seen, and two answers never both pass."""
    lock_program(proposal.shift.schedule.program)
    for _ in range(3):
        schedule_id = SwapProposal.objects.values_list("shift__schedule_id", flat=True).get(
            pk=proposal.pk
        )
        list(CallSchedule.objects.select_for_update().filter(pk=schedule_id).values("pk"))
        fresh = (
            SwapProposal.objects.select_for_update(of=("self",))
            .select_related(*_RELATED)
            .get(pk=proposal.pk)
        )
        if fresh.shift.schedule_id == schedule_id:
            return fresh
    raise ScheduleError("The month changed while you answered; open the page again.")


def _require(proposal: SwapProposal, *statuses: str) -> None:
    if proposal.status not in statuses:
        raise ScheduleError(f"This swap is no longer open: {proposal.get_status_display()}.")


def _ready(proposal: SwapProposal, taker: Trainee) -> None:
    """Everything that must hold for the swap to go ahead with `taker`, checked afresh."""
    shift_open_check(proposal.shift)
    partner_check(proposal.shift, taker)
    if proposal.in_return is not None:
        return_check(proposal.shift, proposal.in_return, taker)
    findings = swap_findings(proposal.shift.schedule, moves_of(proposal, taker.pk))
    if findings:
        raise ScheduleError(f"The swap would break a rule for {findings[0]}")


def _agreed(proposal: SwapProposal, by: Any, notify: bool = True) -> SwapProposal:
    """The colleague said yes: to the coordinator, or done at once if the program lets it."""
    proposal.answered_at = timezone.now()
    if proposal.shift.schedule.program.swaps_need_approval:
        proposal.status = Status.PROPOSED
        proposal.save(update_fields=["to_trainee", "status", "answered_at", "findings"])
        agreed = proposal
        if notify:
            transaction.on_commit(lambda: notices.swap_agreed(agreed))
        return proposal
    return _approve(proposal, by)


def _approve(proposal: SwapProposal, by: Any) -> SwapProposal:
    swap_apply(proposal, by)
    proposal.status = Status.APPROVED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["to_trainee", "status", "answered_at", "decided_at", "findings"])
    done = proposal
    transaction.on_commit(lambda: notices.swap_decided(done))
    return proposal


def _audited(
    proposal: SwapProposal, by: Any, what: str, step: Callable[[SwapProposal], SwapProposal]
) -> SwapProposal:
    with transaction.atomic():
        proposal = step(_locked(proposal))
        audit_record(by=by, action="update", instance=proposal,
                     summary=f"swap {what}: {proposal}"[:300],
                     changes={"status": proposal.status})  # fmt: skip
    return proposal


def swap_answer(
    *, proposal: SwapProposal, accept: bool, by: Any, notify: bool = True
) -> SwapProposal:
    """The colleague asked accepts or declines. Accepting checks every rule again. `notify`
    False (the demo) sends no email."""

    def step(p: SwapProposal) -> SwapProposal:
        _require(p, Status.ASKED)
        assert p.to_trainee is not None
        if not accept:
            return _closed(p, Status.DECLINED, f"{p.to_trainee.person.full_name} declined")
        _ready(p, p.to_trainee)
        p.findings = []
        return _agreed(p, by, notify)

    return _audited(proposal, by, "accepted" if accept else "declined", step)


def swap_pick_up(*, proposal: SwapProposal, trainee: Trainee, by: Any) -> SwapProposal:
    """A colleague takes a shift from the open pool; the first one wins, the rules permitting."""

    def step(p: SwapProposal) -> SwapProposal:
        if p.status != Status.OPEN:
            raise ScheduleError("Someone else took this shift already, or it was withdrawn.")
        _ready(p, trainee)
        p.to_trainee, p.findings = trainee, []
        return _agreed(p, by)

    return _audited(proposal, by, "picked up", step)


def swap_decide(*, proposal: SwapProposal, approve: bool, by: Any) -> SwapProposal:
    """The coordinator approves a swap the colleague agreed to, or declines any pending one.
    Approving publishes a new version of the month with the shifts moved; everyone involved is
    told once it commits."""

    def step(p: SwapProposal) -> SwapProposal:
        if not approve:
            _require(p, *SwapProposal.PENDING)
            return _closed(p, Status.DECLINED, "Your coordinator declined")
        if p.status in (Status.ASKED, Status.OPEN):
            raise ScheduleError(
                "No colleague has agreed to this swap yet; it can be approved once one has."
            )
        _require(p, Status.PROPOSED)
        assert p.to_trainee is not None
        _ready(p, p.to_trainee)
        return _approve(p, by)

    return _audited(proposal, by, "approved" if approve else "declined", step)


def swap_withdraw(*, proposal: SwapProposal, by: Any) -> SwapProposal:
    """The trainee who offered the shift takes the offer back while it is pending."""

    def step(p: SwapProposal) -> SwapProposal:
        _require(p, *SwapProposal.PENDING)
        return _closed(p, Status.WITHDRAWN, f"{p.shift.trainee.person.full_name} withdrew it")

    return _audited(proposal, by, "withdrawn", step)


def _closed(proposal: SwapProposal, status: str, outcome: str) -> SwapProposal:
    proposal.status = status
    proposal.outcome = outcome[:200]
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "outcome", "decided_at"])
    closed = proposal
    transaction.on_commit(lambda: notices.swap_decided(closed))
    return proposal


def swap_apply(proposal: SwapProposal, by: Any) -> CallSchedule:
    """Publish a new version of the month with the swap's shifts moved (its reason names the
    swap). Other pending swaps of the same shifts can no longer happen and are withdrawn; the
    rest follow their shifts into the new version."""
    shift = proposal.shift
    schedule = shift.schedule
    assert proposal.to_trainee is not None
    taker, giver = proposal.to_trainee.person, shift.trainee.person
    reason = f"Swap approved: {taker} takes {giver}'s {shift.label} on {day_label(shift.day)}"
    if proposal.in_return is not None:
        back = proposal.in_return
        reason = (
            f"Trade approved: {taker} takes {giver}'s {shift.label} on {day_label(shift.day)}, "
            f"{giver} takes {taker}'s {back.label} on {day_label(back.day)}"
        )
    moves = moves_of(proposal)
    SwapProposal.objects.filter(status__in=SwapProposal.PENDING).exclude(pk=proposal.pk).filter(
        Q(shift_id__in=list(moves)) | Q(in_return_id__in=list(moves))
    ).update(status=Status.WITHDRAWN, outcome="The shift changed hands in another swap",
             decided_at=timezone.now())  # fmt: skip
    new, moved = _copy(
        schedule, by=by, reason=reason, status=CallSchedule.Status.PUBLISHED, moves=moves
    )
    schedule.status = CallSchedule.Status.SUPERSEDED
    schedule.save(update_fields=["status"])
    # The approved proposal keeps pointing at the superseded version's shifts: they say who
    # gave what.
    _carry_proposals(schedule, moved, keep=proposal.pk)
    audit_record(by=by, action="publish", instance=new, summary=reason[:300],
                 changes={"superseded": schedule.pk, "swap": proposal.pk})  # fmt: skip
    return new


# ---------------------------------------------------------------- demo


def demo_swaps() -> list[str]:
    """Internal Medicine's month shows every kind of swap: a trade asked of the demo resident,
    a give-away waiting for the coordinator, and a shift in the open pool."""
    from rounds.lib.today import today

    schedule = CallSchedule.objects.filter(
        program__name="Internal Medicine Residency", status=CallSchedule.Status.PUBLISHED
    ).first()
    me = Trainee.objects.filter(person__user__username="resident").first()
    if schedule is None or me is None:
        return []
    ahead = list(
        schedule.shifts.filter(day__gt=today() + timedelta(days=1))
        .select_related("schedule__program", "trainee__person")
        .order_by("day", "pk")
    )
    mine = [s for s in ahead if s.trainee_id == me.pk]
    others = [s for s in ahead if s.trainee_id != me.pk]
    made: list[str] = []
    pairs = [(t, b) for t in others[:: max(1, len(others) // 8)] for b in mine if b.day != t.day]
    month = MonthData(schedule)
    for theirs, back in pairs[:40]:
        moves = {theirs.pk: me.pk, back.pk: theirs.trainee_id}
        if not swap_findings(schedule, moves, month):
            swap_propose(shift=theirs, to_trainee=me, in_return=back, by=None, notify=False)
            made.append("a trade asked of the demo resident")
            break
    used = set(
        SwapProposal.objects.filter(shift__schedule=schedule).values_list("shift", flat=True)
    )
    rest = [s for s in others if s.pk not in used]
    colleagues = trainees_in_training([schedule.program], today(), today())
    for shift in rest[5::7][:4]:
        partner = next(
            (
                t
                for t in colleagues[:15]
                if t.pk != shift.trainee_id and not month.findings({shift.pk: t.pk}).get(t.pk)
            ),
            None,
        )
        if partner is not None:
            offer = swap_propose(shift=shift, to_trainee=partner, by=None, notify=False)
            swap_answer(proposal=offer, accept=True, by=None, notify=False)
            made.append("a give-away waiting for the coordinator")
            break
    for shift in rest[-10:]:
        if not SwapProposal.objects.filter(shift=shift, status__in=SwapProposal.PENDING).exists():
            swap_propose(shift=shift, by=None, notify=False)
            made.append("a shift in the open pool")
            break
    return [f"swaps: {', '.join(made)}"] if made else []
