"""Demo milestones: the shipped sets, and a completed first-half CCC review for Internal Medicine.

The committee (the demo "faculty" member as chair and four more faculty) met about six weeks
before the end of the first half; members proposed levels, the committee agreed, the program
director ("pd.im") signed off and has met most residents since; some have acknowledged. The
second half of the year before is signed off too, so the resident pages show a trend. Levels
rise with the year of training; two residents are not progressing (one below the expected level,
one stalled) and head the meeting list. The demo "resident" has been met and has not yet
acknowledged, so their page has work waiting. Same seed and same day: same rows.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from rounds.core.models import Program
from rounds.lib import today as clock
from rounds.milestones.levels import LEVELS
from rounds.milestones.loader import milestone_file_parse
from rounds.milestones.models import (
    CommitteeMember,
    CommitteeReview,
    ConsensusRating,
    LevelProposal,
    MilestoneSet,
    ReviewComment,
    Subcompetency,
    TraineeReview,
)
from rounds.milestones.periods import Period
from rounds.milestones.progress import DEFAULT_EXPECTED, expected_level
from rounds.milestones.selectors import (
    pgy_in_period,
    review_residents,
    set_subcompetencies,
    training_year,
)
from rounds.milestones.services import milestone_set_load, review_open, review_sign_off
from rounds.people.models import Faculty, Trainee

PROGRAM = "Internal Medicine Residency"
DATA = Path(__file__).resolve().parent / "data"
SET_FILES = ("harmonized.json", "internal-medicine.json")
MEETING_BEFORE_END = 40  # the CCC meets about six weeks before the half ends
HALF = Decimal("0.5")

SUMMARIES = (
    "Takes ownership of patients and communicates plans clearly; next, lead family meetings.",
    "Reliable and well liked by the team; work on prioritizing when the list is long.",
    "Strong clinical reasoning; aim to teach juniors more on rounds.",
    "Improving steadily; build confidence in presenting a plan before asking for one.",
    "Excellent with patients; notes should be finished on the day of admission.",
)
COMMENTS = (
    "Thank you. I would like more ICU time next half to work on managing sicker patients.",
    "Agreed. I will ask my attendings for feedback on presentations each week.",
    "I think the clinic rating reflects my first months; happy to discuss at the next review.",
)


def completed_half(today: date) -> Period:
    """The latest first half whose committee meeting has happened by `today`."""
    year = today.year if today.month >= 7 else today.year - 1
    period = Period(year, 1)
    if today < _meeting_day(period):
        period = Period(year - 1, 1)
    return period


def _meeting_day(period: Period) -> date:
    return period.end - timedelta(days=MEETING_BEFORE_END)


def _clamp(level: Decimal) -> Decimal:
    return min(max(level, LEVELS[0]), LEVELS[-1])


def load_sets() -> list[MilestoneSet]:
    loaded = []
    for name in SET_FILES:
        text = (DATA / name).read_text(encoding="utf-8")
        data = milestone_file_parse(text)
        loaded.append(milestone_set_load(data=data, source_name=name))
    return loaded


@transaction.atomic
def demo_extend(*, seed: int) -> list[str]:
    sets = load_sets()
    program = Program.objects.filter(name=PROGRAM).first()
    if program is None:
        return [f"Milestones: {len(sets)} milestone sets loaded."]
    rng = random.Random(seed * 7919 + 25)
    today = clock.today()
    period = completed_half(today)
    director = get_user_model().objects.filter(person=program.director_id).first()
    seats = _committee(program, rng, _meeting_day(period.previous()), director)
    earlier = _review(program, period.previous(), seats, rng, None, director)
    review = _review(program, period, seats, rng, earlier, director)
    met, acknowledged = _semiannual(review, rng, today, director)
    flagged = _flagged_names(review)
    return [
        f"Milestones: {len(sets)} sets loaded (harmonized, Internal Medicine); CCC of {PROGRAM} "
        f"({len(seats)} members) signed off {earlier.period} and {review.period}; "
        f"{met} residents met, {acknowledged} acknowledged; not progressing: {flagged}.",
    ]


def demo_wipe() -> None:
    ReviewComment.objects.all().delete()
    TraineeReview.objects.all().delete()
    ConsensusRating.objects.all().delete()
    LevelProposal.objects.all().delete()
    CommitteeReview.objects.all().delete()
    CommitteeMember.objects.all().delete()
    Subcompetency.objects.all().delete()
    MilestoneSet.objects.filter(specialty__isnull=False).delete()
    MilestoneSet.objects.all().delete()


def _committee(
    program: Program, rng: random.Random, since: date, director: Any
) -> list[CommitteeMember]:
    """The demo "faculty" member chairs; four more of the program's faculty sit with them."""
    faculty = list(
        Faculty.objects.filter(primary_program=program)
        .exclude(person_id=program.director_id or 0)
        .select_related("person")
        .order_by("pk")
    )
    chair = next((f for f in faculty if f.person.user_id is not None), faculty[0])
    others = rng.sample([f for f in faculty if f != chair], k=min(4, len(faculty) - 1))
    return [
        CommitteeMember.objects.create(
            program=program,
            person=f.person,
            is_chair=f == chair,
            appointed_on=since - timedelta(days=60),
            appointed_by=director,
        )
        for f in [chair, *others]
    ]


def _review(
    program: Program,
    period: Period,
    seats: list[CommitteeMember],
    rng: random.Random,
    earlier: CommitteeReview | None,
    director: Any,
) -> CommitteeReview:
    """Open, rate and sign off one period's review, as the meeting would have."""
    with clock.today_is(_meeting_day(period)):
        review = review_open(program=program, period=period, by=director)
    review.meeting_date = _meeting_day(period)
    review.save(update_fields=["meeting_date"])
    subs = set_subcompetencies(review.milestone_set)
    before = _levels_of(earlier) if earlier else {}
    residents = review_residents(review)
    stalled, below = _not_progressing(residents, review, rng) if earlier else (None, None)
    proposals, consensus, summaries = [], [], []
    for trainee, history in residents:
        year = training_year(pgy_in_period(history, review), program)
        ability = rng.choice((-HALF, Decimal(0), Decimal(0), HALF))
        weak = set(rng.sample([s.code for s in subs], 3)) if trainee.pk == below else set()
        for sub in subs:
            level = _level(sub, year, ability, before.get((trainee.pk, sub.code)), rng)
            if trainee.pk == stalled and (trainee.pk, sub.code) in before:
                level = before[(trainee.pk, sub.code)]
            if sub.code in weak:
                level = expected_level(year, DEFAULT_EXPECTED) - HALF
            consensus.append(
                ConsensusRating(review=review, trainee=trainee, subcompetency=sub, level=level)
            )
            for seat in seats[:3]:
                shift = rng.choice((-HALF, Decimal(0), Decimal(0), Decimal(0), HALF))
                proposed = None if level is None else _clamp(level + shift)
                proposals.append(
                    LevelProposal(
                        review=review,
                        trainee=trainee,
                        subcompetency=sub,
                        member=seat,
                        level=proposed,
                    )
                )
        summaries.append(
            TraineeReview(review=review, trainee=trainee, summary=rng.choice(SUMMARIES))
        )
    LevelProposal.objects.bulk_create(proposals)
    ConsensusRating.objects.bulk_create(consensus)
    TraineeReview.objects.bulk_create(summaries)
    signed = review_sign_off(review=review, by=director)
    signed_at = timezone.make_aware(
        datetime.combine(_meeting_day(period) + timedelta(days=1), time(17))
    )
    CommitteeReview.objects.filter(pk=signed.pk).update(signed_off_at=signed_at)
    signed.refresh_from_db()
    return signed


def _level(
    sub: Subcompetency, year: int, ability: Decimal, earlier: Decimal | None, rng: random.Random
) -> Decimal | None:
    """About half a level above the year's floor, spread by the resident's pace; a rise of half a
    level or a level since the period before, when there was one."""
    if year == 1 and sub.code == "PC6" and rng.random() < 0.3:
        return None  # digital care: few first-years have been seen doing it yet
    if earlier is not None:
        level = earlier + rng.choice((Decimal(0), HALF, HALF, Decimal(1)))
    else:
        level = Decimal(year) + HALF + ability + rng.choice((-HALF, Decimal(0), Decimal(0), HALF))
    return _clamp(max(level, expected_level(year, DEFAULT_EXPECTED)))


def _levels_of(review: CommitteeReview) -> dict[tuple[int, str], Decimal | None]:
    rows = ConsensusRating.objects.filter(review=review).values_list(
        "trainee_id", "subcompetency__code", "level"
    )
    return {(t, code): level for t, code, level in rows}


def _not_progressing(
    residents: list[tuple[Trainee, Any]], review: CommitteeReview, rng: random.Random
) -> tuple[int | None, int | None]:
    """One third-year who has stalled and one second-year below the expected level."""
    by_year: dict[int, list[int]] = {}
    for trainee, history in residents:
        if trainee.person.user_id is None:  # never the demo accounts: they show the usual path
            by_year.setdefault(
                training_year(pgy_in_period(history, review), review.program), []
            ).append(trainee.pk)
    stalled = rng.choice(by_year[3]) if by_year.get(3) else None
    below = rng.choice(by_year[2]) if by_year.get(2) else None
    return stalled, below


def _semiannual(
    review: CommitteeReview, rng: random.Random, today: date, director: Any
) -> tuple[int, int]:
    """The director has met most residents since the meeting; about half of those acknowledged."""
    start = _meeting_day(review_period_of(review)) + timedelta(days=2)
    span = max((today - start).days, 0)
    met = acknowledged = 0
    for tr in TraineeReview.objects.filter(review=review).select_related("trainee__person"):
        is_demo = tr.trainee.person.user_id is not None
        if start > today or (not is_demo and rng.random() > 0.75):
            continue
        tr.met_on = start + timedelta(days=rng.randint(0, span))
        tr.met_by = director
        met += 1
        if not is_demo and rng.random() < 0.6:
            tr.acknowledged_at = timezone.make_aware(datetime.combine(tr.met_on, time(18)))
            acknowledged += 1
            if rng.random() < 0.3:
                ReviewComment.objects.create(
                    trainee_review=tr,
                    author=tr.trainee.person.user,
                    author_role="Resident",
                    text=rng.choice(COMMENTS),
                )
        tr.save(update_fields=["met_on", "met_by", "acknowledged_at"])
    return met, acknowledged


def review_period_of(review: CommitteeReview) -> Period:
    from rounds.milestones.periods import period_parse

    return period_parse(review.period)


def _flagged_names(review: CommitteeReview) -> str:
    from rounds.milestones.selectors import meeting_list

    rows = [r for r in meeting_list(review) if r.flagged]
    return ", ".join(f"{r.trainee.person.full_name} ({r.flags[0].kind})" for r in rows) or "none"
