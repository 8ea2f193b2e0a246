"""Under the Content-Security-Policy the pages still work in Chromium: htmx edits the grid, the
compare form and the print buttons (moved from inline handlers to site.js) do their job, nothing
is blocked; and a locked-out person sees a page that says until when."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.grid_cells import grid_cell_set
from tests.people import PASSWORD, SmallInstitution, build_small_institution
from tests.schedules_setup import SmallSchedules, build_schedules

pytestmark = pytest.mark.browser

# Records every policy violation, and replaces the print dialog (headless has none) by a count.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


@pytest.fixture
def world(
    transactional_db: None, live_server: LiveServer
) -> tuple[str, SmallInstitution, SmallSchedules]:
    small = build_small_institution()
    return live_server.url, small, build_schedules(small)


def sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__violations"))


def test_the_grid_edits_with_htmx_and_compares_versions_under_the_policy(
    world: tuple[str, SmallInstitution, SmallSchedules], desktop_page: Page
) -> None:
    base, _, schedules = world
    page = desktop_page
    page.add_init_script(WATCH)
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/versions/{schedules.draft.pk}/")
    grid_cell_set(page, "Ben Baker", 4, "Wards")
    expect(page.locator("#grid")).to_contain_text("1 broken rule")
    page.get_by_label("Compare with").select_option(label="Version 1 (published)")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(
        re.compile(f"/schedules/versions/{schedules.draft.pk}/compare/{schedules.published.pk}/")
    )
    assert violations(page) == []


def test_print_buttons_print_under_the_policy(
    world: tuple[str, SmallInstitution, SmallSchedules], desktop_page: Page
) -> None:
    base, _, _ = world
    page = desktop_page
    page.add_init_script(WATCH)
    sign_in(page, base, "gme")
    for path in ["/hours/institution/print/", "/schedules/on-call/"]:
        page.goto(f"{base}{path}")
        page.get_by_role("button", name="Print").click()
        assert page.evaluate("window.__printed") == 1, path
        assert violations(page) == [], path


def test_a_locked_out_person_is_told_until_when_on_a_phone(
    world: tuple[str, SmallInstitution, SmallSchedules], phone_page: Page
) -> None:
    base, _, _ = world
    page = phone_page
    for attempt in range(5):
        sign_in(page, base, "resident", f"not-the-password-{attempt}")
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    expect(page.get_by_text("You can try again at")).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "signin/locked-out-phone")
    sign_in(page, base, "resident")
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
