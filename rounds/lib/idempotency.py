"""A form sent twice writes once.

A double click, a resubmit after a slow answer or the back button can send the same form again.
Every form that creates something carries a random token, drawn with the page by the template
tag `{% submit_token %}` (rounds/core/templatetags/submit_token.py). The service that writes
passes it to `submit_once`, which claims the token in a table with a unique constraint, in the
same transaction as the write:

- the first send claims it, writes, and notes what it made;
- a second send of the same token cannot claim it (the database refuses the duplicate, and on
  PostgreSQL waits for the first transaction to finish before refusing), so it writes nothing
  and gets back what the first one made;
- a send whose write is refused (a domain error) rolls its claim back with it, so the person can
  correct the form and send it again.

A request without a token (an old page, a script) is written as before; the database's own
constraints still refuse what must never be doubled (overlapping hours, two leave spans).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

FIELD = "submit_token"
KEEP = timedelta(days=1)  # a double send comes within seconds; a day is generous
_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")

M = TypeVar("M", bound=models.Model)


class AlreadySubmitted(Exception):
    """The token was used already, but its first result cannot be returned."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_from(data: Mapping[str, Any]) -> str:
    """The form's token from posted data (`request.POST`); "" when absent or malformed."""
    raw = data.get(FIELD, "")
    return raw if isinstance(raw, str) and _SHAPE.fullmatch(raw) else ""


def submit_once(
    *, token: str, scope: str, by: Any, model: type[M], write: Callable[[], M]
) -> tuple[M, bool]:
    """Run `write` once per token; returns (what it made, True) the first time and
    (what the first send made, False) for every later send of the same token."""
    if not token:
        return write(), True
    from rounds.core.models import SubmitToken

    user = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = SubmitToken.objects.create(token=token, scope=scope, user=user)
        except IntegrityError:
            return _first_result(token=token, scope=scope, user=user, model=model), False
        result = write()
        claim.result_pk = str(result.pk)
        claim.save(update_fields=["result_pk"])
        if user is not None:
            SubmitToken.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()
    return result, True


def made_earlier(*, token: str, scope: str, by: Any, model: type[M]) -> M | None:
    """What an earlier send of this token made, or None. For a form whose own validation would
    refuse its second send (a name already taken by the first one): the page can answer as it
    did the first time instead."""
    from rounds.core.models import SubmitToken

    if not token:
        return None
    user = by if getattr(by, "is_authenticated", False) else None
    claim = SubmitToken.objects.filter(
        token=token, scope=scope, user=user, result_pk__gt=""
    ).first()
    if claim is None:
        return None
    return model._default_manager.filter(pk=claim.result_pk).first()


def tokens_purge(*, now: datetime | None = None) -> int:
    """Delete every claimed token older than KEEP, whoever's (`manage.py purge_tokens`, daily):
    a person's old tokens also go when they send a new one, but those of people who never
    send again would stay for good. Returns how many were deleted."""
    from rounds.core.models import SubmitToken

    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = SubmitToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _first_result(*, token: str, scope: str, user: Any, model: type[M]) -> M:
    from rounds.core.models import SubmitToken

    claim = SubmitToken.objects.get(token=token)
    if claim.scope != scope or claim.user_id != (user.pk if user is not None else None):
        raise AlreadySubmitted("This form was already used. Reload the page and try again.")
    found = model._default_manager.filter(pk=claim.result_pk).first()
    if found is None:
        raise AlreadySubmitted(
            "This form was already sent, and what it saved has been removed since. Reload "
            "the page to see where things stand."
        )
    return found
