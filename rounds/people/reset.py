"""Password-reset requests, throttled per email and per address.

Django's reset view sends a mail to whatever address is typed, as often as it is asked: a way to
flood someone's inbox, or to keep trying from one machine. Each request is noted
(people.ResetRequest: keyed digests of the email and the address, and the time); past
ROUNDS_RESET_PER_EMAIL requests for one email, or ROUNDS_RESET_PER_ADDRESS from one address,
within ROUNDS_RESET_WINDOW_MINUTES, the page refuses with a sentence saying when to try again.

The notes live in the database, shared by every web process like django-axes' sign-in attempts
(a per-process cache would let each process count on its own). Nothing depends on whether an
account has the email: it is noted, counted and answered alike, so the page never tells who has
an account. Notes older than the window are deleted as new ones come in.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from rounds.people.auth import client_address
from rounds.people.models import ResetRequest


class ResetThrottled(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _digest(kind: str, value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def reset_request_note(*, email: str, address: str, now: datetime | None = None) -> None:
    """Note a reset request, or raise ResetThrottled when its email or address asked too often."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.ROUNDS_RESET_WINDOW_MINUTES)
    by_email = _digest("email", email.strip().lower())
    by_address = _digest("address", address)
    with transaction.atomic():
        ResetRequest.objects.filter(created_at__lt=now - window).delete()
        recent = ResetRequest.objects.filter(created_at__gte=now - window)
        too_many = (
            recent.filter(email_digest=by_email).count() >= settings.ROUNDS_RESET_PER_EMAIL
            or recent.filter(address_digest=by_address).count() >= settings.ROUNDS_RESET_PER_ADDRESS
        )
        if too_many:
            minutes = settings.ROUNDS_RESET_WINDOW_MINUTES
            raise ResetThrottled(
                "Too many password-reset requests for this email or from this network. Wait "
                f"{minutes} minutes and try again; if no email comes then, ask the GME office."
            )
        ResetRequest.objects.create(
            email_digest=by_email, address_digest=by_address, created_at=now
        )


class ThrottledPasswordResetView(PasswordResetView):
    """Django's reset view, with the throttle in front of its mail."""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            reset_request_note(
                email=form.cleaned_data["email"], address=client_address(self.request)
            )
        except ResetThrottled as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
