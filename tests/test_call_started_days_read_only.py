"""Started call days are history on the pages too: the call grid shows them read-only and marked,
a started day's cell link says why it cannot change, and "My calls" offers no swap for a shift
whose day has begun. Days still ahead keep their edit links and swap forms."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from rounds.schedules.models import CallSchedule
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def _cell_link(month: CallSchedule, trainee_pk: int, day: dt.date) -> str:
    url = reverse("schedules:call_cell", args=[month.pk])
    return f"{url}?trainee={trainee_pk}&amp;day={day.isoformat()}"


def test_the_grid_has_no_edit_link_on_a_started_day_and_keeps_one_ahead(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, settings
) -> None:
    build_schedules(small)
    month = hand_month(small)
    shift(month, small.ana, 2)  # the 3rd: started
    shift(month, small.ana, 10)  # the 11th: ahead
    settings.ROUNDS_TODAY = (month.month + dt.timedelta(days=4)).isoformat()  # the 5th
    coord = client_as("coord.im")
    page = coord.get(reverse("schedules:call", args=[month.pk])).content.decode()
    started, ahead = month.month + dt.timedelta(days=2), month.month + dt.timedelta(days=10)
    today = month.month + dt.timedelta(days=4)
    assert _cell_link(month, small.ana.pk, started) not in page
    assert _cell_link(month, small.ana.pk, today) not in page, "today has started too"
    assert _cell_link(month, small.ana.pk, ahead) in page
    assert f"Ana Alvarez, {started:%a %b} {started.day}, C, history" in page
    assert "the first 5 days have started and are history" in page
    # The link opened anyway (typed, bookmarked) says why instead of offering a form.
    direct = coord.get(
        reverse("schedules:call_cell", args=[month.pk]),
        {"trainee": small.ana.pk, "day": started.isoformat()},
    ).content.decode()
    assert "This day has started and is history" in direct
    assert 'name="shift"' not in direct


def test_my_calls_offers_no_swap_for_a_shift_whose_day_has_started(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, settings
) -> None:
    build_schedules(small)
    month = hand_month(small, status="published")
    today_shift = shift(month, small.ana, 4)
    ahead = shift(month, small.ana, 10)
    settings.ROUNDS_TODAY = today_shift.day.isoformat()
    page = client_as("resident").get(reverse("schedules:my_calls")).content.decode()
    assert reverse("schedules:swap_shift", args=[today_shift.pk]) not in page
    assert "Started today: no longer swapped." in page
    assert reverse("schedules:swap_shift", args=[ahead.pk]) in page
