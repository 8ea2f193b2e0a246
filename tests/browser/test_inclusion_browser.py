"""Inclusion and language access as people use them: a trainee gives and withdraws
self-identification on a phone; the inclusion office imports a funnel through the column mapping
and reads it; the GME office reads a site's concordance. Every page passes axe."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.inclusion.models import Applicant, RecruitmentCycle
from rounds.languages.models import Certification, LanguageDemand
from rounds.people.models import SelfIdentification
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def small(transactional_db: None) -> SmallInstitution:
    return build_small_institution()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_trainee_gives_and_withdraws_self_identification_on_a_phone(
    small: SmallInstitution, live_server: LiveServer, phone_page: Page
) -> None:
    page, base = phone_page, live_server.url
    sign_in(page, base, "resident")
    page.goto(f"{base}/inclusion/me/")
    expect(page.get_by_role("heading", name="Self-identification")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Black or African American").check()
    page.get_by_label("I identify as LGBTQ+").select_option("yes")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Only you, the inclusion office and the GME office")).to_be_visible()
    expect(page.get_by_text("your answers count as: URiM")).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "inclusion/me-saved-phone")
    page.get_by_role("button", name="Delete my self-identification").click()
    expect(page.get_by_text("Your self-identification is deleted")).to_be_visible()
    assert not SelfIdentification.objects.filter(person=small.ana.person).exists()

    page.get_by_role("link", name="The languages you speak").click()
    page.get_by_label("Language").fill("Haitian Creole")
    page.get_by_label("Proficiency").select_option("native")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("row", name="Haitian Creole")).to_contain_text("Native or bilingual")
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "inclusion/languages-me-phone")


def test_inclusion_office_imports_and_reads_a_funnel_and_gme_reads_concordance(
    small: SmallInstitution, live_server: LiveServer, desktop_page: Page, tmp_path: Path
) -> None:
    page, base = desktop_page, live_server.url
    cycle = RecruitmentCycle.objects.create(program=small.im, season=2027)
    export = tmp_path / "eras.csv"
    lines = ["AAMC ID,Race,Invited,Interviewed,Ranked,Matched"]
    for n in range(60):
        race = "Black or African American" if n % 5 == 0 else "White"
        stage = ["Yes", "Yes", "Yes", "No"] if n % 2 == 0 else ["No", "No", "No", "No"]
        lines.append(f"{n},{race},{','.join(stage)}")
    export.write_text("\n".join(lines) + "\n")
    sign_in(page, base, "inclusion")
    page.goto(f"{base}/inclusion/recruitment/{cycle.pk}/")
    page.get_by_label("File").set_input_files(str(export))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", name="Which column is which?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("race_ethnicity").select_option("race")
    page.get_by_role("button", name="Check every row and import").click()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    expect(page.get_by_text("Imported eras.csv: 60 new")).to_be_visible()
    assert Applicant.objects.filter(cycle=cycle).count() == 60
    page.get_by_role("link", name="Back to the season").click()
    row = page.get_by_role("row", name="Applied")
    expect(row).to_contain_text("60")
    expect(row).to_contain_text("suppressed")  # 12 of 60: the funnel's stages would give it away
    expect(page.get_by_role("row", name="Ranked")).to_contain_text("30")
    expect(page.get_by_role("row", name="Matched")).to_contain_text("suppressed")
    assert_accessible(page)
    screenshot(page, "inclusion/funnel-desktop")

    LanguageDemand.objects.create(
        site=small.sponsor, language="hat", share_pct=9, as_of=date(2026, 1, 1), source="EHR"
    )
    Certification.objects.create(
        person=small.ana.person,
        language="spa",
        assessment="ALTA",
        assessed_on=date(2025, 1, 1),
        expires_on=date(2029, 1, 1),
    )
    LanguageDemand.objects.create(
        site=small.sponsor, language="spa", share_pct=20, as_of=date(2026, 1, 1), source="EHR"
    )
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "gme")
    page.goto(f"{base}/languages/sites/riverside/?year=2026&block=3")
    expect(page.get_by_role("heading", name="Block 3 (Aug 26 – Sep 22), 2026–2027")).to_be_visible()
    expect(page.get_by_role("row", name="Haitian Creole gap")).to_contain_text("0")
    expect(page.get_by_role("row", name="Spanish")).to_contain_text("Ana Alvarez")
    assert_accessible(page)
    screenshot(page, "inclusion/concordance-desktop")
