"""A security key (WebAuthn) as second factor and as passkey, in chromium with its virtual
authenticator (the DevTools protocol's WebAuthn domain stands in for the key)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.core.models import AuditEntry
from tests.browser.conftest import assert_fits_width, screenshot
from tests.people import PASSWORD, SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def small(transactional_db: None, settings: Any) -> SmallInstitution:
    settings.ROUNDS_MFA_REQUIRED_ROLES = ["gme_office"]
    return build_small_institution()


def virtual_key(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def password_sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_the_gme_office_adds_a_security_key_then_signs_in_with_it(
    small: SmallInstitution, live_server: LiveServer, page: Page
) -> None:
    virtual_key(page)
    base = live_server.url
    password_sign_in(page, base, "gme")
    expect(page.get_by_text("Your role in Rounds needs a second factor")).to_be_visible()
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    page.get_by_label("Password").fill(PASSWORD)  # allauth asks again before adding a factor
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Office key")
    page.get_by_label("Passwordless").check()
    screenshot(page, "mfa-add-key-desktop")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Security key added.")).to_be_visible()
    # Recovery codes come with the first factor, shown to keep.
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    screenshot(page, "mfa-recovery-codes-desktop")
    assert Authenticator.objects.filter(user=small.users["gme"], type="webauthn").exists()
    page.goto(f"{base}/staff/")
    expect(page.get_by_role("heading", name="Welcome, Gme Tester")).to_be_visible()
    # Next time: the password, then the key.
    page.get_by_role("button", name="Sign out").click()
    password_sign_in(page, base, "gme")
    page.get_by_role("button", name="Use a security key").click()
    page.get_by_role("button", name="Trust for").click()
    expect(page.get_by_role("heading", name="Welcome, Gme Tester")).to_be_visible()
    # And as a passkey, with no password at all.
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", name="Welcome, Gme Tester")).to_be_visible()
    assert AuditEntry.objects.filter(action="signin", actor=small.users["gme"]).count() == 3


def test_the_second_factor_pages_fit_a_phone(
    small: SmallInstitution, live_server: LiveServer, phone_page: Page
) -> None:
    password_sign_in(phone_page, live_server.url, "gme")
    assert_fits_width(phone_page)
    screenshot(phone_page, "mfa-index-phone")
    phone_page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    phone_page.get_by_label("Password").fill(PASSWORD)
    phone_page.get_by_role("button", name="Confirm").click()
    expect(phone_page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    assert_fits_width(phone_page)
    screenshot(phone_page, "mfa-totp-activate-phone")
