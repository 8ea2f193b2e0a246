"""A coordinator corrects a block already worked from a phone: the grid's editor offers
"Correct this cell" on a started cell, the page asks why, and the grid marks the corrected cell."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.grid_cells import grid_cell
from tests.browser.test_schedules_browser import sign_in
from tests.people import build_small_institution
from tests.schedules_setup import build_schedules

pytestmark = pytest.mark.browser


def test_a_started_block_is_corrected_with_a_reason_on_a_phone(
    transactional_db: None, live_server: LiveServer, phone_page: Page, settings
) -> None:  # type: ignore[no-untyped-def]
    small = build_small_institution()
    x = build_schedules(small)
    settings.ROUNDS_TODAY = "2026-12-07"
    page = phone_page
    sign_in(page, live_server.url, "coord.im")
    page.goto(f"{live_server.url}/schedules/versions/{x.draft.pk}/")
    # A started cell opens the editor read-only, offering only the correction.
    grid_cell(page, "Ana Alvarez", 1).click()
    page.locator("#cell-editor").get_by_role("link", name="Correct this cell").click()
    expect(page.get_by_role("heading", name="Correct Ana Alvarez in Block 1")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
    screenshot(page, "schedules/correct-phone")
    page.get_by_label("Which part of the block").select_option(label="The whole block")
    page.get_by_label("Worked on").select_option(label=str(x.wards))
    page.get_by_label("Why the correction").fill("MICU was closed for cleaning")
    page.get_by_role("button", name="Correct").click()
    # Back on the grid, the cell now names Wards and carries the reason.
    expect(grid_cell(page, "Ana Alvarez", 1)).to_have_accessible_name(
        re.compile(r"block 1: Wards.*corrected: MICU was closed for cleaning")
    )
