"""The demo shows schedules working: rotations everywhere, published years, a call month."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from rounds.core.demo import academic_year_start, demo_build
from rounds.core.models import Program
from rounds.schedules.demo import SOLVED, demo_extend
from rounds.schedules.models import CallAssignment, Rotation, RotationSchedule
from rounds.schedules.selectors import schedule_grid


@pytest.mark.django_db
def test_demo_schedules_are_published_and_break_no_rule(settings) -> None:  # type: ignore[no-untyped-def]
    # The demo lives on its date: in the middle of its year, internal medicine's year has been
    # republished with a marked correction of a block already worked.
    year = academic_year_start(timezone.localdate())
    settings.ROUNDS_TODAY = dt.date(year, 12, 7).isoformat()
    demo_build(seed=7, scale=0.25)
    started = time.monotonic()
    lines = demo_extend(seed=7)
    print("\n".join(lines), f"{time.monotonic() - started:.1f} s")
    published = RotationSchedule.objects.filter(status="published").select_related("program")
    names = {s.program.name for s in published}
    assert set(SOLVED) <= names
    assert len(names) == Program.objects.filter(blocks__isnull=False).distinct().count()
    for schedule in published.filter(program__name__in=SOLVED):
        grid = schedule_grid(schedule)
        assert grid.violations == 0, schedule
    assert Rotation.objects.filter(capacity__isnull=False).count() == 4
    assert CallAssignment.objects.filter(schedule__status="published").count() > 0
    im = RotationSchedule.objects.filter(program__name="Internal Medicine Residency")
    republished = im.get(status="published")
    assert republished.reason.startswith("Mid-year correction of Block 5: Worked night float")
    assert im.filter(status="superseded", number=republished.number - 1).exists()
    corrected = republished.assignments.exclude(correction="").select_related("block").get()
    assert corrected.block.number == 5 and corrected.rotation.kind == "night_float"
