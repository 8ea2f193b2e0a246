"""A mentee cycle in the browser: a resident signs up on a phone, the coordinator runs the matcher
on a desktop, watches it finish without reloading, and publishes; the resident sees her mentor."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, build_small_institution
from tests.test_mentoring_setup import Mentoring, build_mentoring, open_slot

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None, live_server: LiveServer) -> tuple[str, Mentoring]:
    small = build_small_institution()
    return live_server.url, build_mentoring(small)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_up_match_publish(
    world: tuple[str, Mentoring], phone_page: Page, desktop_page: Page
) -> None:
    base, m = world
    open_slot(m.coach)
    phone = phone_page
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/mentoring/")
    phone.get_by_role("link", name="IM mentoring 2026").click()
    phone.get_by_label("Interests").fill("global health, research")
    phone.get_by_label("Underrepresented in medicine (URiM)").first.check()
    phone.get_by_label("Choice 1").select_option(label="Faculty Tester")
    assert_accessible(phone)
    assert_fits_width(phone)
    screenshot(phone, "mentoring-signup-phone")
    phone.get_by_role("button", name="Sign up").click()
    expect(phone.get_by_text("your wishes are saved")).to_be_visible()

    desk = desktop_page
    sign_in(desk, base, "coord.im")
    desk.goto(f"{base}/mentoring/cycles/{m.cycle.pk}/")
    desk.get_by_role("button", name="Run the matcher").click()
    expect(desk.get_by_text("The matcher is running")).to_be_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    # The page polls and reloads itself when the job ends.
    expect(desk.get_by_text("1 pair proposed (1 new), 0 mentees without a mentor")).to_be_visible(
        timeout=15_000
    )
    expect(desk.get_by_text("mentee asked for a URiM mentor")).to_be_visible()
    assert_accessible(desk)
    screenshot(desk, "mentoring-proposals-desktop")
    desk.get_by_role("button", name="Publish 1 pair and notify").click()
    expect(
        desk.get_by_text("Published 1 pair; mentees and mentors have been emailed.")
    ).to_be_visible()

    phone.goto(f"{base}/mentoring/")
    phone.get_by_role("link", name="Your mentor Faculty Tester").click()
    expect(phone.get_by_role("heading", name="Your mentor: Faculty Tester")).to_be_visible()
    assert_accessible(phone)
    assert_fits_width(phone)
    screenshot(phone, "mentoring-pair-phone")
    phone.goto(f"{base}/mentoring/coaching/")
    phone.get_by_role("button", name="Book").first.click()
    expect(phone.get_by_text("Only you and your coach know.")).to_be_visible()
    assert_accessible(phone)
    assert_fits_width(phone)
    phone.get_by_role("link", name="Your private coaching notes").click()
    phone.get_by_label("Note").fill("Practise saying no to extra shifts.")
    phone.get_by_role("button", name="Save note").click()
    expect(phone.get_by_text("Only you can read it.")).to_be_visible()
    assert_accessible(phone)
    screenshot(phone, "mentoring-coaching-notes-phone")
