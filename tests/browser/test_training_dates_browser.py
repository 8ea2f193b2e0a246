"""A coordinator records a leave of absence on a phone: preview first, then record; the GME
office opens the year rollover's dry run."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.people.models import TrainingEvent
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_staff_browser import sign_in
from tests.people import build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def base(transactional_db: None, live_server: LiveServer) -> str:
    build_small_institution()
    return live_server.url


def test_coordinator_previews_then_records_a_leave_on_a_phone(base: str, phone_page: Page) -> None:
    page = phone_page
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/staff/trainees/")
    page.get_by_role("link", name="Ana Alvarez").click()
    expect(page.get_by_role("heading", name="Training history")).to_be_visible()
    page.get_by_label("What happened").select_option("leave")
    page.get_by_label("Date").fill("2027-01-04")
    page.get_by_label("Until").fill("2027-02-14")
    page.get_by_label("Reason").fill("Parental leave")
    page.get_by_role("button", name="Preview").click()
    expect(
        page.get_by_text("Out of training: Jan 4, 2027 to Feb 14, 2027 (42 days).")
    ).to_be_visible()
    assert not TrainingEvent.objects.exists()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "trainee-leave-preview-phone")
    page.get_by_role("button", name="Record it").click()
    expect(page.get_by_text("Recorded: Leave of absence from 2027-01-04.")).to_be_visible()
    expect(page.get_by_role("cell", name="Leave of absence")).to_be_visible()
    assert_fits_width(page)
    assert TrainingEvent.objects.get().reason == "Parental leave"


def test_gme_office_sees_the_rollover_dry_run_on_a_phone(base: str, phone_page: Page) -> None:
    page = phone_page
    sign_in(page, base, "gme")
    expect(page.get_by_role("link", name="Year rollover")).to_have_attribute(
        "href", "/staff/rollover/"
    )
    page.goto(f"{base}/staff/rollover/")
    expect(page.get_by_role("heading", name="Year rollover")).to_be_visible()
    expect(page.get_by_text("Promote Ana Alvarez")).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "year-rollover-dry-run-phone")
