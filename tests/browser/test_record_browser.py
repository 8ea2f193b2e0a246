"""The training record in the browser: a resident records a renewed ACLS on a phone after the
coordinator saw it expiring; the director signs a letter on a desktop; a credentialing office
checks its code on a phone."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.record.models import CredentialRequirement, CredentialType, OnboardingItem
from rounds.record.services import credential_record, onboarding_assign
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None, live_server: LiveServer) -> tuple[str, SmallInstitution]:
    small = build_small_institution()
    # transactional_db flushes the data migration's types between tests: make sure of ACLS.
    acls = CredentialType.objects.get_or_create(
        code="acls", defaults={"name": "ACLS", "kind": "certification"}
    )[0]
    CredentialRequirement.objects.create(program=small.im, credential_type=acls)
    credential_record(
        trainee=small.ana,
        credential_type=acls,
        number="ACLS-1",
        issuer="AHA",
        issued_on=date(2024, 7, 20),
        expires_on=date(2026, 7, 20),
        by=None,
    )
    return live_server.url, small


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_expiring_acls_renewed_on_a_phone_and_a_letter_checked_by_code(
    world: tuple[str, SmallInstitution], phone_page: Page, desktop_page: Page
) -> None:
    base, small = world
    desk = desktop_page
    sign_in(desk, base, "coord.im")
    desk.goto(f"{base}/record/")
    desk.get_by_role("link", name="Credentials missing or expiring").click()
    expect(desk.get_by_text("in 20 days")).to_be_visible()
    assert_accessible(desk)
    screenshot(desk, "record-credentials-desktop")

    phone = phone_page
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/record/")
    expect(phone.get_by_text("expires on 20 Jul 2026")).to_be_visible()
    phone.get_by_text("Record a licence, certification or visa").click()
    phone.locator("#id_credential_type").select_option(label="ACLS")
    phone.locator("#id_number").fill("ACLS-2")
    phone.locator("#id_issuer").fill("American Heart Association")
    phone.locator("#id_expires_on").fill("2028-07-01")
    assert_fits_width(phone)
    screenshot(phone, "record-trainee-phone")
    phone.get_by_role("button", name="Record it").click()
    expect(phone.get_by_text("ACLS recorded.")).to_be_visible()
    expect(phone.get_by_text("Credentials to attend to")).to_have_count(0)
    assert_accessible(phone)

    sign_in(desk, base, "pd.im")
    desk.goto(f"{base}/record/trainees/{small.ana.pk}/")
    desk.get_by_role("button", name="Sign and issue the letter").click()
    code = desk.locator(".verification-code").inner_text().strip()
    screenshot(desk, "record-signed-desktop")
    phone.goto(f"{base}/verify/{code}/")
    expect(phone.get_by_role("heading", name="This letter is genuine")).to_be_visible()
    expect(phone.get_by_text("Ana Alvarez has trained in this program")).to_be_visible()
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "record-verify-phone")


def test_an_incoming_intern_completes_onboarding_on_a_phone(
    world: tuple[str, SmallInstitution], phone_page: Page, tmp_path: Path
) -> None:
    base, small = world
    OnboardingItem.objects.create(
        program=small.im, title="Copy of your training licence", kind="document"
    )
    OnboardingItem.objects.create(title="Privacy and HIPAA module", kind="module")
    onboarding_assign(day=date(2026, 6, 30))
    scan = tmp_path / "licence.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    fake = tmp_path / "licence.docx"
    fake.write_bytes(b"PK\x03\x04 not a pdf")
    phone = phone_page
    sign_in(phone, base, "resident2")
    phone.goto(f"{base}/record/onboarding/")
    expect(phone.get_by_text("2 things to do")).to_be_visible()
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "record-onboarding-phone")
    phone.get_by_label("File (PDF, PNG or JPEG").set_input_files(str(fake))
    phone.get_by_role("button", name="Upload").click()
    expect(phone.get_by_text("is not a PDF, PNG or JPEG")).to_be_visible()
    phone.get_by_label("File (PDF, PNG or JPEG").set_input_files(str(scan))
    phone.get_by_role("button", name="Upload").click()
    phone.get_by_role("button", name="I have completed it").click()
    expect(phone.get_by_text("All done: thank you, and welcome")).to_be_visible()
