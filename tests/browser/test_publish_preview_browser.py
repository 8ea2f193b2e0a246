"""A coordinator publishes a rotation version the way it is meant to be: from its preview, which
counts what changes and names the call month it breaks, on a desktop and on a phone; publishing
rebuilds that month in the same step and the program's pages flag it until it is replaced."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.schedules.models import CallSchedule, RotationSchedule
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, SmallInstitution, build_small_institution
from tests.test_schedules_publish_preview import MID_YEAR, _world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(  # type: ignore[no-untyped-def]
    transactional_db: None, live_server: LiveServer, settings
) -> tuple[str, SmallInstitution, CallSchedule, RotationSchedule]:
    settings.ROUNDS_TODAY = MID_YEAR
    small = build_small_institution()
    _, month, draft = _world(small)
    return live_server.url, small, month, draft


@pytest.fixture
def phone_390(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
        has_touch=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("coord.im")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_preview_on_a_desktop_then_publish_with_the_rebuild(
    world: tuple[str, SmallInstitution, CallSchedule, RotationSchedule], desktop_page: Page
) -> None:
    base, _, month, draft = world
    page = desktop_page
    sign_in(page, base)
    page.goto(f"{base}/schedules/versions/{draft.pk}/")
    page.get_by_role("button", name="Preview and publish").click()
    heading = f"Publish version {draft.number} of the Internal Medicine Residency rotation"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator(".preview-counts")).to_contain_text("2 blocks change for 2 trainees")
    expect(page.locator(".preview-counts")).to_contain_text("1 published call month broken")
    expect(page.get_by_label(f"Rebuild {month.month:%B %Y}")).to_be_checked()
    assert_accessible(page)
    screenshot(page, "schedules/publish-preview-desktop")
    page.get_by_role("button", name=f"Publish version {draft.number}").click()
    expect(page.get_by_text(f"Version {draft.number} is published;")).to_be_visible()
    expect(page.get_by_text(f"Call for {month.month:%B %Y}: draft version 2 keeps")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="no longer matches")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "schedules/publish-done-desktop")


def test_the_preview_fits_a_phone(
    world: tuple[str, SmallInstitution, CallSchedule, RotationSchedule], phone_390: Page
) -> None:
    base, _, _, draft = world
    page = phone_390
    sign_in(page, base)
    page.goto(f"{base}/schedules/versions/{draft.pk}/preview/")
    expect(page.locator(".preview-counts")).to_contain_text("2 blocks change for 2 trainees")
    assert_fits_width(page)
    assert_accessible(page)
    screenshot(page, "schedules/publish-preview-phone")
