"""Writes to moonlighting requests. Each runs in one transaction with its audit entry and its
decision row; the people involved hear after it commits (notices.py).

A decision locks the request's row first, so two clicks (or a director and the trainee at the
same moment) take turns: the second finds the request already moved on and is told so, or, with
the same form token, gets back what the first one did (rounds/lib/idempotency.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from rounds.core.services import audit_record
from rounds.lib import today as clock
from rounds.lib.idempotency import AlreadySubmitted, submit_once
from rounds.moonlighting import notices
from rounds.moonlighting.access import (
    may_decide_as_director,
    may_decide_as_gme,
    may_request_for,
    may_revoke,
    may_withdraw,
)
from rounds.moonlighting.models import MoonlightingDecision, MoonlightingEntry, MoonlightingRequest
from rounds.people.models import Trainee
from rounds.people.training import history_of
from rounds.record.models import Credential, CredentialType
from rounds.record.selectors import lapsed_credentials
from rounds.workhours.models import LoggedPeriod
from rounds.workhours.record import academic_year
from rounds.workhours.services import PGY1_MOONLIGHTING, findings_refresh

FULL_LICENCE = "full-licence"
MAX_DAYS = 366  # one request covers at most a year; ask again for the next
MAX_WEEKLY_HOURS = 80  # moonlighting counts towards the 80 hours; more cannot be allowed
MIN_REASON = 10
NOT_YOURS = "This request is not waiting for your decision."

Status = MoonlightingRequest.Status
Action = MoonlightingDecision.Action


class MoonlightingError(Exception):
    """A change refused, with a sentence the person can act on; `field` names where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


@dataclass(frozen=True)
class RequestDraft:
    """What the trainee asks for, as the form gives it."""

    setting: str
    where: str
    start: date
    end: date
    hours_per_week: int
    licence: Credential | None
    statement: str
    weekly_pattern: str = ""
    max_hours_per_week: int | None = None


# --- checks at submission ---------------------------------------------------------------------


def _check_dates(trainee: Trainee, draft: RequestDraft, today: date) -> None:
    if draft.end < draft.start:
        raise MoonlightingError(
            f"The last day ({_day(draft.end)}) is before the first day ({_day(draft.start)}).",
            "end",
        )
    if draft.start < today:
        raise MoonlightingError(
            f"The first day ({_day(draft.start)}) has passed; moonlighting is approved before it "
            "starts. Choose today or a later day.",
            "start",
        )
    if (draft.end - draft.start).days >= MAX_DAYS:
        raise MoonlightingError(
            "One request covers at most a year; ask again for the time after that.", "end"
        )
    history = history_of(trainee)
    if draft.end > history.last_day:
        raise MoonlightingError(
            f"Your training ends on {_day(history.last_day)}; moonlighting is approved only "
            "while you are in training. End the request by then.",
            "end",
        )
    pgy = history.pgy_on(max(draft.start, history.start))
    if pgy == 1:
        raise MoonlightingError(
            f"{PGY1_MOONLIGHTING} You are PGY-1 on {_day(draft.start)}; you may request "
            "moonlighting from the first day of your PGY-2 year.",
            "start",
        )


def _check_hours(draft: RequestDraft) -> None:
    if not 1 <= draft.hours_per_week <= MAX_WEEKLY_HOURS:
        raise MoonlightingError(
            f"Expected hours per week must be between 1 and {MAX_WEEKLY_HOURS}.", "hours_per_week"
        )
    cap = draft.max_hours_per_week
    if cap is not None and not draft.hours_per_week <= cap <= MAX_WEEKLY_HOURS:
        raise MoonlightingError(
            f"The maximum hours per week must be at least the expected hours "
            f"({draft.hours_per_week}) and at most {MAX_WEEKLY_HOURS}.",
            "max_hours_per_week",
        )


def _check_licence(trainee: Trainee, draft: RequestDraft, today: date) -> None:
    licence = draft.licence
    external = draft.setting == MoonlightingRequest.Setting.EXTERNAL
    if licence is None:
        needed = "a full, unrestricted medical licence" if external else "a licence"
        raise MoonlightingError(
            f"Moonlighting relies on {needed}, and none is chosen. Record it on your training "
            "record first, then choose it here.",
            "licence",
        )
    kind = licence.credential_type
    if licence.trainee_id != trainee.pk or kind.kind != CredentialType.Kind.LICENCE:
        raise MoonlightingError("Choose one of your own licences.", "licence")
    if external and kind.code != FULL_LICENCE:
        raise MoonlightingError(
            f"External moonlighting needs a full, unrestricted medical licence; your {kind} "
            "covers training only. Record your full licence first, or ask for internal "
            "moonlighting.",
            "licence",
        )
    if licence.expires_on < today:
        raise MoonlightingError(
            f"Your {kind} ({licence.number}) lapsed on {_day(licence.expires_on)}. Record the "
            "renewed licence first.",
            "licence",
        )
    if licence.expires_on < draft.end:
        raise MoonlightingError(
            f"Your {kind} ({licence.number}) expires on {_day(licence.expires_on)}, before the "
            f"moonlighting would end ({_day(draft.end)}). End the request by then, or record "
            "the renewed licence first.",
            "licence",
        )
    _check_required_licences(trainee, today)


def _check_required_licences(trainee: Trainee, today: date) -> None:
    """A required licence of the program (a training licence) missing or lapsed: refused."""
    gaps = lapsed_credentials([trainee], today).get(trainee.pk, [])
    missing = [g for g in gaps if g.credential_type.kind == CredentialType.Kind.LICENCE]
    if missing:
        said = ", ".join(
            f"{g.credential_type} ({'never recorded' if g.credential is None else 'lapsed on ' + _day(g.credential.expires_on)})"  # noqa: E501
            for g in missing
        )
        raise MoonlightingError(
            f"Your program requires a licence you do not hold today: {said}. Record it on "
            "your training record first.",
            "licence",
        )


def _check_words(draft: RequestDraft) -> None:
    if not draft.where.strip():
        raise MoonlightingError("Say where you would moonlight: the site or employer.", "where")
    if draft.setting not in MoonlightingRequest.Setting.values:
        raise MoonlightingError("Choose internal or external moonlighting.", "setting")
    if len(draft.statement.strip()) < MIN_REASON:
        raise MoonlightingError(
            "Write your statement in a sentence or more: what the work is and how it fits "
            "with your training.",
            "statement",
        )


# --- the trainee's request --------------------------------------------------------------------


def request_submit(
    *, trainee: Trainee, draft: RequestDraft, by: Any, token: str = ""
) -> MoonlightingRequest:
    """The trainee asks; refused with the rule named for a PGY-1, with what is missing for a
    lapsed or missing licence. The same form sent twice makes one request."""
    if not may_request_for(by, trainee):
        raise MoonlightingError("Only the trainee requests their own moonlighting.")
    today = clock.today()
    _check_words(draft)
    _check_dates(trainee, draft, today)
    _check_hours(draft)
    _check_licence(trainee, draft, today)

    def write() -> MoonlightingRequest:
        return _request_create(trainee, draft, by)

    try:
        made, _ = submit_once(
            token=token, scope="moonlighting.request", by=by, model=MoonlightingRequest, write=write
        )
    except AlreadySubmitted as error:
        raise MoonlightingError(error.message) from None
    return made


def _request_create(trainee: Trainee, draft: RequestDraft, by: Any) -> MoonlightingRequest:
    assert draft.licence is not None  # _check_licence refused a request without one
    with transaction.atomic():
        made = MoonlightingRequest.objects.create(
            trainee=trainee,
            setting=draft.setting,
            where=draft.where.strip(),
            start=draft.start,
            end=draft.end,
            weekly_pattern=draft.weekly_pattern.strip(),
            max_hours_per_week=draft.max_hours_per_week,
            hours_per_week=draft.hours_per_week,
            licence=draft.licence,
            statement=draft.statement.strip(),
        )
        audit_record(
            by=by,
            action="moonlighting.request",
            instance=made,
            summary=f"{trainee} requested {made}",
            changes={"start": made.start.isoformat(), "end": made.end.isoformat()},
        )
        transaction.on_commit(lambda: notices.submitted(made))
    return made


# --- decisions --------------------------------------------------------------------------------


def _decide(
    *,
    request: MoonlightingRequest,
    by: Any,
    token: str,
    allowed: Callable[[Any, MoonlightingRequest], bool],
    refusal: str,
    change: Callable[[MoonlightingRequest, MoonlightingDecision], None],
    action: str,
    note: str,
) -> MoonlightingDecision:
    """Lock the request, check the step is still `by`'s to take, record the decision."""

    def write() -> MoonlightingDecision:
        with transaction.atomic():
            fresh = (
                MoonlightingRequest.objects.select_for_update()
                .select_related("trainee__person", "trainee__program")
                .get(pk=request.pk)
            )
            if not allowed(by, fresh):
                raise MoonlightingError(f"{refusal} It is {fresh.get_status_display().lower()}.")
            was = fresh.status
            decision = MoonlightingDecision.objects.create(
                request=fresh, action=action, note=note, by=by
            )
            change(fresh, decision)
            audit_record(
                by=by,
                action=f"moonlighting.{action}",
                instance=fresh,
                summary=f"{decision.get_action_display()}: {fresh}",
                changes={"from": was, "to": fresh.status, "note": note},
            )
        return decision

    try:
        decision, _ = submit_once(
            token=token, scope="moonlighting.decide", by=by, model=MoonlightingDecision, write=write
        )
    except AlreadySubmitted as error:
        raise MoonlightingError(error.message) from None
    return decision


def _reason(text: str, what: str) -> str:
    text = text.strip()
    if len(text) < MIN_REASON:
        raise MoonlightingError(
            f"Write the reason for {what} in a sentence (at least {MIN_REASON} characters).",
            "note",
        )
    return text


def request_approve(
    *, request: MoonlightingRequest, note: str = "", by: Any, token: str = ""
) -> MoonlightingDecision:
    """The director's step, or (once the director approved) the GME office's."""
    note = note.strip()
    if may_decide_as_director(by, request):

        def to_gme(fresh: MoonlightingRequest, _: MoonlightingDecision) -> None:
            fresh.status = Status.AWAITING_GME
            fresh.save(update_fields=["status"])
            transaction.on_commit(lambda: notices.director_approved(fresh, note))

        return _decide(
            request=request, by=by, token=token, allowed=may_decide_as_director,
            refusal=NOT_YOURS, change=to_gme,
            action=Action.DIRECTOR_APPROVED, note=note,
        )  # fmt: skip

    def approve(fresh: MoonlightingRequest, _: MoonlightingDecision) -> None:
        fresh.status = Status.APPROVED
        fresh.save(update_fields=["status"])
        _refresh_hours(fresh)
        transaction.on_commit(lambda: notices.approved(fresh, note))

    return _decide(
        request=request, by=by, token=token, allowed=may_decide_as_gme,
        refusal=NOT_YOURS, change=approve,
        action=Action.GME_APPROVED, note=note,
    )  # fmt: skip


def request_decline(
    *, request: MoonlightingRequest, reason: str, by: Any, token: str = ""
) -> MoonlightingDecision:
    reason = _reason(reason, "declining")
    as_director = may_decide_as_director(by, request)
    step = "program director" if as_director else "GME office"

    def allowed(user: Any, fresh: MoonlightingRequest) -> bool:
        return may_decide_as_director(user, fresh) or may_decide_as_gme(user, fresh)

    def decline(fresh: MoonlightingRequest, _: MoonlightingDecision) -> None:
        fresh.status = Status.DECLINED
        fresh.save(update_fields=["status"])
        transaction.on_commit(lambda: notices.declined(fresh, reason, step))

    return _decide(
        request=request, by=by, token=token, allowed=allowed,
        refusal=NOT_YOURS, change=decline,
        action=Action.DECLINED, note=reason,
    )  # fmt: skip


def request_withdraw(
    *, request: MoonlightingRequest, by: Any, token: str = ""
) -> MoonlightingDecision:
    def withdraw(fresh: MoonlightingRequest, _: MoonlightingDecision) -> None:
        was = fresh.status
        fresh.status = Status.WITHDRAWN
        fresh.save(update_fields=["status"])
        transaction.on_commit(lambda: notices.withdrawn(fresh, was))

    return _decide(
        request=request, by=by, token=token, allowed=may_withdraw,
        refusal="Only a request still waiting for a decision can be withdrawn.",
        change=withdraw, action=Action.WITHDRAWN, note="",
    )  # fmt: skip


def request_revoke(
    *, request: MoonlightingRequest, reason: str, by: Any, token: str = ""
) -> MoonlightingDecision:
    """The director ends an approval from today: moonlighting done until today stays approved."""
    reason = _reason(reason, "revoking")
    today = clock.today()
    if request.status == Status.APPROVED and request.end < today:
        raise MoonlightingError(
            f"This approval expired on {_day(request.end)}; there is nothing left to revoke."
        )

    def revoke(fresh: MoonlightingRequest, _: MoonlightingDecision) -> None:
        fresh.status = Status.REVOKED
        fresh.revoked_on = max(today, fresh.start - timedelta(days=1))
        fresh.save(update_fields=["status", "revoked_on"])
        _refresh_hours(fresh)
        transaction.on_commit(lambda: notices.revoked(fresh, reason))

    return _decide(
        request=request, by=by, token=token, allowed=may_revoke,
        refusal="Only an approval in force can be revoked.", change=revoke,
        action=Action.REVOKED, note=reason,
    )  # fmt: skip


def _refresh_hours(request: MoonlightingRequest) -> None:
    """Moonlighting already logged in the request's dates is re-judged: flags the approval now
    covers are resolved (and any it no longer covers come back)."""
    today = clock.today()
    if request.start > today:
        return
    years = {academic_year(request.start), academic_year(min(request.end, today))}
    for first, _ in sorted(years):
        findings_refresh(trainee=request.trainee, day=first)


# --- linking logged hours ---------------------------------------------------------------------


def entry_link(*, period: LoggedPeriod, approval: MoonlightingRequest | None) -> None:
    """Note which approval a logged moonlighting period was logged against (None: no link).
    The hours form (PeriodWithApprovalForm) has checked that the approval covers its days."""
    if approval is None:
        MoonlightingEntry.objects.filter(period=period).delete()
        return
    MoonlightingEntry.objects.update_or_create(period=period, defaults={"request": approval})
