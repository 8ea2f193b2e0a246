"""send_hour_reminders: one email per trainee with finished weeks not logged."""

from __future__ import annotations

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from rounds.workhours.models import LoggedPeriod, WeekConfirmation

NY = ZoneInfo("America/New_York")


def _log_week(trainee, monday: date) -> None:
    start = datetime.combine(monday, datetime.min.time(), NY).replace(hour=8)
    LoggedPeriod.objects.create(
        trainee=trainee, kind="clinical", start=start, end=start.replace(hour=17)
    )


def test_reminders_list_each_missing_week_with_a_link(small) -> None:
    # Year 2025-26 starts Tue Jul 1; by Wed Jul 30 four weeks have finished (Jun 30 - Jul 27).
    _log_week(small.ana, date(2025, 6, 30))
    _log_week(small.ana, date(2025, 7, 14))
    WeekConfirmation.objects.create(trainee=small.ana, week_start=date(2025, 7, 21))
    out = StringIO()
    call_command(
        "send_hour_reminders",
        "--today",
        "2025-07-30",
        "--base-url",
        "https://gme.example/",
        stdout=out,
    )
    by_address = {m.to[0]: m for m in mail.outbox}
    ana = by_address["resident@example.org"]
    assert ana.subject == "Work hours: 1 week not logged yet"
    assert "week of Mon Jul 7: https://gme.example/hours/week/2025-07-07/" in ana.body
    cara = by_address["fellow@example.org"]
    assert cara.subject == "Work hours: 4 weeks not logged yet"
    assert "resident2@example.org" not in by_address  # Ben starts in 2026: nothing is due
    assert "2 reminder(s) sent." in out.getvalue()


def test_dry_run_sends_nothing_and_program_filter(small) -> None:
    out = StringIO()
    call_command(
        "send_hour_reminders", "--today", "2025-07-30", "--dry-run", "--program", "im", stdout=out
    )
    assert not mail.outbox
    assert "resident@example.org: 4 week(s) missing" in out.getvalue()
    assert "fellow@example.org" not in out.getvalue()
    with pytest.raises(CommandError, match="--today: 'July' is not a date"):
        call_command("send_hour_reminders", "--today", "July")


def test_program_staff_remind_one_trainee_from_the_log_page(small, client_as) -> None:
    from django.test import Client
    from django.urls import reverse

    from rounds.core.models import AuditEntry
    from rounds.workhours.selectors import missing_weeks

    url = reverse("workhours:trainee_remind", args=[small.cara.pk])
    expected = {
        "gme": 302,
        "pd.cards": 302,
        "pd.im": 404,
        "coord.im": 404,
        "fellow": 403,
        "resident": 403,
        "nobody": 403,
    }
    for username, status in expected.items():
        assert client_as(username).post(url).status_code == status, username
    assert Client().post(url).status_code == 302
    assert client_as("pd.cards").get(url).status_code == 405
    if missing_weeks(small.cara):
        assert [m.to for m in mail.outbox] == [["fellow@example.org"], ["fellow@example.org"]]
        assert AuditEntry.objects.filter(action="workhours.remind").count() == 2
