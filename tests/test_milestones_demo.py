"""The milestones demo: a completed first-half review for Internal Medicine, and its export read
back as the ACGME upload would read it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from rounds.core.demo import demo_build
from rounds.core.models import Program
from rounds.milestones.demo import demo_extend, demo_wipe
from rounds.milestones.models import CommitteeReview, ConsensusRating, TraineeReview
from rounds.milestones.periods import period_parse
from rounds.milestones.selectors import meeting_list, set_subcompetencies
from rounds.people.training import trainees_in_training

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings) -> Program:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = "2026-12-15"
    demo_build(seed=2026, academic_year=2026)
    demo_extend(seed=2026)
    return Program.objects.get(name="Internal Medicine Residency")


def test_the_export_lists_every_resident_for_every_subcompetency(
    demo: Program, tmp_path: Path
) -> None:
    out = tmp_path / "im.csv"
    call_command("export_milestones", demo.slug, "--period", "2026-2027-1", "-o", str(out))
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    period = period_parse("2026-2027-1")
    residents = trainees_in_training([demo], period.start, period.end)
    review = CommitteeReview.objects.get(program=demo, period="2026-2027-1")
    codes = [s.code for s in set_subcompetencies(review.milestone_set)]
    assert len(residents) >= 70 and len(codes) == 20
    assert {(int(r["trainee_id"]), r["subcompetency"]) for r in rows} == {
        (t.pk, code) for t in residents for code in codes
    }
    assert len(rows) == len(residents) * len(codes)
    assert all(
        r["level"] in {"1", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5", "NYA"} for r in rows
    )
    by_name = {t.pk: f"{t.person.last_name}, {t.person.first_name}" for t in residents}
    assert all(r["name"] == by_name[int(r["trainee_id"])] for r in rows)
    assert {r["pgy"] for r in rows} == {"1", "2", "3"}


def test_the_review_is_signed_off_levels_rise_with_the_year_and_two_are_flagged(
    demo: Program,
) -> None:
    review = CommitteeReview.objects.get(program=demo, period="2026-2027-1")
    assert review.is_signed_off
    assert CommitteeReview.objects.get(program=demo, period="2025-2026-2").is_signed_off
    rows = meeting_list(review)
    flagged = [r for r in rows if r.flagged]
    assert len(flagged) == 2 and rows[:2] == flagged
    assert {f.kind for r in flagged for f in r.flags} >= {"below", "stalled"}
    mean = {}
    for pgy in (1, 2, 3):
        levels = [
            c.level
            for c in ConsensusRating.objects.filter(review=review)
            if c.level is not None
            and next(r.pgy for r in rows if r.trainee.pk == c.trainee_id) == pgy
        ]
        mean[pgy] = sum(levels) / len(levels)
    assert mean[1] < mean[2] < mean[3]
    reviews = TraineeReview.objects.filter(review=review)
    assert reviews.filter(met_on__isnull=False).count() > reviews.count() // 2
    assert 0 < reviews.filter(acknowledged_at__isnull=False).count() < reviews.count()
    resident = reviews.get(trainee__person__user__username="resident")
    assert resident.met_on is not None and resident.acknowledged_at is None


def test_the_demo_wipes_clean(demo: Program) -> None:
    demo_wipe()
    assert not CommitteeReview.objects.exists() and not ConsensusRating.objects.exists()
