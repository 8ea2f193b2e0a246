"""The call grid a coordinator reads: every day's staffing against its need in the coverage
row (not only the shortfalls), weekends and leave marked on the cells."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from rounds.people.models import Trainee
from rounds.schedules.call_grid import call_grid
from rounds.schedules.calls import call_schedule_build
from rounds.schedules.models import CallSchedule, RotationAssignment
from rounds.schedules.services import vacation_rotation
from tests.call_setup import call_pool, next_month
from tests.people import SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules


def _built(small: SmallInstitution) -> tuple[SmallSchedules, CallSchedule]:
    x = build_schedules(small)
    call_pool(small, x)
    return x, call_schedule_build(program=small.im, month=next_month(), by=None, time_limit=10)


def test_the_coverage_row_counts_every_day_against_its_need(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    _, draft = _built(small)
    model = call_grid(draft)
    # Every day of the month says how many hold each shift and how many it needs.
    assert all(c.lines for c in model.cover)
    day = draft.month + dt.timedelta(days=10)
    cover = next(c for c in model.cover if c.day == day)
    assert ("C 1/1", "met") in cover.lines
    # Take that day's 24h call away: the day reads short, the others stay met.
    draft.shifts.filter(day=day, label="24h call").delete()
    model = call_grid(draft)
    cover = next(c for c in model.cover if c.day == day)
    assert ("C 0/1", "short") in cover.lines
    nextday = next(c for c in model.cover if c.day == day + dt.timedelta(days=1))
    assert ("C 1/1", "met") in nextday.lines
    page = client_as("coord.im").get(reverse("schedules:call", args=[draft.pk])).content.decode()
    assert '<span class="cover short">C 0/1<span class="visually-hidden"> (short)</span>' in page
    assert '<span class="cover met">C 1/1</span>' in page


def test_weekends_and_leave_are_marked_on_the_cells(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x, draft = _built(small)
    res0 = Trainee.objects.get(person__first_name="Res0")
    day = draft.month + dt.timedelta(days=10)
    block = next(b for b in x.im_blocks if b.start <= day <= b.end)
    RotationAssignment.objects.filter(schedule=x.published, trainee=res0, block=block).update(
        rotation=vacation_rotation(small.im)
    )
    model = call_grid(draft)
    row = next(r for r in model.rows if r.trainee == res0)
    on_leave = {c.day for c in row.cells if c.leave}
    month_end = draft.month + dt.timedelta(days=len(row.cells) - 1)
    assert on_leave == {
        block.start + dt.timedelta(days=i)
        for i in range((block.end - block.start).days + 1)
        if draft.month <= block.start + dt.timedelta(days=i) <= month_end
    }
    saturday = next(c for c in row.cells if c.day.weekday() == 5)
    assert "weekend" in saturday.css
    page = client_as("coord.im").get(reverse("schedules:call", args=[draft.pk])).content.decode()
    assert f"Res0 Extra0, {day:%a %b} {day.day}" in page and "on leave" in page
