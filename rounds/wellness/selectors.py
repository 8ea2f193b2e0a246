"""Reads for survey results. Every figure about people passes through rounds.lib.cells.

The suppression of one period is computed once, over every program of the survey, and every
viewer sees the same cells hidden: a program hidden to protect a small neighbour from subtraction
stays hidden on its own committee's page too, or the two pages together would give it away.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rounds.core.models import Program
from rounds.lib.cells import group_is_shown, hidden_cells, min_cell_size
from rounds.wellness.access import WellnessScope
from rounds.wellness.models import OptionCount, Question, ResponseCount, Survey, SurveyPeriod


@dataclass
class QuestionResult:
    question: Question
    answered: int
    shares: list[float]  # per option then "prefer not to say", percent of respondents
    headline: float | None  # percent at or past flag_from, of those who answered


@dataclass
class GroupResult:
    label: str
    program_id: int | None  # None: the institution total
    shown: bool
    respondents: int | None  # None when suppressed
    questions: list[QuestionResult] = field(default_factory=list)
    workload: Any = None


@dataclass
class PeriodResult:
    period: SurveyPeriod
    groups: list[GroupResult]

    @property
    def total(self) -> GroupResult | None:
        return next((g for g in self.groups if g.program_id is None), None)


def hidden_programs(period: SurveyPeriod, counts: dict[int, int]) -> tuple[set[int], bool]:
    """(hidden program ids, whether the total is hidden) for one period's respondent counts."""
    if period.survey.program_id is not None:
        n = counts.get(period.survey.program_id, 0)
        shown = group_is_shown(n)
        return (set() if shown else set(counts)), not shown
    hidden = hidden_cells(counts, total_shown=True)
    # When every cell is hidden the total goes too (see rounds.lib.cells).
    total_hidden = not group_is_shown(sum(counts.values())) or (
        bool(counts) and hidden == set(counts)
    )
    return hidden, total_hidden


def period_results(
    period: SurveyPeriod, scope: WellnessScope, *, with_workload: bool = False
) -> PeriodResult:
    survey = period.survey
    counts = dict(ResponseCount.objects.filter(period=period).values_list("program_id", "count"))
    hidden, total_hidden = hidden_programs(period, counts)
    questions = list(survey.ordered_questions())
    options: dict[tuple[int, int], list[int]] = defaultdict(list)
    option_rows = OptionCount.objects.filter(period=period).order_by("question_id", "option")
    for program_id, qid, option, n in option_rows.values_list(
        "program_id", "question_id", "option", "count"
    ):
        row = options[(program_id, qid)]
        row.extend([0] * (option + 1 - len(row)))
        row[option] = n
    names = dict(Program.objects.filter(pk__in=counts).values_list("pk", "name"))
    groups: list[GroupResult] = []
    visible = sorted(
        (pid for pid in counts if scope.covers(pid)), key=lambda pid: names.get(pid, "")
    )
    for pid in visible:
        shown = pid not in hidden
        group = GroupResult(names[pid], pid, shown, counts[pid] if shown else None)
        if shown:
            group.questions = [_question(q, options.get((pid, q.pk), [])) for q in questions]
        if with_workload and shown:
            group.workload = workload_for(pid, period.starts_on, period.ends_on)
        groups.append(group)
    if survey.program_id is None and scope.everything:
        total = sum(counts.values())
        group = GroupResult("All programs", None, not total_hidden, None)
        if not total_hidden:
            group.respondents = total
            summed = {q.pk: _sum([options.get((p, q.pk), []) for p in counts]) for q in questions}
            group.questions = [_question(q, summed[q.pk]) for q in questions]
        groups.insert(0, group)
    return PeriodResult(period, groups)


def _sum(rows: list[list[int]]) -> list[int]:
    width = max((len(r) for r in rows), default=0)
    return [sum(r[i] for r in rows if i < len(r)) for i in range(width)]


def _question(question: Question, counts: list[int]) -> QuestionResult:
    """Shares of every option and of "prefer not to say" (the last), out of all respondents of
    a shown group; the headline is out of those who did answer."""
    width = len(question.options) + 1
    counts = (counts + [0] * width)[:width]
    everyone = sum(counts)
    answered = everyone - counts[-1]
    if everyone == 0:
        return QuestionResult(question, 0, [], None)
    shares = [100.0 * n / everyone for n in counts]
    headline = None
    if question.flag_from and answered:
        headline = 100.0 * sum(counts[question.flag_from - 1 : -1]) / answered
    return QuestionResult(question, answered, shares, headline)


def closed_periods(survey: Survey, today: date) -> list[SurveyPeriod]:
    return list(survey.periods.filter(ends_on__lt=today).order_by("index"))


@dataclass
class TrendRow:
    label: str
    program_id: int | None
    points: list[float | None]  # headline per period; None = suppressed or no data


def trends(results: list[PeriodResult], question: Question) -> list[TrendRow]:
    """The headline figure of one question across periods, per visible group; a period where
    a group is suppressed is a gap, never a number."""
    labels: dict[int | None, str] = {}
    for result in results:
        for g in result.groups:
            labels.setdefault(g.program_id, g.label)
    rows = []
    for pid, label in labels.items():
        points: list[float | None] = []
        for result in results:
            group = next((g for g in result.groups if g.program_id == pid), None)
            qr = None
            if group and group.shown:
                qr = next((q for q in group.questions if q.question.pk == question.pk), None)
            points.append(qr.headline if qr else None)
        rows.append(TrendRow(label, pid, points))
    rows.sort(key=lambda r: (r.program_id is not None, r.label))
    return rows


@dataclass
class Workload:
    trainees_logging: int
    average_weekly_hours: float | None
    in_house_calls_per_4_weeks: float | None
    violations: int | None


def workload_for(program_id: int, start: date, end: date) -> Workload | None:
    """Work-hour figures from the work-hours module beside the wellness figures, with the same
    minimum cell size. None when that module is not installed or too few trainees log hours."""
    try:
        selectors = importlib.import_module("rounds.workhours.selectors")
    except ImportError:
        return None
    program_workload = getattr(selectors, "program_workload", None)
    if program_workload is None:
        return None
    program = Program.objects.get(pk=program_id)
    figures = program_workload(program, start, end)
    logging = int(getattr(figures, "trainees_logging", 0) or 0)
    if not group_is_shown(logging):
        return Workload(logging, None, None, None)
    return Workload(
        logging,
        getattr(figures, "average_weekly_hours", None),
        getattr(figures, "in_house_calls_per_4_weeks", None),
        _how_many(getattr(figures, "violations", None)),
    )


def _how_many(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return len(value)


def minimum() -> int:
    return min_cell_size()


def workload_module_present() -> bool:
    try:
        module = importlib.import_module("rounds.workhours.selectors")
    except ImportError:
        return False
    return hasattr(module, "program_workload")


@dataclass
class TimelineRow:
    label: str
    respondents: int | None  # None: suppressed this period
    headlines: list[float | None]
    workload: Workload | None


def program_timeline(
    results: list[PeriodResult], program_id: int, questions: list[Question]
) -> list[TimelineRow]:
    """One program's wellness headline figures period by period, with its logged workload for
    the same dates beside them. Suppressed periods stay suppressed; workload has its own floor."""
    flagged = [q for q in questions if q.flag_from]
    rows = []
    for result in results:
        group = next((g for g in result.groups if g.program_id == program_id), None)
        headlines: list[float | None] = [None] * len(flagged)
        respondents = None
        if group is not None and group.shown:
            respondents = group.respondents
            by_question = {qr.question.pk: qr.headline for qr in group.questions}
            headlines = [by_question.get(q.pk) for q in flagged]
        period = result.period
        rows.append(
            TimelineRow(
                period.label,
                respondents,
                headlines,
                workload_for(program_id, period.starts_on, period.ends_on),
            )
        )
    return rows


def timeline_programs(results: list[PeriodResult]) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for result in results:
        for g in result.groups:
            if g.program_id is not None:
                seen.setdefault(g.program_id, g.label)
    return sorted(seen.items(), key=lambda item: item[1])
