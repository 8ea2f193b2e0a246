"""The share bars of survey results and of the recruitment funnel draw under a policy without
inline styles: no violation is reported (event or console), and each bar still shows its share
(its filled width against the whole bar), with the national share marked where it is."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.inclusion.models import Applicant, RecruitmentCycle, Stage
from rounds.wellness.bank import bank_install
from rounds.wellness.models import Question
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""
# Each bar's filled part as a fraction of the whole bar, as drawn.
FRACTIONS = """(selector) => [...document.querySelectorAll(selector)].map((svg) => {
  const whole = svg.getBoundingClientRect().width;
  const fill = svg.querySelector(".bar-fill").getBoundingClientRect().width;
  const mark = svg.querySelector(".bar-mark");
  const left = svg.getBoundingClientRect().left;
  const at = mark ? (mark.getBoundingClientRect().left
                     + mark.getBoundingClientRect().width / 2 - left) / whole : null;
  return [fill / whole, at];
})"""


@pytest.fixture
def small(transactional_db: None) -> SmallInstitution:
    return build_small_institution()


def watched(page: Page) -> list[str]:
    """Console lines about the policy, from now on; the page also records violation events."""
    console: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            console.append(message.text)

    page.on("console", listen)
    page.add_init_script(WATCH)
    return console


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_survey_result_bars_show_their_shares_without_inline_styles(
    small: SmallInstitution, live_server: LiveServer, desktop_page: Page, phone_page: Page
) -> None:
    from tests.test_wellness_anonymity import add_trainees, answer_all, new_survey

    bank_install(Question)
    survey = new_survey(small.im, small.users["gme"])
    trainees = add_trainees(small.im, 12, "bar")
    # The first closed quarter: 7 of 12 answer "no burnout", 5 "burning out".
    answer_all(survey, trainees[:7], option=0, day=date(2026, 2, 1))
    answer_all(survey, trainees[7:], option=3, day=date(2026, 2, 1))

    for page, name in ((desktop_page, "desktop"), (phone_page, "phone")):
        console = watched(page)
        sign_in(page, live_server.url, "gme")
        page.goto(f"{live_server.url}/wellness/surveys/{survey.pk}/")
        expect(page.get_by_role("heading", name="Latest closed round")).to_be_visible()
        burnout = page.locator("details.distribution table").first
        expect(burnout.get_by_role("row").nth(1)).to_contain_text("58%")
        drawn = page.evaluate(FRACTIONS, "details.distribution table:first-of-type svg.bar")
        shares = [fill for fill, _ in drawn]
        # Options in order: 7 of 12 (58%), none, none, 5 of 12 (42%), none, prefer not to say.
        assert shares[0] == pytest.approx(0.58, abs=0.01)
        assert shares[3] == pytest.approx(0.42, abs=0.01)
        assert shares[1] == shares[2] == 0
        assert page.evaluate("window.__violations") == [] and console == []
        assert_accessible(page)
        assert_fits_width(page)
        screenshot(page, f"wellness/result-bars-{name}")


def test_funnel_bars_show_the_urim_share_and_the_national_mark_without_inline_styles(
    small: SmallInstitution, live_server: LiveServer, desktop_page: Page, phone_page: Page
) -> None:
    cycle = RecruitmentCycle.objects.create(
        program=small.im, season=2026, national_urim_pct=Decimal("15.0")
    )
    spec = [
        (Stage.APPLIED, True, 40),
        (Stage.APPLIED, False, 200),
        (Stage.INVITED, True, 10),
        (Stage.INVITED, False, 30),
        (Stage.MATCHED, True, 6),
        (Stage.MATCHED, False, 8),
    ]
    rows = [
        Applicant(cycle=cycle, external_id=f"{stage}-{urim}-{n}", stage=stage, urim=urim)
        for stage, urim, count in spec
        for n in range(count)
    ]
    Applicant.objects.bulk_create(rows)

    for page, name in ((desktop_page, "desktop"), (phone_page, "phone")):
        console = watched(page)
        sign_in(page, live_server.url, "inclusion")
        page.goto(f"{live_server.url}/inclusion/recruitment/{cycle.pk}/")
        expect(page.get_by_role("heading", name="Funnel")).to_be_visible()
        drawn = page.evaluate(FRACTIONS, "table.funnel svg.bar")
        # Applied: 56 URiM of 294 (19.0%); matched: 6 of 14 (42.9%); national share 15%.
        assert drawn[0][0] == pytest.approx(0.19, abs=0.01)
        assert drawn[-1][0] == pytest.approx(0.43, abs=0.01)
        assert all(at == pytest.approx(0.15, abs=0.01) for _, at in drawn)
        assert page.evaluate("window.__violations") == [] and console == []
        assert_accessible(page)
        assert_fits_width(page)
        screenshot(page, f"inclusion/funnel-bars-{name}")
