"""Password-reset requests are throttled per email and per address, with a sentence saying what
to do, and the page answers the same whether or not an account has the email."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from rounds.people.models import ResetRequest
from tests.people import SmallInstitution

REFUSED = "Too many password-reset requests for this email or from this network."


def _ask(email: str, address: str = "10.0.0.1") -> tuple[int, str]:
    response = Client(REMOTE_ADDR=address).post(reverse("password_reset"), {"email": email})
    return response.status_code, response.content.decode()


def test_one_email_asked_for_too_often_is_refused_from_any_address(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_RESET_PER_EMAIL = 3
    for i in range(3):
        assert _ask("resident@example.org", f"10.0.1.{i}")[0] == 302
    assert len(mail.outbox) == 3
    status, page = _ask("Resident@Example.org ", "10.0.9.9")
    assert status == 429 and REFUSED in page and "ask the GME office" in page
    assert len(mail.outbox) == 3
    assert _ask("resident2@example.org", "10.0.9.9")[0] == 302  # another email is unaffected


def test_one_address_asking_for_many_emails_is_refused(small: SmallInstitution, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_RESET_PER_ADDRESS = 4
    for i in range(4):
        assert _ask(f"someone{i}@example.org", "10.0.0.7")[0] == 302
    assert _ask("resident@example.org", "10.0.0.7")[0] == 429
    assert not mail.outbox  # none of the four had an account; the resident's was refused
    assert _ask("resident@example.org", "10.0.0.8")[0] == 302
    assert len(mail.outbox) == 1


def test_the_answer_never_tells_whether_an_account_has_the_email(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_RESET_PER_EMAIL = 1
    known = [_ask("resident@example.org", "10.0.2.1"), _ask("resident@example.org", "10.0.2.2")]
    unknown = [
        _ask("nobody-here@example.org", "10.0.3.1"),
        _ask("nobody-here@example.org", "10.0.3.2"),
    ]
    assert [status for status, _ in known] == [status for status, _ in unknown] == [302, 429]
    assert _plain(known[1][1], "resident@") == _plain(unknown[1][1], "nobody-here@")


def _plain(page: str, typed: str) -> str:
    """The page without what differs by design: the email typed back, the CSRF token."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return page.replace(typed, "X@")


def test_requests_are_noted_without_the_email_or_the_address(small: SmallInstitution) -> None:
    _ask("resident@example.org", "10.0.4.4")
    note = ResetRequest.objects.get()
    assert "resident" not in note.email_digest and "10.0.4.4" not in note.address_digest
    assert len(note.email_digest) == len(note.address_digest) == 64
