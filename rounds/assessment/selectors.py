"""Reads of assessment: queues, evaluations as each reader may see them, anonymous aggregates,
the teaching grid, who attends a service on a day, and the burden report.

Other apps read these names: `attending_on` (the on-call switchboard), `contact_time`
(re-exported from contact.py), `queue_of`, `burden_report` and `evidence.milestone_ratings`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet

from rounds.assessment.contact import ContactTime, contact_time
from rounds.assessment.models import (
    ABOUT_TRAINEE,
    Answer,
    Evaluation,
    EvaluationRequest,
    EvaluatorKind,
    FormItem,
    TeachingAssignment,
)
from rounds.assessment.teaching import rotations_of, weeks_of
from rounds.core.models import Program, Site
from rounds.lib.disclosure import group_is_shown, hidden_cells, min_cell_size
from rounds.people.models import Faculty, Person, Trainee
from rounds.schedules.models import Block, Rotation

__all__ = ["ContactTime", "contact_time"]  # re-exported for other apps


# ---------------------------------------------------------------- the on-call switchboard


def attending_on(
    site: Site | int, service_or_rotation: Rotation | str | int, day: date
) -> list[Faculty]:
    """The faculty attending a service at a site on `day`, by the teaching assignments. The
    service is a rotation, its id, or a name (the rotation's name or its service, any case)."""
    site_id = site if isinstance(site, int) else site.pk
    rows = TeachingAssignment.objects.filter(
        rotation__site_id=site_id, first_day__lte=day, last_day__gte=day
    ).select_related("faculty__person", "rotation")
    if isinstance(service_or_rotation, Rotation):
        rows = rows.filter(rotation=service_or_rotation)
    elif isinstance(service_or_rotation, int):
        rows = rows.filter(rotation_id=service_or_rotation)
    else:
        name = service_or_rotation.strip()
        rows = rows.filter(Q(rotation__name__iexact=name) | Q(rotation__service__iexact=name))
    unique = {row.faculty_id: row.faculty for row in rows}
    return sorted(unique.values(), key=lambda f: (f.person.last_name, f.person.first_name))


# ---------------------------------------------------------------- queues and evaluations


@dataclass
class Queue:
    waiting: list[EvaluationRequest]
    done: list[EvaluationRequest]


def queue_of(person: Person | None, day: date) -> Queue:
    if person is None:
        return Queue([], [])
    mine = EvaluationRequest.objects.filter(evaluator=person).select_related(
        "trainee__person", "faculty__person", "rotation__site", "form_version__form"
    )
    waiting = list(_waiting(mine, day).order_by("expires_on", "pk"))
    done = list(
        mine.filter(
            status=EvaluationRequest.Status.COMPLETED,
            evaluation__submitted_on__gte=day - timedelta(days=60),
        ).order_by("-evaluation__submitted_at")[:20]
    )
    return Queue(waiting, done)


def _waiting(requests: QuerySet[EvaluationRequest], day: date) -> QuerySet[EvaluationRequest]:
    return requests.filter(status=EvaluationRequest.Status.PENDING, expires_on__gte=day)


def waiting_count(person: Person, day: date) -> int:
    """How many evaluations wait for the person on `day` (the queue's first list, counted)."""
    return _waiting(EvaluationRequest.objects.filter(evaluator=person), day).count()


TEACHING_AHEAD = timedelta(days=14)


def teaching_ahead(person: Person | None, day: date) -> list[TeachingAssignment]:
    """The person's teaching assignments (as faculty) under way on `day` or starting within
    TEACHING_AHEAD of it, soonest first."""
    if person is None:
        return []
    return list(
        TeachingAssignment.objects.filter(
            faculty__person=person, last_day__gte=day, first_day__lte=day + TEACHING_AHEAD
        )
        .select_related("rotation__site", "program")
        .order_by("first_day", "pk")
    )


def _evaluations() -> QuerySet[Evaluation]:
    return Evaluation.objects.select_related(
        "request__trainee__person",
        "request__trainee__program",
        "request__evaluator",
        "request__faculty__person",
        "request__rotation__site",
        "form_version__form",
    )


def evaluations_about(trainee: Trainee, day: date) -> list[Evaluation]:
    """What the trainee may read about themselves: released evaluations about them."""
    return list(
        _evaluations()
        .filter(
            request__trainee=trainee,
            request__evaluator_kind__in=list(ABOUT_TRAINEE),
            released_on__lte=day,
        )
        .order_by("-submitted_at")
    )


def written_by(person: Person | None) -> list[Evaluation]:
    if person is None:
        return []
    return list(_evaluations().filter(request__evaluator=person).order_by("-submitted_at")[:100])


def program_evaluations(program: Program, start: date, end: date) -> list[Evaluation]:
    """Evaluations about the program's trainees submitted in [start, end] (for its staff)."""
    return list(
        _evaluations()
        .filter(
            request__program=program,
            request__evaluator_kind__in=list(ABOUT_TRAINEE),
            submitted_on__gte=start,
            submitted_on__lte=end,
        )
        .order_by("-submitted_at")
    )


@dataclass(frozen=True)
class AnswerView:
    item: FormItem
    answer: Answer | None


def answers_of(evaluation: Evaluation) -> list[AnswerView]:
    answers = {a.item_id: a for a in evaluation.answers.all()}
    return [
        AnswerView(item, answers.get(item.pk))
        for item in evaluation.form_version.items.select_related("subcompetency").order_by(
            "position"
        )
    ]


# ---------------------------------------------------------------- anonymous aggregates


@dataclass
class ItemFigure:
    text: str
    kind: str
    mean: Decimal | None = None
    answered: int = 0
    yes: int | None = None  # None when hidden (a small yes or no cell)


@dataclass
class PeriodAggregate:
    label: str
    start: date
    end: date
    count: int
    shown: bool
    reason: str = ""
    items: list[ItemFigure] = field(default_factory=list)


def half_years(academic_year: int) -> list[tuple[str, date, date]]:
    return [
        (f"Jul–Dec {academic_year}", date(academic_year, 7, 1), date(academic_year, 12, 31)),
        (
            f"Jan–Jun {academic_year + 1}",
            date(academic_year + 1, 1, 1),
            date(academic_year + 1, 6, 30),
        ),
    ]


def anonymous_aggregates(
    *,
    kind: str,
    day: date,
    delay_days: int,
    faculty: Faculty | None = None,
    rotation: Rotation | None = None,
    years: int = 2,
) -> list[PeriodAggregate]:
    """Trainees' evaluations of one faculty member (or one rotation), by half academic year.

    A period is shown only once it is over and `delay_days` have passed (so no later answer
    can move a figure already seen, and no subtraction between two readings isolates one
    evaluation), and only over at least the minimum cell size of evaluations. Yes/no counts are
    split by the same small-cell rule. Narratives are never shown here."""
    evaluations = Evaluation.objects.filter(request__evaluator_kind=kind)
    if faculty is not None:
        evaluations = evaluations.filter(request__faculty=faculty)
    if rotation is not None:
        evaluations = evaluations.filter(request__rotation=rotation)
    this_year = day.year if day.month >= 7 else day.year - 1
    out: list[PeriodAggregate] = []
    for year in range(this_year - years + 1, this_year + 1):
        for label, start, end in half_years(year):
            if start > day:
                continue
            in_period = evaluations.filter(submitted_on__gte=start, submitted_on__lte=end)
            count = in_period.count()
            out.append(_period(label, start, end, count, in_period, day, delay_days))
    return list(reversed(out))


def _period(
    label: str,
    start: date,
    end: date,
    count: int,
    evaluations: QuerySet[Evaluation],
    day: date,
    delay_days: int,
) -> PeriodAggregate:
    opens = end + timedelta(days=delay_days)
    if day < opens:
        return PeriodAggregate(label, start, end, count, False, f"shown from {opens:%b %-d, %Y}")
    if not group_is_shown(count):
        return PeriodAggregate(
            label, start, end, count, False, f"fewer than {min_cell_size()} evaluations"
        )
    figures: dict[str, ItemFigure] = {}
    ratings: dict[str, list[Decimal]] = defaultdict(list)
    yes_no: dict[str, dict[str, int]] = defaultdict(lambda: {"yes": 0, "no": 0})
    answers = Answer.objects.filter(evaluation__in=evaluations).select_related("item")
    for answer in answers:
        item = answer.item
        if item.kind == FormItem.Kind.NARRATIVE:
            continue
        figure = figures.setdefault(item.text, ItemFigure(item.text, item.kind))
        if item.kind == FormItem.Kind.RATING and answer.rating is not None:
            ratings[item.text].append(answer.rating)
        elif item.kind == FormItem.Kind.YES_NO and answer.yes_no is not None:
            yes_no[item.text]["yes" if answer.yes_no else "no"] += 1
    for text, figure in figures.items():
        if figure.kind == FormItem.Kind.RATING:
            figure.answered = len(ratings[text])
            if group_is_shown(figure.answered):
                figure.mean = Decimal(str(round(statistics.fmean(ratings[text]), 1)))
        else:
            counts = yes_no[text]
            figure.answered = counts["yes"] + counts["no"]
            hidden = hidden_cells(counts)
            figure.yes = None if hidden or not group_is_shown(figure.answered) else counts["yes"]
    return PeriodAggregate(label, start, end, count, True, items=list(figures.values()))


# ---------------------------------------------------------------- the teaching grid


@dataclass
class GridRow:
    rotation: Rotation
    cells: list[list[TeachingAssignment]]  # one list per week


def teaching_grid(program: Program, block: Block) -> tuple[list[tuple[date, date]], list[GridRow]]:
    weeks = weeks_of(block)
    rows = TeachingAssignment.objects.filter(
        program=program, first_day__lte=block.end, last_day__gte=block.start
    ).select_related("faculty__person")
    by_rotation: dict[int, list[TeachingAssignment]] = defaultdict(list)
    for row in rows:
        by_rotation[row.rotation_id].append(row)
    grid = []
    for rotation in rotations_of(program):
        cells = [
            [
                t
                for t in by_rotation.get(rotation.pk, [])
                if t.first_day <= last and t.last_day >= first
            ]
            for first, last in weeks
        ]
        grid.append(GridRow(rotation, cells))
    return weeks, grid


def faculty_choices(program: Program) -> list[Faculty]:
    """The program's own faculty first, then everyone else (a shared service's attendings)."""
    everyone = list(Faculty.objects.select_related("person"))
    return sorted(
        everyone,
        key=lambda f: (f.primary_program_id != program.pk, f.person.last_name, f.person.first_name),
    )


# ---------------------------------------------------------------- burden


@dataclass
class BurdenRow:
    name: str
    program: str
    requests: int = 0
    completed: int = 0
    expired: int = 0
    days_to_complete: list[int] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        closed = self.requests
        return round(100 * self.completed / closed, 1) if closed else None

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_complete) if self.days_to_complete else None


@dataclass
class BurdenReport:
    year: int
    programs: list[BurdenRow]
    evaluators: list[BurdenRow]
    trainees: list[BurdenRow]
    capped: int
    merged: int
    total: BurdenRow

    @property
    def per_trainee_mean(self) -> float | None:
        if not self.trainees:
            return None
        return round(sum(t.requests for t in self.trainees) / len(self.trainees), 1)

    @property
    def per_evaluator_mean(self) -> float | None:
        if not self.evaluators:
            return None
        return round(sum(e.requests for e in self.evaluators) / len(self.evaluators), 1)


def burden_report(programs: QuerySet[Program] | list[Program], academic_year: int) -> BurdenReport:
    """Requests sent in the academic year: per program, per evaluator and per trainee evaluated,
    with completion rate and days from sending to answer. Counts only; no answer is read."""
    from rounds.assessment.models import RequestSource

    start, end = date(academic_year, 7, 1), date(academic_year + 1, 6, 30)
    program_ids = [p.pk for p in programs]
    requests = (
        EvaluationRequest.objects.filter(
            program__in=program_ids, sent_on__gte=start, sent_on__lte=end
        )
        .exclude(status=EvaluationRequest.Status.CANCELLED)
        .select_related("program", "evaluator", "trainee__person")
        .values_list(
            "program__name",
            "evaluator__first_name",
            "evaluator__last_name",
            "evaluator_id",
            "evaluator_label",
            "evaluator_kind",
            "trainee_id",
            "trainee__person__first_name",
            "trainee__person__last_name",
            "status",
            "sent_on",
            "evaluation__submitted_on",
        )
    )
    by_program: dict[str, BurdenRow] = {}
    by_evaluator: dict[object, BurdenRow] = {}
    by_trainee: dict[int, BurdenRow] = {}
    total = BurdenRow("All programs", "")
    for (program, first, last, evaluator_id, label, kind, trainee_id, t_first, t_last, status,
         sent_on, submitted_on) in requests:  # fmt: skip
        rows = [total, by_program.setdefault(program, BurdenRow(program, program))]
        evaluator_key = evaluator_id or ("link", label)
        name = f"{first} {last}" if evaluator_id else f"{label} (one-time link)"
        rows.append(by_evaluator.setdefault(evaluator_key, BurdenRow(name, program)))
        if trainee_id is not None and kind in ABOUT_TRAINEE:
            rows.append(
                by_trainee.setdefault(trainee_id, BurdenRow(f"{t_first} {t_last}", program))
            )
        for row in rows:
            row.requests += 1
            if status == EvaluationRequest.Status.COMPLETED and submitted_on is not None:
                row.completed += 1
                row.days_to_complete.append(max(0, (submitted_on - sent_on).days))
            elif status == EvaluationRequest.Status.EXPIRED:
                row.expired += 1
    sources = RequestSource.objects.filter(
        program__in=program_ids, considered_on__gte=start, considered_on__lte=end
    )
    return BurdenReport(
        year=academic_year,
        programs=sorted(by_program.values(), key=lambda r: r.name),
        evaluators=sorted(by_evaluator.values(), key=lambda r: (-r.requests, r.name)),
        trainees=sorted(by_trainee.values(), key=lambda r: (-r.requests, r.name)),
        capped=sources.filter(outcome=RequestSource.Outcome.CAPPED).count(),
        merged=sources.filter(outcome=RequestSource.Outcome.MERGED).count(),
        total=total,
    )


def kinds_waiting(queue: Queue) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for request in queue.waiting:
        counts[EvaluatorKind(request.evaluator_kind).label] += 1
    return dict(counts)
