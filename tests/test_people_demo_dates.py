"""The demo lives on its date: dated people, and no schedule places anyone outside their dates."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from rounds.core.demo import academic_year_start, demo_build
from rounds.lib import today as clock
from rounds.people import demo as people_demo
from rounds.people.models import Trainee, TrainingEvent
from rounds.people.training import history_of
from rounds.schedules import demo as schedules_demo
from rounds.schedules.models import CallAssignment, RotationAssignment, RotationSchedule
from rounds.schedules.selectors import schedule_grid
from rounds.workhours import demo as workhours_demo
from rounds.workhours.models import LoggedPeriod


@pytest.mark.django_db
def test_the_demo_has_dated_people_and_no_assignment_outside_their_dates() -> None:
    today = clock.today()
    year = academic_year_start(today)
    demo_build(seed=7, scale=0.25)
    lines = people_demo.demo_extend(seed=7)
    kinds = set(TrainingEvent.objects.values_list("kind", flat=True))
    assert {"start", "leave", "extension", "withdrawal"} <= kinds
    matched = Trainee.objects.filter(start_date=date(year + 1, 7, 1))
    assert matched.count() > 10 and any("matched interns" in line for line in lines)
    on_leave = [t for t in Trainee.objects.all() if history_of(t).status_on(today) == "leave"]
    assert on_leave
    schedules_demo.demo_extend(seed=7)
    workhours_demo.demo_extend(seed=7)

    assert not RotationAssignment.objects.filter(trainee__in=matched).exists()
    histories = {t.pk: history_of(t) for t in Trainee.objects.prefetch_related("training_events")}
    cells = RotationAssignment.objects.filter(schedule__status="published").select_related(
        "block", "rotation"
    )
    for cell in cells:
        if cell.rotation.is_off:
            continue
        first, last = cell.block.half_range(cell.half)
        days = (last - first).days + 1
        assert len(histories[cell.trainee_id].days_in(first, last)) == days, cell
    for shift in CallAssignment.objects.filter(schedule__status="published"):
        assert histories[shift.trainee_id].in_training_on(shift.day), shift
    # The solved years still break no rule with people's dates in them.
    for schedule in RotationSchedule.objects.filter(
        status="published", program__name__in=schedules_demo.SOLVED
    ):
        assert schedule_grid(schedule).violations == 0, schedule
    for period in LoggedPeriod.objects.all():
        day = timezone.localtime(period.start).date()
        assert histories[period.trainee_id].in_training_on(day), period
