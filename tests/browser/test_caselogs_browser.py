"""Case logs in the browser: a resident logs a procedure on a phone with the site and attending
already filled in, the attending verifies it on a phone, the coordinator sees the program.
Every page passes axe and fits 390 px; each is photographed at 1280 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.caselogs.models import CaseLog
from rounds.caselogs.services import caselog_log, caselog_verify
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_record_browser import sign_in
from tests.caselogs_setup import SmallCaseLogs, build_case_logs
from tests.people import SmallInstitution, build_small_institution

pytestmark = pytest.mark.browser


@pytest.fixture
def world(
    transactional_db: None, live_server: LiveServer, settings
) -> tuple[str, SmallInstitution, SmallCaseLogs]:  # type: ignore[no-untyped-def]
    small = build_small_institution()
    c = build_case_logs(small, settings)
    for n, role in enumerate(["performed", "performed", "assisted"]):
        entry = caselog_log(
            trainee=small.ana,
            by=None,
            day=c.today,
            procedure=c.central_line,
            role=role,
            supervisor=c.a.faculty,
            note=f"teaching case {n}",
        )
        caselog_verify(entry=entry, by=None)
    return live_server.url, small, c


def test_logged_on_a_phone_and_verified_by_the_attending(
    world: tuple[str, SmallInstitution, SmallCaseLogs], phone_page: Page
) -> None:
    base, small, c = world
    phone = phone_page
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/caselogs/")
    expect(phone.get_by_role("heading", name="Your case log")).to_be_visible()
    expect(phone.locator("#id_site")).to_have_value(str(small.affiliate.pk))
    expect(phone.locator("#id_supervisor")).to_have_value(str(c.a.faculty.pk))
    phone.locator("#id_procedure").fill("Paracentesis")
    phone.get_by_label("Performed").check()
    assert_accessible(phone)
    assert_fits_width(phone)
    phone.get_by_role("button", name="Log it").click()
    expect(phone.get_by_text("Paracentesis (performed) logged")).to_be_visible()
    assert CaseLog.objects.filter(procedure=c.paracentesis).count() == 1

    phone.context.clear_cookies()
    sign_in(phone, base, "faculty")
    phone.goto(f"{base}/caselogs/")
    expect(phone.get_by_role("heading", name="Entries to verify")).to_be_visible()
    assert_accessible(phone)
    assert_fits_width(phone)
    phone.get_by_role("button", name="Verify Paracentesis for Ana Alvarez").click()
    expect(phone.get_by_text("Verified: Ana Alvarez, Paracentesis.")).to_be_visible()
    assert CaseLog.objects.get(procedure=c.paracentesis).status == "verified"


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_pages_pass_axe_fit_and_are_photographed(
    world: tuple[str, SmallInstitution, SmallCaseLogs], browser: Browser, width: int, height: int
) -> None:
    base, small, c = world
    caselog_log(trainee=small.ana, by=None, day=c.today, procedure=c.paracentesis,
                role="observed", supervisor=c.a.faculty)  # fmt: skip
    phone = width < 500
    context = browser.new_context(
        viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    pages = [
        ("resident", f"/caselogs/trainees/{small.ana.pk}/", "trainee"),
        ("faculty", "/caselogs/queue/", "queue"),
        ("coord.im", f"/caselogs/programs/{small.im.pk}/", "program"),
        ("coord.im", "/caselogs/", "home"),
        ("coord.im", f"/caselogs/trainees/{small.ana.pk}/", "trainee-staff"),
    ]
    for username, path, name in pages:
        page.context.clear_cookies()
        sign_in(page, base, username)
        page.goto(base + path)
        assert_accessible(page)
        assert_fits_width(page)
        screenshot(page, f"caselogs-{name}-{width}")
    context.close()
