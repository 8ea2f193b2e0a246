"""Every page of every role fits a 390 px phone: each person signs in and follows every link from
their landing page (one page per kind, see crawl.py), and no page is wider than the screen; the
header takes one line. The pages this work changed are checked with axe and photographed at 1280
and 390 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from rounds.people.models import Person, Role, RoleAssignment
from rounds.schedules.swaps import swap_answer, swap_propose
from tests.browser.conftest import CHROMIUM_ARGS, assert_accessible, screenshot  # noqa: F401
from tests.browser.crawl import crawl
from tests.call_setup import hand_month, shift
from tests.conferences_setup import noon_report, session_on
from tests.people import PASSWORD, USERNAMES, SmallInstitution, _user, build_small_institution
from tests.schedules_setup import build_schedules

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ONE_LINE = 64  # px: the header's height when its links fit one line


@pytest.fixture
def small_live(transactional_db: None, live_server: LiveServer) -> tuple[SmallInstitution, str]:
    small = build_small_institution()
    build_schedules(small)
    month = hand_month(small, status="published")
    anas = [shift(month, small.ana, day) for day in (2, 9, 16)]
    bens = shift(month, small.ben, 12)
    swap_propose(shift=anas[0], to_trainee=small.ben, in_return=bens, by=None)
    agreed = swap_propose(shift=anas[1], to_trainee=small.ben, by=None)
    swap_answer(proposal=agreed, accept=True, by=None)
    swap_propose(shift=anas[2], by=None)
    person = small.ana.person
    person.phone, person.pager = "+1 212 555 0147", "4471"
    person.save()
    user, _ = _user("operator", Person.Kind.STAFF, "Olga", "Operator")
    RoleAssignment.objects.create(user=user, role=Role.SWITCHBOARD)
    noon = noon_report(small)  # a held and a coming session, so the crawl opens their pages
    session_on(noon, dt.date(2026, 6, 23))
    session_on(noon, dt.date(2026, 7, 7), presenter=small.users["faculty"].person)
    return small, live_server.url


@contextmanager
def _context_page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    phone = viewport["width"] < 500
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        is_mobile=phone,
        has_touch=phone,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _width_and_header(page: Page) -> tuple[int, int]:
    return page.evaluate(  # type: ignore[no-any-return]
        "[document.documentElement.scrollWidth,"
        " Math.round(document.querySelector('.site-header').getBoundingClientRect().height)]"
    )


@pytest.mark.parametrize("username", [*USERNAMES, "operator", None])
def test_every_page_of_every_role_fits_a_phone(
    small_live: tuple[SmallInstitution, str], browser: Browser, username: str | None
) -> None:
    _, base = small_live
    problems: list[str] = []

    def check(visited: Page) -> None:
        width, header = _width_and_header(visited)
        if width > PHONE["width"]:
            problems.append(f"{visited.url} is {width}px wide")
        if header > ONE_LINE:
            problems.append(f"{visited.url}: the header is {header}px high")

    with _context_page(browser, PHONE) as page:
        if username is not None:
            _sign_in(page, base, username)
        slow: list[str] = []
        start = "/staff/start/" if username else "/"
        seen = list(crawl(page, base, start, limit=60, visit=check, slow=slow))
        assert len(seen) >= 3, seen
        assert not slow, f"did not load: {slow}"
        assert not problems, "\n".join(problems)


CHANGED = [
    ("coord.im", "/staff/", "landing-coordinator"),
    ("gme", "/staff/", "landing-gme"),
    ("resident", "/staff/me/", "landing-trainee"),
    ("resident", "/schedules/calls/me/", "my-calls"),
    ("resident", "/people/me/contact/", "my-contact"),
    ("operator", "/schedules/on-call/?date={month_day}", "on-call-day"),
    ("coord.im", "/schedules/calls/programs/{im}/swaps/", "swaps-queue"),
    ("coord.im", "/staff/trainees/?q=ana", "trainee-search"),
    ("coord.im", "/staff/trainees/{ana}/edit/", "trainee-edit"),
    ("gme", "/staff/manage/programs/{im}/", "program-edit-pickers"),
    ("gme", "/staff/jobs/failed/", "jobs-failed"),
]


def test_changed_pages_pass_axe_and_are_photographed(
    small_live: tuple[SmallInstitution, str], browser: Browser
) -> None:
    small, base = small_live
    from rounds.schedules.models import CallAssignment

    first = CallAssignment.objects.filter(trainee=small.ana).order_by("day").first()
    assert first is not None
    values = {"im": small.im.pk, "ana": small.ana.pk, "month_day": first.day.isoformat()}
    mine = CallAssignment.objects.filter(trainee=small.ana, schedule__status="published").last()
    pages = [*CHANGED, ("resident", f"/schedules/calls/shifts/{mine.pk}/swap/", "swap-shift")]
    for viewport, tag in ((DESKTOP, "1280"), (PHONE, "390")):
        with _context_page(browser, viewport) as page:
            signed_in = None
            for username, path, name in pages:
                if username != signed_in:
                    page.context.clear_cookies()
                    _sign_in(page, base, username)
                    signed_in = username
                page.goto(base + path.format(**values))
                assert_accessible(page)
                width, _ = _width_and_header(page)
                assert width <= viewport["width"], f"{path} is {width}px wide"
                screenshot(page, f"day-{name}-{tag}")
    # The picker searches by name among faculty only (htmx), and the form asks no slug.
    with _context_page(browser, DESKTOP) as page:
        _sign_in(page, base, "gme")
        page.goto(f"{base}/staff/manage/programs/{small.im.pk}/")
        assert page.locator("input[name=slug]").count() == 0
        page.locator("#id_director_search").fill("Fac")
        page.locator("#id_director_results label").first.wait_for()
        assert "Faculty" in page.locator("#id_director_results").inner_text()
        page.locator("#id_director_search").fill("Ana")
        page.get_by_text("No faculty member with that name.").wait_for()
