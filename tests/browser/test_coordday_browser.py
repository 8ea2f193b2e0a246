"""The coordinator's day, in a real browser at 1280 and 390 px, with axe: the call grid's summary
counts a day short and a shift on parental leave, the publish preview names that shift, and the
landing page leads with the leave flag."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.schedules.models import CallSchedule
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_call_editing import sign_in
from tests.call_setup import hand_month, shift
from tests.leave_setup import im_policy, leave, over_abim
from tests.people import build_small_institution
from tests.schedules_setup import build_schedules

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db: None, live_server: LiveServer) -> tuple[str, CallSchedule]:
    small = build_small_institution()
    build_schedules(small)
    im_policy(small)
    over_abim(small)  # Ana: past the board's allowance
    draft = hand_month(small)
    draft.problem = {**draft.problem, "coverage": [{"shift": "C", "days": [3, 5], "min": 1}]}
    draft.save(update_fields=["problem"])
    shift(draft, small.ana, 3)  # day 5 has no 24h call
    leave(small.ben, "parental", draft.month + dt.timedelta(days=10), 5)
    shift(draft, small.ben, 11)  # inside his parental leave
    return live_server.url, draft


def _look(page: Page, name: str, phone: bool) -> None:
    assert_accessible(page)
    if phone:
        assert_fits_width(page)
    screenshot(page, f"coordday/{name}-{'phone' if phone else 'desktop'}")


@pytest.mark.parametrize("phone", [False, True], ids=["1280", "390"])
def test_the_summary_the_preview_and_the_to_dos_tell_the_coordinator(
    world: tuple[str, CallSchedule], desktop_page: Page, phone_page: Page, phone: bool
) -> None:
    base, draft = world
    page = phone_page if phone else desktop_page
    sign_in(page, base, "coord.im")
    expect(page.locator(".todo-list")).to_contain_text("trainee past their board's leave")
    _look(page, "landing", phone)
    page.goto(f"{base}/schedules/calls/{draft.pk}/")
    rules = page.locator("#call-rules")
    expect(rules.locator(".badge-broken")).to_have_text("2 broken rules")
    short, away = draft.month + dt.timedelta(days=5), draft.month + dt.timedelta(days=11)
    expect(rules).to_contain_text(f"24h call on {short:%a %b} {short.day} has 0")
    expect(rules).to_contain_text(f"Ben Baker is not in training on {away:%a %b} {away.day}")
    expect(page.locator(f"#cov-{short:%Y%m%d}")).to_contain_text("C 0/≥1 (short)")
    _look(page, "call-grid", phone)
    page.goto(f"{base}/schedules/calls/{draft.pk}/preview/")
    expect(page.locator(".preview-counts")).to_contain_text("1 shift on days the trainee is away")
    _look(page, "publish-preview", phone)
