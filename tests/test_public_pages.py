"""The public program finder as an applicant sees it: figures, search, program and site pages."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import DjangoAssertNumQueries, Settings

from rounds.core.demo import demo_build
from rounds.core.models import (
    ApprovedPositions,
    Institution,
    InterpretationService,
    Program,
    ProgramSite,
    Site,
    Specialty,
)
from rounds.core.models import Testimonial as Quote
from rounds.people.models import Role, RoleAssignment


@pytest.fixture
def demo(db: None, settings: Settings) -> None:
    """The demo institution with a twentieth of its people: every program and site, fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_build(seed=2026, scale=0.05, academic_year=2026)


def text(response: Any) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def stat(response: Any, label: str) -> int:
    """The big number shown next to `label` in the home page's figures."""
    match = re.search(rf"(\d+) {re.escape(label)}", text(response))
    assert match, f"no figure labelled {label!r}"
    return int(match.group(1))


# -- home -----------------------------------------------------------------------------------------
def test_home_figures_are_the_counts_in_the_database(demo: None, client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    accredited = Program.objects.exclude(kind=Program.Kind.NON_STANDARD).count()
    assert stat(page, "ACGME-accredited programs") == accredited
    assert stat(page, "specialties and subspecialties") == 45
    assert stat(page, "non-standard fellowships") == 26
    assert stat(page, "affiliated hospitals and health centers") == 33
    languages = InterpretationService.objects.values("language").distinct().count()
    assert stat(page, "languages of interpretation, ASL included") == languages
    institution = Institution.objects.get()
    assert f"{institution.patients_non_english_pct}%" in text(page)


def test_home_figures_follow_changes_to_the_data(demo: None, client: Client) -> None:
    before = client.get("/")
    sponsor = Site.objects.get(kind=Site.Kind.SPONSOR)
    # A new affiliated hospital whose interpreters add two languages, one of them new.
    site = Site.objects.create(
        institution=sponsor.institution, name="Harbor Clinic", slug="harbor-clinic"
    )
    used = set(InterpretationService.objects.values_list("language", flat=True))
    new_language = next(code for code in ["nav", "chr", "haw", "smo", "ton"] if code not in used)
    InterpretationService.objects.create(site=site, language=new_language, mode="phone")
    InterpretationService.objects.create(site=site, language="spa", mode="in_person")
    # A new fellowship in a specialty that had none, and a non-standard program closed.
    dermatology = Specialty.objects.get(name="Dermatology")
    dermpath = Specialty.objects.create(
        name="Dermatopathology", slug="dermatopathology", kind="subspecialty", parent=dermatology
    )
    Program.objects.create(
        name="Dermatopathology Fellowship",
        slug="dermpath",
        specialty=dermpath,
        kind=Program.Kind.FELLOWSHIP,
        length_years=1,
        first_pgy=5,
        acgme_number="1002411111",
    )
    Program.objects.filter(kind=Program.Kind.NON_STANDARD).first().delete()  # type: ignore[union-attr]
    Institution.objects.update(patients_non_english_pct=Decimal("41.5"))

    after = client.get("/")
    assert stat(after, "ACGME-accredited programs") == stat(before, "ACGME-accredited programs") + 1
    assert stat(after, "specialties and subspecialties") == 46
    assert stat(after, "non-standard fellowships") == 25
    assert stat(after, "affiliated hospitals and health centers") == 34
    assert (
        stat(after, "languages of interpretation, ASL included")
        == stat(before, "languages of interpretation, ASL included") + 1
    )
    assert "41.5%" in text(after)


def test_asl_is_only_claimed_when_offered(demo: None, client: Client) -> None:
    InterpretationService.objects.filter(language="ase").delete()
    page = text(client.get("/"))
    assert "ASL included" not in page
    assert "American Sign Language" not in page


def test_home_shows_published_testimonials_only(demo: None, client: Client) -> None:
    published = Quote.objects.filter(is_published=True).first()
    assert published is not None
    page = text(client.get("/"))
    assert published.quote[:60] in page
    assert "Draft: a quote the GME office has not published yet." not in page
    Quote.objects.filter(pk=published.pk).update(is_published=False)
    assert published.quote[:60] not in text(client.get("/"))


def test_home_works_before_any_data_is_loaded(db: None, client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "0 ACGME-accredited programs" in text(page)


# -- program list ---------------------------------------------------------------------------------
def names(response: Any) -> list[str]:
    return [p.name for p in response.context["page"].paginator.object_list]


def test_search_and_filters_narrow_the_list(demo: None, client: Client) -> None:
    everything = names(client.get("/programs/"))
    assert len(everything) == Program.objects.count()

    cardio = names(client.get("/programs/", {"q": "cardio"}))
    assert "Cardiovascular Disease Fellowship" in cardio
    assert "Internal Medicine Residency" not in cardio

    # A parent specialty finds its subspecialties' fellowships too.
    im = names(client.get("/programs/", {"specialty": "internal-medicine"}))
    assert {"Internal Medicine Residency", "Gastroenterology Fellowship"} <= set(im)
    assert "Pediatrics Residency" not in im

    fellowships = names(
        client.get("/programs/", {"specialty": "internal-medicine", "kind": "fellowship"})
    )
    assert "Gastroenterology Fellowship" in fellowships
    assert "Internal Medicine Residency" not in fellowships

    one_year = names(client.get("/programs/", {"length": "1"}))
    assert one_year and set(one_year) == set(
        Program.objects.filter(length_years=1).values_list("name", flat=True)
    )

    va = Site.objects.filter(kind=Site.Kind.VA).first()
    assert va is not None
    at_va = names(client.get("/programs/", {"site": va.slug}))
    assert set(at_va) == set(va.programs.values_list("name", flat=True))


def test_unknown_filter_values_are_ignored_not_errors(demo: None, client: Client) -> None:
    page = client.get("/programs/", {"specialty": "astrology", "length": "x", "q": "surgery"})
    assert page.status_code == 200
    assert "Surgery Residency" in names(page)


def test_nothing_found_says_so(demo: None, client: Client) -> None:
    page = client.get("/programs/", {"q": "xylophone"})
    assert "No programs match your search" in text(page)


def test_list_pages_keep_the_filters(demo: None, client: Client) -> None:
    first = client.get("/programs/", {"kind": "residency"})
    assert 'href="?kind=residency&amp;page=2"' in first.content.decode()
    second = client.get("/programs/", {"kind": "residency", "page": "2"})
    assert set(names(second)) == set(names(first))
    shown = {p.name for p in second.context["programs"]}
    assert shown and not shown & {p.name for p in first.context["programs"]}


# -- program and site pages -----------------------------------------------------------------------
def test_program_page_shows_what_an_applicant_needs(demo: None, client: Client) -> None:
    program = Program.objects.get(name="Internal Medicine Residency")
    page = text(client.get(program.get_absolute_url()))
    assert "Internal Medicine Residency" in page
    assert program.acgme_number in page
    assert program.get_accreditation_display() in page
    assert "3 years" in page
    assert program.director is not None and program.director.full_name in page
    assert program.coordinator is not None and program.coordinator.full_name in page
    assert "ERAS" in page  # how to apply
    for link in ProgramSite.objects.filter(program=program).select_related("site"):
        assert link.site.name in page
    primary = ProgramSite.objects.get(program=program, is_primary=True).site
    assert f"based at {primary.name}" in page
    per_year = ApprovedPositions.objects.get(program=program, pgy=1).count
    assert f"PGY-1 {per_year}" in page
    assert "Gastroenterology Fellowship" in page  # related programs


def test_non_standard_program_says_it_is_not_accredited(demo: None, client: Client) -> None:
    program = Program.objects.filter(kind=Program.Kind.NON_STANDARD).first()
    assert program is not None
    page = text(client.get(program.get_absolute_url()))
    assert "Not ACGME-accredited" in page
    assert "ACGME number" not in page


def test_site_page_lists_its_programs_and_languages(demo: None, client: Client) -> None:
    va = Site.objects.filter(kind=Site.Kind.VA).first()
    assert va is not None
    page = text(client.get(va.get_absolute_url()))
    assert va.name in page and va.street in page
    assert "Veterans Affairs medical center" in page
    for name in va.programs.values_list("name", flat=True):
        assert name in page
    languages = InterpretationService.objects.filter(site=va).values("language").distinct()
    assert f"{languages.count()} languages" in page
    assert "Spanish" in page


def test_site_list_counts_programs_per_site(demo: None, client: Client) -> None:
    response = client.get("/sites/")
    sponsor = Site.objects.get(kind=Site.Kind.SPONSOR)
    shown = next(s for s in response.context["sites"] if s.pk == sponsor.pk)
    assert shown.program_count == ProgramSite.objects.filter(site=sponsor).count()
    assert "Sponsoring hospital" in text(response)
    assert len(response.context["sites"]) == 34


@pytest.mark.parametrize("url", ["/programs/no-such-program/", "/sites/no-such-site/"])
def test_unknown_slugs_are_404(demo: None, client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


# -- layout and speed -----------------------------------------------------------------------------
def test_header_offers_sign_in_or_dashboard_and_sign_out(demo: None, client: Client) -> None:
    anonymous = client.get("/").content.decode()
    assert "Sign in" in anonymous and "Sign out" not in anonymous

    client.force_login(User.objects.get(username="pd.im"))
    staff = client.get("/").content.decode()
    assert (
        ">Dashboard</a>" in staff and "Sign out" in staff and 'action="/accounts/logout/"' in staff
    )

    client.force_login(User.objects.get(username="resident"))
    trainee = client.get("/").content.decode()
    assert ">Dashboard</a>" not in trainee and ">My record</a>" in trainee and "Sign out" in trainee


def test_pages_use_a_few_queries(
    demo: None, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    program = Program.objects.get(name="Internal Medicine Residency")
    sponsor = Site.objects.get(kind=Site.Kind.SPONSOR)
    urls = {
        "/": 10,  # the trainee count reads dated training history and logged leave
        "/programs/": 7,
        "/programs/?specialty=internal-medicine&kind=fellowship&q=card": 7,
        program.get_absolute_url(): 7,
        "/sites/": 3,
        sponsor.get_absolute_url(): 5,
    }
    for url, most in urls.items():
        with django_assert_max_num_queries(most):
            assert client.get(url).status_code == 200


def test_signed_in_pages_stay_cheap_however_many_roles(
    demo: None, client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    user = User.objects.get(username="gme")
    for program in Program.objects.all()[:20]:
        RoleAssignment.objects.create(user=user, role=Role.PROGRAM_DIRECTOR, program=program)
    client.force_login(user)
    with django_assert_max_num_queries(11):
        assert client.get("/programs/").status_code == 200
