"""The moonlighting pages on a phone and a desktop: no page wider than the screen, axe clean,
photographed; a trainee sends a request through the form, the director approves it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from rounds.moonlighting.models import MoonlightingRequest
from tests.browser.conftest import assert_accessible, screenshot
from tests.moonlighting_setup import approve, ask, licence, moonlight
from tests.people import PASSWORD, SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def moon_live(transactional_db: None, live_server: LiveServer) -> tuple[SmallInstitution, str]:
    small = build_small_institution()
    moonlight(small.ana, date(2026, 8, 8))  # logged with no approval: flagged
    harbor = ask(small.ana, where="Harbor Urgent Care", start=date(2026, 8, 10))
    approve(harbor, small.users["pd.im"], small.users["gme"])
    ask(small.ana, where="Bayside Telehealth evenings, a long employer name to wrap")
    licence(small.ana, code="training-licence")
    return small, live_server.url


@contextmanager
def _page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    phone = viewport["width"] < 500
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")  # type: ignore[no-any-return]


def test_moonlighting_pages_fit_pass_axe_and_are_photographed(
    moon_live: tuple[SmallInstitution, str], browser: Browser, settings
) -> None:
    settings.ROUNDS_TODAY = "2026-08-20"
    small, base = moon_live
    pending = MoonlightingRequest.objects.filter(status="awaiting_director").get()
    pages = [
        ("resident", "/moonlighting/", "moon-list-trainee"),
        ("resident", "/moonlighting/new/", "moon-new"),
        ("resident", f"/moonlighting/{pending.pk}/", "moon-request-trainee"),
        ("resident", "/hours/entries/new/", "moon-hours-entry"),
        ("resident", "/hours/week/2026-08-03/", "moon-hours-week-flag"),
        ("pd.im", "/moonlighting/", "moon-list-director"),
        ("pd.im", f"/moonlighting/{pending.pk}/", "moon-request-director"),
        ("pd.im", f"/hours/programs/{small.im.pk}/", "moon-program-flags"),
        ("gme", "/staff/", "moon-gme-todos"),
    ]
    for viewport, tag in ((DESKTOP, "1280"), (PHONE, "390")):
        with _page(browser, viewport) as page:
            signed_in = None
            for username, path, name in pages:
                if username != signed_in:
                    _sign_in(page, base, username)
                    signed_in = username
                response = page.goto(base + path)
                assert response is not None and response.status == 200, path
                assert_accessible(page)
                assert _width(page) <= viewport["width"], f"{path} is {_width(page)}px wide"
                screenshot(page, f"{name}-{tag}")


def test_a_request_sent_on_a_phone_then_approved_by_the_director(
    moon_live: tuple[SmallInstitution, str], browser: Browser
) -> None:
    _, base = moon_live
    with _page(browser, PHONE) as page:
        _sign_in(page, base, "resident")
        page.goto(f"{base}/moonlighting/new/")
        page.get_by_label("Internal: a site of this institution").check()
        page.get_by_label("Where").fill("Riverside urgent care")
        page.get_by_label("First day").fill("2026-09-01")
        page.get_by_label("Last day").fill("2026-08-01")
        page.get_by_label("Expected hours per week").fill("8")
        page.get_by_label("Statement").fill("Saturday shifts on clinic weeks.")
        page.get_by_role("button", name="Send the request").click()
        page.get_by_text("The last day (August 1, 2026) is before the first day").wait_for()
        page.get_by_label("Last day").fill("2026-11-30")
        page.get_by_role("button", name="Send the request").click()
        page.get_by_text("Request sent to your program director.").wait_for()
        _sign_in(page, base, "pd.im")
        made = MoonlightingRequest.objects.get(where="Riverside urgent care")
        page.goto(f"{base}/moonlighting/{made.pk}/")
        page.get_by_label("Note or reason").fill("Fine on clinic weeks.")
        page.get_by_role("button", name="Approve").click()
        page.get_by_text("Waiting for the GME office").first.wait_for()
    made.refresh_from_db()
    assert made.status == "awaiting_gme"
