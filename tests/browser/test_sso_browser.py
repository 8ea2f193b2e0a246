"""Sign-in through a real OpenID Connect provider (django-oidc-provider in a subprocess, see
tests/oidc_idp), in Debian's chromium: the hospital's sign-in, people matched by email or by
employee id, the second factor asked or not as the provider asserted it, and the clear pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.core.models import AuditEntry
from rounds.people.models import Person
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.oidc_idp.running import IDP_PASSWORD, RunningProvider, identity_provider
from tests.people import SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser

PEOPLE = {
    "ana.alvarez": {"email": "resident@example.org", "amr": ["pwd"]},
    "gme.office": {"email": "gme@example.org", "amr": ["pwd"]},
    "pd.im": {"email": "pd.im@example.org", "amr": ["pwd", "mfa"]},
    "no.role": {"email": "nobody@example.org", "amr": ["pwd"]},
    "stranger": {"email": "stranger@example.org", "amr": ["pwd"]},
    "cara.va": {"email": "cara.at.the.va@va.example", "employee_id": "VA-0042", "amr": ["pwd"]},
}


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory, live_server: LiveServer) -> Iterator[Any]:
    with identity_provider(tmp_path_factory.mktemp("idp"), live_server.url, PEOPLE) as running:
        yield running


@pytest.fixture
def small(transactional_db: None, idp: RunningProvider, settings: Any) -> SmallInstitution:
    settings.SOCIALACCOUNT_PROVIDERS = idp.rounds_providers()
    settings.ROUNDS_MFA_REQUIRED_ROLES = ["gme_office", "program_director", "program_coordinator"]
    return build_small_institution()


def sso_sign_in(page: Page, base: str, username: str, button: str = "Riverside Hospital") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {button}").click()
    # Now at the identity provider, on another port: its own sign-in form.
    expect(page.get_by_role("heading", name="Test hospital identity provider")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Sign in at the hospital").click()


def test_a_trainee_signs_in_through_the_hospital_and_lands_on_her_page(
    small: SmallInstitution, live_server: LiveServer, page: Page
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    screenshot(page, "sso-login-desktop")
    sso_sign_in(page, live_server.url, "ana.alvarez")
    expect(page).to_have_url(f"{live_server.url}/staff/me/")
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()
    assert AuditEntry.objects.filter(action="signin.linked", actor=small.users["resident"]).exists()
    assert AuditEntry.objects.filter(action="signin", actor=small.users["resident"]).exists()


def test_the_gme_office_is_asked_for_its_code_and_a_wrong_one_is_refused(
    small: SmallInstitution, live_server: LiveServer, page: Page
) -> None:
    secret = generate_totp_secret()
    TOTP.activate(small.users["gme"], secret)
    sso_sign_in(page, live_server.url, "gme.office")
    code = page.locator('input[name="code"]')
    expect(code).to_be_visible()
    screenshot(page, "sso-mfa-code-desktop")
    right = pyotp.TOTP(secret).now()
    code.fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    assert not AuditEntry.objects.filter(action="signin", actor=small.users["gme"]).exists()
    # The right code: in, and this browser may be trusted.
    page.locator('input[name="code"]').fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("button", name="Trust for").click()
    expect(page.get_by_role("heading", name="Welcome, Gme Tester")).to_be_visible()
    # Signed out and in again on this device: not asked again while it is trusted.
    # (The provider remembers its own session, so it asks nothing either.)
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with Riverside Hospital").click()
    expect(page.get_by_role("heading", name="Welcome, Gme Tester")).to_be_visible()
    assert AuditEntry.objects.filter(action="signin", actor=small.users["gme"]).count() == 2
    # Another device (a fresh browser) is asked.
    assert page.context.browser is not None
    other = page.context.browser.new_context().new_page()
    sso_sign_in(other, live_server.url, "gme.office")
    expect(other.locator('input[name="code"]')).to_be_visible()
    other.context.close()


def test_a_provider_that_asserted_mfa_is_not_asked_again(
    small: SmallInstitution, live_server: LiveServer, page: Page
) -> None:
    TOTP.activate(small.users["pd.im"], generate_totp_secret())
    sso_sign_in(page, live_server.url, "pd.im")
    expect(page.get_by_role("heading", name="Welcome, Pd.Im Tester")).to_be_visible()
    assert page.locator('input[name="code"]').count() == 0


def test_a_program_director_without_a_second_factor_must_set_one_up(
    small: SmallInstitution, live_server: LiveServer, page: Page
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("coord.im")
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text("Your role in Rounds needs a second factor")).to_be_visible()
    page.goto(f"{live_server.url}/staff/")
    expect(page.get_by_text("Your role in Rounds needs a second factor")).to_be_visible()
    screenshot(page, "mfa-required-desktop")


def test_someone_the_hospital_knows_but_rounds_does_not_gets_a_clear_page(
    small: SmallInstitution, live_server: LiveServer, page: Page
) -> None:
    sso_sign_in(page, live_server.url, "stranger")
    expect(page.get_by_role("heading", name="We could not find you in Rounds")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
    screenshot(page, "sso-unknown-desktop")
    page.goto(f"{live_server.url}/staff/me/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/staff/me/")


def test_a_person_with_no_role_gets_a_clear_page(
    small: SmallInstitution, live_server: LiveServer, phone_page: Page
) -> None:
    sso_sign_in(phone_page, live_server.url, "no.role")
    expect(phone_page.get_by_role("heading", name="You have no role in Rounds yet")).to_be_visible()
    assert_fits_width(phone_page)
    assert_accessible(phone_page)
    screenshot(phone_page, "sso-no-role-phone")


def test_the_affiliate_matches_people_by_employee_id(
    small: SmallInstitution, live_server: LiveServer, phone_page: Page
) -> None:
    Person.objects.filter(user=small.users["fellow"]).update(employee_id="VA-0042")
    phone_page.goto(f"{live_server.url}/accounts/login/")
    assert_fits_width(phone_page)
    screenshot(phone_page, "sso-login-phone")
    sso_sign_in(phone_page, live_server.url, "cara.va", button="Harbor VA")
    expect(phone_page).to_have_url(f"{live_server.url}/staff/me/")
    expect(phone_page.get_by_role("heading", name="Welcome, Cara")).to_be_visible()
