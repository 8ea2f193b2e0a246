"""Aggregate reads for the inclusion office. Every figure about people passes through
rounds.lib.cells, so a group smaller than the minimum cell size never shows, not even by
subtracting the shown cells from a shown total."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from rounds.core.models import Program
from rounds.inclusion.models import (
    AWAY_LABELS,
    STAGE_ORDER,
    AdvancementEvent,
    Applicant,
    RecruitmentCycle,
    Stage,
    Track,
)
from rounds.lib.cells import group_is_shown, hidden_cells, min_cell_size
from rounds.people.models import SelfIdentification, Trainee
from rounds.people.training import history_of, trainees_enrolled_on

GROUPS = ("urim", "other", "not_stated")
GROUP_LABELS = {"urim": "URiM", "other": "Not URiM", "not_stated": "Not stated"}


def _group(urim: bool | None) -> str:
    return "not_stated" if urim is None else ("urim" if urim else "other")


@dataclass(frozen=True)
class Split:
    """A group of people split URiM / other / not stated, with suppressed cells as None."""

    total: int | None
    urim: int | None
    other: int | None
    not_stated: int | None

    @classmethod
    def of(cls, counts: Counter[str]) -> Split:
        cells = {g: counts.get(g, 0) for g in GROUPS}
        hidden = hidden_cells(cells)
        if hidden == set(GROUPS):
            return cls(None, None, None, None)
        shown = {g: (None if g in hidden else cells[g]) for g in GROUPS}
        return cls(sum(cells.values()), shown["urim"], shown["other"], shown["not_stated"])

    @property
    def suppressed(self) -> bool:
        return self.total is None

    @property
    def urim_pct(self) -> Decimal | None:
        """URiM share among those who answered, when both answered groups are shown."""
        if self.urim is None or self.other is None or self.urim + self.other == 0:
            return None
        return (Decimal(100) * self.urim / (self.urim + self.other)).quantize(Decimal("0.1"))


# -- trainees by program ------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgramComposition:
    program: Program
    split: Split


def trainee_composition() -> tuple[list[ProgramComposition], Split]:
    """Active trainees of each program split by self-identified URiM, and the institution's."""
    urim_of = dict(SelfIdentification.objects.values_list("person_id", "urim"))
    by_program: dict[int, Counter[str]] = {}
    overall: Counter[str] = Counter()
    today = timezone.localdate()
    # The program's trainees today, those on leave included.
    active = [(history_of(t).program_on(today), t.person_id) for t in trainees_enrolled_on(today)]
    for program_id, person_id in active:
        group = _group(urim_of.get(person_id))
        by_program.setdefault(program_id, Counter())[group] += 1
        overall[group] += 1
    programs = Program.objects.filter(pk__in=by_program).order_by("name")
    rows = [ProgramComposition(p, Split.of(by_program[p.pk])) for p in programs]
    return rows, _overall_split(overall, [r.split for r in rows])


def _overall_split(overall: Counter[str], parts: list[Split]) -> Split:
    """The institution's split, unless subtracting the shown programs' cells from it would
    leave a small group: then only its total shows."""
    split = Split.of(overall)
    if split.suppressed:
        return split
    for group in GROUPS:
        if getattr(split, group) is None:
            continue
        shown = sum(getattr(part, group) or 0 for part in parts)
        if 0 < overall.get(group, 0) - shown < min_cell_size():
            return Split(split.total, None, None, None)
    return split


# -- recruitment funnel ---------------------------------------------------------------------------
@dataclass(frozen=True)
class FunnelStage:
    stage: str
    label: str
    split: Split


@dataclass
class Funnel:
    cycle: RecruitmentCycle
    stages: list[FunnelStage] = field(default_factory=list)

    @property
    def applicants(self) -> int:
        return sum(1 for _ in self.cycle.applicants.all())


def funnel_of(cycle: RecruitmentCycle) -> Funnel:
    """Everyone who reached each stage (a matched applicant was also ranked, interviewed...)."""
    reached: list[Counter[str]] = [Counter() for _ in STAGE_ORDER]
    for stage, urim in Applicant.objects.filter(cycle=cycle).values_list("stage", "urim"):
        for index in range(STAGE_ORDER.index(stage) + 1):
            reached[index][_group(urim)] += 1
    labels = AWAY_LABELS if cycle.track == Track.AWAY else dict(Stage.choices)
    splits = _against_differencing([Split.of(counts) for counts in reached])
    funnel = Funnel(cycle)
    for stage, split in zip(STAGE_ORDER, splits, strict=True):
        funnel.stages.append(FunnelStage(stage, str(labels[Stage(stage)]), split))
    return funnel


def _against_differencing(splits: list[Split]) -> list[Split]:
    """Stages are nested, so one stage's cell minus the next stage's is a group too (URiM
    applicants interviewed but not ranked). Wherever two shown cells of a column differ by
    fewer than the minimum, the later stage keeps its total but hides its breakdown; repeated
    until no such pair is left. Shown cells are 0 or at least the minimum, so checking
    neighbours among the shown cells covers every pair. "Not stated" differences say nothing
    about anyone's identity and are left alone, so one non-responder dropping out does not
    hide a stage."""
    k = min_cell_size()
    splits = list(splits)
    changed = True
    while changed:
        changed = False
        for group in ("urim", "other"):
            shown = [(i, getattr(s, group)) for i, s in enumerate(splits)]
            shown = [(i, n) for i, n in shown if n is not None]
            for (_, earlier), (later_index, later) in itertools.pairwise(shown):
                if 0 < earlier - later < k:
                    total = splits[later_index].total
                    splits[later_index] = Split(total, None, None, None)
                    changed = True
                    break
            if changed:
                break
    return splits


@dataclass(frozen=True)
class CycleSummary:
    cycle: RecruitmentCycle
    records: int
    applied: Split
    matched: Split


def cycles_listed() -> list[CycleSummary]:
    """Every season with its URiM share at the first and the last stage (suppressed alike)."""
    from django.db.models import Count

    cycles = (
        RecruitmentCycle.objects.select_related("program")
        .annotate(n=Count("applicants"))
        .order_by("-season", "program__name", "track")
    )
    summaries = []
    for cycle in cycles:
        stages = funnel_of(cycle).stages
        summaries.append(CycleSummary(cycle, cycle.n, stages[0].split, stages[-1].split))
    return summaries


# -- advancement ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    """`count` of `of` people, or None when either side would identify a small group."""

    count: int | None
    of: int | None

    @classmethod
    def of_group(cls, count: int, total: int) -> Rate:
        if not group_is_shown(total):
            return cls(None, None)
        hidden = hidden_cells({"yes": count, "no": total - count})
        if hidden:
            return cls(None, total)
        return cls(count, total)

    @property
    def pct(self) -> float | None:
        if self.count is None or not self.of:
            return None
        return round(100 * self.count / self.of, 1)


@dataclass
class AdvancementYear:
    year: int
    rates: dict[str, dict[str, Rate]]  # measure -> group ("urim"/"other") -> rate

    @property
    def cells(self) -> list[tuple[Rate, Rate]]:
        return [(self.rates[m]["urim"], self.rates[m]["other"]) for m, _ in MEASURES]


MEASURES = [("retained", "Retained (not withdrawn)")] + [
    (k, str(label)) for k, label in AdvancementEvent.Kind.choices
]


def _in_training(trainee: Trainee, year: int) -> bool:
    first, last = date(year, 7, 1), date(year + 1, 6, 30)
    return trainee.start_date <= last and trainee.expected_end_date >= first


def advancement_by_year(*, program: Program | None, years: list[int]) -> list[AdvancementYear]:
    """Per academic year, URiM and other trainees in training that year: the share retained and
    the share with each kind of event. Not-stated trainees are left out of both groups."""
    trainees = Trainee.objects.all()
    events = AdvancementEvent.objects.all()
    if program is not None:
        trainees = trainees.filter(program=program)
        events = events.filter(trainee__program=program)
    urim_of = dict(SelfIdentification.objects.values_list("person_id", "urim"))
    had: set[tuple[int, str, int]] = set(events.values_list("trainee_id", "kind", "academic_year"))
    rows = []
    people = list(trainees)
    for year in years:
        counts: dict[str, Counter[str]] = {"urim": Counter(), "other": Counter()}
        for trainee in people:
            group = _group(urim_of.get(trainee.person_id))
            if group == "not_stated" or not _in_training(trainee, year):
                continue
            counts[group]["_all"] += 1
            counts[group]["retained"] += trainee.status != Trainee.Status.WITHDRAWN
            for kind in AdvancementEvent.Kind.values:
                counts[group][kind] += (trainee.pk, kind, year) in had
        rates = {
            measure: {g: Rate.of_group(counts[g][measure], counts[g]["_all"]) for g in counts}
            for measure, _ in MEASURES
        }
        rows.append(AdvancementYear(year, rates))
    return rows


def suppression_note() -> str:
    return (
        f"Groups of fewer than {min_cell_size()} people are not shown, nor any figure from which "
        "one could be worked out."
    )
