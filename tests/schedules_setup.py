"""Rotations, curriculum and schedules on top of the small institution, for schedule tests."""

from __future__ import annotations

from dataclasses import dataclass

from rounds.engine.rotations.check import Placement
from rounds.schedules.models import (
    Block,
    CurriculumRequirement,
    Rotation,
    RotationProgram,
    RotationSchedule,
)
from rounds.schedules.problem import rid, tid
from rounds.schedules.services import blocks_create, schedule_create, schedule_publish
from tests.people import SmallInstitution

YEAR = 2026


@dataclass
class SmallSchedules:
    wards: Rotation
    micu: Rotation
    clinic: Rotation
    cath: Rotation
    im_blocks: list[Block]
    cards_blocks: list[Block]
    published: RotationSchedule  # IM, version 1
    draft: RotationSchedule  # IM, version 2 (a copy of version 1)


def build_schedules(small: SmallInstitution) -> SmallSchedules:
    gme = small.users["gme"]
    wards = Rotation.objects.create(
        name="Wards", service="General medicine", site=small.sponsor, day_hours=11
    )
    micu = Rotation.objects.create(
        name="MICU",
        service="Medical ICU",
        site=small.affiliate,
        group="ICU",
        capacity=2,
        works_weekends=True,
        day_hours=12,
    )
    clinic = Rotation.objects.create(
        name="Clinic", service="Ambulatory", site=small.sponsor, kind="ambulatory", day_hours=8
    )
    cath = Rotation.objects.create(name="Cath lab", service="Cardiology", site=small.sponsor)
    RotationProgram.objects.create(rotation=wards, program=small.im, min_per_block=1)
    RotationProgram.objects.create(rotation=micu, program=small.im)
    RotationProgram.objects.create(rotation=clinic, program=small.im, min_pgy=2)
    RotationProgram.objects.create(rotation=micu, program=small.cards)
    RotationProgram.objects.create(rotation=cath, program=small.cards)
    for pgy in (1, 2):
        CurriculumRequirement.objects.create(
            program=small.im, pgy=pgy, group="ICU", min_blocks=2, max_blocks=4
        )
    im_blocks = blocks_create(program=small.im, academic_year=YEAR, by=gme)
    cards_blocks = blocks_create(program=small.cards, academic_year=YEAR, by=gme)
    # Ana (PGY-2): MICU in blocks 1-2, clinic in 3, wards after; Ben (PGY-1): wards, MICU in 4-5.
    placements = []
    for b in range(1, 14):
        ana = micu if b <= 2 else clinic if b == 3 else wards
        ben = micu if b in (4, 5) else wards
        placements += [
            Placement(tid(small.ana.pk), b, rid(ana.pk)),
            Placement(tid(small.ben.pk), b, rid(ben.pk)),
        ]
    first = schedule_create(
        program=small.im, academic_year=YEAR, by=gme, reason="first", placements=placements
    )
    schedule_publish(schedule=first, by=gme, notify=False)
    draft = schedule_create(
        program=small.im, academic_year=YEAR, by=gme, reason="swap", based_on=first
    )
    return SmallSchedules(wards, micu, clinic, cath, im_blocks, cards_blocks, first, draft)
