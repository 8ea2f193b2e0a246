"""Writes of evaluations: drafts, answers, one-time links, reminders, expiry and release.

An answer is taken whole or not at all: every item is checked first (a rating on the item's
scale, the required items answered), then the evaluation, its answers and the request's new
status are written in one transaction on the request's locked row. A second submit (a double
click, two tabs, two devices at once) finds the request answered and is told so; the database's
one-evaluation-per-request constraint refuses it even where rows cannot be locked (SQLite).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from rounds.assessment.errors import AnswersInvalid, AssessmentError
from rounds.assessment.models import (
    BY_LINK,
    Answer,
    Evaluation,
    EvaluationForm,
    EvaluationRequest,
    FormItem,
    OneTimeLink,
    ProgramEvaluationSettings,
)
from rounds.core.models import AuditEntry
from rounds.lib.links import absolute_url
from rounds.lib.today import today
from rounds.milestones.levels import NOT_ASSESSABLE
from rounds.people.models import Person, Trainee
from rounds.people.training import history_of, history_prefetch

NARRATIVE_MAX = 5000
ENDED = ("graduated", "withdrawn", "ended")
LINK_DAYS = 14


def settings_of(program_id: int) -> ProgramEvaluationSettings:
    found = ProgramEvaluationSettings.objects.filter(program_id=program_id).first()
    return found or ProgramEvaluationSettings(program_id=program_id)


# ---------------------------------------------------------------- checking answers


@dataclass(frozen=True)
class Checked:
    item: FormItem
    rating: Decimal | None = None
    not_assessable: bool = False
    yes_no: bool | None = None
    text: str = ""


def answers_check(items: list[FormItem], posted: Mapping[str, Any]) -> list[Checked]:
    """Each item's answer from posted fields `item-<position>`, or AnswersInvalid naming every
    item whose answer cannot be taken."""
    errors: dict[int, str] = {}
    out: list[Checked] = []
    for item in items:
        raw = str(posted.get(f"item-{item.position}", "") or "").strip()
        try:
            out.append(_check_one(item, raw))
        except AssessmentError as error:
            errors[item.position] = error.message
    if errors:
        raise AnswersInvalid(errors)
    return out


def _check_one(item: FormItem, raw: str) -> Checked:
    if not raw:
        if item.required:
            raise AssessmentError("Answer this item; it is required.")
        return Checked(item)
    if item.kind == FormItem.Kind.NARRATIVE:
        if len(raw) > NARRATIVE_MAX:
            raise AssessmentError(f"At most {NARRATIVE_MAX} characters, not {len(raw)}.")
        return Checked(item, text=raw)
    if item.kind == FormItem.Kind.YES_NO:
        if raw.lower() not in ("yes", "no"):
            raise AssessmentError(f"Answer yes or no, not {raw[:20]!r}.")
        return Checked(item, yes_no=raw.lower() == "yes")
    if raw.upper() == NOT_ASSESSABLE and item.allow_not_assessable:
        return Checked(item, not_assessable=True)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise AssessmentError(f"{raw[:20]!r} is not a rating.") from None
    low, high, step = item.scale_min, item.scale_max, item.scale_step
    if not value.is_finite() or not low <= value <= high or (value - low) % step != 0:
        raise AssessmentError(
            f"A rating is from {_plain(low)} to {_plain(high)} in steps of {_plain(step)}; "
            f"{raw[:20]} is outside the scale."
        )
    return Checked(item, rating=value)


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


# ---------------------------------------------------------------- drafts and submission


def draft_save(*, request: EvaluationRequest, posted: Mapping[str, Any]) -> None:
    """Keep what is typed so far, checked or not; only an open request keeps a draft."""
    answers = {
        key: str(value)[:NARRATIVE_MAX]
        for key, value in posted.items()
        if key.startswith("item-") and isinstance(value, str)
    }
    saved = EvaluationRequest.objects.filter(
        pk=request.pk, status=EvaluationRequest.Status.PENDING
    ).update(draft=answers, draft_saved_at=timezone.now())
    if not saved:
        raise AssessmentError(_closed_message(EvaluationRequest.objects.get(pk=request.pk)))


def _closed_message(request: EvaluationRequest) -> str:
    if request.status == EvaluationRequest.Status.COMPLETED:
        return "This evaluation was already submitted; it cannot be answered twice."
    if request.status == EvaluationRequest.Status.EXPIRED:
        return _expired_message(request)
    return "This request was withdrawn; nothing to answer."


def _expired_message(request: EvaluationRequest) -> str:
    return f"This request expired on {request.expires_on:%b %-d, %Y}; it can no longer be answered."


def request_refusal(request: EvaluationRequest, *, day: date | None = None) -> str | None:
    """Why this request cannot be answered now, or None."""
    day = day or today()
    if request.status != EvaluationRequest.Status.PENDING:
        return _closed_message(request)
    if request.expires_on < day:
        return _expired_message(request)
    if request.trainee_id is not None:
        trainee = (
            Trainee.objects.prefetch_related(*history_prefetch())
            .select_related("person")
            .get(pk=request.trainee_id)
        )
        history = history_of(trainee)
        if history.status_on(day) in ("withdrawn",) or not history.in_training_during(
            request.period_start, request.period_end
        ):
            return (
                f"{trainee.person.full_name} is no longer in training; this request was "
                "withdrawn and needs no answer."
            )
    return None


def evaluation_submit(
    *,
    request: EvaluationRequest,
    posted: Mapping[str, Any],
    by: Any,
    link: OneTimeLink | None = None,
) -> Evaluation:
    """Answer `request` with the posted items; AssessmentError (nothing written) when it cannot
    be answered or an answer is off the form."""
    items = list(request.form_version.items.order_by("position"))
    checked = answers_check(items, posted)
    try:
        with transaction.atomic():
            locked = EvaluationRequest.objects.select_for_update().get(pk=request.pk)
            refusal = request_refusal(locked)
            if refusal:
                raise AssessmentError(refusal)
            if link is not None and not _link_usable(link):
                raise AssessmentError("This link was already used or has expired.")
            evaluation = _write_evaluation(locked, checked)
            if link is not None:
                used = OneTimeLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
                if not used:
                    raise AssessmentError("This link was already used.")
            AuditEntry.objects.create(
                actor=by if getattr(by, "is_authenticated", False) else None,
                action="evaluation_submit",
                object_type="evaluation",
                object_id=str(evaluation.pk),
                summary=f"Answered request {locked.pk} ({locked.get_evaluator_kind_display()})",
                changes={},
            )
    except IntegrityError:
        raise AssessmentError(
            "This evaluation was already submitted; it cannot be answered twice."
        ) from None
    return evaluation


def _write_evaluation(request: EvaluationRequest, checked: list[Checked]) -> Evaluation:
    now = timezone.now()
    day = today()
    rules = settings_of(request.program_id)
    comments = "\n\n".join(c.text for c in checked if c.text)
    evaluation = Evaluation.objects.create(
        request=request,
        form_version_id=request.form_version_id,
        submitted_at=now,
        submitted_on=day,
        released_on=day + timedelta(days=rules.release_after_days),
        comments=comments,
    )
    Answer.objects.bulk_create(
        Answer(
            evaluation=evaluation,
            item=c.item,
            rating=c.rating,
            not_assessable=c.not_assessable,
            yes_no=c.yes_no,
            text=c.text,
        )
        for c in checked
    )
    updated = EvaluationRequest.objects.filter(
        pk=request.pk, status=EvaluationRequest.Status.PENDING
    ).update(status=EvaluationRequest.Status.COMPLETED, draft={}, revision=request.revision + 1)
    if not updated:
        raise IntegrityError("request no longer open")
    return evaluation


def evaluation_release_now(*, evaluation: Evaluation, by: Any) -> None:
    """Program staff release an evaluation to its trainee before the delay runs out."""
    with transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk, released_on__gt=today()).update(
            released_on=today()
        )
        AuditEntry.objects.create(
            actor=by if getattr(by, "is_authenticated", False) else None,
            action="evaluation_release",
            object_type="evaluation",
            object_id=str(evaluation.pk),
            summary=f"Released evaluation {evaluation.pk} to its trainee",
            changes={},
        )


# ---------------------------------------------------------------- one-time links (360)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_request_create(
    *,
    form: EvaluationForm,
    trainee: Trainee,
    evaluator_label: str,
    by: Any,
    days_valid: int = LINK_DAYS,
) -> tuple[EvaluationRequest, str]:
    """A request for a nurse, staff member or patient, answered through a one-time link.
    Returns the request and the link (the token is shown once and stored only as a digest)."""
    if form.evaluator_kind not in BY_LINK:
        raise AssessmentError("One-time links are for nurses, other staff and patients.")
    version = form.published_version()
    if version is None:
        raise AssessmentError(f"{form} has no published version yet.")
    day = today()
    history = history_of(trainee)
    if not history.in_training_on(day):
        raise AssessmentError(
            f"{trainee.person.full_name} is not in training today; no evaluation can be asked."
        )
    token = secrets.token_urlsafe(32)
    expires = timezone.make_aware(datetime.combine(day + timedelta(days=days_valid), time(23, 59)))
    with transaction.atomic():
        request = EvaluationRequest.objects.create(
            program=form.program,
            form_version=version,
            evaluator_kind=form.evaluator_kind,
            evaluator_label=evaluator_label.strip()[:120] or form.get_evaluator_kind_display(),
            trainee=trainee,
            period_start=day - timedelta(days=28),
            period_end=day,
            month=day.replace(day=1),
            sent_on=day,
            expires_on=day + timedelta(days=days_valid),
        )
        OneTimeLink.objects.create(
            request=request, token_digest=token_digest(token), expires_at=expires, created_by=by
        )
        AuditEntry.objects.create(
            actor=by if getattr(by, "is_authenticated", False) else None,
            action="link_create",
            object_type="evaluationrequest",
            object_id=str(request.pk),
            summary=f"One-time link for {request.evaluator_label} about {trainee.person.full_name}",
            changes={},
        )
    return request, absolute_url("assessment:link", token)


def _link_expired(link: OneTimeLink) -> bool:
    # By the institution's day (rounds.lib.today), like every other date here.
    return timezone.localdate(link.expires_at) < today() or link.request.expires_on < today()


def _link_usable(link: OneTimeLink) -> bool:
    return link.used_at is None and not _link_expired(link)


def link_find(token: str) -> OneTimeLink | None:
    if not token or len(token) > 100:
        return None
    return (
        OneTimeLink.objects.select_related("request__form_version", "request__trainee__person")
        .filter(token_digest=token_digest(token))
        .first()
    )


def link_refusal(link: OneTimeLink | None) -> str | None:
    if link is None:
        return "This link does not open anything. Check that it was copied whole."
    if link.used_at is not None:
        return "This link was already used: thank you, the evaluation was received."
    if _link_expired(link):
        return "This link has expired. Ask the person who sent it for a new one."
    return None


# ---------------------------------------------------------------- the daily job's other work


def requests_expire(*, day: date) -> int:
    return EvaluationRequest.objects.filter(
        status=EvaluationRequest.Status.PENDING, expires_on__lt=day
    ).update(status=EvaluationRequest.Status.EXPIRED)


def requests_withdraw_left(*, day: date) -> int:
    """Open requests about a trainee who has left training (withdrawn, graduated and past the
    request's period) are withdrawn, so no one is asked about them."""
    open_about = EvaluationRequest.objects.filter(
        status=EvaluationRequest.Status.PENDING, trainee__isnull=False
    ).values_list("pk", "trainee_id", "period_start", "period_end")
    rows = list(open_about)
    trainees = Trainee.objects.filter(pk__in={r[1] for r in rows}).prefetch_related(
        *history_prefetch()
    )
    histories = {t.pk: history_of(t) for t in trainees}
    gone = [
        pk
        for pk, trainee_id, start, end in rows
        if histories[trainee_id].status_on(day) == "withdrawn"
        or not histories[trainee_id].in_training_during(start, end)
    ]
    return EvaluationRequest.objects.filter(pk__in=gone).update(
        status=EvaluationRequest.Status.CANCELLED
    )


def reminders_send(*, day: date) -> int:
    """One email per evaluator with every open request past its reminder interval (never one
    email per request). Returns the number of emails sent."""
    due: dict[int, list[EvaluationRequest]] = {}
    rules: dict[int, ProgramEvaluationSettings] = {}
    pending = EvaluationRequest.objects.filter(
        status=EvaluationRequest.Status.PENDING, evaluator__isnull=False, expires_on__gte=day
    ).select_related("trainee__person", "faculty__person", "rotation__site")
    for request in pending:
        if request.program_id not in rules:
            rules[request.program_id] = settings_of(request.program_id)
        last = request.reminded_on or request.sent_on
        if (day - last).days >= rules[request.program_id].remind_every_days:
            due.setdefault(request.evaluator_id, []).append(request)  # type: ignore[arg-type]
    people = Person.objects.in_bulk(list(due))
    for person_id, requests in due.items():
        _remind(people[person_id], requests)
        EvaluationRequest.objects.filter(pk__in=[r.pk for r in requests]).update(reminded_on=day)
        for r in requests:
            EvaluationRequest.objects.filter(pk=r.pk).update(reminders=r.reminders + 1)
    return len(due)


def _remind(person: Person, requests: list[EvaluationRequest]) -> None:
    lines = [f"- {r} (answer by {r.expires_on:%b %-d})" for r in requests]
    send_mail(
        subject=f"{len(requests)} evaluation{'s' if len(requests) != 1 else ''} waiting for you",
        message=(
            f"Hello {person.first_name},\n\nThese evaluations are waiting; each takes about a "
            "minute:\n\n"
            + "\n".join(lines)
            + f"\n\nYour queue: {absolute_url('assessment:home')}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[person.email],
        fail_silently=True,
    )
