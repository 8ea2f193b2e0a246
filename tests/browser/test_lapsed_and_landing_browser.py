"""The pages this work changed, in a real browser at 1280 and 390 px, with axe: a lapsed credential
marked on the rotation grid, the call grid and the on-call list; a call grid edit that redraws
only its row, the day's coverage and the rules list; the landing pages of faculty, a wellness
committee member and the inclusion office leading with their work."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.inclusion.models import RecruitmentCycle
from rounds.people.models import Person
from rounds.schedules.models import CallSchedule
from rounds.wellness.models import Committee, CommitteeMember, Initiative
from tests.assessment_setup import build_assessment
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_call_editing import sign_in
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution, build_small_institution
from tests.schedules_setup import SmallSchedules
from tests.test_record_credentials import hold, require

pytestmark = pytest.mark.browser

World = tuple[str, SmallInstitution, SmallSchedules, CallSchedule, CallSchedule]


@pytest.fixture
def world(transactional_db: None, live_server: LiveServer) -> World:
    small = build_small_institution()
    x = build_assessment(small).x
    require(small, "bls")
    hold(small.ana, "bls", x.im_blocks[0].start - dt.timedelta(days=10))  # Ben has none
    draft = hand_month(small)
    shift(draft, small.ana, 3)
    published = hand_month(small, status="published", number=2)
    shift(published, small.ana, 6)
    committee = Committee.objects.create(name="Housestaff wellness")
    member = Person.objects.get(user=small.users["wellness"])
    CommitteeMember.objects.create(committee=committee, person=member)
    Initiative.objects.create(committee=committee, title="Nap room")
    RecruitmentCycle.objects.create(program=small.im, season=2026)
    return live_server.url, small, x, draft, published


def _look(page: Page, name: str, phone: bool) -> None:
    assert_accessible(page)
    if phone:
        assert_fits_width(page)
    screenshot(page, f"day2/{name}-{'phone' if phone else 'desktop'}")


@pytest.mark.parametrize("phone", [False, True], ids=["1280", "390"])
def test_lapsed_credentials_on_the_grids_and_the_on_call_list(
    world: World, desktop_page: Page, phone_page: Page, phone: bool
) -> None:
    base, small, x, draft, published = world
    page = phone_page if phone else desktop_page
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/versions/{x.draft.pk}/")
    ben = page.locator(f"#r{small.ben.pk} th")
    expect(ben.locator(".lapsed")).to_have_attribute("title", "BLS not recorded")
    expect(ben).to_contain_text("Lapsed credential")
    _look(page, "grid-lapsed", phone)
    page.goto(f"{base}/schedules/calls/{draft.pk}/")
    expect(page.locator(f"#t{small.ben.pk} th .lapsed")).to_have_attribute(
        "title", "BLS not recorded"
    )
    _look(page, "calls-lapsed", phone)
    day = published.shifts.get().day
    page.goto(f"{base}/schedules/on-call/?date={day.isoformat()}")
    expect(page.locator(".oncall-people .lapsed")).to_contain_text("Lapsed credential")
    _look(page, "on-call-lapsed", phone)


def test_a_call_edit_redraws_only_its_row_the_days_coverage_and_the_rules(
    world: World, desktop_page: Page
) -> None:
    base, small, _x, draft, _published = world
    page = desktop_page
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/calls/{draft.pk}/")
    page.evaluate("window.notReloaded = true")
    day = draft.month + dt.timedelta(days=9)
    cover = page.locator(f"#cov-{day:%Y%m%d}")
    other = page.locator(f"#t{small.ana.pk}")
    page.evaluate(f"document.getElementById('t{small.ana.pk}').dataset.kept = 'yes'")
    page.get_by_role("link", name=f"Ben Baker, {day:%a %b} {day.day},").click()
    editor = page.locator("#cell-editor")
    editor.get_by_label("24h call").check()
    editor.get_by_role("button", name="Save").click()
    expect(page.locator("#call-rules")).to_contain_text(
        f"Saved: Ben Baker on {day:%a %b} {day.day}"
    )
    expect(page.locator(f"#t{small.ben.pk} th")).to_contain_text("1 shift")
    expect(cover).to_contain_text("C 1/≤1")
    expect(editor).to_be_empty()
    # Ana's row was not redrawn, and the page was not reloaded.
    expect(other).to_have_attribute("data-kept", "yes")
    assert page.evaluate("window.notReloaded") is True
    expect(page.get_by_role("link", name=f"Ben Baker, {day:%a %b} {day.day}, C")).to_be_visible()
    _look(page, "calls-edited", phone=False)


@pytest.mark.parametrize("phone", [False, True], ids=["1280", "390"])
@pytest.mark.parametrize("username", ["faculty", "wellness", "inclusion"])
def test_landing_pages_lead_with_the_work_waiting(
    world: World, desktop_page: Page, phone_page: Page, phone: bool, username: str
) -> None:
    base = world[0]
    page = phone_page if phone else desktop_page
    sign_in(page, base, username)
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    expected = {
        "faculty": "teaching assignments in the next two weeks",
        "wellness": "idea waiting for a decision",
        "inclusion": "recruitment cycle with no applicants imported",
    }[username]
    expect(page.locator(".todo-list")).to_contain_text(expected)
    _look(page, f"landing-{username}", phone)
    if username == "faculty":
        page.goto(f"{base}/assessment/")
        expect(
            page.get_by_role("heading", name="Your teaching in the next two weeks")
        ).to_be_visible()
        _look(page, "assessment-home-faculty", phone)
