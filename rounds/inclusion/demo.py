"""Demo inclusion data: the URiM definition, recruitment funnels of a large program and a small
one over three seasons, a visiting-student program, and training milestones. Synthetic."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db.models import Count

from rounds.core.demo import academic_year_start
from rounds.core.models import Program
from rounds.inclusion.models import (
    DEFAULT_URIM_CATEGORIES,
    STAGE_ORDER,
    AdvancementEvent,
    Applicant,
    RecruitmentCycle,
    Track,
    UrimDefinition,
)
from rounds.lib.today import today
from rounds.people.models import SelfIdentification, Trainee

NATIONAL_SOURCE = "Entered by the inclusion office from national ERAS data (demo figure)"
# Chance per academic year in training, (URiM, others): the demo shows a gap to look into.
EVENT_RATES = {
    AdvancementEvent.Kind.LEAVE: (0.06, 0.04),
    AdvancementEvent.Kind.REMEDIATION: (0.05, 0.03),
    AdvancementEvent.Kind.AWARD: (0.10, 0.12),
}


def demo_wipe() -> None:
    AdvancementEvent.objects.all().delete()
    RecruitmentCycle.objects.all().delete()
    UrimDefinition.objects.all().delete()


def demo_extend(*, seed: int) -> list[str]:
    rng = random.Random(seed * 11 + 5)
    UrimDefinition.objects.update_or_create(
        pk=1, defaults={"categories": list(DEFAULT_URIM_CATEGORIES)}
    )
    programs = list(
        Program.objects.annotate(n=Count("trainees")).filter(n__gt=0).order_by("-n", "name")
    )
    if not programs:
        return []
    large = next((p for p in programs if p.name == "Internal Medicine Residency"), programs[0])
    fellowships = [p for p in reversed(programs) if p.kind == Program.Kind.FELLOWSHIP]
    small = fellowships[0] if fellowships else programs[-1]
    year = academic_year_start(today())
    applicants = 0
    for season in (year - 1, year, year + 1):  # the Match of `year + 1` is this academic year's
        applicants += _cycle(rng, large, season, Track.RESIDENCY, 2800, 0.15, Decimal("16.4"))
        applicants += _cycle(rng, small, season, Track.RESIDENCY, 45, 0.12, Decimal("11.8"))
    applicants += _cycle(rng, large, year + 1, Track.AWAY, 60, 0.7, None)
    events = _milestones(rng, year)
    return [
        f"Recruitment: {applicants} applications, {large.name} (large) and {small.name} (small)",
        f"Training milestones: {events}",
    ]


def _cycle(
    rng: random.Random,
    program: Program,
    season: int,
    track: str,
    size: int,
    urim_share: float,
    national: Decimal | None,
) -> int:
    cycle = RecruitmentCycle.objects.create(
        program=program,
        season=season,
        track=track,
        national_urim_pct=national,
        national_source=NATIONAL_SOURCE if national is not None else "",
    )
    # How many go on from each stage to the next; URiM applicants are invited a little more
    # often here, the effect a holistic review is meant to have.
    go_on = [0.12, 0.85, 0.9, 0.35] if track == Track.RESIDENCY else [0.6, 0.9, 0.5, 0.4]
    rows = []
    for n in range(int(size * rng.uniform(0.9, 1.1))):
        answered = rng.random() < 0.9
        urim = (rng.random() < urim_share) if answered else None
        stage = 0
        while stage < len(go_on) and rng.random() < go_on[stage] * (1.08 if urim else 1.0):
            stage += 1
        rows.append(
            Applicant(
                cycle=cycle,
                external_id=f"{season % 100:02d}{n:06d}",
                stage=STAGE_ORDER[stage],
                urim=urim,
                first_generation=(rng.random() < 0.2) if answered else None,
            )
        )
    Applicant.objects.bulk_create(rows)
    return len(rows)


def _milestones(rng: random.Random, year: int) -> int:
    urim_of = dict(SelfIdentification.objects.values_list("person_id", "urim"))
    rows = []
    trainees = Trainee.objects.select_related("program").order_by("pk")
    for trainee in trainees:
        urim = bool(urim_of.get(trainee.person_id))
        first = trainee.start_date.year
        for season in range(first, year + 1):
            for kind, (urim_rate, other_rate) in EVENT_RATES.items():
                if rng.random() < (urim_rate if urim else other_rate):
                    rows.append(AdvancementEvent(trainee=trainee, kind=kind, academic_year=season))
        final_year = trainee.pgy == trainee.program.first_pgy + trainee.program.length_years - 1
        if final_year and rng.random() < (0.12 if urim else 0.14):
            rows.append(AdvancementEvent(trainee=trainee, kind="chief", academic_year=year))
        if final_year and rng.random() < 0.3:
            placed = "fellowship" if trainee.program.kind == Program.Kind.RESIDENCY else "faculty"
            rows.append(AdvancementEvent(trainee=trainee, kind=placed, academic_year=year))
    AdvancementEvent.objects.bulk_create(rows)
    return len(rows)
