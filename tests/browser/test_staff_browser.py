"""The staff side as people use it: sign in, import a spreadsheet with a broken row, be refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.people.models import Trainee
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.people import PASSWORD, build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def base(transactional_db: None, live_server: LiveServer) -> str:
    build_small_institution()
    return live_server.url


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_gme_office_imports_a_file_with_a_broken_row_and_nothing_is_imported(
    base: str, phone_page: Page, tmp_path: Path
) -> None:
    page = phone_page
    sign_in(page, base, "gme")
    expect(page.get_by_role("heading", name="Welcome, Gme Tester")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}/staff/imports/")
    assert_accessible(page)
    broken = tmp_path / "interns.csv"
    broken.write_text(
        "email,first_name,last_name,program,pgy,start_date,expected_end_date\n"
        "dana@example.org,Dana,Diaz,Internal Medicine Residency,1,2026-07-01,2029-06-30\n"
        "eli@example.org,Eli,Evans,Internal Medicine Residency,1,2026-07-01,30/06/2029\n"
    )
    page.get_by_label("Kind").select_option("trainees")
    page.get_by_label("File").set_input_files(str(broken))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Queued", exact=True)).to_be_visible()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    # The page polls by itself; the problem appears without a reload.
    expect(page.get_by_text("Nothing was imported: 1 problem in interns.csv")).to_be_visible()
    expect(page.get_by_text("Checked every row: nothing imported (1 problem).")).to_be_visible()
    expect(
        page.get_by_text("Row 3, column expected_end_date: '30/06/2029' is not a date")
    ).to_be_visible()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, "staff-import-problem-phone")
    assert not Trainee.objects.filter(person__email="dana@example.org").exists()


def test_a_trainee_who_opens_a_staff_page_is_refused_and_told_why(
    base: str, desktop_page: Page
) -> None:
    page = desktop_page
    sign_in(page, base, "resident")
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()
    response = page.goto(f"{base}/staff/trainees/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="This page is not part of your role")).to_be_visible()
    assert_accessible(page)
