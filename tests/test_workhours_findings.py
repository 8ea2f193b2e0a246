"""Findings follow the log; the program director reviews them; nothing is deleted; rules at risk."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.lib import today as clock
from rounds.workhours import selectors, services
from rounds.workhours.models import Finding, LoggedPeriod, ViolationReview

NY = ZoneInfo("America/New_York")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), NY).replace(hour=hour)


def _long_call(small, hours: int = 29) -> LoggedPeriod:
    start = _at(date(2025, 9, 12), 7)
    return services.period_log(
        trainee=small.ana, kind="in_house_call", start=start, end=start + timedelta(hours=hours),
        by=small.users["resident"],
    )  # fmt: skip


def test_a_29_hour_call_is_found_reviewed_and_kept_after_correction(small, client_as) -> None:
    period = _long_call(small)
    finding = Finding.objects.get(trainee=small.ana, rule="max-continuous-hours")
    assert finding.detail.startswith("29h00 of continuous work from Sep 12 07:00")

    pd = client_as("pd.im")
    program_page = pd.get(reverse("workhours:program_hours", args=[small.im.pk]) + "?year=2025")
    page = program_page.content.decode()
    assert "29h00 of continuous work" in page and "Not reviewed" in page and "<svg" in page

    url = reverse("workhours:finding", args=[finding.pk])
    short = pd.post(url, {"outcome": "exception", "reason": "ok"}).content.decode()
    assert "at least 10 characters" in short
    pd.post(url, {"outcome": "exception", "reason": "Handover of a crashing patient; approved."})
    pd.post(
        url, {"outcome": "confirmed", "reason": "On reflection the handover could have waited."}
    )
    assert [r.outcome for r in finding.reviews.all()] == ["exception", "confirmed"]
    assert AuditEntry.objects.filter(action="workhours.review").count() == 2
    detail = pd.get(url).content.decode()
    assert "Handover of a crashing patient" in detail and "(superseded)" in detail

    # The trainee corrects the log: the finding is resolved, not deleted, and keeps its reviews.
    services.period_update(
        period=period, kind="in_house_call", start=period.start,
        end=period.start + timedelta(hours=26), by=small.users["resident"],
    )  # fmt: skip
    finding.refresh_from_db()
    assert finding.resolved_at is not None and finding.reviews.count() == 2
    assert "no longer found" in pd.get(url).content.decode()
    page = pd.get(
        reverse("workhours:program_hours", args=[small.im.pk]) + "?year=2025"
    ).content.decode()
    assert "29h00 of continuous work" not in page
    # Logging it long again reopens the same finding instead of making a second one.
    services.period_update(
        period=period, kind="in_house_call", start=period.start,
        end=period.start + timedelta(hours=29), by=small.users["resident"],
    )  # fmt: skip
    assert Finding.objects.filter(rule="max-continuous-hours").count() == 1
    assert Finding.objects.get(rule="max-continuous-hours").resolved_at is None


def test_coordinator_sees_but_cannot_review(small, client_as) -> None:
    _long_call(small)
    finding = Finding.objects.get(rule="max-continuous-hours")
    page = client_as("coord.im").get(reverse("workhours:finding", args=[finding.pk]))
    assert "29h00" in page.content.decode() and "Record review" not in page.content.decode()
    assert not ViolationReview.objects.exists()


def test_rest_after_call_and_moonlighting_sentences_reach_the_pages(small, client_as) -> None:
    day = date(2025, 9, 12)
    by = small.users["resident"]
    after = day + timedelta(days=1)
    services.period_log(
        trainee=small.ana, kind="in_house_call", start=_at(day, 7), end=_at(after, 7), by=by
    )
    services.period_log(
        trainee=small.ana, kind="clinical", start=_at(after, 17), end=_at(after, 21), by=by
    )
    rules = set(Finding.objects.filter(severity="violation").values_list("rule", flat=True))
    assert rules == {"rest-after-24h"}
    page = client_as("gme").get(reverse("workhours:trainee", args=[small.ana.pk])).content.decode()
    assert "Only 10h00 off after 24h00 of continuous work" in page


def test_rules_at_risk_before_they_break(small) -> None:
    # Block 3 of 2025-26 runs Tue Aug 26 - Mon Sep 22. 13-hour days, Sundays off, to Mon Sep 15.
    day = date(2025, 8, 26)
    while day <= date(2025, 9, 15):
        if day.weekday() != 6:
            LoggedPeriod.objects.create(
                trainee=small.ana, kind="clinical", start=_at(day, 7), end=_at(day, 20)
            )
        day += timedelta(days=1)
    outlook = selectors.outlook(small.ana, today=date(2025, 9, 15))
    assert outlook.week_hours == 13 and outlook.window_name == "Block 3"
    assert not outlook.broken
    assert outlook.at_risk == [
        "You are at 13 hours this week; a 24-hour call on Tuesday would break the 80-hour average."
    ]
    # A lighter trainee has nothing at risk.
    LoggedPeriod.objects.create(
        trainee=small.ben,
        kind="clinical",
        start=_at(date(2025, 9, 15), 8),
        end=_at(date(2025, 9, 15), 17),
    )
    assert selectors.outlook(small.ben, today=date(2025, 9, 15)).at_risk == []


def test_institution_page_csv_and_print(small, client_as) -> None:
    _long_call(small)
    gme = client_as("gme")
    page = gme.get(reverse("workhours:institution") + "?year=2025").content.decode()
    assert "Internal Medicine Residency" in page and "1 program with no work hours logged" in page
    assert '1 <span class="wh-small">(25.0)</span>' in page  # 1 violation in 4 trainee-weeks
    csv_text = gme.get(reverse("workhours:institution_csv") + "?year=2025").content.decode()
    rows = {row["program"]: row for row in csv.DictReader(io.StringIO(csv_text))}
    im = rows["Internal Medicine Residency"]
    # Ben starts in July 2026: not one of 2025-26's trainees.
    assert (im["trainees"], im["trainees logging"], im["violations"]) == ("1", "1", "1")
    assert im["max-continuous-hours"] == "1" and im["not yet reviewed"] == "1"
    assert rows["Cardiovascular Disease Fellowship"]["trainees logging"] == "0"
    printable = gme.get(reverse("workhours:institution_print") + "?year=2025").content.decode()
    assert "data-print" in printable and "Download CSV" not in printable


def test_a_program_with_nothing_logged_says_so(small, client_as) -> None:
    page = client_as("pd.cards").get(reverse("workhours:program_hours", args=[small.cards.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "No violations found in the logs this year." in text and "Cara Chen" in text


def test_the_trainee_sees_which_weeks_have_open_violations(small, client_as) -> None:

    day = clock.today() - timedelta(days=3)
    if day.month == 6 and day.day > 27:
        pytest.skip("three days ago was in the previous academic year")
    services.period_log(
        trainee=small.ana,
        kind="in_house_call",
        start=_at(day, 0),
        end=_at(day, 0) + timedelta(hours=30),
        by=small.users["resident"],
    )
    monday = selectors.monday_of(day)
    page = client_as("resident").get(
        reverse("workhours:week", args=[selectors.monday_of(clock.today()).isoformat()])
    )
    assert f'href="/hours/week/{monday.isoformat()}/">{monday:%b %-d}</a>' in page.content.decode()
