"""Wellness in a browser: get help in one tap on a phone, answer a pulse survey, raise an
anonymous concern and come back with the code; every page passes axe and fits a phone."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.lib.today import today
from rounds.wellness.bank import bank_install
from rounds.wellness.models import Question, ResponseCount, Survey
from rounds.wellness.services import survey_create
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def base(transactional_db: None, live_server: LiveServer) -> str:
    small = build_small_institution()
    bank_install(Question)
    survey_create(
        title="Monthly pulse",
        program=small.im,
        questions=list(Question.objects.filter(code__in=["burnout-single-item", "pulse-sleep"])),
        recurrence=Survey.Recurrence.MONTHLY,
        starts_on=today().replace(day=1),
        by=None,
    )
    return live_server.url


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_trainee_gets_help_answers_a_survey_and_speaks_up_anonymously(
    base: str, phone_page: Page
) -> None:
    page = phone_page
    page.goto(base)
    page.get_by_role("link", name="Get help").first.click()
    expect(page.get_by_role("heading", name="Get help", exact=True)).to_be_visible()
    expect(page.locator('a[href="tel:988"]').first).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "wellness/support-phone")

    sign_in(page, base, "resident")
    page.goto(f"{base}/wellness/")
    page.get_by_role("link", name="Answer now").click()
    assert_accessible(page)
    assert_fits_width(page)
    page.get_by_label("I enjoy my work. I have no symptoms of burnout.").check()
    page.get_by_role("group", name="2. In the past two weeks").get_by_label("Often").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Your answers were counted anonymously")).to_be_visible()
    expect(page.get_by_text("Answered, thank you")).to_be_visible()
    assert ResponseCount.objects.get().count == 1

    page.goto(f"{base}/concerns/")
    assert_accessible(page)
    page.get_by_label("What it is about").select_option("workload")
    page.get_by_label("In a few words").fill("Twelve admissions a night")
    page.get_by_label("What happened").fill("Night float takes every admission alone.")
    page.get_by_role("button", name="Send to the GME office").click()
    code = page.locator("#code").inner_text()
    assert_accessible(page)
    screenshot(page, "wellness/concern-code-phone")

    # Later, from another browser without signing in.
    context = page.context.browser.new_context()  # type: ignore[union-attr]
    other = context.new_page()
    other.goto(f"{base}/concerns/return/")
    other.get_by_label("Your private code").fill(code)
    other.get_by_role("button", name="Open").click()
    expect(other.get_by_role("heading", name="Twelve admissions a night")).to_be_visible()
    assert_accessible(other)
    context.close()


def test_committee_reads_results_with_trends_and_a_hidden_group(  # type: ignore[no-untyped-def]
    base: str, page: Page, settings
) -> None:
    settings.ROUNDS_TODAY = "2026-12-07"  # the three quarters answered are behind
    from rounds.core.models import Program
    from rounds.people.models import Trainee
    from tests.test_wellness_anonymity import add_trainees, answer_all, new_survey

    im = Program.objects.get(slug="im")
    survey = new_survey(None, None)
    ims = list(Trainee.objects.filter(program=im)) + add_trainees(im, 4, "im")
    cards_program = Program.objects.get(slug="cards")
    cards = list(Trainee.objects.filter(program=cards_program)) + add_trainees(
        cards_program, 5, "cards"
    )
    # In the second quarter only one fellow answers: that quarter is hidden for everyone.
    for day, fellows in ((date(2026, 2, 1), 6), (date(2026, 5, 1), 1), (date(2026, 8, 1), 6)):
        answer_all(survey, ims, option=day.month % 3, day=day)
        answer_all(survey, cards[:fellows], option=4, day=day)
    sign_in(page, base, "wellness")
    page.goto(f"{base}/wellness/surveys/{survey.pk}/")
    expect(page.get_by_role("heading", name="Trends")).to_be_visible()
    expect(page.get_by_text("hidden", exact=True).first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "wellness/results-desktop")
