"""A leave of absence recorded after a call month was published: the month is flagged as broken
(not left broken silently), a rebuild takes the shift out, and a swap to the trainee on leave is
refused when proposed and again when approved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rounds.people.services import trainee_leave_of_absence_record
from rounds.schedules.calls import call_month_rebuild
from rounds.schedules.consequences import call_months_broken
from rounds.schedules.services import ScheduleError
from rounds.schedules.swaps import swap_answer, swap_propose
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def test_a_leave_recorded_later_breaks_the_month_and_stops_a_swap(small: SmallInstitution) -> None:
    build_schedules(small)
    gme = small.users["gme"]
    month = hand_month(small, status="published")
    month.published_at = timezone.now()
    month.save()
    ana_call = shift(month, small.ana, 2)
    ben_call = shift(month, small.ben, 4)
    assert call_months_broken(small.im.pk) == []
    offered = swap_propose(shift=ben_call, to_trainee=small.ana, by=small.users["resident2"])

    first = month.month + dt.timedelta(days=1)
    trainee_leave_of_absence_record(
        trainee=small.ana, first_day=first, last_day=first + dt.timedelta(days=10), by=gme
    )

    broken = call_months_broken(small.im.pk)
    assert [(b.month.pk, b.shifts) for b in broken] == [(month.pk, 1)]
    day = ana_call.day
    with pytest.raises(ScheduleError, match="Ana Alvarez is not in training on"):
        swap_answer(proposal=offered, accept=True, by=small.users["resident"])
    with pytest.raises(ScheduleError, match="Ana Alvarez is not in training on"):
        swap_propose(shift=ben_call, to_trainee=small.ana, by=small.users["resident2"])
    draft = call_month_rebuild(month=month, because="Ana's leave", by=small.users["coord.im"])
    assert not draft.shifts.filter(trainee=small.ana, day=day).exists()
    assert draft.shifts.filter(trainee=small.ben, day=ben_call.day).exists()
