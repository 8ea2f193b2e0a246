"""Evaluations in the browser: a faculty member answers a request on a phone in a few taps; the
coordinator looks at the attendings grid, the program's evaluations and the burden report."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.assessment.generate import requests_generate
from rounds.assessment.models import Evaluation
from tests.assessment_setup import SmallAssessment, build_assessment
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, build_small_institution

pytestmark = pytest.mark.browser
PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db: None, live_server: LiveServer) -> tuple[str, SmallAssessment]:
    small = build_small_institution()
    a = build_assessment(small)
    requests_generate(day=a.block(1)[1])
    return live_server.url, a


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_faculty_answers_on_a_phone(world: tuple[str, SmallAssessment], browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = world
    context = browser.new_context(
        viewport=PHONE_390, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    sign_in(phone, base, "faculty")
    phone.goto(f"{base}/assessment/")
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "assessment-queue-phone")
    phone.get_by_role("link", name="Ana Alvarez").click()
    expect(phone.get_by_text("Gathers a history")).to_be_visible()
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "assessment-form-phone")
    phone.locator("label", has_text="3.5").first.click()
    phone.locator('label:has(input[name="item-2"][value="4"])').click()
    phone.locator('label:has(input[name="item-3"][value="yes"])').click()
    phone.get_by_role("button", name="Send evaluation").click()
    expect(phone.get_by_text("your evaluation of Ana Alvarez was sent")).to_be_visible()
    assert Evaluation.objects.count() == 1
    context.close()


def test_staff_pages_on_desktop_and_phone(
    world: tuple[str, SmallAssessment], desktop_page: Page, browser
) -> None:  # type: ignore[no-untyped-def]
    base, a = world
    desk = desktop_page
    sign_in(desk, base, "coord.im")
    program = a.x.im_blocks[0].program_id
    pages = {
        "teaching": f"/assessment/programs/{program}/teaching/?block={a.x.im_blocks[0].pk}",
        "program": f"/assessment/programs/{program}/",
        "burden": "/assessment/burden/?year=2026",
        "form": f"/assessment/forms/{a.forms['faculty_of_trainee'].pk}/",
    }
    for name, path in pages.items():
        desk.goto(base + path)
        assert_accessible(desk)
        screenshot(desk, f"assessment-staff-{name}-desktop")
    context = browser.new_context(viewport=PHONE_390, device_scale_factor=2, is_mobile=True)
    phone = context.new_page()
    sign_in(phone, base, "coord.im")
    for name, path in pages.items():
        phone.goto(base + path)
        assert_fits_width(phone)
        screenshot(phone, f"assessment-staff-{name}-phone")
    context.close()
