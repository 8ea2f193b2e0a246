"""A coordinator moves a resident by hand and sees the broken rule, locks and publishes, and
starts using another program's rotation; the resident reads their schedule on a phone; the site
view and on-call list are accessible; the GME office builds every program's year."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.grid_cells import grid_cell, grid_cell_set
from tests.people import PASSWORD, SmallInstitution, build_small_institution
from tests.schedules_setup import YEAR, SmallSchedules, build_schedules

pytestmark = pytest.mark.browser


@pytest.fixture
def world(
    transactional_db: None, live_server: LiveServer
) -> tuple[str, SmallInstitution, SmallSchedules]:
    small = build_small_institution()
    return live_server.url, small, build_schedules(small)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_coordinator_edits_the_grid_sees_the_broken_rule_locks_and_publishes(
    world: tuple[str, SmallInstitution, SmallSchedules], desktop_page: Page
) -> None:
    base, small, _ = world
    page = desktop_page
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/programs/{small.im.pk}/{YEAR}/")
    expect(
        page.get_by_role("heading", name=f"Internal Medicine Residency: {YEAR}–{YEAR + 1}")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Version 2").click()
    expect(page.get_by_text("Every rule holds")).to_be_visible()
    # Ben off MICU in block 4: his ICU curriculum breaks, shown in place without a reload.
    grid_cell_set(page, "Ben Baker", 4, "Wards")
    grid = page.locator("#grid")
    expect(grid).to_contain_text("Ben Baker has 1 block of ICU rotations; PGY-1 needs 2 to 4")
    expect(grid).to_contain_text("1 broken rule")
    screenshot(page, "schedules/grid-broken-desktop")
    grid_cell_set(page, "Ben Baker", 4, "MICU")
    expect(page.get_by_text("Every rule holds")).to_be_visible()
    grid_cell(page, "Ana Alvarez", 1).click()
    page.locator("#cell-editor").get_by_role("button", name="Lock").click()
    expect(grid_cell(page, "Ana Alvarez", 1)).to_have_accessible_name(
        "Ana Alvarez, block 1: MICU, locked"
    )
    assert_accessible(page)
    screenshot(page, "schedules/grid-desktop")
    page.get_by_label("Reason for the change").fill("Clinic swap")
    page.get_by_role("button", name="Preview and publish").click()
    expect(page.get_by_text("0 blocks change for 0 trainees")).to_be_visible()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 is published; 0 trainee(s) were told.")).to_be_visible()
    # IM starts using cardiology's cath lab, by halves.
    page.goto(f"{base}/schedules/programs/{small.im.pk}/setup/")
    page.get_by_role("link", name="Use an existing rotation").click()
    page.get_by_label("Rotation").select_option(label=_choice(page, "Cath lab"))
    page.get_by_label("Half-blocks allowed").check()
    assert_accessible(page)
    screenshot(page, "schedules/join-desktop")
    page.get_by_role("button", name="Use this rotation").click()
    expect(page.get_by_text("now sends trainees to Cath lab (Riverside Hospital)")).to_be_visible()
    expect(page.get_by_role("cell", name="Cath lab", exact=False)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "schedules/setup-desktop")
    # The call month shows the ACGME check in place, and swaps wait for a decision.
    from tests.test_schedules_calls import _month

    schedule, _, _ = _month(small)
    page.goto(f"{base}/schedules/calls/{schedule.pk}/")
    expect(page.get_by_text("Every ACGME work-hour rule holds")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "schedules/call-desktop")


def test_resident_reads_their_year_on_a_phone_and_sites_see_arrivals(
    world: tuple[str, SmallInstitution, SmallSchedules], phone_page: Page
) -> None:
    base, small, x = world
    page = phone_page
    sign_in(page, base, "resident")
    page.goto(f"{base}/schedules/me/?year={YEAR}")
    expect(page.get_by_role("heading", name="My schedule")).to_be_visible()
    expect(page.get_by_text("Jul 1 – Aug 25")).to_be_visible()  # MICU, blocks 1 and 2
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "schedules/mine-phone")
    page.goto(f"{base}/schedules/calendars/")
    page.get_by_role("button", name="Link to my schedule").click()
    expect(page.get_by_text("Your private calendar link is ready.")).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "schedules/feeds-phone")
    page.goto(f"{base}/schedules/on-call/")
    assert_accessible(page)
    assert_fits_width(page)
    sign_in(page, base, "gme")
    page.goto(f"{base}/schedules/sites/{small.affiliate.slug}/?from={x.im_blocks[3].start}")
    expect(page.get_by_role("cell", name="Ben Baker New")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "schedules/site-phone")
    # The GME office builds every program's year; IM's published year is kept.
    page.goto(f"{base}/schedules/?year={YEAR}")
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "schedules/home-gme-phone")
    page.get_by_role("button", name="Build every program’s year").click()
    expect(page.get_by_role("heading", name=f"Build every program's year {YEAR}")).to_be_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    expect(page.get_by_text("1 draft is ready")).to_be_visible()
    expect(
        page.get_by_role("link", name="Cardiovascular Disease Fellowship, version 1")
    ).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "schedules/job-all-phone")


def _choice(page: Page, starts: str) -> str:
    """The label of the first option of the rotation list that names `starts`."""
    labels: list[str] = page.get_by_label("Rotation").locator("option").all_inner_texts()
    return next(label for label in labels if f": {starts} (" in label)
