"""Language access: certified trainees against site demand per block, gaps first; the
institution's planning sentences; the world's languages; demand import; public figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest
from django.urls import reverse

from rounds.core.models import InterpretationService
from rounds.inclusion.imports import mapped_import
from rounds.languages import selectors
from rounds.languages.models import Certification, LanguageDemand, PopulationFigures
from rounds.public.selectors import home_figures
from rounds.schedules import selectors as schedule_selectors
from tests.people import SmallInstitution

BLOCK = selectors.reference_blocks(2026)[2]  # Block 3: Aug 26 – Sep 22, 2026


def _certify(trainee, code: str, *, expires: date = date(2028, 6, 30)) -> None:  # type: ignore[no-untyped-def]
    Certification.objects.create(
        person=trainee.person,
        language=code,
        assessment="ALTA Clinician Language Test",
        assessed_on=date(2025, 5, 1),
        expires_on=expires,
    )


def _demand(site, code: str, share: str | None, visits: int | None = None) -> None:  # type: ignore[no-untyped-def]
    LanguageDemand.objects.create(
        site=site,
        language=code,
        share_pct=Decimal(share) if share else None,
        visits_per_year=visits,
        as_of=date(2026, 1, 1),
        source="Interpreter services log 2025",
    )


@pytest.fixture
def demand(small: SmallInstitution) -> SmallInstitution:
    _demand(small.sponsor, "spa", "22")
    _demand(small.sponsor, "hat", "9")
    _demand(small.sponsor, "ase", None, visits=800)
    _demand(small.affiliate, "hat", "7")
    _certify(small.ana, "spa")
    _certify(small.ben, "spa", expires=date(2026, 9, 1))  # lapses inside the block
    _certify(small.cara, "hat", expires=date(2025, 12, 31))  # already expired
    return small


def test_reference_blocks_cover_the_academic_year() -> None:
    blocks = selectors.reference_blocks(2026)
    assert len(blocks) == 13
    assert blocks[0].start == date(2026, 7, 1) and blocks[-1].end == date(2027, 6, 30)
    assert all((b.start - a.end).days == 1 for a, b in pairwise(blocks))


def test_without_a_schedule_counts_primary_site_programs_and_lists_gaps_first(
    demand: SmallInstitution,
) -> None:
    result = selectors.concordance(demand.sponsor, BLOCK)
    assert not result.from_schedule and result.trainees == 3
    names = [(row.name, [t.person.first_name for t in row.certified]) for row in result.rows]
    # Ben's certification lapses before the block ends, Cara's has expired: neither counts.
    assert names == [("Haitian Creole", []), ("American Sign Language", []), ("Spanish", ["Ana"])]


def test_the_schedule_decides_who_is_at_the_site(
    demand: SmallInstitution, monkeypatch: pytest.MonkeyPatch
) -> None:
    def at_site(site, start, end):  # type: ignore[no-untyped-def]
        if site != demand.affiliate:
            return []
        return [schedule_selectors.SiteStint(demand.ana, "VA wards", demand.im, start, end)]

    monkeypatch.setattr(schedule_selectors, "trainees_at_site", at_site)
    _certify(demand.ana, "hat")
    result = selectors.concordance(demand.affiliate, BLOCK)
    assert result.from_schedule and result.trainees == 1
    assert [(r.name, len(r.certified)) for r in result.rows] == [("Haitian Creole", 1)]


def test_site_page_shows_block_gaps_and_its_sources(demand: SmallInstitution, client_as) -> None:
    InterpretationService.objects.create(site=demand.sponsor, language="hat", mode="video")
    page = client_as("gme").get(
        reverse("languages:concordance", args=["riverside"]), {"year": 2026, "block": 3}
    )
    text = page.content.decode()
    assert "Block 3 (Aug 26 – Sep 22), 2026–2027" in text
    assert "an estimate, not the schedule" in text
    assert text.index("Haitian Creole") < text.index("Spanish")
    assert "Ana Alvarez" in text and "Interpreter services log 2025" in text
    # The inclusion office sees how many, not who.
    page = client_as("inclusion").get(
        reverse("languages:concordance", args=["riverside"]), {"year": 2026, "block": 3}
    )
    assert b"Ana Alvarez" not in page.content and b"another program" in page.content


def test_planning_reads_like_a_recruitment_brief(demand: SmallInstitution, client_as) -> None:
    rows = {row.language: row for row in selectors.planning(date(2026, 9, 1))}
    assert rows["hat"].sentence == "Haitian Creole: 7–9% of visits at 2 sites, 0 certified trainees"
    assert rows["spa"].sentence == "Spanish: 22% of visits at 1 site, 2 certified trainees"
    assert rows["ase"].sentence == (
        "American Sign Language: demand at 1 site (800 visits a year), 0 certified trainees"
    )
    page = client_as("inclusion").get(reverse("languages:planning"))
    assert page.content.index(b"Haitian Creole") < page.content.index(b"Spanish")


def test_the_worlds_languages_include_sign_languages() -> None:
    codes = dict(selectors.all_languages())
    assert len(codes) > 7000
    assert codes["ase"] == "American Sign Language" and "bfi" in codes  # British Sign Language


def test_trainee_records_languages_by_name_or_code(small: SmallInstitution, client_as) -> None:
    client = client_as("resident")
    client.post(reverse("languages:me"), {"language": "Haitian Creole", "proficiency": "native"})
    client.post(reverse("languages:me"), {"language": "ASL", "proficiency": "limited"})
    response = client.post(
        reverse("languages:me"), {"language": "Klingonese", "proficiency": "full"}
    )
    assert b"is not a language" in response.content
    spoken = dict(small.ana.person.languages.values_list("language", "proficiency"))
    assert spoken == {"hat": "native", "ase": "limited"}
    client.post(reverse("languages:remove", args=["ase"]))
    assert set(small.ana.person.languages.values_list("language", flat=True)) == {"hat"}


def test_staff_certify_their_own_trainees_only(small: SmallInstitution, client_as) -> None:
    data = {
        "person": small.ana.person.pk,
        "language": "spa",
        "assessment": "ALTA",
        "assessed_on": "2026-01-10",
        "expires_on": "2028-01-10",
    }
    response = client_as("pd.im").post(reverse("languages:certifications"), data, follow=True)
    assert b"Recorded the certification" in response.content
    response = client_as("pd.cards").post(reverse("languages:certifications"), data)
    assert b"Select a valid choice" in response.content
    response = client_as("pd.im").post(
        reverse("languages:certifications"), data | {"expires_on": "2025-01-01"}
    )
    assert b"must expire after the assessment date" in response.content
    assert Certification.objects.count() == 1


def test_demand_import_is_all_or_nothing(small: SmallInstitution) -> None:
    good = (
        "Site,Language,Share,As of,Source\n"
        "Riverside Hospital,Spanish,21.5%,2026-01-01,EHR 2025\n"
        "Harbor VA,Haitian Creole,4,2026-01-01,EHR 2025\n"
    )
    mapping = {
        "site": "site",
        "language": "language",
        "share_pct": "share",
        "as_of": "as_of",
        "source": "source",
    }
    outcome = mapped_import(
        spec_kind="language_demand",
        filename="demand.csv",
        data=(good + "Nowhere General,Elvish,x,2026-01-01,EHR\n").encode(),
        mapping=mapping,
        by=small.users["gme"],
    )
    texts = [str(p) for p in outcome.problems]
    assert "demand.csv, row 4, column language: 'Elvish' is not a language" in texts[0]
    assert not LanguageDemand.objects.exists()
    outcome = mapped_import(
        spec_kind="language_demand",
        filename="demand.csv",
        data=good.encode(),
        mapping=mapping,
        by=small.users["gme"],
    )
    assert outcome.ok and outcome.created == 2
    assert LanguageDemand.objects.get(language="spa").share_pct == Decimal("21.5")
    assert LanguageDemand.objects.get(language="hat").site == small.affiliate


def test_public_language_figure_follows_site_interpretation(
    small: SmallInstitution, client_as
) -> None:
    client = client_as("gme")
    url = reverse("languages:interpretation", args=["riverside"])
    client.post(url, {"language": "ASL", "modes": ["in_person", "video"]})
    client.post(url, {"language": "Haitian Creole", "modes": ["phone"]})
    figures = home_figures(small.institution)
    assert figures.interpretation_languages == 2 and figures.offers_asl
    assert selectors.interpretation_languages() == {"ase", "hat"}
    client.post(url, {"language": "hat"})  # no modes: removed
    assert home_figures(small.institution).interpretation_languages == 1


def test_institution_population_from_dated_sourced_site_figures(
    small: SmallInstitution, client_as
) -> None:
    PopulationFigures.objects.create(
        site=small.sponsor,
        patients_per_year=30000,
        non_english_pct=Decimal("40"),
        as_of=date(2025, 1, 1),
        source="old",
    )
    PopulationFigures.objects.create(
        site=small.sponsor,
        patients_per_year=30000,
        non_english_pct=Decimal("36"),
        minority_pct=Decimal("60"),
        as_of=date(2026, 1, 1),
        source="Hospital census 2025",
    )
    PopulationFigures.objects.create(
        site=small.affiliate,
        patients_per_year=10000,
        non_english_pct=Decimal("20"),
        as_of=date(2026, 3, 1),
        source="VA data",
    )
    figures = selectors.institution_population()
    assert figures is not None
    assert figures.non_english_pct == Decimal("32.0")  # (36*3 + 20) / 4, newest figures only
    assert figures.minority_pct == Decimal("60.0")
    assert figures.as_of == date(2026, 3, 1) and "Hospital census 2025" in figures.source
    page = client_as("gme").get(reverse("languages:site_index")).content.decode()
    assert "Institution, from the sites" in page and "32.0%" in page


def test_concordance_reads_a_published_rotation_schedule(demand: SmallInstitution) -> None:
    from rounds.schedules.models import Block, Rotation, RotationAssignment, RotationSchedule

    block = Block.objects.create(
        program=demand.im, academic_year=2026, number=3, start=BLOCK.start, end=BLOCK.end
    )
    wards = Rotation.objects.create(name="VA wards", service="Medicine", site=demand.affiliate)
    schedule = RotationSchedule.objects.create(
        program=demand.im, academic_year=2026, number=1, status=RotationSchedule.Status.PUBLISHED
    )
    RotationAssignment.objects.create(
        schedule=schedule, trainee=demand.ana, block=block, rotation=wards
    )
    _certify(demand.ana, "hat")
    result = selectors.concordance(demand.affiliate, BLOCK)
    assert result.from_schedule and result.trainees == 1
    assert [(r.name, [t.person.first_name for t in r.certified]) for r in result.rows] == [
        ("Haitian Creole", ["Ana"])
    ]
    # The block before: nobody scheduled at the VA, so the estimate (no primary-site programs).
    earlier = selectors.concordance(demand.affiliate, selectors.reference_blocks(2026)[1])
    assert not earlier.from_schedule and earlier.trainees == 0
