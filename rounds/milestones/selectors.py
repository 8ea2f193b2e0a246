"""Reads for milestones and the CCC: the sets, the meeting list, the resident page, the export.

The evaluation ratings come from rounds.assessment (the evaluations app) through one function,
`evaluation_ratings`; everything else here is Rounds' own data: the committee's proposals and
consensus, earlier signed-off periods, work-hour findings and the published rotation schedules.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from rounds.core.models import Program
from rounds.milestones.levels import LEVELS
from rounds.milestones.models import (
    CommitteeMember,
    CommitteeReview,
    ConsensusRating,
    LevelProposal,
    MilestoneSet,
    ProgressRule,
    ReviewComment,
    Subcompetency,
    TraineeReview,
)
from rounds.milestones.periods import Period, period_of, period_parse
from rounds.milestones.progress import Flag, progress_flags
from rounds.people.models import Person, Role, Trainee
from rounds.people.training import History, history_of, trainees_in_training

# ---------------------------------------------------------------------------------------------
# Milestone sets
# ---------------------------------------------------------------------------------------------


def milestone_set_for(program: Program, day: date) -> MilestoneSet | None:
    """The set a program rates with on `day`: its specialty's latest version in force, else
    the harmonized set alone (every specialty shares it), else none."""
    in_force = MilestoneSet.objects.filter(effective_from__lte=day).order_by("-effective_from")
    return (
        in_force.filter(specialty=program.specialty_id).first()
        or in_force.filter(specialty__isnull=True).first()
    )


# A loaded set never changes (a revision is a new set), so its subcompetencies are read once per
# process; the key includes when it was loaded, so a set deleted and reloaded under the same id
# (a demo rebuilt, a test database) is read afresh.
_SET_CACHE: dict[tuple[int, object], list[Subcompetency]] = {}


def set_subcompetencies(milestone_set: MilestoneSet) -> list[Subcompetency]:
    """The set's own subcompetencies and those of the harmonized set it includes, in report
    order (PC, MK, SBP, PBLI, PROF, ICS)."""
    key = (milestone_set.pk, milestone_set.loaded_at)
    if key not in _SET_CACHE:
        sets = [milestone_set.pk]
        if milestone_set.harmonized_set_id:
            sets.append(milestone_set.harmonized_set_id)
        if len(_SET_CACHE) > 100:
            _SET_CACHE.clear()
        _SET_CACHE[key] = list(
            Subcompetency.objects.filter(competency__milestone_set__in=sets)
            .select_related("competency")
            .order_by("competency__order", "competency__milestone_set_id", "order", "pk")
        )
    return list(_SET_CACHE[key])


# ---------------------------------------------------------------------------------------------
# Evaluation ratings (rounds.assessment)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """One evaluation rating as this page shows it (rounds.assessment's MilestoneRating)."""

    subcompetency_id: int
    level: Decimal | None
    day: date
    evaluator_kind: str
    evaluator_name: str
    narrative: str


def evaluation_ratings(trainee: Trainee, start: date, end: date) -> list[Rating]:
    """Ratings from evaluations of `trainee` dated in [start, end]; none when the evaluations
    app is not installed. Imported lazily: milestones do not depend on evaluations."""
    if not apps.is_installed("rounds.assessment"):
        return []
    from rounds.assessment.evidence import milestone_ratings

    return [_rating(r) for r in milestone_ratings(trainee, start, end)]


def _rating(raw: Any) -> Rating:
    def first(*names: str, default: Any = "") -> Any:
        for name in names:
            if hasattr(raw, name):
                return getattr(raw, name)
        return default

    sub = first("subcompetency_id", "subcompetency")
    return Rating(
        subcompetency_id=getattr(sub, "pk", sub),
        level=first("level", default=None),
        day=first("date", "day", "completed_on"),
        evaluator_kind=str(first("evaluator_kind", "kind")),
        evaluator_name=str(first("evaluator_name", "evaluator_display_name", "evaluator")),
        narrative=str(first("narrative", "comments", "comment") or ""),
    )


def median_level(levels: Iterable[Decimal | None]) -> Decimal | None:
    """The median of the assessable levels, rounded down to the scale (None if none)."""
    known = sorted(v for v in levels if v is not None)
    if not known:
        return None
    middle = Decimal(str(statistics.median(known)))
    return max(level for level in LEVELS if level <= middle)


# ---------------------------------------------------------------------------------------------
# Committee and reviews
# ---------------------------------------------------------------------------------------------


def committee_of(program: Program, day: date | None = None) -> list[CommitteeMember]:
    """Members seated on `day` (all open seats when no day is given)."""
    seats = CommitteeMember.objects.filter(program=program).select_related("person")
    if day is None:
        return list(seats.filter(ended_on__isnull=True))
    return list(
        seats.filter(appointed_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    )


def committee_history(program: Program) -> list[CommitteeMember]:
    return list(CommitteeMember.objects.filter(program=program).select_related("person"))


def faculty_of(program: Program) -> QuerySet[Person]:
    """Faculty a director may appoint: those whose primary program it is, or who hold the
    program's faculty role."""
    return (
        Person.objects.filter(kind=Person.Kind.FACULTY)
        .filter(
            Q(faculty__primary_program=program)
            | Q(user__role_assignments__role=Role.FACULTY, user__role_assignments__program=program)
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def latest_reviewed_period(day: date) -> Period:
    """The latest period up to `day`'s with a review in any program (else the one before)."""
    current = period_of(day)
    codes = CommitteeReview.objects.filter(period__lte=current.code).values_list(
        "period", flat=True
    )
    latest = max(codes, default=None)
    return period_parse(latest) if latest else current.previous()


def seat_of(user: Any, program: Program) -> CommitteeMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        CommitteeMember.objects.filter(
            program=program, person__user_id=user.pk, ended_on__isnull=True
        )
        .select_related("person")
        .first()
    )


def reviews_of(programs: Iterable[Program]) -> QuerySet[CommitteeReview]:
    return CommitteeReview.objects.filter(program__in=list(programs)).select_related(
        "program", "milestone_set", "signed_off_by"
    )


def review_period(review: CommitteeReview) -> Period:
    return period_parse(review.period)


def review_residents(review: CommitteeReview) -> list[tuple[Trainee, History]]:
    """The program's residents in training on at least one day of the period, by name."""
    period = review_period(review)
    found = trainees_in_training([review.program_id], period.start, period.end)
    found.sort(key=lambda t: (t.person.last_name, t.person.first_name, t.pk))
    return [(t, history_of(t)) for t in found]


def pgy_in_period(history: History, review: CommitteeReview) -> int:
    """The PGY level on the last day of the period the resident was in the program."""
    period = review_period(review)
    days = history.days_in(period.start, period.end, review.program_id)
    return history.pgy_on(days[-1] if days else period.end)


def training_year(pgy: int, program: Program) -> int:
    return max(1, pgy - program.first_pgy + 1)


def consensus_levels(
    review: CommitteeReview, trainee_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], ConsensusRating]:
    """The latest consensus row per (trainee id, subcompetency id): the committee's level."""
    rows = ConsensusRating.objects.filter(review=review).order_by("pk")
    if trainee_ids is not None:
        rows = rows.filter(trainee_id__in=list(trainee_ids))
    return {(r.trainee_id, r.subcompetency_id): r for r in rows}


def agreed_levels(
    review: CommitteeReview, trainee_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], Decimal | None]:
    """The committee's level per (trainee id, subcompetency id), as plain values: the meeting
    list and the export read a whole program's, and model rows would cost more than the query."""
    rows = ConsensusRating.objects.filter(review=review).order_by("pk")
    if trainee_ids is not None:
        rows = rows.filter(trainee_id__in=list(trainee_ids))
    return {
        (trainee_id, sub_id): level
        for trainee_id, sub_id, level in rows.values_list("trainee_id", "subcompetency_id", "level")
    }


def earlier_reviews(review: CommitteeReview, count: int = 3) -> list[CommitteeReview]:
    """The program's signed-off reviews of earlier periods, latest first."""
    return list(
        CommitteeReview.objects.filter(
            program=review.program_id, period__lt=review.period, signed_off_at__isnull=False
        ).order_by("-period")[:count]
    )


def earlier_levels(
    reviews: Sequence[CommitteeReview], trainee_ids: Iterable[int]
) -> dict[str, dict[int, dict[str, Decimal | None]]]:
    """period code -> trainee id -> subcompetency code -> signed-off level. Keyed by code so a
    newer version of the set still lines up with the older one."""
    out: dict[str, dict[int, dict[str, Decimal | None]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        ConsensusRating.objects.filter(review__in=list(reviews), trainee_id__in=list(trainee_ids))
        .order_by("pk")
        .values_list("review__period", "trainee_id", "subcompetency__code", "level")
    )
    for period, trainee_id, code, level in rows:
        out[period][trainee_id][code] = level
    return out


def progress_rules(program: Program) -> dict[int, Decimal]:
    return dict(
        ProgressRule.objects.filter(program=program).values_list("training_year", "minimum_level")
    )


# ---------------------------------------------------------------------------------------------
# The meeting list
# ---------------------------------------------------------------------------------------------


@dataclass
class ResidentRow:
    trainee: Trainee
    pgy: int
    agreed: int  # subcompetencies with a consensus
    total: int
    flags: list[Flag]
    trainee_review: TraineeReview | None

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def current_levels(
    subs: Sequence[Subcompetency],
    agreed: Mapping[tuple[int, int], Decimal | None],
    ratings: Sequence[Rating],
    trainee_id: int,
) -> dict[str, Decimal | None]:
    """Per code: the consensus when recorded, else the median of the period's ratings."""
    by_sub: dict[int, list[Decimal | None]] = defaultdict(list)
    for rating in ratings:
        by_sub[rating.subcompetency_id].append(rating.level)
    out: dict[str, Decimal | None] = {}
    for sub in subs:
        if (trainee_id, sub.pk) in agreed:
            out[sub.code] = agreed[(trainee_id, sub.pk)]
        elif by_sub.get(sub.pk):
            out[sub.code] = median_level(by_sub[sub.pk])
    return out


def meeting_list(review: CommitteeReview) -> list[ResidentRow]:
    """Every resident of the period, those not progressing first, then by name."""
    period = review_period(review)
    residents = review_residents(review)
    ids = [t.pk for t, _ in residents]
    subs = set_subcompetencies(review.milestone_set)
    consensus = agreed_levels(review, ids)
    earlier = earlier_levels(earlier_reviews(review), ids)
    latest_first = sorted(earlier, reverse=True)
    rules = progress_rules(review.program)
    summaries = {
        tr.trainee_id: tr for tr in TraineeReview.objects.filter(review=review, trainee_id__in=ids)
    }
    rows = []
    for trainee, history in residents:
        pgy = pgy_in_period(history, review)
        ratings = evaluation_ratings(trainee, period.start, period.end)
        levels = current_levels(subs, consensus, ratings, trainee.pk)
        # the latest earlier period in which the resident was rated, as on the resident page
        previous = next(
            (earlier[c][trainee.pk] for c in latest_first if trainee.pk in earlier[c]), None
        )
        flags = progress_flags(levels, previous, training_year(pgy, review.program), rules)
        agreed = sum(1 for s in subs if (trainee.pk, s.pk) in consensus)
        rows.append(ResidentRow(trainee, pgy, agreed, len(subs), flags, summaries.get(trainee.pk)))
    rows.sort(key=lambda r: not r.flagged)  # stable: by name within each group
    return rows


# ---------------------------------------------------------------------------------------------
# The resident page
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    member_id: int
    member_name: str
    level: Decimal | None


@dataclass
class SubRow:
    sub: Subcompetency
    trend: list[tuple[str, Decimal | None]]  # (period code, signed-off level), oldest first
    ratings: list[Rating]
    median: Decimal | None
    proposals: list[Proposal]
    mine: Proposal | None
    consensus: ConsensusRating | None
    history: list[ConsensusRating]  # every consensus row, oldest first (corrections included)


@dataclass
class Rotation:
    first: date
    last: date
    name: str
    site: str


@dataclass
class ResidentPage:
    review: CommitteeReview
    period: Period
    trainee: Trainee
    pgy: int
    rows: list[SubRow]
    periods: list[str]  # earlier period codes shown in the trend, oldest first
    flags: list[Flag]
    narratives: list[Rating]
    findings: list[Any]
    rotations: list[Rotation]
    trainee_review: TraineeReview | None
    comments: list[ReviewComment] = field(default_factory=list)

    @property
    def agreed(self) -> int:
        return sum(1 for r in self.rows if r.consensus is not None)


def trainee_earlier_levels(
    review: CommitteeReview, trainee: Trainee, count: int = 3
) -> dict[str, dict[str, Decimal | None]]:
    """period code -> subcompetency code -> level, from the program's signed-off reviews of the
    `count` periods before this one in which the resident was rated (one query)."""
    rows = (
        ConsensusRating.objects.filter(
            trainee=trainee,
            review__program=review.program_id,
            review__period__lt=review.period,
            review__signed_off_at__isnull=False,
        )
        .order_by("pk")
        .values_list("review__period", "subcompetency__code", "level")
    )
    out: dict[str, dict[str, Decimal | None]] = defaultdict(dict)
    for period, code, level in rows:
        out[period][code] = level
    return {code: out[code] for code in sorted(out)[-count:]}


def resident_page(
    review: CommitteeReview,
    trainee: Trainee,
    seat: CommitteeMember | None,
    history: History | None = None,
) -> ResidentPage:
    period = review_period(review)
    subs = set_subcompetencies(review.milestone_set)
    ratings = evaluation_ratings(trainee, period.start, period.end)
    by_sub: dict[int, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_sub[rating.subcompetency_id].append(rating)
    proposals: dict[int, list[Proposal]] = defaultdict(list)
    # Plain values, not model instances: 60 or more rows per page, read on every visit.
    for sub_id, member_id, name, level in (
        LevelProposal.objects.filter(review=review, trainee=trainee)
        .order_by("member__person__last_name", "member_id")
        .values_list("subcompetency_id", "member_id", "member__person__last_name", "level")
    ):
        proposals[sub_id].append(Proposal(member_id, name, level))
    agreed_rows: dict[int, list[ConsensusRating]] = defaultdict(list)
    for c in ConsensusRating.objects.filter(review=review, trainee=trainee).order_by("pk"):
        agreed_rows[c.subcompetency_id].append(c)
    earlier = trainee_earlier_levels(review, trainee)
    before = sorted(earlier)
    rows = []
    for sub in subs:
        mine = next((p for p in proposals[sub.pk] if seat and p.member_id == seat.pk), None)
        rows.append(
            SubRow(
                sub=sub,
                trend=[(code, earlier[code].get(sub.code)) for code in before],
                ratings=by_sub[sub.pk],
                median=median_level(r.level for r in by_sub[sub.pk]),
                proposals=proposals[sub.pk],
                mine=mine,
                consensus=agreed_rows[sub.pk][-1] if agreed_rows[sub.pk] else None,
                history=agreed_rows[sub.pk],
            )
        )
    pgy = pgy_in_period(history or history_of(trainee), review)
    consensus = {(trainee.pk, s): rows_[-1].level for s, rows_ in agreed_rows.items() if rows_}
    levels = current_levels(subs, consensus, ratings, trainee.pk)
    previous = earlier[before[-1]] if before else None
    trainee_review = (
        TraineeReview.objects.filter(review=review, trainee=trainee)
        .select_related("met_by")
        .first()
    )
    return ResidentPage(
        review=review,
        period=period,
        trainee=trainee,
        pgy=pgy,
        rows=rows,
        periods=before,
        flags=progress_flags(
            levels, previous, training_year(pgy, review.program), progress_rules(review.program)
        ),
        narratives=narratives_of(ratings),
        findings=work_hour_findings(trainee, period),
        rotations=rotation_history(trainee, period),
        trainee_review=trainee_review,
        comments=list(trainee_review.comments.select_related("author")) if trainee_review else [],
    )


def narratives_of(ratings: Sequence[Rating]) -> list[Rating]:
    """The written comments, newest first, each once: an evaluation's comments come with every
    rating item it answered."""
    seen: set[tuple[date, str, str]] = set()
    out = []
    for rating in sorted(ratings, key=lambda r: r.day, reverse=True):
        key = (rating.day, rating.evaluator_name, rating.narrative)
        if rating.narrative.strip() and key not in seen:
            seen.add(key)
            out.append(rating)
    return out


def work_hour_findings(trainee: Trainee, period: Period) -> list[Any]:
    """The work-hour checker's findings in the period (rounds.workhours), newest first."""
    from rounds.workhours.models import Finding

    return list(
        Finding.objects.filter(
            trainee=trainee, starts_on__range=(period.start, period.end)
        ).order_by("-starts_on", "rule")
    )


def rotation_history(trainee: Trainee, period: Period) -> list[Rotation]:
    """Where the published rotation schedules placed the resident during the period."""
    from rounds.schedules.selectors import rotation_days

    return [
        Rotation(first, last, rotation.name, rotation.site.name)
        for first, last, rotation in rotation_days(trainee, period.start, period.end)
    ]


# ---------------------------------------------------------------------------------------------
# Export and the resident's own results
# ---------------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("trainee_id", "name", "pgy", "subcompetency", "level")


def export_rows(review: CommitteeReview) -> list[tuple[Any, ...]]:
    """One row per resident of the period and subcompetency of the set, in that order; the
    level is the consensus ("" where none was recorded)."""
    from rounds.milestones.levels import level_short

    residents = review_residents(review)
    subs = set_subcompetencies(review.milestone_set)
    consensus = agreed_levels(review)
    rows = []
    for trainee, history in residents:
        pgy = pgy_in_period(history, review)
        name = f"{trainee.person.last_name}, {trainee.person.first_name}"
        for sub in subs:
            key = (trainee.pk, sub.pk)
            level = level_short(consensus[key]) if key in consensus else ""
            rows.append((trainee.pk, name, pgy, sub.code, level))
    return rows


@dataclass
class OwnResult:
    trainee_review: TraineeReview | None
    review: CommitteeReview
    period: Period
    levels: list[tuple[Subcompetency, Decimal | None]]
    comments: list[ReviewComment]


def own_results(trainee: Trainee) -> list[OwnResult]:
    """The resident's signed-off reviews, latest first, with the committee's levels."""
    reviews = (
        CommitteeReview.objects.filter(signed_off_at__isnull=False, ratings__trainee=trainee)
        .distinct()
        .select_related("milestone_set", "program")
        .order_by("-period")
    )
    out = []
    for review in reviews:
        consensus = agreed_levels(review, [trainee.pk])
        subs = set_subcompetencies(review.milestone_set)
        levels = [
            (s, consensus[(trainee.pk, s.pk)]) for s in subs if (trainee.pk, s.pk) in consensus
        ]
        tr = TraineeReview.objects.filter(review=review, trainee=trainee).first()
        comments = list(tr.comments.select_related("author")) if tr else []
        out.append(OwnResult(tr, review, period_parse(review.period), levels, comments))
    return out


# ---------------------------------------------------------------------------------------------
# The GME office's summary
# ---------------------------------------------------------------------------------------------


@dataclass
class ProgramSummary:
    program: Program
    review: CommitteeReview | None
    residents: int
    flagged: int | None  # None: hidden (too few people to show)


def gme_summary(period: Period) -> list[ProgramSummary]:
    """Per program: whether its review for `period` is open or signed off, how many residents
    it covers, and how many are flagged as not progressing when the groups are large enough."""
    from rounds.lib.disclosure import hidden_cells

    reviews = {r.program_id: r for r in CommitteeReview.objects.filter(period=period.code)}
    out = []
    for program in Program.objects.filter(pk__in=list(reviews)).order_by("name"):
        review = reviews[program.pk]
        rows = meeting_list(review)
        flagged = sum(1 for r in rows if r.flagged)
        hidden = hidden_cells({"flagged": flagged, "not": len(rows) - flagged})
        out.append(ProgramSummary(program, review, len(rows), None if hidden else flagged))
    return out
