"""A call cell edited in a real browser from every way in: a link opened directly with JavaScript
on (htmx loaded, but no grid to save into), and the whole round trip with JavaScript off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.schedules.models import CallSchedule
from tests.browser.conftest import DESKTOP, screenshot
from tests.call_setup import hand_month, shift
from tests.people import PASSWORD, SmallInstitution, build_small_institution
from tests.schedules_setup import build_schedules

pytestmark = pytest.mark.browser


@pytest.fixture
def world(
    transactional_db: None, live_server: LiveServer
) -> tuple[str, SmallInstitution, CallSchedule]:
    small = build_small_institution()
    build_schedules(small)
    month = hand_month(small)
    shift(month, small.ana, 3)
    return live_server.url, small, month


@pytest.fixture
def no_js_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("coord.im")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _cell(name: str, day: dt.date) -> str:
    return f"{name}, {day:%a %b} {day.day},"


def test_a_cell_link_opened_directly_saves(
    world: tuple[str, SmallInstitution, CallSchedule], desktop_page: Page
) -> None:
    base, small, month = world
    page = desktop_page
    day = month.month + dt.timedelta(days=9)
    sign_in(page, base)
    page.goto(f"{base}/schedules/calls/{month.pk}/cell/?trainee={small.ben.pk}&day={day}")
    expect(page.get_by_role("heading", name=f"Ben Baker, {day:%A, %B} {day.day}")).to_be_visible()
    page.reload()  # a reload is the same page again
    page.get_by_label("24h call").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Ben Baker on {day:%a %b} {day.day}: off → 24h call")).to_be_visible()
    assert month.shifts.get(trainee=small.ben, day=day).label == "24h call"


def test_without_javascript_a_cell_is_edited_and_saved(
    world: tuple[str, SmallInstitution, CallSchedule], no_js_page: Page
) -> None:
    base, small, month = world
    page = no_js_page
    day = month.month + dt.timedelta(days=12)
    sign_in(page, base)
    page.goto(f"{base}/schedules/calls/{month.pk}/")
    page.get_by_role("link", name=_cell("Ben Baker", day)).click()
    expect(page.get_by_role("heading", name=f"Ben Baker, {day:%A, %B} {day.day}")).to_be_visible()
    assert "/cell/" in page.url, "without JavaScript the cell is a page of its own"
    page.get_by_label("Night float").check()
    page.get_by_label("Locked: kept as it is").check()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text(f"Ben Baker on {day:%a %b} {day.day}: off → Night float, locked")
    ).to_be_visible()
    expect(page.get_by_role("link", name=_cell("Ben Baker", day) + " N, locked")).to_be_visible()
    screenshot(page, "calls/cell-saved-without-javascript")
    saved = month.shifts.get(trainee=small.ben, day=day)
    assert saved.label == "Night float" and saved.locked
