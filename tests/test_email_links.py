"""Emails carry absolute links on the configured site address (ROUNDS_SITE_URL), whichever area
sends them: one helper, rounds.lib.links."""

from __future__ import annotations

from datetime import date

from django.core import mail
from django.core.management import call_command

from rounds.lib.links import absolute, absolute_url
from rounds.schedules import notices
from rounds.schedules.models import VacationRequest
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def test_links_are_built_on_the_site_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_SITE_URL = "https://gme.example.org/"
    assert absolute_url("schedules:mine") == "https://gme.example.org/schedules/me/"
    assert absolute_url("schedules:mine", query="year=2026").endswith("/schedules/me/?year=2026")
    assert absolute("/hours/") == "https://gme.example.org/hours/"
    assert absolute("https://elsewhere.example/x") == "https://elsewhere.example/x"


def test_a_vacation_notice_and_an_hours_reminder_link_to_the_site(  # type: ignore[no-untyped-def]
    small: SmallInstitution, settings
) -> None:
    settings.ROUNDS_SITE_URL = "https://gme.example.org"
    x = build_schedules(small)
    request = VacationRequest.objects.create(
        trainee=small.ana, block=x.im_blocks[8], status=VacationRequest.Status.APPROVED
    )
    notices.vacation_decided(request)
    assert "Your schedule: https://gme.example.org/schedules/me/?year=2026" in mail.outbox[0].body
    call_command("send_hour_reminders", "--today", "2025-07-30", "--program", small.im.slug)
    ana = next(
        m for m in mail.outbox if m.to == ["resident@example.org"] and "Work hours" in m.subject
    )
    assert f"https://gme.example.org/hours/week/{date(2025, 7, 21).isoformat()}/" in ana.body
