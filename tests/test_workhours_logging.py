"""A trainee logs a week: entries, one tap, night shifts, leave, refusals saying what and where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.lib.today import today
from rounds.workhours import selectors
from rounds.workhours.models import LeaveSpan, LoggedPeriod, WeekConfirmation

NY = ZoneInfo("America/New_York")


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), NY).replace(hour=hour)


def _past_monday(weeks: int) -> date:
    return selectors.monday_of(today()) - timedelta(days=7 * weeks)


def _form(day: date, start: str, end: str, kind: str = "clinical", **extra: str) -> dict[str, str]:
    return {"kind": kind, "day": day.isoformat(), "start_time": start, "end_time": end, **extra}


def test_log_a_shift_and_see_it_in_the_week(small, client_as) -> None:
    monday = _past_monday(1)
    client = client_as("resident")
    response = client.post(reverse("workhours:entry_new"), _form(monday, "07:00", "19:30"))
    assert response.status_code == 302
    period = LoggedPeriod.objects.get(trainee=small.ana)
    assert period.hours == 12.5 and period.start == _at(monday, 7)
    page = client.get(reverse("workhours:week", args=[monday.isoformat()])).content.decode()
    assert "07:00–19:30" in page and "12.5 h" in page
    assert AuditEntry.objects.filter(action="workhours.log", object_id=str(period.pk)).exists()


def test_an_end_before_the_start_is_the_next_morning(small, client_as) -> None:
    monday = _past_monday(1)
    client_as("resident").post(reverse("workhours:entry_new"), _form(monday, "19:00", "07:00"))
    period = LoggedPeriod.objects.get(trainee=small.ana)
    assert period.end == _at(monday + timedelta(days=1), 7) and period.hours == 12


@pytest.mark.parametrize(
    "form,message",
    [
        (_form(date(2099, 1, 5), "07:00", "19:00"), "starts in the future"),
        (_form(date(2025, 9, 1), "", "19:00"), "This field is required"),
        (_form(date(2025, 9, 1), "07:00", "19:00", kind="nonsense"), "Select a valid choice"),
        (
            {"kind": "clinical", "day": "2025-13-01", "start_time": "7", "end_time": ""},
            "Enter a valid date",
        ),
    ],
)  # fmt: skip
def test_bad_entries_are_refused_with_what_and_where(small, client_as, form, message) -> None:
    response = client_as("resident").post(reverse("workhours:entry_new"), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LoggedPeriod.objects.exists()


def test_overlapping_time_is_refused_and_names_the_other_entry(small, client_as) -> None:
    monday = _past_monday(2)
    client = client_as("resident")
    client.post(reverse("workhours:entry_new"), _form(monday, "07:00", "19:00"))
    response = client.post(
        reverse("workhours:entry_new"), _form(monday, "18:00", "20:00", "education")
    )
    assert "overlaps your clinical work from" in response.content.decode()
    assert LoggedPeriod.objects.count() == 1
    # At-home call is a window, not work: work on call may sit inside it.
    client.post(reverse("workhours:entry_new"), _form(monday, "19:00", "07:00", "home_call"))
    client.post(reverse("workhours:entry_new"), _form(monday, "23:00", "01:00", "home_call_work"))
    assert LoggedPeriod.objects.count() == 3


def test_pgy1_moonlighting_is_refused_with_the_rule(small, client_as) -> None:
    response = client_as("resident2").post(
        reverse("workhours:entry_new"),
        _form(_past_monday(1), "18:00", "22:00", "moonlighting_external"),
    )
    assert "PGY-1 residents may not moonlight" in response.content.decode()
    assert not LoggedPeriod.objects.exists()
    client_as("resident").post(
        reverse("workhours:entry_new"),
        _form(_past_monday(1), "18:00", "22:00", "moonlighting_external"),
    )
    assert LoggedPeriod.objects.filter(trainee=small.ana, kind="moonlighting_external").exists()


def test_one_tap_repeats_the_last_logged_week(small, client_as) -> None:
    monday = _past_monday(2)
    LoggedPeriod.objects.create(
        trainee=small.ana, kind="clinical", start=_at(monday, 7), end=_at(monday, 19)
    )
    client = client_as("resident")
    target = monday + timedelta(days=7)
    page = client.get(reverse("workhours:week", args=[target.isoformat()])).content.decode()
    assert f"Same as {monday:%a %b %-d}" in page
    client.post(reverse("workhours:as_scheduled", args=[target.isoformat()]))
    client.post(reverse("workhours:as_scheduled", args=[target.isoformat()]))  # twice: no double
    copied = LoggedPeriod.objects.get(trainee=small.ana, start__date__gte=target)
    assert (copied.start, copied.end) == (_at(target, 7), _at(target, 19))
    assert LoggedPeriod.objects.count() == 2


@dataclass(frozen=True)
class FakeShift:
    start: datetime
    end: datetime
    kind: str
    label: str
    site: str = "Riverside Hospital"


def test_worked_as_scheduled_logs_the_published_shifts(small, client_as, monkeypatch) -> None:
    monday = _past_monday(1)
    shifts = [
        FakeShift(
            _at(monday, 7), _at(monday, 7) + timedelta(hours=26), "in_house_call", "Wards call"
        )
    ]

    def scheduled(trainee, start, end):
        return [s for s in shifts if start <= s.start.date() <= end and trainee == small.ana]

    monkeypatch.setattr(selectors, "_schedule_reader", lambda: scheduled)
    client = client_as("resident")
    page = client.get(reverse("workhours:week", args=[monday.isoformat()])).content.decode()
    assert (
        "Worked as scheduled" in page and "07:00–09:00 next day in-house call (Wards call)" in page
    )
    client.post(reverse("workhours:as_scheduled", args=[monday.isoformat()]))
    logged = LoggedPeriod.objects.get(trainee=small.ana)
    assert logged.kind == "in_house_call" and logged.hours == 26 and logged.source == "scheduled"


def test_leave_is_recorded_and_shown(small, client_as) -> None:
    monday = _past_monday(1)
    client = client_as("resident")
    form = {
        "kind": "vacation",
        "start": monday.isoformat(),
        "end": (monday + timedelta(days=4)).isoformat(),
    }
    assert client.post(reverse("workhours:leave_new"), form).status_code == 302
    assert LeaveSpan.objects.get(trainee=small.ana).end == monday + timedelta(days=4)
    page = client.get(reverse("workhours:week", args=[monday.isoformat()])).content.decode()
    assert "On leave: Vacation" in page
    again = client.post(reverse("workhours:leave_new"), form).content.decode()
    assert "You already have vacation leave from" in again
    backwards = {**form, "end": (monday - timedelta(days=1)).isoformat()}
    assert (
        "The last day of leave is before the first"
        in client.post(reverse("workhours:leave_new"), backwards).content.decode()
    )


def test_missing_weeks_are_listed_and_go_away_when_logged(small, client_as) -> None:
    client = client_as("resident")
    this_week = reverse("workhours:week", args=[_past_monday(0).isoformat()])
    missing_before = len(selectors.missing_weeks(small.ana))
    if missing_before == 0:
        pytest.skip("first week of the academic year: nothing can be missing yet")
    assert f"{missing_before} week" in client.get(this_week).content.decode()
    client.post(reverse("workhours:week_confirm", args=[_past_monday(1).isoformat()]))
    assert WeekConfirmation.objects.filter(trainee=small.ana).exists()
    assert len(selectors.missing_weeks(small.ana)) == missing_before - 1


def test_editing_a_changed_entry_is_caught(small, client_as) -> None:
    monday = _past_monday(1)
    client = client_as("resident")
    client.post(reverse("workhours:entry_new"), _form(monday, "07:00", "19:00"))
    period = LoggedPeriod.objects.get()
    url = reverse("workhours:entry_edit", args=[period.pk])
    stale = period.updated_at.isoformat()
    client.post(url, _form(monday, "07:00", "20:00", version=stale))
    response = client.post(url, _form(monday, "06:00", "18:00", version=stale))
    assert "changed in another window" in response.content.decode()
    period.refresh_from_db()
    assert period.end == _at(monday, 20)


def test_removing_an_entry_keeps_it_in_the_audit_trail(small, client_as) -> None:
    monday = _past_monday(1)
    client = client_as("resident")
    client.post(reverse("workhours:entry_new"), _form(monday, "07:00", "19:00"))
    period = LoggedPeriod.objects.get()
    client.post(reverse("workhours:entry_remove", args=[period.pk]))
    assert not LoggedPeriod.objects.exists()
    entry = AuditEntry.objects.get(action="workhours.remove")
    assert entry.changes["kind"] == "clinical"


def test_the_week_shows_what_the_checker_found_in_it(small, client_as) -> None:
    monday = _past_monday(2)
    client = client_as("resident")
    client.post(reverse("workhours:entry_new"), _form(monday, "07:00", "07:00"))  # 24 hours
    client.post(reverse("workhours:entry_new"), _form(monday + timedelta(days=1), "07:00", "13:00"))
    page = client.get(reverse("workhours:week", args=[monday.isoformat()])).content.decode()
    # 30 hours (29 or 31 in a week with a clock change): over 24 + 4.
    assert "h00 of continuous work from" in page and "(limit 24 + 4 for transitions)" in page
    assert "Only 0h00 off" not in page  # touching periods are one stretch, not a zero rest


def test_a_whole_week_in_one_tap(small, client_as) -> None:
    before = _past_monday(2)
    for n in (0, 1, 3):
        day = before + timedelta(days=n)
        LoggedPeriod.objects.create(
            trainee=small.ana, kind="clinical", start=_at(day, 7), end=_at(day, 18)
        )
    week = _past_monday(1)
    client = client_as("resident")
    page = client.get(reverse("workhours:week", args=[week.isoformat()])).content.decode()
    assert "Log 3 days as in your last logged week" in page
    response = client.post(
        reverse("workhours:week_as_scheduled", args=[week.isoformat()]), follow=True
    )
    assert "Logged 3 days, 33 hours the same as last week." in response.content.decode()
    assert LoggedPeriod.objects.filter(start__gte=_at(week, 0)).count() == 3
    # Another trainee's tap never touches Ana's log; staff have no log to tap.
    client_as("resident2").post(reverse("workhours:week_as_scheduled", args=[week.isoformat()]))
    assert LoggedPeriod.objects.count() == 6
    assert (
        client_as("pd.im")
        .post(reverse("workhours:week_as_scheduled", args=[week.isoformat()]))
        .status_code
        == 403
    )


def test_a_preset_fills_the_form(small, client_as) -> None:
    day = _past_monday(1).isoformat()
    client = client_as("resident")
    page = client.get(reverse("workhours:entry_new") + f"?day={day}").content.decode()
    assert f"?day={day}&amp;kind=clinical&amp;start=19:00&amp;end=07:00" in page
    filled = client.get(
        reverse("workhours:entry_new") + f"?day={day}&kind=in_house_call&start=07:00&end=07:00"
    ).content.decode()
    assert 'value="07:00"' in filled and '<option value="in_house_call" selected>' in filled
