"""Conferences in the browser: the coordinator shows the code on the room's screen (desktop), a
resident checks in on a phone in a few taps, and the program page lists who is below the
requirement first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.conferences.models import Attendance, Session
from rounds.conferences.selectors import now
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_schedules_browser import sign_in
from tests.conferences_setup import TODAY, noon_report, session_all_day, session_on
from tests.people import SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def world(
    transactional_db: None, live_server: LiveServer, settings: Any
) -> tuple[str, SmallInstitution, Session]:
    settings.ROUNDS_TODAY = TODAY.isoformat()  # Ben (PGY-1) is in training, and below
    small = build_small_institution()
    series = noon_report(small)
    held = session_on(series, now().date() - dt.timedelta(days=7))
    Attendance.objects.create(session=held, trainee=small.ana, checked_in_at=held.starts_at)
    today = session_all_day(series, now().date(), presenter=small.users["faculty"].person)
    return live_server.url, small, today


def test_a_resident_checks_in_on_a_phone_with_the_code_on_the_screen(
    world: tuple[str, SmallInstitution, Session], phone_page: Page, desktop_page: Page
) -> None:
    base, small, session = world
    desk = desktop_page
    sign_in(desk, base, "coord.im")
    desk.goto(f"{base}/conferences/programs/{small.im.pk}/")
    expect(desk.get_by_text("1 below the requirement")).to_be_visible()
    assert_accessible(desk)
    screenshot(desk, "conferences-program-1280")
    desk.get_by_role("link", name="Noon report").first.click()
    assert_accessible(desk)
    screenshot(desk, "conferences-series-1280")
    desk.goto(f"{base}/conferences/sessions/{session.pk}/")
    desk.get_by_role("link", name="Show the check-in code").click()
    expect(desk.locator(".code-big")).to_have_text(session.code)
    expect(desk.locator("svg.checkin-qr")).to_be_visible()
    assert_accessible(desk)
    screenshot(desk, "conferences-code-1280")

    phone = phone_page
    sign_in(phone, base, "resident2")
    phone.goto(f"{base}/conferences/")
    phone.get_by_role("link", name="Check in to a session").click()
    phone.get_by_label("Code on the screen").fill("WRONG1")
    phone.get_by_role("button", name="Check in").click()
    expect(phone.get_by_text("No session of your program has this code")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_label("Code on the screen").fill(session.code.lower())
    assert_fits_width(phone)
    screenshot(phone, "conferences-check-in-390")
    phone.get_by_role("button", name="Check in").click()
    expect(phone.get_by_text("You are checked in")).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("link", name="Your attendance").click()
    expect(phone.get_by_role("heading", name="Your conference attendance")).to_be_visible()
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "conferences-trainee-390")
    for path in (
        f"/conferences/programs/{small.im.pk}/",
        f"/conferences/sessions/{session.pk}/code/",
    ):
        phone.context.clear_cookies()
        sign_in(phone, base, "pd.im")
        phone.goto(base + path)
        assert_fits_width(phone)
        assert_accessible(phone)
    screenshot(phone, "conferences-code-390")
