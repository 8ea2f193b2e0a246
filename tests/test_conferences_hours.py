"""An attended conference is education time in the hours week, counted once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from rounds.conferences.models import Attendance
from rounds.lib.today import today_is
from rounds.workhours.models import EntryKind, LoggedPeriod
from rounds.workhours.selectors import week_suggestions
from tests.conferences_setup import TODAY, noon_report, session_on
from tests.people import SmallInstitution

NY = ZoneInfo("America/New_York")
MONDAY = dt.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def pinned_day() -> Iterator[None]:
    with today_is(TODAY):
        yield


def _education(small: SmallInstitution) -> list[tuple[dt.datetime, dt.datetime]]:
    by_day, _ = week_suggestions(small.ana, MONDAY)
    return [(s.start, s.end) for day in by_day.values() for s in day if s.kind == "education"]


def _attend(small: SmallInstitution, day: dt.date, start: int, end: int) -> None:
    session = session_on(noon_report(small), day, dt.time(start), dt.time(end))
    Attendance.objects.create(session=session, trainee=small.ana, checked_in_at=session.starts_at)


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=NY)


def test_an_attended_session_is_suggested_as_education(small: SmallInstitution) -> None:
    _attend(small, dt.date(2026, 12, 1), 12, 13)
    assert _education(small) == [(at(1, 12), at(1, 13))]


def test_a_session_inside_a_logged_shift_is_not_counted_again(small: SmallInstitution) -> None:
    _attend(small, dt.date(2026, 12, 1), 12, 13)
    _attend(small, dt.date(2026, 12, 2), 16, 18)
    for day in (1, 2):
        LoggedPeriod.objects.create(
            trainee=small.ana, kind=EntryKind.CLINICAL, start=at(day, 7), end=at(day, 17)
        )
    # Dec 1 lies inside the shift; Dec 2 runs an hour past it: that hour is suggested.
    assert _education(small) == [(at(2, 17), at(2, 18))]


def test_the_week_page_offers_the_conference_and_one_tap_logs_it_once(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    _attend(small, dt.date(2026, 12, 1), 12, 13)
    ana = client_as("resident")
    page = ana.get("/hours/week/2026-11-30/").content.decode()
    assert "Conference attended: 12:00–13:00 (Noon report: Hyponatremia)" in page
    for _ in range(2):
        ana.post("/hours/day/2026-12-01/as-scheduled/")
    logged = LoggedPeriod.objects.get(trainee=small.ana)
    assert (logged.kind, logged.start, logged.end) == ("education", at(1, 12), at(1, 13))
