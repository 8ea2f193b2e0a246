"""A coordinator opens a call draft, moves a 24h call by hand, sees the broken rule in place, locks
the new cell, re-solves the rest (a job on the queue) and publishes; the grid and its cell form
work on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.schedules.calls import call_schedule_build
from rounds.schedules.models import CallAssignment, CallSchedule
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.call_setup import call_pool, next_month
from tests.people import PASSWORD, SmallInstitution, build_small_institution
from tests.schedules_setup import build_schedules

pytestmark = pytest.mark.browser


@pytest.fixture
def world(
    transactional_db: None, live_server: LiveServer
) -> tuple[str, SmallInstitution, CallSchedule]:
    small = build_small_institution()
    call_pool(small, build_schedules(small))
    draft = call_schedule_build(program=small.im, month=next_month(), by=None, time_limit=10)
    return live_server.url, small, draft


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _a_call_after_anothers(draft: CallSchedule) -> tuple[CallAssignment, CallAssignment]:
    """A 24h call and the next day's, held by someone else: the second given to the first holder
    makes them work 48 hours. Whose calls these are is the solver's choice, so any pair will do."""
    calls = {c.day: c for c in draft.shifts.filter(label="24h call").select_related("trainee")}
    for day, call in sorted(calls.items()):
        after = calls.get(day + dt.timedelta(days=1))
        if after is not None and after.trainee_id != call.trainee_id:
            return call, after
    raise AssertionError("one resident holds every 24h call")


def _cell(name: str, day: dt.date) -> str:
    """The start of a cell's accessible name; the comma keeps Dec 2 from matching Dec 23."""
    return f"{name}, {day:%a %b} {day.day},"


def test_coordinator_moves_a_call_locks_it_re_solves_and_publishes(
    world: tuple[str, SmallInstitution, CallSchedule], desktop_page: Page
) -> None:
    base, small, draft = world
    page = desktop_page
    before, call = _a_call_after_anothers(draft)
    taker, holder, day = before.trainee, call.trainee.person.full_name, call.day
    name = taker.person.full_name
    when = f"{day:%a %b} {day.day}"
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/calls/programs/{small.im.pk}/")
    page.get_by_role("link", name=f"{draft.month:%B %Y}, version 1").click()
    expect(page.get_by_text("Every ACGME work-hour rule holds")).to_be_visible()
    assert_accessible(page)
    # Take the call from its holder: the day is uncovered, said in the grid without a reload.
    page.get_by_role("link", name=_cell(holder, day)).click()
    editor = page.locator("#cell-editor")
    expect(editor.get_by_role("heading", name=f"{holder}, {day:%A, %B} {day.day}")).to_be_visible()
    screenshot(page, "calls/cell-editor-desktop")
    editor.get_by_label("Off").check()
    editor.get_by_role("button", name="Save").click()
    grid = page.locator("#call-grid")
    expect(grid).to_contain_text(f"24h call on {when} has 0; it needs at least 1")
    expect(grid).to_contain_text("1 broken rule")
    expect(page.locator("tr.cover-row td.broken")).to_contain_text("C 0/1 (short)")
    screenshot(page, "calls/grid-broken-desktop")
    # Give it to the day before's holder and lock it: covered again, but they would work
    # 48 hours in a row; the rule is named on their row and their two cells are marked.
    page.get_by_role("link", name=_cell(name, day)).click()
    editor.get_by_label("24h call").check()
    editor.get_by_label("Locked: kept as it is").check()
    editor.get_by_role("button", name="Save").click()
    expect(grid).to_contain_text(f"Saved: {name} on {when}: off → 24h call, locked")
    expect(grid).not_to_contain_text(f"24h call on {when} has 0")
    expect(page.locator(f"#t{taker.pk} th")).to_contain_text("of continuous work")
    locked = page.get_by_role("link", name=_cell(name, day) + " C, locked, 1 broken rule")
    expect(locked).to_be_visible()
    assert_accessible(page)
    screenshot(page, "calls/grid-desktop")
    # Re-solve the rest around the lock: a job, then a new draft version with the lock kept.
    page.get_by_role("button", name="Re-solve the rest around locked shifts").click()
    expect(page.get_by_role("heading", name="Re-solve")).to_be_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    expect(page.get_by_role("link", name="Open the draft")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Call draft version 2 is ready")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "calls/resolve-job-desktop")
    page.get_by_role("link", name="See what changed").click()
    expect(page.get_by_role("heading", name="version 1 and version 2")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "calls/compare-desktop")
    assert page.locator("td.changed").count() >= 1, "the taker's call the day before moved"
    page.get_by_role("link", name="Open version 2").click()
    expect(page.get_by_text("Every ACGME work-hour rule holds")).to_be_visible()
    expect(page.get_by_role("link", name=_cell(name, day) + " C, locked")).to_be_visible()
    page.get_by_role("button", name="Preview and publish").click()
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("version 2, is published;")).to_be_visible()
    expect(page.get_by_role("button", name="Make a change")).to_be_visible()
    assert CallSchedule.objects.get(number=2).status == "published"


def test_the_call_grid_and_its_cell_form_fit_a_phone(
    world: tuple[str, SmallInstitution, CallSchedule], phone_page: Page
) -> None:
    base, _, draft = world
    page = phone_page
    sign_in(page, base, "coord.im")
    page.goto(f"{base}/schedules/calls/{draft.pk}/")
    expect(page.get_by_text("Every ACGME work-hour rule holds")).to_be_visible()
    assert_fits_width(page)
    assert_accessible(page)
    screenshot(page, "calls/grid-phone")
    day = draft.month + dt.timedelta(days=1)
    page.get_by_role("link", name=_cell("Ben Baker", day)).click()
    editor = page.locator("#cell-editor")
    expect(editor.get_by_role("button", name="Save")).to_be_in_viewport()
    assert_fits_width(page)
    assert_accessible(page)
    screenshot(page, "calls/cell-editor-phone")
    editor.get_by_role("link", name="Cancel").click()
    expect(page.locator("#cell-editor form")).to_have_count(0)
