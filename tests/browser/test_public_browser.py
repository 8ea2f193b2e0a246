"""The public program finder in a real browser, on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.core.demo import demo_build
from rounds.core.models import Program, Site
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def site_url(transactional_db: None, live_server: LiveServer) -> str:
    """The live server, holding the demo institution with a tenth of its people."""
    demo_build(seed=2026, scale=0.1, academic_year=2026)
    return live_server.url


def public_pages(base: str) -> dict[str, str]:
    program = Program.objects.get(name="Internal Medicine Residency")
    site = Site.objects.get(kind=Site.Kind.SPONSOR)
    return {
        "home": f"{base}/",
        "programs": f"{base}/programs/",
        "filtered": f"{base}/programs/?specialty=internal-medicine&kind=fellowship",
        "program": f"{base}{program.get_absolute_url()}",
        "sites": f"{base}/sites/",
        "site": f"{base}{site.get_absolute_url()}",
    }


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_every_public_page_is_accessible_and_fits(
    site_url: str, device: str, request: pytest.FixtureRequest
) -> None:
    page: Page = request.getfixturevalue(f"{device}_page")
    for name, url in public_pages(site_url).items():
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
        if device == "phone":
            assert_fits_width(page)
        if name in {"home", "programs", "program"}:
            screenshot(page, f"{name}-{device}")


def test_filter_form_narrows_the_list_by_clicking(site_url: str, page: Page) -> None:
    page.goto(f"{site_url}/programs/")
    count = page.locator(".results-count")
    expect(count).to_contain_text("89 programs")

    page.get_by_label("Specialty").select_option(label="Internal Medicine")
    page.get_by_label("Type").select_option(label="Fellowship")
    page.get_by_role("button", name="Show programs").click()

    expect(page).to_have_url(re.compile(r"specialty=internal-medicine.*kind=fellowship"))
    expect(count).to_contain_text("match your search")
    names = page.locator(".program-card h3").all_inner_texts()
    assert names and all("Fellowship" in name for name in names)
    assert "Cardiovascular Disease Fellowship" in names
    assert len(names) < 89

    page.get_by_label("Search", exact=True).fill("cardio")
    page.get_by_role("button", name="Show programs").click()
    names = page.locator(".program-card h3").all_inner_texts()
    assert names and all("Cardi" in name for name in names)

    page.get_by_role("link", name="Cardiovascular Disease Fellowship").first.click()
    expect(page.locator("h1")).to_have_text("Cardiovascular Disease Fellowship")
    expect(page.get_by_text("PGY-4", exact=True).first).to_be_visible()
