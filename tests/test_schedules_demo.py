"""The demo shows schedules working: rotations everywhere, published years, a call month."""

from __future__ import annotations

import time

import pytest

from rounds.core.demo import demo_build
from rounds.core.models import Program
from rounds.schedules.demo import SOLVED, demo_extend
from rounds.schedules.models import CallAssignment, Rotation, RotationSchedule
from rounds.schedules.selectors import schedule_grid


@pytest.mark.django_db
def test_demo_schedules_are_published_and_break_no_rule(settings) -> None:  # type: ignore[no-untyped-def]
    # The demo lives on the day it is loaded; mid-year, its call month is under way (on the
    # tests' default day, June 30, every day of June has started and no month is built).
    settings.ROUNDS_TODAY = "2026-12-07"
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
    # The month was built before it began: today has someone on call tonight. Every kind of
    # swap is there to try, and IM's people have numbers for the switchboard.
    from rounds.lib.today import today
    from rounds.people.models import Person
    from rounds.schedules.models import SwapProposal

    assert CallAssignment.objects.filter(schedule__status="published", day=today()).exists()
    states = set(SwapProposal.objects.values_list("kind", "status"))
    assert {("trade", "asked"), ("give", "proposed"), ("pool", "open")} <= states, states
    asked = SwapProposal.objects.get(kind="trade")
    assert asked.to_trainee is not None and asked.to_trainee.person.user.username == "resident"
    assert Person.objects.exclude(pager="").count() > 20
    # The leave demo logs a long parental leave after the schedules were built; it ends before
    # the month whose call schedule is published, so no published call month is broken by it.
    from rounds.leave import demo as leave_demo
    from rounds.schedules.consequences import call_months_broken

    leave_lines = leave_demo.demo_extend(seed=7)
    assert "past the ABIM allowance after parental leave" in "\n".join(leave_lines)
    internal_medicine = Program.objects.get(name="Internal Medicine Residency")
    assert call_months_broken(internal_medicine.pk) == []
