"""Speaking up: raise, answer and read concerns. Every read by the GME office is audited.

For an anonymous concern nothing written here names the reporter: the concern and the reporter's
messages have no user and carry days, not times, and the reporter's own actions write no audit
row at all (an audit row's exact time could be matched against other traces of a signed-in
user). The GME office's reads and answers are audited, each one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from rounds.concerns.models import Concern, ConcernHandler, ConcernMessage
from rounds.core.models import AuditEntry
from rounds.core.services import audit_record
from rounds.lib.idempotency import AlreadySubmitted, submit_once
from rounds.lib.links import absolute_url


class ConcernError(Exception):
    """A concern action that cannot be done, with a sentence saying why and what to do."""


def new_code() -> str:
    """100 random bits as 20 base-32 letters and digits, in groups of five for reading aloud."""
    return _code_of(secrets.token_bytes(15))


def code_for_form(token: str, today: date) -> str:
    """The code of an anonymous concern raised with the form that carried `token` today.

    The same form sent twice the same day (a double click, a resubmit) gets the same code, so
    the database's unique code digest refuses the second concern and the second response can
    show the reporter the code of the first: a browser shows only the last response. Nothing
    about the token is stored; it is random, lives only in the reporter's page, and is mixed
    with the server's secret and the day, so after the day a resend is a new concern and no
    longer leads to the old code (docs/privacy.md, "Sent twice")."""
    mac = salted_hmac(
        "rounds.concerns.anonymous-code", f"{token}|{today.isoformat()}", algorithm="sha256"
    )
    return _code_of(mac.digest()[:15])


def _code_of(secret: bytes) -> str:
    raw = base64.b32encode(secret).decode()[:20]
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(cleaned[i : i + 5] for i in range(0, len(cleaned), 5))


def code_digest(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


@dataclass
class Raised:
    concern: Concern
    code: str | None  # shown once to an anonymous reporter, never stored


def concern_raise(
    *,
    reporter: Any,
    category: str,
    subject: str,
    body: str,
    program: Any,
    anonymous: bool,
    today: date,
    token: str = "",
) -> Raised:
    """Raise a concern. Sent twice with the same form `token`, it is raised once: by name
    through the stored token (rounds.lib.idempotency); anonymously through a code derived from
    the token, so that nothing about the send is stored (`code_for_form`)."""
    if not body.strip():
        raise ConcernError("Write what happened, so the GME office can help.")

    def create(code: str | None) -> Concern:
        return _concern_create(
            reporter=reporter, category=category, subject=subject, body=body,
            program=program, anonymous=anonymous, code=code, today=today,
        )  # fmt: skip

    code: str | None = None
    if anonymous and token:
        code = code_for_form(token, today)
        concern, first = _raise_once_by_code(
            lambda: create(code), code, category, subject, body, program
        )
        if concern is None:  # the same form sent again with other words: a concern of its own
            code = new_code()
            concern, first = create(code), True
    elif anonymous:
        code = new_code()
        concern, first = create(code), True
    else:
        try:
            concern, first = submit_once(
                token=token,
                scope="concerns.raise",
                by=reporter,
                model=Concern,
                write=lambda: create(None),
            )
        except AlreadySubmitted as error:
            raise ConcernError(error.message) from None
    if first:
        _notify_handlers(concern)
    return Raised(concern, code)


def _raise_once_by_code(
    create: Callable[[], Concern],
    code: str,
    category: str,
    subject: str,
    body: str,
    program: Any,
) -> tuple[Concern | None, bool]:
    """Create the concern unless one with this code exists (the unique digest decides, and on
    PostgreSQL a simultaneous second send waits for the first to commit before it is refused).
    Returns the existing one only if it says the same thing (a true double send), else None."""
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = concern_by_code(code)
    if existing is None:
        return None, False
    opening = existing.messages.order_by("pk").values_list("body", flat=True).first()
    program_id = program.pk if program is not None else None
    same = (existing.category, existing.subject, existing.program_id, opening) == (
        category,
        subject,
        program_id,
        body,
    )
    return (existing, False) if same else (None, False)


def _concern_create(
    *,
    reporter: Any,
    category: str,
    subject: str,
    body: str,
    program: Any,
    anonymous: bool,
    code: str | None,
    today: date,
) -> Concern:
    with transaction.atomic():
        concern = Concern.objects.create(
            category=category,
            subject=subject,
            program=program,
            anonymous=anonymous,
            reporter=None if anonymous else reporter,
            code_digest=code_digest(code) if code else None,
            raised_on=today,
        )
        ConcernMessage.objects.create(concern=concern, body=body, sent_on=today)
        if not anonymous:
            _audit(
                by=reporter,
                action="concern_raise",
                concern=concern,
                summary=f"concern {concern.reference} raised by name",
            )
    return concern


def concern_by_code(code: str) -> Concern | None:
    if len(normalise_code(code)) != 23:
        return None
    return Concern.objects.filter(code_digest=code_digest(code)).first()


def concern_reply_reporter(*, concern: Concern, body: str, by: Any, today: date) -> None:
    """The reporter writes back. `by` is ignored for anonymous concerns: nothing records it."""
    if concern.status == Concern.Status.CLOSED:
        raise ConcernError(
            "This conversation is closed. If something new happened, raise a new concern."
        )
    if not body.strip():
        raise ConcernError("Write a message before sending.")
    with transaction.atomic():
        ConcernMessage.objects.create(concern=concern, body=body, sent_on=today)
        if not concern.anonymous:
            _audit(
                by=by,
                action="concern_reply",
                concern=concern,
                summary=f"reporter wrote on concern {concern.reference}",
            )
    _notify_handlers(concern)


def concern_reply_office(*, concern: Concern, body: str, by: Any, today: date) -> None:
    if not body.strip():
        raise ConcernError("Write a message before sending.")
    with transaction.atomic():
        ConcernMessage.objects.create(
            concern=concern, body=body, from_office=True, author=by, sent_on=today
        )
        if concern.status == Concern.Status.NEW:
            concern.status = Concern.Status.OPEN
            concern.save(update_fields=["status"])
        _audit(
            by=by,
            action="concern_answer",
            concern=concern,
            summary=f"GME office answered concern {concern.reference}",
        )
    if concern.reporter is not None and concern.reporter.email:
        # The reply itself stays in Rounds; the email only says there is one.
        send_mail(
            f"A reply to your concern {concern.reference}",
            "The GME office answered your concern. Sign in to Rounds to read it: "
            f"{absolute_url('concerns:mine_detail', concern.pk)}",
            None,
            [concern.reporter.email],
            fail_silently=True,
        )


def concern_status_set(*, concern: Concern, status: str, by: Any) -> None:
    with transaction.atomic():
        before = concern.status
        concern.status = status
        concern.save(update_fields=["status"])
        _audit(
            by=by,
            action="update",
            concern=concern,
            summary=f"concern {concern.reference} {concern.get_status_display().lower()}",
            changes={"status": {"from": before, "to": status}},
        )


def concern_view_record(*, concern: Concern | None, by: Any, what: str) -> None:
    """One audit row per look at a concern (or at the list, when `concern` is None)."""
    _audit(by=by, action="concern_view", concern=concern, summary=what)


def _audit(
    *,
    by: Any,
    action: str,
    concern: Concern | None,
    summary: str,
    changes: dict[str, Any] | None = None,
) -> None:
    """An audit row naming the concern by its random reference, never its row id: ids are
    sequential, and an anonymous concern's id between two named ones (whose raising is audited
    to the second) would date it."""
    AuditEntry.objects.create(
        actor=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        object_type="concern",
        object_id=concern.reference if concern is not None else "",
        summary=summary[:300],
        changes=changes or {},
    )


def handler_set(*, user: Any, designated: bool, by: Any) -> None:
    with transaction.atomic():
        if designated:
            handler, _ = ConcernHandler.objects.get_or_create(user=user)
        else:
            handler = ConcernHandler.objects.filter(user=user).first() or ConcernHandler(user=user)
            ConcernHandler.objects.filter(user=user).delete()
        audit_record(
            by=by,
            action="update",
            instance=handler,
            summary=f"{user} {'now handles' if designated else 'no longer handles'} concerns",
            changes={"designated": designated},
        )


def _notify_handlers(concern: Concern) -> None:
    """Mark the concern for the next daily notice; nothing is sent now (see the model)."""
    Concern.objects.filter(pk=concern.pk).update(office_notice_due=True)


def concern_notices_send(*, today: date) -> int:
    """The daily notice to handlers: how many concerns have something new, dated by the day
    only, without subjects or content. Run once a day by `manage.py concerns_notify`, so the
    email's own time says when the command ran, not when anyone wrote. Returns how many."""
    with transaction.atomic():
        due = list(
            Concern.objects.select_for_update()
            .filter(office_notice_due=True)
            .values_list("pk", flat=True)
        )
        if not due:
            return 0
        Concern.objects.filter(pk__in=due).update(office_notice_due=False)
    emails = list(
        ConcernHandler.objects.exclude(user__email="").values_list("user__email", flat=True)
    )
    if emails:
        n = len(due)
        send_mail(
            f"Concerns: {n} with new messages ({today:%d %B %Y})",
            f"{n} concern{'s have' if n != 1 else ' has'} new messages from reporters since the "
            "last notice. Sign in to Rounds and open Concerns to read them.",
            None,
            emails,
            fail_silently=True,
        )
    return len(due)
