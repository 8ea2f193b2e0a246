"""Aggregate reads for the inclusion office. Every figure about people passes through
rounds.lib.disclosure, so no small group shows, not even by subtracting one page's figures
from another's: all figures about trainees are one table, decided at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

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
from rounds.lib import today as clock
from rounds.lib.disclosure import Release, Table, min_cell_size, release_checked
from rounds.people.models import SelfIdentification, Trainee

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
    pending: bool = False  # hidden only until the privacy check has run

    @classmethod
    def from_release(cls, release: Release, *key: object) -> Split:
        urim, other, not_stated = (release.value(("grp", *key, g)) for g in GROUPS)
        total = release.value(("pop", *key))
        return cls(total, urim, other, not_stated, pending=release.pending)

    @property
    def suppressed(self) -> bool:
        return self.total is None

    @property
    def urim_pct(self) -> Decimal | None:
        """URiM share among those who answered, when both answered groups are shown."""
        if self.urim is None or self.other is None or self.urim + self.other == 0:
            return None
        return (Decimal(100) * self.urim / (self.urim + self.other)).quantize(Decimal("0.1"))


# -- the canonical table of trainees --------------------------------------------------------------
# Every figure about trainees by URiM group, on every page and export (composition, its CSV,
# advancement for all programs and for each), is one cell of this table, decided at once by
# rounds.lib.disclosure: a cell hidden on one page cannot come back by subtracting another's.


def academic_years(today: date, span: int = 6) -> list[int]:
    current = today.year if today.month >= 7 else today.year - 1
    return list(range(current - span + 1, current + 1))


def _in_training(trainee: Trainee, year: int) -> bool:
    first, last = date(year, 7, 1), date(year + 1, 6, 30)
    return trainee.start_date <= last and trainee.expected_end_date >= first


MEASURES = [("retained", "Retained (not withdrawn)")] + [
    (k, str(label)) for k, label in AdvancementEvent.Kind.choices
]


def _trainee_atoms(years: list[int]) -> tuple[dict[tuple, int], dict[int, str]]:
    """Trainees grouped by everything any figure tells apart: program, the shown years they
    were in training, withdrawn or not, their events in those years, and URiM group."""
    urim_of = dict(SelfIdentification.objects.values_list("person_id", "urim"))
    had: dict[int, set[tuple[str, int]]] = {}
    for trainee_id, kind, year in AdvancementEvent.objects.filter(
        academic_year__in=years
    ).values_list("trainee_id", "kind", "academic_year"):
        had.setdefault(trainee_id, set()).add((kind, year))
    atoms: Counter[tuple] = Counter()
    for trainee in Trainee.objects.all():
        in_years = tuple(y for y in years if _in_training(trainee, y))
        if not in_years:
            continue
        atom = (
            trainee.program_id,
            in_years,
            trainee.status == Trainee.Status.WITHDRAWN,
            tuple(sorted(had.get(trainee.pk, ()))),
            _group(urim_of.get(trainee.person_id)),
        )
        atoms[atom] += 1
        # The reader may know who is in training, when and with which events; never the group.
        for group in GROUPS:
            atoms[(*atom[:4], group)] += 0
    names = dict(Program.objects.values_list("pk", "name"))
    return dict(atoms), names


def _measure(atom: tuple, measure: str, year: int) -> bool:
    if measure == "retained":
        return not atom[2]
    return (measure, year) in atom[3]


def trainee_table(years: list[int], atoms: dict[tuple, int] | None = None) -> Table:
    atoms = _trainee_atoms(years)[0] if atoms is None else atoms
    table = Table(atoms=atoms)
    programs: list[int | None] = [None, *sorted({a[0] for a in atoms})]
    for program in programs:
        mine = [a for a in atoms if program is None or a[0] == program]
        for year in years:
            here = [a for a in mine if year in a[1]]
            table.add(("pop", program, year), here, protected=False)
            for g in GROUPS:
                table.add(("grp", program, year, g), [a for a in here if a[4] == g])
            table.partition(("pop", program, year), [("grp", program, year, g) for g in GROUPS])
            for g in ("urim", "other"):
                group = [a for a in here if a[4] == g]
                for measure, _ in MEASURES:
                    yes = [a for a in group if _measure(a, measure, year)]
                    table.add(("m", program, year, measure, g, True), yes)
                    table.add(
                        ("m", program, year, measure, g, False),
                        set(group) - set(yes),
                        derived=True,
                    )
                    table.partition(
                        ("grp", program, year, g),
                        [("m", program, year, measure, g, b) for b in (True, False)],
                    )
    for year in years:
        for g in GROUPS:
            table.partition(
                ("grp", None, year, g),
                [("grp", p, year, g) for p in programs if p is not None],
                margin=True,
            )
    return table


def trainee_release(years: list[int]) -> Release:
    """The decided table, shared by every page and export: checked by a worker when it is large
    (rounds.lib.disclosure.release_checked); until then every URiM figure hidden (`pending`)."""
    atoms, _ = _trainee_atoms(years)
    return release_checked(
        TRAINEE_TABLE,
        {"years": years},
        atoms=atoms,
        build=lambda: trainee_table(years, atoms),
    )


TRAINEE_TABLE = f"{__name__}:trainee_table"


# -- trainees by program ------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgramComposition:
    program: Program
    split: Split


def trainee_composition(today: date | None = None) -> tuple[list[ProgramComposition], Split]:
    """Trainees in training this academic year, per program and in all, split by URiM."""
    years = academic_years(today or clock.today())
    release = trainee_release(years)
    year = years[-1]
    ids = {key[1] for key in release.values if key[0] == "pop" and key[1] is not None}
    ids = {pid for pid in ids if release.values[("pop", pid, year)]}
    programs = Program.objects.filter(pk__in=ids).order_by("name")
    rows = [ProgramComposition(p, Split.from_release(release, p.pk, year)) for p in programs]
    return rows, Split.from_release(release, None, year)


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
    """Everyone who reached each stage (a matched applicant was also ranked, interviewed...).

    Stages are nested, so one stage's cell minus the next one's is a group too (URiM applicants
    interviewed but not ranked): the stages are one canonical table, decided together by
    rounds.lib.disclosure, with applicants grouped by the last stage they reached."""
    release = release_checked(f"{__name__}:funnel_table", {"cycle": cycle.pk})
    labels = AWAY_LABELS if cycle.track == Track.AWAY else dict(Stage.choices)
    funnel = Funnel(cycle)
    for index, stage in enumerate(STAGE_ORDER):
        split = Split.from_release(release, index)
        funnel.stages.append(FunnelStage(stage, str(labels[Stage(stage)]), split))
    return funnel


def funnel_table(cycle: int) -> Table:
    """The canonical table of one season's funnel (the privacy check's builder)."""
    atoms: Counter[tuple[int, str]] = Counter(
        {(i, g): 0 for i in range(len(STAGE_ORDER)) for g in GROUPS}
    )
    for stage, urim in Applicant.objects.filter(cycle_id=cycle).values_list("stage", "urim"):
        atoms[(STAGE_ORDER.index(stage), _group(urim))] += 1
    table = Table(atoms=dict(atoms))
    for index in range(len(STAGE_ORDER)):
        reached = [a for a in atoms if a[0] >= index]
        table.add(("pop", index), reached, protected=False)
        for g in GROUPS:
            table.add(("grp", index, g), [a for a in reached if a[1] == g])
        table.partition(("pop", index), [("grp", index, g) for g in GROUPS])
        for g in ("urim", "other"):
            # Never shown, but audited: those who stopped at this stage are a group too ("2
            # URiM applicants interviewed but not ranked"), derivable from two shown stages.
            table.add(("at", index, g), [(index, g)], published=False)
    return table


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
    """`count` of `of` people; either is None when the canonical table hides it."""

    count: int | None
    of: int | None

    @property
    def pct(self) -> float | None:
        if self.count is None or not self.of:
            return None
        return round(100 * self.count / self.of, 1)


@dataclass
class AdvancementYear:
    year: int
    rates: dict[str, dict[str, Rate]]  # measure -> group ("urim"/"other") -> rate
    pending: bool = False  # hidden only until the privacy check has run

    @property
    def cells(self) -> list[tuple[Rate, Rate]]:
        return [(self.rates[m]["urim"], self.rates[m]["other"]) for m, _ in MEASURES]


def advancement_by_year(*, program: Program | None, years: list[int]) -> list[AdvancementYear]:
    """Per academic year, URiM and other trainees in training that year: the share retained and
    the share with each kind of event. Not-stated trainees are left out of both groups."""
    release = trainee_release(years)
    pid = program.pk if program is not None else None
    rows = []
    for year in years:
        rates = {
            measure: {
                g: Rate(
                    release.value(("m", pid, year, measure, g, True)),
                    release.value(("grp", pid, year, g)),
                )
                for g in ("urim", "other")
            }
            for measure, _ in MEASURES
        }
        rows.append(AdvancementYear(year, rates, release.pending))
    return rows


def suppression_note(*, pending: bool = False) -> str:
    if pending:
        return (
            "The figures changed and are being checked for privacy: until the check has run "
            "(usually within a minute), only totals are shown. Reload the page to see them."
        )
    return (
        f"Groups of fewer than {min_cell_size()} people are not shown, nor any figure from which "
        "one could be worked out."
    )
