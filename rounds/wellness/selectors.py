"""Reads for survey results. Every figure about people passes through rounds.lib.disclosure.

The suppression of one period is decided once, over every figure of every program of the
survey, and every viewer sees the same cells hidden: a cell hidden to protect a small neighbour
from subtraction stays hidden on its own committee's page too, or the two pages together would
give it away. Shares are shown only where the count behind them would be.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rounds.core.models import Program
from rounds.lib.disclosure import Release, Table, min_cell_size, release_checked
from rounds.wellness.access import WellnessScope
from rounds.wellness.models import OptionCount, Question, ResponseCount, Survey, SurveyPeriod


@dataclass
class QuestionResult:
    question: Question
    answered: int | None  # None: hidden (it would give away "prefer not to say")
    shares: list[float | None]  # per option then "prefer not to say"; None where hidden
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
    pending: bool = False  # figures hidden until the privacy check has run

    @property
    def total(self) -> GroupResult | None:
        return next((g for g in self.groups if g.program_id is None), None)


# -- the canonical table of one period ---------------------------------------------------------
# Atoms are (program, question, option) counts: nothing stored ties one person's answers to
# two questions together, so each question is its own split of the same respondents (a relation
# the reader knows). Figures: respondents per program and in all, every option, and for each
# question the answered / "prefer not to say" split and the headline's flagged / not split.


def period_table(period: SurveyPeriod) -> Table:
    counts = dict(ResponseCount.objects.filter(period=period).values_list("program_id", "count"))
    questions = list(period.survey.ordered_questions())
    atoms: dict[tuple[int, int, int], int] = {
        (pid, q.pk, o): 0 for pid in counts for q in questions for o in range(len(q.options) + 1)
    }
    for cell in OptionCount.objects.filter(period=period).values_list(
        "program_id", "question_id", "option", "count"
    ):
        if cell[:3] in atoms:
            atoms[cell[:3]] = cell[3]
    table = Table(atoms=dict(atoms))
    programs: list[int | None] = [*sorted(counts), None]
    for pid in programs:
        mine = [a for a in atoms if pid is None or a[0] == pid]
        for index, q in enumerate(questions):
            of_q = [a for a in mine if a[1] == q.pk]
            skip = len(q.options)
            if index == 0:
                table.add(("resp", pid), of_q)
            first = [a for a in mine if a[1] == questions[0].pk]
            whole: tuple[object, ...] = ("resp", pid)
            if _total(atoms, of_q) != _total(atoms, first):
                # A question added after some had answered: its own number of answers.
                whole = ("asked", pid, q.pk)
                table.add(whole, of_q)
            options = [("opt", pid, q.pk, o) for o in range(skip + 1)]
            for o in range(skip + 1):
                table.add(options[o], [a for a in of_q if a[2] == o])
            table.partition(whole, options)
            table.add(("answered", pid, q.pk), [a for a in of_q if a[2] != skip])
            table.partition(whole, [("answered", pid, q.pk), options[skip]])
            if q.flag_from:
                flagged = [a for a in of_q if q.flag_from - 1 <= a[2] < skip]
                table.add(("flag", pid, q.pk, True), flagged)
                table.add(("flag", pid, q.pk, False), [a for a in of_q if a[2] < q.flag_from - 1])
                table.partition(
                    ("answered", pid, q.pk), [("flag", pid, q.pk, b) for b in (True, False)]
                )
            if pid is not None and index > 0 and whole[0] == "resp":
                # Every respondent counted once per question (unless a question was added to
                # the survey after some had answered: then nothing ties the two together).
                relation = {a: 1 for a in of_q}
                relation.update({a: -1 for a in first})
                table.relations.append(relation)
    # The institution row sums the programs': margins, hidden themselves before programs are.
    table.partition(("resp", None), [("resp", pid) for pid in sorted(counts)], margin=True)
    for key in [k for k in table.figures if k[1] is None and k[0] != "resp"]:
        parts = [(key[0], pid, *key[2:]) for pid in sorted(counts)]
        if all(part in table.figures for part in parts):
            table.partition(key, parts, margin=True)
    return table


def _total(atoms: dict[tuple[int, int, int], int], keys: list[tuple[int, int, int]]) -> int:
    return sum(atoms[a] for a in keys)


def period_table_of(period: int) -> Table:
    """The canonical table of one round, as every page reads it (the privacy check's builder)."""
    survey_period = SurveyPeriod.objects.select_related("survey").get(pk=period)
    table = period_table(survey_period)
    if survey_period.survey.program_id is not None:
        # One program's own survey has no total beside it: the total is that program.
        table.figures = {k: f for k, f in table.figures.items() if k[1] is not None}
        table.partitions = [(w, ps) for w, ps in table.partitions if w[1] is not None]
    return table


def period_release(period: SurveyPeriod) -> Release:
    """The round's decided table; until the privacy check has run, every figure hidden."""
    return release_checked(f"{__name__}:period_table_of", {"period": period.pk})


def period_results(
    period: SurveyPeriod, scope: WellnessScope, *, with_workload: bool = False
) -> PeriodResult:
    survey = period.survey
    release = period_release(period)
    questions = list(survey.ordered_questions())
    counts = dict(ResponseCount.objects.filter(period=period).values_list("program_id", "count"))
    names = dict(Program.objects.filter(pk__in=counts).values_list("pk", "name"))
    visible = sorted(
        (pid for pid in counts if scope.covers(pid)), key=lambda pid: names.get(pid, "")
    )
    groups: list[GroupResult] = []
    for pid in visible:
        group = _group(release, names[pid], pid, questions)
        if with_workload and group.shown:
            group.workload = workload_for(pid, period.starts_on, period.ends_on)
        groups.append(group)
    if survey.program_id is None and scope.everything:
        groups.insert(0, _group(release, "All programs", None, questions))
    return PeriodResult(period, groups, release.pending)


def _group(release: Release, label: str, pid: int | None, questions: list[Question]) -> GroupResult:
    respondents = release.value(("resp", pid))
    group = GroupResult(label, pid, respondents is not None, respondents)
    if respondents is not None:
        group.questions = [_question(release, pid, q) for q in questions]
    return group


def _question(release: Release, pid: int | None, question: Question) -> QuestionResult:
    """Shares of every option and of "prefer not to say" (the last), out of all respondents,
    each only where its count may be shown; the headline, out of those who answered, only
    where both its counts may be."""
    width = len(question.options) + 1
    shares = [release.share(("opt", pid, question.pk, o), ("resp", pid)) for o in range(width)]
    headline = None
    if question.flag_from:
        headline = release.share(("flag", pid, question.pk, True), ("answered", pid, question.pk))
        if release.value(("flag", pid, question.pk, False)) is None:
            headline = None
    return QuestionResult(question, release.value(("answered", pid, question.pk)), shares, headline)


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
    if logging < min_cell_size():
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
