"""Reads for the public program finder. Every figure on a public page is computed here."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from rounds.core.models import (
    ApprovedPositions,
    Institution,
    InterpretationService,
    Program,
    ProgramSite,
    Site,
    Specialty,
    Testimonial,
)
from rounds.lib.languages import language_name
from rounds.lib.today import today
from rounds.people.training import count_in_training

ACGME_KINDS = [Specialty.Kind.SPECIALTY, Specialty.Kind.SUBSPECIALTY]


@dataclass(frozen=True)
class HomeFigures:
    programs: int
    accredited_programs: int
    residencies: int
    fellowships: int
    non_standard_programs: int
    specialties: int  # ACGME specialties and subspecialties in which we train
    affiliated_hospitals: int  # every site but the sponsoring hospital
    interpretation_languages: int
    offers_asl: bool
    trainees: int
    patients_underserved_pct: Decimal | None
    patients_minority_pct: Decimal | None
    patients_non_english_pct: Decimal | None
    population_source: str


def institution_get() -> Institution | None:
    return Institution.objects.order_by("pk").first()


def home_figures(institution: Institution | None) -> HomeFigures:
    programs = Program.objects.aggregate(
        total=Count("pk"),
        residencies=Count("pk", filter=Q(kind=Program.Kind.RESIDENCY)),
        fellowships=Count("pk", filter=Q(kind=Program.Kind.FELLOWSHIP)),
        non_standard=Count("pk", filter=Q(kind=Program.Kind.NON_STANDARD)),
    )
    languages = set(InterpretationService.objects.values_list("language", flat=True).distinct())
    return HomeFigures(
        programs=programs["total"],
        accredited_programs=programs["residencies"] + programs["fellowships"],
        residencies=programs["residencies"],
        fellowships=programs["fellowships"],
        non_standard_programs=programs["non_standard"],
        specialties=Specialty.objects.filter(kind__in=ACGME_KINDS, programs__isnull=False)
        .distinct()
        .count(),
        affiliated_hospitals=Site.objects.exclude(kind=Site.Kind.SPONSOR).count(),
        interpretation_languages=len(languages),
        offers_asl="ase" in languages,
        trainees=count_in_training(today()),
        **_population_figures(institution),
    )


def _population_figures(institution: Institution | None) -> dict[str, Any]:
    """Patient shares from the sites' dated, sourced figures; the institution's own entry only
    where no site has any yet."""
    from rounds.languages.selectors import institution_population

    sites = institution_population()
    if sites is not None:
        return {
            "patients_underserved_pct": sites.underserved_pct,
            "patients_minority_pct": sites.minority_pct,
            "patients_non_english_pct": sites.non_english_pct,
            "population_source": sites.source,
        }
    return {
        "patients_underserved_pct": institution.patients_underserved_pct if institution else None,
        "patients_minority_pct": institution.patients_minority_pct if institution else None,
        "patients_non_english_pct": institution.patients_non_english_pct if institution else None,
        "population_source": institution.population_source if institution else "",
    }


def testimonials_published(*, limit: int = 6) -> list[Testimonial]:
    return list(Testimonial.objects.filter(is_published=True).select_related("program")[:limit])


# -- program finder ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProgramFilters:
    q: str = ""
    specialty: str = ""  # a specialty's slug; a parent also finds its subspecialties' programs
    kind: str = ""
    site: str = ""  # a site's slug
    length: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.specialty or self.kind or self.site or self.length)


@dataclass(frozen=True)
class FilterOptions:
    specialties: list[Specialty]
    sites: list[tuple[str, str]]
    lengths: list[int]
    kinds: list[tuple[str, str]] = field(default_factory=lambda: list(Program.Kind.choices))


def program_filter_options() -> FilterOptions:
    """Only what narrows the list: specialties and lengths that have programs, sites in use."""
    specialties = list(
        Specialty.objects.filter(programs__isnull=False).distinct().order_by("kind", "name")
    )
    sites = list(Site.objects.filter(programs__isnull=False).distinct().values_list("slug", "name"))
    lengths = sorted(set(Program.objects.values_list("length_years", flat=True)))
    return FilterOptions(specialties=specialties, sites=sites, lengths=lengths)


def _count(queryset: QuerySet[Any], group: str, *, distinct_field: str = "pk") -> Coalesce:
    """A correlated COUNT: two counts over different joins would multiply each other."""
    counted = (
        queryset.order_by()
        .values(group)
        .annotate(n=Count(distinct_field, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def program_search(filters: ProgramFilters) -> QuerySet[Program]:
    programs = (
        Program.objects.select_related("specialty")
        .annotate(
            entry_positions=Subquery(
                ApprovedPositions.objects.filter(
                    program=OuterRef("pk"), pgy=OuterRef("first_pgy")
                ).values("count")[:1]
            ),
            primary_site_name=Subquery(
                ProgramSite.objects.filter(program=OuterRef("pk"), is_primary=True).values(
                    "site__name"
                )[:1]
            ),
            site_count=_count(ProgramSite.objects.filter(program=OuterRef("pk")), "program"),
        )
        .order_by("name")
    )
    for term in filters.q.split():
        programs = programs.filter(
            Q(name__icontains=term)
            | Q(specialty__name__icontains=term)
            | Q(specialty__parent__name__icontains=term)
        )
    if filters.specialty:
        programs = programs.filter(
            Q(specialty__slug=filters.specialty) | Q(specialty__parent__slug=filters.specialty)
        )
    if filters.kind:
        programs = programs.filter(kind=filters.kind)
    if filters.site:
        programs = programs.filter(sites__slug=filters.site)
    if filters.length:
        programs = programs.filter(length_years=filters.length)
    return programs


@dataclass(frozen=True)
class ProgramPage:
    program: Program
    sites: list[ProgramSite]
    positions: list[ApprovedPositions]
    positions_total: int
    testimonials: list[Testimonial]
    related: list[Program]


def program_page(slug: str) -> ProgramPage:
    try:
        program = (
            Program.objects.select_related("specialty__parent", "director", "coordinator")
            .prefetch_related(
                Prefetch(
                    "programsite_set",
                    ProgramSite.objects.select_related("site").order_by(
                        "-is_primary", "site__name"
                    ),
                ),
                "positions",
                Prefetch("testimonials", Testimonial.objects.filter(is_published=True)),
            )
            .get(slug=slug)
        )
    except Program.DoesNotExist:
        raise Http404("No program by that name.") from None
    positions = list(program.positions.all())
    return ProgramPage(
        program=program,
        sites=list(program.programsite_set.all()),
        positions=positions,
        positions_total=sum(p.count for p in positions),
        testimonials=list(program.testimonials.all()),
        related=_related_programs(program),
    )


def _related_programs(program: Program) -> list[Program]:
    """The residency and fellowships of the same specialty family, so applicants see the path."""
    family = program.specialty.parent_id or program.specialty_id
    if program.specialty.kind == Specialty.Kind.NON_STANDARD:
        return []
    return list(
        Program.objects.filter(Q(specialty_id=family) | Q(specialty__parent_id=family))
        .exclude(pk=program.pk)
        .select_related("specialty")
        .order_by("kind", "name")
    )


# -- sites ---------------------------------------------------------------------------------------
def site_list() -> QuerySet[Site]:
    """Sites grouped by kind (the sponsor first, in the order of Site.Kind), then by name; a
    query, so the page shows one page of them however many sites were imported."""
    kind_order = Case(
        *[When(kind=kind, then=Value(i)) for i, kind in enumerate(Site.Kind.values)],
        default=Value(len(Site.Kind.values)),
    )
    return Site.objects.annotate(
        program_count=_count(ProgramSite.objects.filter(site=OuterRef("pk")), "site"),
        language_count=_count(
            InterpretationService.objects.filter(site=OuterRef("pk")),
            "site",
            distinct_field="language",
        ),
        kind_order=kind_order,
    ).order_by("kind_order", "name", "pk")


@dataclass(frozen=True)
class LanguageOffer:
    code: str
    name: str
    modes: list[str]


@dataclass(frozen=True)
class SitePage:
    site: Site
    programs: list[ProgramSite]
    languages: list[LanguageOffer]
    mode_counts: list[tuple[str, int]]


def site_page(slug: str) -> SitePage:
    try:
        site = Site.objects.get(slug=slug)
    except Site.DoesNotExist:
        raise Http404("No site by that name.") from None
    programs = list(
        ProgramSite.objects.filter(site=site)
        .select_related("program__specialty")
        .order_by("program__name")
    )
    return SitePage(site=site, programs=programs, **_languages_at(site))


def _languages_at(site: Site) -> dict[str, Any]:
    modes: dict[str, list[str]] = {}
    labels = dict(InterpretationService.Mode.choices)
    rows = InterpretationService.objects.filter(site=site).values_list("language", "mode")
    for code, mode in rows:
        modes.setdefault(code, []).append(mode)
    order = list(labels)
    languages = sorted(
        (
            LanguageOffer(
                code, language_name(code), [labels[m] for m in sorted(ms, key=order.index)]
            )
            for code, ms in modes.items()
        ),
        key=lambda offer: offer.name,
    )
    mode_counts = [
        (label, sum(1 for ms in modes.values() if mode in ms)) for mode, label in labels.items()
    ]
    return {"languages": languages, "mode_counts": mode_counts}
