"""Sign-in as a hospital's security reviewer probes it: guessing, weak passwords, idle sessions."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.people.auth import SEEN_AT, SIGNED_IN_AT
from tests.people import PASSWORD, SmallInstitution

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/accounts/login/"


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.7") -> Any:
    # The sign-in form is django-allauth's: the username is posted as "login".
    return client.post(
        LOGIN, {"login": username, "password": password}, REMOTE_ADDR=address, follow=True
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- throttling and lockout ---------------------------------------------------------------------


def test_thirty_wrong_passwords_then_the_right_one_is_refused(small: SmallInstitution) -> None:
    client = Client()
    for attempt in range(30):
        sign_in(client, "resident", f"guess-{attempt}")
    page = sign_in(client, "resident", PASSWORD)
    assert page.status_code == 429
    text = page.content.decode()
    assert "Sign-in paused" in text and "You can try again at" in text
    assert "GME office" in text
    assert not signed_in(client)
    assert client.get("/staff/me/").status_code == 302  # still sent to sign in
    # Five failures counted; the rest were refused without checking the password.
    assert AuditEntry.objects.filter(action="signin.failed").count() == 5
    assert AuditEntry.objects.filter(action="signin.locked").count() == 1
    assert AuditEntry.objects.filter(action="signin.refused").count() == 26
    assert not AuditEntry.objects.filter(action="signin").exists()


def test_a_locked_account_stays_locked_from_another_address(small: SmallInstitution) -> None:
    for attempt in range(5):
        sign_in(Client(), "pd.im", f"guess-{attempt}", address="10.0.0.7")
    elsewhere = sign_in(Client(), "pd.im", PASSWORD, address="10.9.9.9")
    assert elsewhere.status_code == 429
    # Another account from the first address is not held by pd.im's lock.
    assert sign_in(Client(), "coord.im", PASSWORD, address="10.0.0.7").status_code == 200


def test_an_address_trying_many_accounts_is_locked_but_others_sign_in(
    small: SmallInstitution, settings: Any
) -> None:
    settings.ROUNDS_SIGNIN_ADDRESS_FAILURES = 10
    for username in ["resident", "resident2", "fellow", "faculty", "wellness"]:
        for attempt in range(2):  # two per account: no account reaches its own limit
            sign_in(Client(), username, f"guess-{attempt}", address="10.6.6.6")
    client = Client()
    assert sign_in(client, "gme", PASSWORD, address="10.6.6.6").status_code == 429
    assert not signed_in(client)
    client = Client()
    assert sign_in(client, "gme", PASSWORD, address="10.1.2.3").status_code == 200
    assert signed_in(client)


def test_a_right_password_before_the_limit_signs_in_and_forgives(small: SmallInstitution) -> None:
    for attempt in range(4):
        sign_in(Client(), "resident", f"guess-{attempt}")
    client = Client()
    sign_in(client, "resident", PASSWORD)
    assert signed_in(client)
    assert not AccessAttempt.objects.filter(username="resident").exists()


def test_the_gme_office_lifts_a_pause_and_it_is_audited(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    for attempt in range(5):
        sign_in(Client(), "resident", f"guess-{attempt}")
    assert client_as("pd.im").get("/accounts/locks/").status_code == 403
    office = client_as("gme")
    assert 'href="/accounts/locks/"' in office.get("/staff/").content.decode()
    page = office.get("/accounts/locks/").content.decode()
    assert "Account <strong>resident</strong>" in page
    office.post("/accounts/locks/", {"kind": "account", "value": "resident"})
    assert "No sign-in is paused now" in office.get("/accounts/locks/").content.decode()
    client = Client()
    sign_in(client, "resident", PASSWORD)
    assert signed_in(client)
    unlock = AuditEntry.objects.get(action="signin.unlock")
    assert unlock.actor == small.users["gme"] and "resident" in unlock.summary


def test_the_command_line_lifts_a_pause_too(small: SmallInstitution) -> None:
    for attempt in range(5):
        sign_in(Client(), "resident", f"guess-{attempt}")
    call_command("axes_reset_username", "resident")
    client = Client()
    sign_in(client, "resident", PASSWORD)
    assert signed_in(client)


# --- the audit ----------------------------------------------------------------------------------


def test_sign_in_failure_and_sign_out_are_audited_without_the_password(
    small: SmallInstitution,
) -> None:
    sign_in(Client(), "resident", "my-secret-typo-77", address="10.4.4.4")
    sign_in(Client(), "no.such.person", "another-secret-88", address="10.4.4.5")
    client = Client()
    sign_in(client, "resident", PASSWORD, address="10.4.4.4")
    client.post("/accounts/logout/", REMOTE_ADDR="10.4.4.4")

    failed = AuditEntry.objects.filter(action="signin.failed").order_by("pk")
    assert [(e.changes["username"], e.changes["address"]) for e in failed] == [
        ("resident", "10.4.4.4"),
        ("no.such.person", "10.4.4.5"),
    ]
    assert all(e.actor is None for e in failed)
    signin = AuditEntry.objects.get(action="signin")
    assert signin.actor == small.users["resident"] and signin.changes["address"] == "10.4.4.4"
    assert AuditEntry.objects.get(action="signout").actor == small.users["resident"]
    everything = " ".join(f"{e.summary} {e.changes}" for e in AuditEntry.objects.all())
    for secret in ("my-secret-typo-77", "another-secret-88", PASSWORD):
        assert secret not in everything
    # Axes' own records mask it too.
    assert "my-secret-typo-77" not in " ".join(a.post_data for a in AccessAttempt.objects.all())


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(
    small: SmallInstitution, settings: Any
) -> None:
    settings.ROUNDS_PROXY_COUNT = 1
    # The client may put anything in X-Forwarded-For; only the entry our proxy appended counts.
    Client().post(
        LOGIN,
        {"login": "resident", "password": "wrong-one"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.20.30.40",
    )
    assert AuditEntry.objects.get(action="signin.failed").changes["address"] == "10.20.30.40"
    assert AccessAttempt.objects.get().ip_address == "10.20.30.40"


# --- passwords ----------------------------------------------------------------------------------


def refusals(password: str, user: Any = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


@pytest.mark.parametrize(
    "password",
    ["Summer2026!", "Summer2026!!!", "summer-2026", "W1nter2027#", "2026October", "Monday25"],
)
def test_season_month_and_year_passwords_are_refused(password: str) -> None:
    assert "A season, month or day with a year is among the first passwords anyone tries." in (
        refusals(password)
    )


def test_the_persons_own_name_is_refused(small: SmallInstitution) -> None:
    ana = small.users["resident"]  # Ana Alvarez, her name only on people.Person
    assert not ana.first_name and not ana.last_name
    for password in ["Alvarez-rounds-2026", "ana.on.nights.42", "4LV4R3Z-is-my-name"]:
        assert "Your password cannot contain your name or username." in refusals(password, ana)
    # A short name inside another word is a coincidence; a long passphrase passes.
    assert refusals("banana-split-on-tuesdays", ana) == []


def test_a_new_password_chosen_through_the_reset_page_is_checked(
    small: SmallInstitution, mailoutbox: list[Any]
) -> None:
    client = Client()
    client.post(reverse("password_reset"), {"email": "resident@example.org"})
    link = next(word for word in mailoutbox[0].body.split() if "/accounts/reset/" in word)
    form_page = client.get(link, follow=True)
    url = form_page.redirect_chain[-1][0]
    refused = client.post(url, {"new_password1": "Summer2026!!", "new_password2": "Summer2026!!"})
    assert "season, month or day with a year" in refused.content.decode()
    refused = client.post(
        url, {"new_password1": "Alvarez-rounds-77", "new_password2": "Alvarez-rounds-77"}
    )
    assert "cannot contain your name" in refused.content.decode()
    assert not Client().login(username="resident", password="Summer2026!!")


# --- idle timeout and lifetime ------------------------------------------------------------------


def age_session(client: Client, *, idle_minutes: int = 0, signed_in_hours: int = 0) -> None:
    session = client.session
    session[SEEN_AT] = int(session[SEEN_AT]) - idle_minutes * 60
    session[SIGNED_IN_AT] = int(session[SIGNED_IN_AT]) - signed_in_hours * 3600
    session.save()


def test_staff_are_signed_out_after_fifteen_idle_minutes(small: SmallInstitution) -> None:
    client = Client()
    sign_in(client, "pd.im", PASSWORD)
    age_session(client, idle_minutes=16)
    page = client.get("/staff/", follow=True)
    assert page.redirect_chain[-1][0].startswith(LOGIN)
    assert "You were signed out after 15 minutes without activity" in page.content.decode()
    assert not signed_in(client)
    assert AuditEntry.objects.get(action="signout.idle").actor == small.users["pd.im"]


def test_trainees_keep_thirty_minutes(small: SmallInstitution) -> None:
    client = Client()
    sign_in(client, "resident", PASSWORD)
    age_session(client, idle_minutes=16)
    assert client.get("/wellness/").status_code == 200
    age_session(client, idle_minutes=31)
    assert client.get("/wellness/").status_code == 302
    assert not signed_in(client)


def test_a_busy_session_still_ends_after_its_lifetime(small: SmallInstitution) -> None:
    client = Client()
    sign_in(client, "resident", PASSWORD)
    age_session(client, signed_in_hours=13)
    page = client.get("/staff/me/", follow=True)
    assert "You were signed out after 12 hours signed in" in page.content.decode()


def test_an_htmx_request_after_the_timeout_sends_the_whole_tab_to_sign_in(
    small: SmallInstitution,
) -> None:
    client = Client()
    sign_in(client, "gme", PASSWORD)
    age_session(client, idle_minutes=16)
    response = client.get(
        "/staff/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/staff/audit/?page=2",
    )
    assert response["HX-Redirect"].startswith(LOGIN)
    assert response["HX-Redirect"] == "/accounts/login/?next=/staff/audit/%3Fpage%3D2"


# --- production email ---------------------------------------------------------------------------


def manage_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "EMAIL_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean
        | env
        | {
            "DJANGO_SECRET_KEY": "x" * 30 + "not-a-real-secret-but-long-and-varied-0123456789",
            "DJANGO_ALLOWED_HOSTS": "rounds.example.org",
            "ROUNDS_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_an_email_backend(tmp_path: Path) -> None:
    result = manage_check(tmp_path)
    assert result.returncode != 0
    assert "EMAIL_BACKEND must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_refuses_the_console_email_backend(tmp_path: Path) -> None:
    result = manage_check(tmp_path, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert result.returncode != 0
    assert "delivers no mail" in result.stderr
