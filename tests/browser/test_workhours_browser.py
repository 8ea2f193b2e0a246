"""Work hours as people use them: a resident logs a week on a phone; a director reviews."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.lib.today import today
from rounds.workhours import services
from rounds.workhours.models import LoggedPeriod, ViolationReview
from rounds.workhours.record import academic_year
from rounds.workhours.selectors import monday_of
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser
NY = ZoneInfo("America/New_York")


@pytest.fixture
def setup(transactional_db: None, live_server: LiveServer) -> tuple[str, SmallInstitution]:
    return live_server.url, build_small_institution()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_resident_logs_last_week_on_a_phone(setup, phone_page: Page) -> None:
    base, small = setup
    page = phone_page
    last_monday = monday_of(today()) - timedelta(days=7)
    earlier = last_monday - timedelta(days=7)
    start = datetime.combine(earlier, datetime.min.time(), NY).replace(hour=7)
    LoggedPeriod.objects.create(
        trainee=small.ana, kind="clinical", start=start, end=start + timedelta(hours=12)
    )
    sign_in(page, base, "resident")
    page.get_by_role("link", name="Hours", exact=True).click()
    page.get_by_role("link", name="Previous week").click()
    expect(page.get_by_role("heading", name=f"{last_monday:%b %-d} –")).to_be_visible()
    day = page.locator(f"#day-{last_monday.isoformat()}")
    day.get_by_role("button", name=f"Same as {earlier:%a %b %-d}").click()
    expect(page.get_by_text("logged 12 hours the same as last week")).to_be_visible()
    expect(page.locator(f"#day-{last_monday.isoformat()}").get_by_text("12 h")).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "workhours-week-phone")

    # A night on Tuesday, typed by hand; the end before the start is the next morning.
    tuesday = last_monday + timedelta(days=1)
    page.locator(f"#day-{tuesday.isoformat()}").get_by_role("link", name="+ Time").click()
    page.get_by_label("From").fill("19:00")
    page.get_by_label("To").fill("07:00")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: Clinical work, 12 hours.")).to_be_visible()
    expect(page.locator(f"#day-{tuesday.isoformat()}").get_by_text("+1 day")).to_be_visible()
    assert LoggedPeriod.objects.filter(trainee=small.ana).count() == 3


def test_director_reviews_a_violation(setup, desktop_page: Page) -> None:
    base, small = setup
    page = desktop_page
    day = today() - timedelta(days=9)
    start = datetime.combine(day, datetime.min.time(), NY).replace(hour=7)
    services.period_log(
        trainee=small.ana,
        kind="in_house_call",
        start=start,
        end=start + timedelta(hours=29),
        by=small.users["resident"],
    )
    year = academic_year(day)[0].year
    sign_in(page, base, "pd.im")
    page.goto(f"{base}/hours/?year={year}")
    page.goto(f"{base}/hours/programs/{small.im.pk}/?year={year}")
    expect(
        page.get_by_role("heading", name="Work hours: Internal Medicine Residency")
    ).to_be_visible()
    expect(page.get_by_text("29h00 of continuous work")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "workhours-program-desktop")
    page.get_by_role("link", name="Review max-continuous-hours for Ana Alvarez").click()
    page.get_by_label("Approved exception (patient care, education)").check()
    page.get_by_label("Reason").fill("Stayed for a rapid response; approved by the PD.")
    page.get_by_role("button", name="Record review").click()
    expect(page.get_by_text("Review recorded.")).to_be_visible()
    assert_accessible(page)
    assert ViolationReview.objects.get().reviewed_by == small.users["pd.im"]
