"""Before the privacy check of new counts has run, the inclusion pages say so and show totals
only; once a worker has run it, the same page shows the figures. On a desktop and a phone."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, SmallInstitution, build_small_institution
from tests.test_disclosure_background import add_trainees

pytestmark = pytest.mark.browser


@pytest.fixture
def small(transactional_db: None, settings) -> SmallInstitution:  # type: ignore[no-untyped-def]
    settings.ROUNDS_DISCLOSURE_INLINE_ATOMS = 0  # every table is checked by a worker
    settings.ROUNDS_TODAY = "2026-12-07"
    small = build_small_institution()
    add_trainees(small, True, 6, "u")
    add_trainees(small, False, 20, "o")
    add_trainees(small, None, 5, "n")
    return small


def test_pages_say_figures_are_being_checked_then_show_them(
    small: SmallInstitution, live_server: LiveServer, desktop_page: Page, phone_page: Page
) -> None:
    for page, name in ((desktop_page, "desktop"), (phone_page, "phone")):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("inclusion")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{live_server.url}/inclusion/")
        status = page.get_by_role("status").filter(has_text="being checked for privacy")
        expect(status).to_be_visible()
        im = page.get_by_role("row", name="Internal Medicine Residency")
        expect(im).to_contain_text("33")
        expect(im.locator(".suppressed")).to_have_count(3)
        assert_accessible(page)
        assert_fits_width(page)
        screenshot(page, f"inclusion/checking-{name}")

    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    page = desktop_page
    page.reload()
    expect(page.get_by_text("being checked for privacy")).to_have_count(0)
    im = page.get_by_role("row", name="Internal Medicine Residency")
    expect(im.locator(".suppressed")).to_have_count(0)
    expect(im).to_contain_text("20")
    screenshot(page, "inclusion/checked-desktop")
