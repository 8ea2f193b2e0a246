"""The leave pages as a coordinator and a trainee see them, at 1280 and 390 px: axe clean, no
wider than the screen, and photographed."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from rounds.leave.models import Remediation
from tests.browser.conftest import assert_accessible, assert_fits_width, screenshot
from tests.browser.test_phone_every_page import DESKTOP, PHONE, _context_page, _sign_in
from tests.leave_setup import im_policy, over_abim
from tests.people import build_small_institution

pytestmark = pytest.mark.browser


def test_leave_pages_pass_axe_and_fit_a_phone(
    transactional_db: None, live_server: LiveServer, browser: Browser
) -> None:
    small = build_small_institution()
    im_policy(small)
    over_abim(small, by=10)
    Remediation.objects.create(trainee=small.ben, kind="remediation", start=date(2026, 3, 2))
    base = live_server.url
    pages = [
        ("coord.im", "/record/leave/", "program"),
        ("coord.im", f"/record/leave/trainees/{small.ana.pk}/", "flagged"),
        ("coord.im", f"/record/leave/trainees/{small.ana.pk}/extend/", "extend-preview"),
        ("coord.im", f"/record/leave/trainees/{small.ben.pk}/", "remediation"),
        ("resident", f"/record/leave/trainees/{small.ana.pk}/", "own"),
    ]
    for viewport, tag in ((DESKTOP, "1280"), (PHONE, "390")):
        with _context_page(browser, viewport) as page:
            signed_in = None
            for username, path, name in pages:
                if username != signed_in:
                    page.context.clear_cookies()
                    _sign_in(page, base, username)
                    signed_in = username
                page.goto(base + path)
                page.locator("details").evaluate_all("(all) => all.forEach(d => d.open = true)")
                assert_accessible(page)
                assert_fits_width(page)
                screenshot(page, f"leave-{name}-{tag}")
