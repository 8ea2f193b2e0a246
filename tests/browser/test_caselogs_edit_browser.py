"""A returned case log entry on a phone: the resident reads why it came back, puts it right and
sends it again; the attending finds it in their queue with the earlier comment. The pages pass
axe and fit 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.caselogs.models import CaseLog
from rounds.caselogs.services import caselog_log, caselog_return
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_record_browser import sign_in
from tests.caselogs_setup import build_case_logs
from tests.people import build_small_institution

pytestmark = pytest.mark.browser


def test_a_returned_entry_is_put_right_and_sent_again_on_a_phone(
    transactional_db: None, live_server: LiveServer, settings, phone_page: Page
) -> None:  # type: ignore[no-untyped-def]
    small = build_small_institution()
    c = build_case_logs(small, settings)
    entry = caselog_log(trainee=small.ana, by=None, day=c.today, procedure=c.paracentesis,
                        role="performed", supervisor=c.a.faculty)  # fmt: skip
    caselog_return(entry=entry, by=small.users["faculty"], comment="You assisted; I drained it.")
    base, phone = live_server.url, phone_page
    sign_in(phone, base, "resident")
    phone.goto(f"{base}/caselogs/trainees/{small.ana.pk}/")
    phone.get_by_role("link", name="Edit and send again").click()
    expect(phone.get_by_role("heading", name="Edit a returned entry")).to_be_visible()
    expect(phone.get_by_text("You assisted; I drained it.")).to_be_visible()
    assert_accessible(phone)
    assert_fits_width(phone)
    screenshot(phone, "caselogs-edit-390")
    phone.get_by_label("Assisted").check()
    phone.get_by_role("button", name="Send it again").click()
    expect(phone.get_by_text("Paracentesis sent again")).to_be_visible()
    entry.refresh_from_db()
    assert (entry.status, entry.role) == (CaseLog.Status.PENDING, "assisted")

    phone.context.clear_cookies()
    sign_in(phone, base, "faculty")
    phone.goto(f"{base}/caselogs/queue/")
    expect(phone.get_by_text("Returned earlier with “You assisted; I drained it.”")).to_be_visible()
    assert_accessible(phone)
    assert_fits_width(phone)
