"""A coordinator edits the rotation grid by keyboard and sees only the row and the rules list
change, without a reload; started blocks cannot be edited; on a 390 px phone the grid scrolls
inside its card with names and block numbers in view; the pages pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.grid_cells import grid_cell
from tests.browser.test_schedules_browser import sign_in
from tests.people import SmallInstitution, build_small_institution
from tests.schedules_setup import YEAR, SmallSchedules, build_schedules

pytestmark = pytest.mark.browser

MID_YEAR = "2026-12-07"  # blocks 1-6 have started


@pytest.fixture
def world(
    transactional_db: None, live_server: LiveServer
) -> tuple[str, SmallInstitution, SmallSchedules]:
    small = build_small_institution()
    return live_server.url, small, build_schedules(small)


def test_a_coordinator_edits_a_cell_by_keyboard_and_only_the_row_and_rules_change(
    world: tuple[str, SmallInstitution, SmallSchedules], desktop_page: Page
) -> None:
    base, _, x = world
    page = desktop_page
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/versions/{x.draft.pk}/")
    expect(page.get_by_text("Every rule holds")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    ben = page.locator("tbody tr", has=page.get_by_role("rowheader", name="Ben Baker"))
    expect(ben.locator("td.totals")).to_contain_text("ICU 2")
    # Block 3, then the right arrow to block 4; typing "w" opens the list on Wards.
    grid_cell(page, "Ben Baker", 3).click()
    page.keyboard.press("Escape")
    expect(page.locator("#cell-editor")).to_be_hidden()
    expect(grid_cell(page, "Ben Baker", 3)).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(grid_cell(page, "Ben Baker", 4)).to_be_focused()
    page.keyboard.press("w")
    expect(page.locator("#ce-select")).to_be_focused()
    expect(page.locator("#ce-select")).to_have_value(str(x.wards.pk))
    screenshot(page, "schedules/grid-editor-desktop")
    page.keyboard.press("Enter")
    # The row's totals and the rules list follow; the page was not reloaded.
    expect(ben.locator("td.totals")).to_contain_text("ICU 1")
    rules = page.locator("#grid-rules")
    expect(rules).to_contain_text("1 broken rule")
    expect(rules).to_contain_text("Ben Baker has 1 block of ICU rotations; PGY-1 needs 2 to 4")
    expect(grid_cell(page, "Ben Baker", 4)).to_have_text("Wards")
    expect(grid_cell(page, "Ben Baker", 4)).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    # Esc in the list cancels: nothing is sent, the cell keeps its rotation.
    page.keyboard.press("m")
    expect(page.locator("#ce-select")).to_have_value(str(x.micu.pk))
    page.keyboard.press("Escape")
    expect(page.locator("#cell-editor")).to_be_hidden()
    expect(grid_cell(page, "Ben Baker", 4)).to_have_text("Wards")
    # Up to Ana's row, same block; Enter opens the list, down one choice, Enter saves.
    page.keyboard.press("ArrowUp")
    expect(grid_cell(page, "Ana Alvarez", 4)).to_be_focused()
    assert_accessible(page)
    screenshot(page, "schedules/grid-edited-desktop")


def test_a_started_block_cannot_be_edited_in_the_grid(
    world: tuple[str, SmallInstitution, SmallSchedules], desktop_page: Page, settings
) -> None:  # type: ignore[no-untyped-def]
    base, small, x = world
    settings.ROUNDS_TODAY = MID_YEAR
    page = desktop_page
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/versions/{x.draft.pk}/")
    started = grid_cell(page, "Ana Alvarez", 1)
    expect(started).to_have_accessible_name("Ana Alvarez, block 1: MICU, started, history")
    started.click()
    editor = page.locator("#cell-editor")
    expect(editor).to_contain_text("This block has started and is history")
    expect(page.locator("#ce-select")).to_be_hidden()
    assert_accessible(page)
    screenshot(page, "schedules/grid-history-desktop")
    page.get_by_role("link", name="Correct this cell").click()
    expect(page).to_have_url(
        f"{base}/schedules/versions/{x.draft.pk}/correct/{small.ana.pk}/{x.im_blocks[0].pk}/"
    )
    expect(page.get_by_text("Block 1 started on Jul 1, 2026: it is history")).to_be_visible()


def test_on_a_phone_the_grid_scrolls_in_its_card_with_names_and_blocks_in_view(
    world: tuple[str, SmallInstitution, SmallSchedules], browser: Browser
) -> None:
    base, small, x = world
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/versions/{x.draft.pk}/")
    assert_fits_width(page)
    box = page.locator(".grid-scroll")
    assert page.evaluate(
        "() => { const s = document.querySelector('.grid-scroll'); "
        "return s.scrollWidth > s.clientWidth; }"
    ), "the grid is wider than the phone, so it scrolls inside its card"
    box.evaluate("s => { s.scrollLeft = s.scrollWidth; }")
    frame = box.bounding_box()
    name = page.get_by_role("rowheader", name="Ana Alvarez").bounding_box()
    head = page.get_by_role("columnheader", name=re.compile(r"^Block 13\b")).bounding_box()
    assert frame and name and head
    assert abs(name["x"] - frame["x"]) <= 2, "the trainee's name stays at the left edge"
    assert head["x"] + head["width"] <= frame["x"] + frame["width"] + 2
    assert_accessible(page)
    screenshot(page, "schedules/grid-phone")
    # The editor opens as a sheet at the bottom of the phone's screen.
    grid_cell(page, "Ana Alvarez", 13).click()
    sheet = page.locator("#cell-editor").bounding_box()
    assert sheet and sheet["x"] >= 0 and sheet["x"] + sheet["width"] <= 390
    screenshot(page, "schedules/grid-editor-phone")
    page.keyboard.press("Escape")
    for path in (
        f"/schedules/programs/{small.im.pk}/{YEAR}/",
        f"/schedules/versions/{x.published.pk}/",
    ):
        page.goto(f"{base}{path}")
        assert_fits_width(page)
        assert_accessible(page)
    screenshot(page, "schedules/program-phone")
    context.close()
