"""A CCC meeting in the browser: a member proposes and the committee records the consensus on a
desktop, the program director signs off and records the semiannual meeting, and the resident
reads and acknowledges the result on a phone."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import SHOTS, assert_accessible, assert_fits_width, screenshot
from tests.milestones_setup import DURING, SmallCommittee, agree_all, build_committee
from tests.people import PASSWORD, SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def world(
    transactional_db: None, live_server: LiveServer, settings
) -> tuple[str, SmallInstitution, SmallCommittee]:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = DURING
    small = build_small_institution()
    ccc = build_committee(small)
    agree_all(ccc.review, small.ben, Decimal("1.5"), small.users["pd.im"])
    return live_server.url, small, ccc


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_ccc_meeting_from_proposals_to_the_residents_acknowledgement(
    world: tuple[str, SmallInstitution, SmallCommittee], desktop_page: Page, phone_page: Page
) -> None:
    base, _small, ccc = world
    desk = desktop_page
    sign_in(desk, base, "faculty")
    desk.goto(f"{base}/milestones/")
    desk.get_by_role("link", name="Review 2026-2027-1").click()
    desk.get_by_role("link", name="Ana Alvarez").click()
    desk.get_by_label("Your proposal for PC1").select_option("3")
    desk.get_by_label("Your proposal for MK1").select_option("2.5")
    desk.get_by_role("button", name="Save my proposals").click()
    expect(desk.get_by_text("Your proposals are saved (2 changed).")).to_be_visible()
    for sub in ccc.subs:
        desk.get_by_label(f"Consensus for {sub.code}", exact=True).select_option("2.5")
    desk.get_by_role("button", name="Record the consensus").click()
    expect(desk.get_by_text("Consensus recorded (20 levels).")).to_be_visible()
    expect(desk.get_by_text("consensus on 20 of 20 subcompetencies")).to_be_visible()
    assert_accessible(desk)
    screenshot(desk, "milestones-resident-1280")
    desk.set_viewport_size({"width": 390, "height": 844})
    assert_fits_width(desk)
    screenshot(desk, "milestones-resident-390")

    desk.set_viewport_size({"width": 1280, "height": 900})
    desk.context.clear_cookies()
    sign_in(desk, base, "pd.im")
    desk.goto(f"{base}/milestones/review/{ccc.review.pk}/")
    expect(desk.get_by_text("2 / 2")).to_be_visible()
    desk.get_by_role("button", name="Sign off the review").click()
    expect(desk.get_by_text("The 2026-2027-1 review is signed off")).to_be_visible()
    assert_accessible(desk)
    screenshot(desk, "milestones-review-1280")
    desk.get_by_role("link", name="Ana Alvarez").click()
    desk.get_by_label("What was agreed (kept as a comment)").fill("Ready to lead a ward team.")
    desk.get_by_role("button", name="Record the meeting").click()
    expect(desk.get_by_text("The review meeting is recorded")).to_be_visible()

    phone = phone_page
    phone.set_viewport_size({"width": 390, "height": 844})
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/milestones/")
    expect(phone.get_by_role("heading", name="First half of 2026–2027")).to_be_visible()
    expect(phone.get_by_text("Ready to lead a ward team.")).to_be_visible()
    assert_fits_width(phone)
    assert_accessible(phone)
    screenshot(phone, "milestones-mine-390")
    phone.screenshot(path=str(SHOTS / "milestones-mine-390-top.png"))
    phone.get_by_label("Your comment (optional)").first.fill("I would like more ICU time.")
    phone.get_by_role("button", name="Acknowledge the result").first.click()
    expect(phone.get_by_text("your acknowledgement and comment are kept")).to_be_visible()
    expect(phone.get_by_text("I would like more ICU time.")).to_be_visible()
