"""Reads for language access: the language list, concordance per site and block, the
institution's recruitment-planning view, and the patient population figures of sites."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

import pycountry

from rounds.core.models import InterpretationService, Program, Site
from rounds.languages.models import Certification, LanguageDemand, PopulationFigures
from rounds.lib.languages import language_name
from rounds.people.models import Trainee
from rounds.people.training import trainees_in_training


# -- the world's languages ----------------------------------------------------------------------
@cache
def all_languages() -> list[tuple[str, str]]:
    """Every individual living or sign language of ISO 639-3 (about 7,900), by name."""
    found = [
        (str(lang.alpha_3), language_name(str(lang.alpha_3)))
        for lang in pycountry.languages
        if getattr(lang, "scope", "") in {"I", "M"} and getattr(lang, "type", "") in {"L", ""}
    ]
    return sorted(found, key=lambda item: item[1])


COMMON_CODES = [
    "spa", "ase", "hat", "cmn", "yue", "vie", "arb", "por", "kea", "rus", "fra", "kor",
    "tgl", "pol", "ben", "hin", "urd", "pan", "fas", "prs", "pus", "som", "amh", "tir",
    "swh", "yor", "ibo", "khm", "lao", "hmn", "nep", "ita", "ell", "jpn", "heb", "ukr",
]  # fmt: skip


def common_languages() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in COMMON_CODES]


# -- blocks ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RefBlock:
    number: int
    start: date
    end: date

    def __str__(self) -> str:
        return f"Block {self.number} ({self.start:%b %-d} – {self.end:%b %-d})"


def academic_year_of(day: date) -> int:
    return day.year if day.month >= 7 else day.year - 1


def reference_blocks(academic_year: int) -> list[RefBlock]:
    """Thirteen four-week blocks from July 1, the last one stretched to June 30: the grid on
    which concordance is shown for a site, whose trainees come from programs with their own
    blocks."""
    first = date(academic_year, 7, 1)
    blocks = []
    for number in range(1, 14):
        start = first + timedelta(weeks=4 * (number - 1))
        end = start + timedelta(days=27) if number < 13 else date(academic_year + 1, 6, 30)
        blocks.append(RefBlock(number, start, end))
    return blocks


# -- certifications -------------------------------------------------------------------------------
def current_certifications(on: date) -> list[Certification]:
    return list(
        Certification.objects.filter(assessed_on__lte=on, expires_on__gte=on).select_related(
            "person"
        )
    )


# -- demand -------------------------------------------------------------------------------------
def latest_demand(site: Site) -> list[LanguageDemand]:
    """Each language's newest demand figure at the site."""
    newest: dict[str, LanguageDemand] = {}
    for row in LanguageDemand.objects.filter(site=site).order_by("language", "-as_of"):
        newest.setdefault(row.language, row)
    return list(newest.values())


def latest_demand_everywhere() -> dict[int, list[LanguageDemand]]:
    newest: dict[tuple[int, str], LanguageDemand] = {}
    rows = LanguageDemand.objects.select_related("site").order_by("site_id", "language", "-as_of")
    for row in rows:
        newest.setdefault((row.site_id, row.language), row)
    by_site: dict[int, list[LanguageDemand]] = defaultdict(list)
    for (site_id, _), row in newest.items():
        by_site[site_id].append(row)
    return by_site


# -- concordance ----------------------------------------------------------------------------------
@dataclass
class ConcordanceRow:
    language: str
    name: str
    share_pct: Decimal | None
    visits_per_year: int | None
    certified: list[Trainee]
    interpreter_modes: list[str]

    @property
    def gap(self) -> bool:
        return not self.certified

    @property
    def weight(self) -> Decimal:
        """How much demand there is, for ordering: share where given, else visits scaled."""
        if self.share_pct is not None:
            return self.share_pct
        return Decimal(self.visits_per_year or 0) / 10_000


@dataclass
class Concordance:
    site: Site
    block: RefBlock
    from_schedule: bool  # False: estimated from programs' primary sites (no published schedule)
    trainees: int
    rows: list[ConcordanceRow] = field(default_factory=list)
    demand_as_of: date | None = None
    demand_sources: list[str] = field(default_factory=list)


def trainees_scheduled(site: Site, block: RefBlock) -> tuple[list[Trainee], bool]:
    """Trainees at the site during the block, from published rotation schedules; when none are
    published for the site, the active trainees of programs whose primary site it is."""
    try:
        from rounds.schedules.selectors import trainees_at_site
    except ImportError:
        trainees_at_site = None  # type: ignore[assignment]
    if trainees_at_site is not None:
        stints = trainees_at_site(site, block.start, block.end)
        if stints:
            unique = {s.trainee.pk: s.trainee for s in stints}
            return list(unique.values()), True
    programs = Program.objects.filter(programsite__site=site, programsite__is_primary=True)
    return trainees_in_training(list(programs), block.start, block.end), False


def concordance(site: Site, block: RefBlock) -> Concordance:
    trainees, from_schedule = trainees_scheduled(site, block)
    by_person = {t.person_id: t for t in trainees}
    certified: dict[str, list[Trainee]] = defaultdict(list)
    for cert in current_certifications(block.start):
        # Counted only when still valid on the block's last day as well.
        trainee = by_person.get(cert.person_id)
        if trainee and cert.expires_on >= block.end and trainee not in certified[cert.language]:
            certified[cert.language].append(trainee)
    modes: dict[str, list[str]] = defaultdict(list)
    for service in InterpretationService.objects.filter(site=site):
        modes[service.language].append(service.get_mode_display())
    demand = latest_demand(site)
    result = Concordance(site, block, from_schedule, len(trainees))
    for row in demand:
        result.rows.append(
            ConcordanceRow(
                row.language,
                language_name(row.language),
                row.share_pct,
                row.visits_per_year,
                sorted(certified.get(row.language, []), key=lambda t: t.person.last_name),
                sorted(modes.get(row.language, [])),
            )
        )
    # Gaps first, then the most demand per certified trainee.
    result.rows.sort(key=lambda r: (not r.gap, -r.weight / max(1, len(r.certified)), r.name))
    if demand:
        result.demand_as_of = max(row.as_of for row in demand)
        result.demand_sources = sorted({row.source for row in demand})
    return result


# -- institution planning -----------------------------------------------------------------------
@dataclass
class PlanningRow:
    language: str
    name: str
    sites: list[tuple[Site, Decimal | None, int | None]]
    certified: int

    @property
    def shares(self) -> list[Decimal]:
        return [share for _, share, _ in self.sites if share is not None]

    @property
    def visits(self) -> int:
        return sum(visits or 0 for _, _, visits in self.sites)

    @property
    def sentence(self) -> str:
        where = f"{len(self.sites)} site{'s' if len(self.sites) != 1 else ''}"
        shares = self.shares
        if shares:
            low, high = min(shares), max(shares)
            share = _pct(low) if low == high else f"{_pct(low)[:-1]}–{_pct(high)}"
            head = f"{share} of visits at {where}"
        else:
            head = f"demand at {where}"
        if self.visits:
            head += f" ({self.visits:,} visits a year)"
        noun = "trainee" if self.certified == 1 else "trainees"
        return f"{self.name}: {head}, {self.certified} certified {noun}"


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value:.1f}%"


def planning(on: date) -> list[PlanningRow]:
    """Each language some site needs, where and how much, against the institution's certified
    trainees; the fewest certified per site of demand first."""
    certified: dict[str, set[int]] = defaultdict(set)
    active = {t.person_id for t in trainees_in_training(None, on, on)}
    for cert in current_certifications(on):
        if cert.person_id in active:
            certified[cert.language].add(cert.person_id)
    sites = {s.pk: s for s in Site.objects.all()}
    rows: dict[str, PlanningRow] = {}
    for site_id, demand in latest_demand_everywhere().items():
        for row in demand:
            plan = rows.setdefault(
                row.language,
                PlanningRow(row.language, language_name(row.language), [], 0),
            )
            plan.sites.append((sites[site_id], row.share_pct, row.visits_per_year))
    for code, plan in rows.items():
        plan.certified = len(certified.get(code, set()))
        plan.sites.sort(key=lambda s: s[0].name)
    return sorted(
        rows.values(),
        key=lambda r: (r.certified / max(1, len(r.sites)), -max(r.shares or [Decimal(0)])),
    )


# -- population figures ---------------------------------------------------------------------------
def latest_population() -> dict[int, PopulationFigures]:
    newest: dict[int, PopulationFigures] = {}
    for row in PopulationFigures.objects.select_related("site").order_by("site_id", "-as_of"):
        newest.setdefault(row.site_id, row)
    return newest


@dataclass(frozen=True)
class InstitutionPopulation:
    underserved_pct: Decimal | None
    minority_pct: Decimal | None
    non_english_pct: Decimal | None
    sites: int
    as_of: date | None
    source: str


def institution_population() -> InstitutionPopulation | None:
    """The institution's patient figures from each site's newest ones, weighted by patients a
    year where every site gives it (otherwise an unweighted mean). None when no site has any.

    The public home page can call this in place of the Institution's hand-entered figures."""
    figures = list(latest_population().values())
    if not figures:
        return None
    weighted = all(f.patients_per_year for f in figures)

    def mean(name: str) -> Decimal | None:
        pairs: list[tuple[Decimal, int]] = [
            (getattr(f, name), (f.patients_per_year or 0) if weighted else 1)
            for f in figures
            if getattr(f, name) is not None
        ]
        total = sum(w for _, w in pairs)
        if not pairs or not total:
            return None
        weighted_sum = sum((v * w for v, w in pairs), Decimal(0))
        return (weighted_sum / total).quantize(Decimal("0.1"))

    newest = max(f.as_of for f in figures)
    sources = sorted({f.source for f in figures})
    source = f"{len(figures)} sites' figures as of {newest:%B %Y}: " + "; ".join(sources)
    return InstitutionPopulation(
        mean("underserved_pct"),
        mean("minority_pct"),
        mean("non_english_pct"),
        len(figures),
        newest,
        source[:300],
    )


def interpretation_languages() -> set[str]:
    """The languages any site's interpreter services cover: the public figure's source."""
    return set(InterpretationService.objects.values_list("language", flat=True).distinct())
