"""Logged parental (or caregiver) and medical leave takes its days out of training exactly as a
recorded leave of absence does: no call on those days when a month is built, the call grid
shows the trainee on leave and names a shift given there, a swap offering such a day to them
is refused with the reason, the pool and the partner filter leave them out, the rotation solve
treats their blocks as off, reminders skip them, and a published month with a shift inside the
leave is flagged broken (and the call publish preview says so)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from rounds.people.models import Trainee
from rounds.people.training import history_of
from rounds.schedules.calls import call_problem
from rounds.schedules.consequences import call_months_broken
from rounds.schedules.problem import build_problem, tid
from rounds.schedules.services import ScheduleError
from rounds.schedules.swap_selectors import pool_for
from rounds.schedules.swaps import swap_partners, swap_propose
from rounds.workhours.reminders import reminders_due
from rounds.workhours.services import leave_record
from tests.call_setup import call_pool, hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, build_schedules

D = dt.date


def _log(trainee: Trainee, kind: str, first: dt.date, last: dt.date) -> None:
    user = trainee.person.user
    leave_record(trainee=trainee, kind=kind, start=first, end=last, by=user)


@pytest.mark.parametrize("kind", ["parental", "medical"])
def test_logged_leave_from_training_is_out_of_training(small: SmallInstitution, kind: str) -> None:
    _log(small.ben, kind, D(2026, 11, 1), D(2026, 12, 31))
    _log(small.ana, "vacation", D(2026, 12, 7), D(2026, 12, 11))  # a week off: still in training
    ben, ana = history_of(small.ben), history_of(small.ana)
    assert not ben.in_training_on(D(2026, 12, 9)) and ben.status_label_on(D(2026, 12, 9)) == (
        "On leave"
    )
    assert ben.in_training_on(D(2027, 1, 1))
    assert ana.in_training_on(D(2026, 12, 9))
    assert ben.leaves == ()  # the training events: letters list leaves of absence from these
    reminded = {r.trainee for r in reminders_due(today=D(2026, 12, 9), base_url="https://x/")}
    assert small.ana in reminded and small.ben not in reminded


def test_no_call_and_no_rotation_on_parental_leave(small: SmallInstitution) -> None:
    x = build_schedules(small)
    pool = call_pool(small, x)
    _log(pool[0], "parental", D(YEAR + 1, 1, 10), D(YEAR + 1, 1, 20))
    problem, _ = call_problem(small.im, D(YEAR + 1, 1, 1))
    leave = [item for item in problem["leave"] if item["person"] == f"t{pool[0].pk}"]
    assert {"person": f"t{pool[0].pk}", "start": "2027-01-10", "end": "2027-01-20"} in leave
    # Ana's leave, Jan 1 - Feb 20: block 7 (Dec 16 - Jan 12) second half, block 8 whole, block
    # 9 (Feb 10 - Mar 9) first half; a PGY-2 may not take them by halves here: all three off.
    _log(small.ana, "medical", D(YEAR + 1, 1, 1), D(YEAR + 1, 2, 20))
    rotations = build_problem([small.im], YEAR)
    off = {(v["block"], v.get("half", 0)) for v in rotations["vacations"]
           if v["trainee"] == tid(small.ana.pk)}  # fmt: skip
    assert off == {(7, 0), (8, 0), (9, 0)}


def test_a_month_with_a_shift_inside_new_parental_leave_is_broken_and_no_swap_gives_her_one(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    month = hand_month(small, status="published")
    month.published_at = timezone.now()
    month.save()
    ana_call = shift(month, small.ana, 2)
    ben_call = shift(month, small.ben, 4)
    pooled = swap_propose(shift=ben_call, by=small.users["resident2"])  # to anyone eligible
    assert small.ana in swap_partners(ben_call) and pooled in pool_for(small.ana)
    assert call_months_broken(small.im.pk) == []

    first = month.month + dt.timedelta(days=1)
    _log(small.ana, "parental", first, first + dt.timedelta(days=10))

    assert [(b.month.pk, b.shifts) for b in call_months_broken(small.im.pk)] == [(month.pk, 1)]
    assert small.ana not in swap_partners(ben_call) and pool_for(small.ana) == []
    day = ben_call.day
    with pytest.raises(
        ScheduleError,
        match=f"Ana Alvarez is not in training on {day:%a %b} {day.day} \\(on leave\\); "
        "choose a colleague who is",
    ):
        swap_propose(shift=ben_call, to_trainee=small.ana, by=small.users["resident2"])

    # The coordinator sees it on the grid: her days are marked on leave, her shift is named.
    coord = client_as("coord.im")
    page = coord.get(reverse("schedules:call", args=[month.pk])).content.decode()
    when = f"{ana_call.day:%a %b} {ana_call.day.day}"
    assert f"Ana Alvarez, {when}, C, on leave" in page
    other = ana_call.day + dt.timedelta(days=3)
    assert f"Ana Alvarez, {other:%a %b} {other.day}, off, on leave" in page
    assert f"Ana Alvarez is not in training on {when} (on leave)" in page
    calls = coord.get(reverse("schedules:calls", args=[small.im.pk])).content.decode()
    assert "1 published call month no longer matches" in calls

    # A draft of the month keeping her shift: its publish preview says it would be broken.
    draft = hand_month(small, number=2)
    shift(draft, small.ana, 2)
    preview = coord.get(reverse("schedules:call_publish_preview", args=[draft.pk]))
    text = preview.content.decode()
    assert "1</strong> shift on days the trainee is away" in text
    assert f"Ana Alvarez is not in training on {when} (on leave)" in text
