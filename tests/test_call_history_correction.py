"""Call days that have started are corrected only explicitly, with a reason: the correction is
marked on the day, audited and published; a draft that rewrote a started day any other way (it
was edited before the day began, and the day has come since) is refused at publish, with the
day named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.lib.today import today
from rounds.schedules.calls import (
    call_cell_set,
    call_schedule_build,
    call_schedule_publish,
    call_schedule_resolve,
    call_shift_correct,
    call_version_new,
)
from rounds.schedules.history import call_corrections
from rounds.schedules.models import CallSchedule
from rounds.schedules.services import ScheduleError
from tests.call_setup import call_pool, hand_month, next_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def _published(small: SmallInstitution) -> CallSchedule:
    """Ana on 24h call on the 3rd and the 11th, Ben on the 7th."""
    build_schedules(small)
    month = hand_month(small, status="published")
    shift(month, small.ana, 2)
    shift(month, small.ben, 6)
    shift(month, small.ana, 10)
    return month


def test_a_rewritten_started_day_is_refused_at_publish_and_publishes_once_corrected(  # type: ignore[no-untyped-def]
    small: SmallInstitution, settings
) -> None:
    published = _published(small)
    coord = small.users["coord.im"]
    third = published.month + dt.timedelta(days=2)
    settings.ROUNDS_TODAY = published.month.isoformat()  # the 1st: the 3rd is still ahead
    draft = call_version_new(schedule=published, reason="Ana is away on the 3rd", by=coord)
    call_cell_set(schedule=draft, trainee=small.ana, day=third, shift="", locked=False,
                  revision=draft.revision, by=coord)  # fmt: skip
    settings.ROUNDS_TODAY = (published.month + dt.timedelta(days=4)).isoformat()  # the 5th
    with pytest.raises(ScheduleError) as refused:
        call_schedule_publish(schedule=draft, by=coord, notify=False)
    assert (
        f"differs from version 1 on days that have started: Ana Alvarez on {third:%a %b} "
        f"{third.day}: 24h call → off" in str(refused.value)
    )
    draft.refresh_from_db()
    assert draft.is_draft, "nothing was published"
    # Ana was indeed away: the coordinator says so, with the reason.
    call_shift_correct(schedule=draft, trainee=small.ana, day=third, shift="",
                       reason="Ana was ill; the night team covered", by=coord)  # fmt: skip
    entry = AuditEntry.objects.filter(action="correct").get()
    assert f"Ana Alvarez on {third:%a %b} {third.day} corrected: 24h call → off" in entry.summary
    assert "Ana was ill; the night team covered" in entry.summary
    call_schedule_publish(schedule=draft, by=coord, notify=False)
    draft.refresh_from_db()
    assert draft.status == CallSchedule.Status.PUBLISHED
    assert not draft.shifts.filter(trainee=small.ana, day=third).exists()


def test_a_correction_is_marked_on_the_shift_and_refused_where_it_does_not_belong(  # type: ignore[no-untyped-def]
    small: SmallInstitution, settings
) -> None:
    published = _published(small)
    coord = small.users["coord.im"]
    settings.ROUNDS_TODAY = (published.month + dt.timedelta(days=8)).isoformat()  # the 9th
    seventh, twelfth = (published.month + dt.timedelta(days=n) for n in (6, 11))
    with pytest.raises(ScheduleError, match="published and never changes"):
        call_shift_correct(schedule=published, trainee=small.ben, day=seventh, shift="N",
                           reason="swapped by hand", by=coord)  # fmt: skip
    draft = call_version_new(schedule=published, reason="what was worked", by=coord)
    with pytest.raises(ScheduleError, match="Say why history is corrected"):
        call_shift_correct(schedule=draft, trainee=small.ben, day=seventh, shift="N",
                           reason=" ", by=coord)  # fmt: skip
    with pytest.raises(ScheduleError, match="has not started yet"):
        call_shift_correct(schedule=draft, trainee=small.ben, day=twelfth, shift="N",
                           reason="early", by=coord)  # fmt: skip
    call_shift_correct(schedule=draft, trainee=small.ben, day=seventh, shift="N",
                       reason="traded with the night float", by=coord)  # fmt: skip
    (row,) = draft.shifts.filter(trainee=small.ben, day=seventh)
    assert (row.label, row.correction) == ("Night float", "traded with the night float")
    call_schedule_publish(schedule=draft, by=coord, notify=False)
    draft.refresh_from_db()
    assert draft.status == CallSchedule.Status.PUBLISHED


def test_a_started_day_on_the_grid_leads_to_a_correction_page_that_asks_why(  # type: ignore[no-untyped-def]
    small: SmallInstitution, settings, client_as
) -> None:
    published = _published(small)
    settings.ROUNDS_TODAY = (published.month + dt.timedelta(days=8)).isoformat()
    draft = call_version_new(
        schedule=published, reason="what was worked", by=small.users["coord.im"]
    )
    coord = client_as("coord.im")
    seventh = published.month + dt.timedelta(days=6)
    url = reverse("schedules:call_correct", args=[draft.pk])
    link = f"{url}?trainee={small.ben.pk}&amp;day={seventh.isoformat()}"
    assert link in coord.get(reverse("schedules:call", args=[draft.pk])).content.decode()
    page = coord.get(url, {"trainee": small.ben.pk, "day": seventh.isoformat()}).content.decode()
    assert "has started: it is history" in page and "Now: C" in page
    form = {"trainee": small.ben.pk, "day": seventh.isoformat(), "shift": "N",
            "revision": draft.revision}  # fmt: skip
    assert "This field is required." in coord.post(url, form).content.decode()
    response = coord.post(url, {**form, "reason": "traded with the night float"}, follow=True)
    text = response.content.decode()
    assert f"Ben Baker on {seventh:%a %b} {seventh.day} corrected." in text
    assert "corrected: traded with the night float" in text


def test_a_re_solve_keeps_the_correction_and_its_result_publishes(  # type: ignore[no-untyped-def]
    small: SmallInstitution, settings
) -> None:
    x = build_schedules(small)
    call_pool(small, x)
    month = next_month()
    built = call_schedule_build(program=small.im, month=month, by=None, time_limit=10)
    call_schedule_publish(schedule=built, by=None, notify=False)
    settings.ROUNDS_TODAY = (month + dt.timedelta(days=9)).isoformat()
    coord = small.users["coord.im"]
    draft = call_version_new(schedule=built, reason="what was worked", by=coord)
    worked = draft.shifts.filter(day__lte=today()).select_related("trainee").first()
    assert worked is not None
    call_shift_correct(schedule=draft, trainee=worked.trainee, day=worked.day, shift="",
                       reason="sent home ill", by=coord)  # fmt: skip
    again = call_schedule_resolve(schedule=draft, by=coord, time_limit=10)
    assert not again.shifts.filter(trainee=worked.trainee, day=worked.day).exists()
    assert call_corrections(again) == {(worked.trainee_id, worked.day): "sent home ill"}
    call_schedule_publish(schedule=again, by=coord, reason="as worked", notify=False)
    again.refresh_from_db()
    assert again.status == CallSchedule.Status.PUBLISHED
