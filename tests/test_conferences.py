"""Conferences as people use them: a coordinator sets up a series, a trainee checks in with the
code in the room, the schedule excuses whoever could not be there, and the rates say who is
below the requirement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from django.test import Client, override_settings

from rounds.conferences import selectors
from rounds.conferences.models import Attendance, CheckInAttempt, Session
from rounds.conferences.services import ConferenceError, check_in, code_normal
from rounds.core.models import AuditEntry
from rounds.lib.today import today_is
from rounds.schedules.models import CallAssignment, CallSchedule
from rounds.workhours.models import LeaveSpan
from tests.conferences_setup import TODAY, noon_report, session_all_day, session_on
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

NY = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def pinned_day() -> Iterator[None]:
    with today_is(TODAY):
        yield


def test_a_coordinator_sets_up_a_series_with_a_weekly_pattern(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    coord = client_as("coord.im")
    page = coord.post(f"/conferences/programs/{small.im.pk}/", {"name": "Noon report", "rate": 70})
    series = small.im.conference_series.get()
    assert page["Location"] == f"/conferences/series/{series.pk}/"
    weekly = {
        "action": "weekly",
        "week-weekday": 3,
        "week-first": "2026-12-10",
        "week-last": "2027-01-31",
        "week-start_time": "12:00",
        "week-end_time": "13:00",
        "week-site": small.sponsor.pk,
        "week-room": "Room 3",
        "week-topic": "Case of the week",
    }
    coord.post(f"/conferences/series/{series.pk}/", weekly)
    assert series.sessions.count() == 8  # the Thursdays from Dec 10 to Jan 28
    coord.post(f"/conferences/series/{series.pk}/", weekly)
    assert series.sessions.count() == 8  # the same pattern again adds nothing
    assert len({s.code for s in series.sessions.all()}) == 8
    past = coord.post(f"/conferences/series/{series.pk}/", {**weekly, "week-first": "2026-12-01"})
    assert past.status_code == 400
    assert "has passed" in past.content.decode()


def test_a_held_session_is_history_and_a_future_one_can_be_cancelled(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    series = noon_report(small)
    held = session_on(series, TODAY - dt.timedelta(days=7))
    coming = session_on(series, TODAY + dt.timedelta(days=7))
    coord = client_as("coord.im")
    moved = coord.post(
        f"/conferences/sessions/{held.pk}/",
        {
            "action": "edit",
            "edit-day": "2026-12-20",
            "edit-start_time": "12:00",
            "edit-end_time": "13:00",
            "edit-site": small.sponsor.pk,
            "edit-topic": "Rewritten",
        },
    )
    assert moved.status_code == 400
    assert "it is history" in moved.content.decode()
    assert Session.objects.get(pk=held.pk).topic == "Hyponatremia"
    coord.post(f"/conferences/sessions/{coming.pk}/", {"action": "cancel", "cancel-reason": "Snow"})
    coming.refresh_from_db()
    assert coming.is_cancelled and coming.cancel_reason == "Snow"
    assert AuditEntry.objects.filter(action="conferences.cancel").count() == 1


def test_a_trainee_checks_in_once_with_the_code_from_the_room(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    session = session_all_day(noon_report(small), TODAY, presenter=small.users["faculty"].person)
    code_page = client_as("faculty").get(f"/conferences/sessions/{session.pk}/code/")
    assert session.code in code_page.content.decode()
    assert "<svg" in code_page.content.decode()
    ana = client_as("resident")
    scanned = ana.get(f"/conferences/check-in/?code={session.code}")
    assert f'value="{session.code}"' in scanned.content.decode()
    first = ana.post("/conferences/check-in/", {"code": session.code.lower()})
    assert "You are checked in" in first.content.decode()
    again = ana.post("/conferences/check-in/", {"code": session.code})
    assert "You are checked in" in again.content.decode()
    assert Attendance.objects.filter(session=session).count() == 1


def test_wrong_codes_say_so_and_are_throttled(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    session = session_all_day(noon_report(small), TODAY)
    ana = client_as("resident")
    wrong = ana.post("/conferences/check-in/", {"code": "ZZZZZZ"})
    assert wrong.status_code == 400
    assert "No session of your program has this code" in wrong.content.decode()
    for _ in range(4):
        ana.post("/conferences/check-in/", {"code": "ZZZZZZ"})
    throttled = ana.post("/conferences/check-in/", {"code": session.code})
    assert throttled.status_code == 429
    assert "Too many codes" in throttled.content.decode()
    assert not Attendance.objects.exists()
    # Another program's session is "no session" to a trainee, as a wrong code is.
    cards = small.cards.conference_series.create(name="Cath conference")
    other = session_all_day(cards, TODAY)
    with pytest.raises(ConferenceError, match="No session of your program"):
        check_in(trainee=small.ben, code=other.code, by=small.users["resident2"])


def test_the_code_works_from_a_few_minutes_before_the_start_to_the_end(
    small: SmallInstitution,
) -> None:
    session = session_on(noon_report(small), TODAY)
    noon = dt.datetime(2026, 12, 9, 12, 0, tzinfo=NY)
    user = small.users["resident"]
    with pytest.raises(ConferenceError, match="opens at 11:50"):
        check_in(trainee=small.ana, code=session.code, by=user, at=noon - dt.timedelta(minutes=11))
    with pytest.raises(ConferenceError, match="ended at 13:00"):
        check_in(trainee=small.ana, code=session.code, by=user, at=noon + dt.timedelta(hours=1))
    with override_settings(ROUNDS_CHECKIN_EARLY_MINUTES=15):
        made = check_in(
            trainee=small.ana, code=session.code, by=user, at=noon - dt.timedelta(minutes=11)
        )
    assert made.session == session
    assert CheckInAttempt.objects.count() == 1  # the older refusal left the window
    assert code_normal(" ab3-k7q ") == "AB3K7Q"


def test_a_cancelled_session_refuses_check_in(small: SmallInstitution) -> None:
    session = session_all_day(noon_report(small), TODAY, status=Session.Status.CANCELLED)
    session.cancel_reason = "Speaker ill"
    session.save()
    with pytest.raises(ConferenceError, match="cancelled: Speaker ill"):
        check_in(trainee=small.ana, code=session.code, by=small.users["resident"])


def _published_calls(small: SmallInstitution) -> CallSchedule:
    return CallSchedule.objects.create(
        program=small.im, month=dt.date(2026, 11, 1), status=CallSchedule.Status.PUBLISHED
    )


def _shift(schedule: CallSchedule, trainee: object, start: dt.datetime, hours: int) -> None:
    CallAssignment.objects.create(
        schedule=schedule,
        trainee=trainee,
        day=start.date(),
        start=start,
        end=start + dt.timedelta(hours=hours),
        kind="in_house_call",
        label="Call",
        site=schedule.program.sites.first(),
    )


def test_the_schedule_excuses_whoever_could_not_be_there(small: SmallInstitution) -> None:
    build_schedules(small)  # Ben is on MICU at Harbor VA in blocks 4-5 (Sep 23 to Nov 17)
    series = noon_report(small)
    away = session_on(series, dt.date(2026, 10, 7))
    post_call = session_on(series, dt.date(2026, 11, 4))
    night = session_on(series, dt.date(2026, 11, 11))
    leave = session_on(series, dt.date(2026, 12, 2))
    calls = _published_calls(small)
    _shift(calls, small.ana, dt.datetime(2026, 11, 3, 7, tzinfo=NY), 26)
    _shift(calls, small.ana, dt.datetime(2026, 11, 11, 19, tzinfo=NY), 12)
    LeaveSpan.objects.create(
        trainee=small.ana, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 3)
    )
    Attendance.objects.create(session=away, trainee=small.ana, checked_in_at=away.starts_at)
    rows = {
        r.trainee.pk: r.tally
        for r in selectors.series_rows([series], *selectors.year_bounds(TODAY))
    }
    ana = {o.session_id: o for o in rows[small.ana.pk].outcomes}
    assert ana[away.pk].state == "attended"
    assert ana[post_call.pk].reason.startswith("Post-call")
    assert ana[night.pk].reason == "On a night shift that day"
    assert ana[leave.pk].reason == "On leave"
    assert (rows[small.ana.pk].attended, rows[small.ana.pk].expected) == (1, 1)
    ben = {o.session_id: o for o in rows[small.ben.pk].outcomes}
    assert ben[away.pk].reason == "On a rotation at Harbor VA"
    assert rows[small.ben.pk].missed == 1 and rows[small.ben.pk].rate == 0  # MICU till Nov 17
    assert rows[small.ben.pk].below


def test_the_program_page_lists_those_below_the_requirement_first(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    series = noon_report(small)
    held = session_on(series, TODAY - dt.timedelta(days=1))
    Attendance.objects.create(session=held, trainee=small.ana, checked_in_at=held.starts_at)
    page = client_as("pd.im").get(f"/conferences/programs/{small.im.pk}/").content.decode()
    assert "1 below the requirement" in page
    assert page.index("Ben Baker") < page.index("Ana Alvarez")
    session_on(series, TODAY + dt.timedelta(days=2), topic="Anemia")
    own = client_as("resident2").get(f"/conferences/trainees/{small.ben.pk}/").content.decode()
    assert "0 %" in own and "below the requirement" in own
    assert "Noon report: Anemia" in own  # the coming two weeks
    assert client_as("resident").get(f"/conferences/trainees/{small.ben.pk}/").status_code == 404


def test_a_coordinator_excuses_a_trainee_with_a_reason(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    held = session_on(noon_report(small), TODAY - dt.timedelta(days=1))
    coord = client_as("coord.im")
    empty = coord.post(
        f"/conferences/sessions/{held.pk}/",
        {"action": "excuse", "excuse-trainee": small.ben.pk, "excuse-reason": " "},
    )
    assert empty.status_code == 400
    coord.post(
        f"/conferences/sessions/{held.pk}/",
        {"action": "excuse", "excuse-trainee": small.ben.pk, "excuse-reason": "Family emergency"},
    )
    page = coord.get(f"/conferences/sessions/{held.pk}/").content.decode()
    assert "Excused by the program: Family emergency" in page
    audit = AuditEntry.objects.get(action="conferences.excuse")
    assert audit.actor == small.users["coord.im"] and "Family emergency" in audit.summary
    tally = selectors.trainee_rows(small.ben, *selectors.year_bounds(TODAY))[0].tally
    assert (tally.excused, tally.expected, tally.rate) == (1, 0, None)


def test_a_series_form_sent_twice_makes_one_series(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    coord = client_as("coord.im")
    form = {"name": "Grand rounds", "rate": 60, "submit_token": "t" * 24}
    first = coord.post(f"/conferences/programs/{small.im.pk}/", form)
    second = coord.post(f"/conferences/programs/{small.im.pk}/", form)
    assert first["Location"] == second["Location"]
    assert small.im.conference_series.count() == 1
    other = coord.post(
        f"/conferences/programs/{small.im.pk}/", {"name": "grand rounds", "rate": 60}
    )
    assert "already has a series called grand rounds" in other.content.decode()
