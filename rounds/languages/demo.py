"""Demo language access: sites' patient figures and language demand (dated, sourced, synthetic)
and qualified-bilingual certifications of trainees who speak those languages well."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from rounds.core.demo import academic_year_start
from rounds.core.models import Site
from rounds.languages.models import Certification, LanguageDemand, PopulationFigures
from rounds.lib.today import today
from rounds.people.models import SpokenLanguage, Trainee

# (language, share of visits at the sponsoring hospital in percent, how many other sites need it)
DEMAND = [
    ("spa", 18.0, 24),
    ("hat", 9.0, 2),
    ("cmn", 3.0, 6),
    ("yue", 2.0, 4),
    ("vie", 2.5, 6),
    ("arb", 1.5, 8),
    ("por", 1.8, 5),
    ("kea", 1.2, 3),
    ("rus", 1.0, 5),
    ("som", 0.6, 3),
    ("ben", 0.5, 4),
    ("kor", 0.4, 3),
]
ASL_VISITS = 1400  # sign-language visits are counted, not shared out
ASSESSMENTS = ["ALTA Clinician Language Test", "CCLA (Clinical Cultural and Linguistic Assessment)"]
SOURCE = "Interpreter services and registration data, calendar year {year} (synthetic demo data)"


def demo_wipe() -> None:
    Certification.objects.all().delete()
    LanguageDemand.objects.all().delete()
    PopulationFigures.objects.all().delete()


def demo_extend(*, seed: int) -> list[str]:
    rng = random.Random(seed * 7 + 3)
    year = academic_year_start(today())
    as_of = date(year, 1, 1)
    source = SOURCE.format(year=year - 1)
    sites = list(Site.objects.order_by("name"))
    sponsor = next((s for s in sites if s.kind == Site.Kind.SPONSOR), sites[0] if sites else None)
    if sponsor is None:
        return []
    others = [s for s in sites if s != sponsor]
    demand: list[LanguageDemand] = []
    for code, share, spread in DEMAND:
        demand.append(_demand(sponsor, code, Decimal(str(share)), None, as_of, source))
        for site in rng.sample(others, min(spread, len(others))):
            site_share = Decimal(str(round(share * rng.uniform(0.4, 1.3), 1)))
            demand.append(_demand(site, code, site_share, None, as_of, source))
    for site in [sponsor, *rng.sample(others, min(6, len(others)))]:
        visits = ASL_VISITS if site == sponsor else rng.randint(80, 600)
        demand.append(_demand(site, "ase", None, visits, as_of, source))
    LanguageDemand.objects.bulk_create(demand)
    population = [_population(site, site == sponsor, rng, as_of, source) for site in sites]
    PopulationFigures.objects.bulk_create(population)
    certified = _certifications(rng, year)
    return [
        f"Language demand: {len(demand)} figures at {len(sites)} sites, as of {as_of:%B %Y}",
        f"Qualified-bilingual certifications: {certified}",
    ]


def _demand(
    site: Site,
    code: str,
    share: Decimal | None,
    visits: int | None,
    as_of: date,
    source: str,
) -> LanguageDemand:
    return LanguageDemand(
        site=site,
        language=code,
        share_pct=share,
        visits_per_year=visits,
        as_of=as_of,
        source=source,
    )


def _population(
    site: Site, is_sponsor: bool, rng: random.Random, as_of: date, source: str
) -> PopulationFigures:
    def pct(low: float, high: float) -> Decimal:
        return Decimal(str(round(rng.uniform(low, high), 1)))

    return PopulationFigures(
        site=site,
        patients_per_year=180_000 if is_sponsor else rng.randrange(8_000, 90_000, 500),
        underserved_pct=pct(55, 80),
        minority_pct=pct(45, 70),
        non_english_pct=pct(25, 42),
        as_of=as_of,
        source=source,
    )


def _certifications(rng: random.Random, year: int) -> int:
    """About half of the trainees who speak a language other than English at a professional
    level or better passed an assessment; some certifications have lapsed."""
    good = [SpokenLanguage.Proficiency.FULL, SpokenLanguage.Proficiency.NATIVE, "professional"]
    speakers = (
        SpokenLanguage.objects.filter(
            person__trainee__status=Trainee.Status.ACTIVE, proficiency__in=good
        )
        .exclude(language="eng")
        .order_by("person_id", "language")
        .values_list("person_id", "language")
    )
    rows = []
    for person_id, code in speakers:
        if rng.random() >= 0.5:
            continue
        assessed = date(year, 7, 1) - timedelta(days=rng.randint(20, 1000))
        rows.append(
            Certification(
                person_id=person_id,
                language=code,
                assessment=rng.choice(ASSESSMENTS),
                assessed_on=assessed,
                expires_on=assessed + timedelta(days=3 * 365),
            )
        )
    Certification.objects.bulk_create(rows)
    return len(rows)
