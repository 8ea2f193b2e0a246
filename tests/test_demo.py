"""The demo institution: the scale the README promises, and the same data for the same seed."""

from __future__ import annotations

from collections import Counter
from io import StringIO
from typing import Any

import pycountry
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from rounds.core.demo import DEMO_PASSWORD, DEMO_USERS, demo_build, demo_wipe
from rounds.core.models import (
    ApprovedPositions,
    InterpretationService,
    Program,
    ProgramSite,
    Site,
    Specialty,
)
from rounds.core.models import (
    Testimonial as Quote,
)
from rounds.people.access import user_roles
from rounds.people.models import Person, Role, RoleAssignment, SpokenLanguage, Trainee

pytestmark = pytest.mark.django_db


def canonical() -> dict[str, list[Any]]:
    """Everything the demo writes, keyed by natural keys (primary keys differ between builds)."""
    return {
        "sites": sorted(Site.objects.values_list("name", "slug", "kind", "street", "city")),
        "specialties": sorted(
            Specialty.objects.values_list("name", "kind", "parent__name", "acgme_code")
        ),
        "programs": sorted(
            Program.objects.values_list(
                "name",
                "specialty__name",
                "kind",
                "accreditation",
                "acgme_number",
                "length_years",
                "first_pgy",
                "director__email",
                "coordinator__email",
                "description",
            )
        ),
        "program_sites": sorted(
            ProgramSite.objects.values_list("program__name", "site__name", "is_primary")
        ),
        "positions": sorted(ApprovedPositions.objects.values_list("program__name", "pgy", "count")),
        "people": sorted(Person.objects.values_list("email", "first_name", "last_name", "kind")),
        "trainees": sorted(
            Trainee.objects.values_list(
                "person__email", "program__name", "pgy", "start_date", "expected_end_date", "status"
            )
        ),
        "languages": sorted(
            SpokenLanguage.objects.values_list("person__email", "language", "proficiency")
        ),
        "identity": sorted(
            Person.objects.filter(identity__isnull=False).values_list(
                "email", "identity__urim", "identity__first_generation"
            )
        ),
        "interpretation": sorted(
            InterpretationService.objects.values_list("site__name", "language", "mode")
        ),
        "testimonials": sorted(Quote.objects.values_list("author_name", "quote")),
        "roles": sorted(
            RoleAssignment.objects.values_list("user__username", "role", "program__name"),
            key=str,
        ),
    }


def test_same_seed_builds_identical_data_and_another_seed_does_not() -> None:
    demo_build(seed=7, academic_year=2026)
    first = canonical()
    demo_wipe()
    demo_build(seed=7, academic_year=2026)
    assert canonical() == first
    demo_wipe()
    demo_build(seed=8, academic_year=2026)
    other = canonical()
    assert other["people"] != first["people"]
    assert other["sites"] != first["sites"]


def test_full_demo_has_the_scale_of_a_large_academic_center() -> None:
    demo_build(seed=2026, academic_year=2026)  # how long it takes: bench, not this test

    assert Site.objects.filter(kind=Site.Kind.SPONSOR).count() == 1
    assert Site.objects.count() == 34
    kinds = set(Site.objects.values_list("kind", flat=True))
    assert {Site.Kind.VA, Site.Kind.CHILDREN, Site.Kind.COMMUNITY} <= kinds

    assert Specialty.objects.exclude(kind=Specialty.Kind.NON_STANDARD).count() == 45
    im = Specialty.objects.get(name="Internal Medicine", acgme_code="140")
    assert {"Cardiovascular Disease", "Gastroenterology"} <= set(
        im.subspecialties.values_list("name", flat=True)
    )
    assert Program.objects.exclude(kind=Program.Kind.NON_STANDARD).count() >= 60
    assert Program.objects.filter(kind=Program.Kind.NON_STANDARD).count() == 26
    assert not Program.objects.filter(
        kind=Program.Kind.NON_STANDARD, specialty__kind__in=["specialty", "subspecialty"]
    ).exists()
    assert 750 <= Trainee.objects.count() <= 850
    assert 200 <= Person.objects.filter(kind=Person.Kind.FACULTY).count() <= 600


def test_programs_are_plausible() -> None:
    demo_build(seed=2026, academic_year=2026)
    for program in Program.objects.prefetch_related("positions", "programsite_set"):
        program.full_clean()  # accreditation vs kind, 10-digit ACGME numbers
        assert [p.pgy for p in program.positions.all()] == list(program.pgy_levels)
        primaries = [ps for ps in program.programsite_set.all() if ps.is_primary]
        assert len(primaries) == 1, program.name
        assert program.director_id and program.coordinator_id and program.how_to_apply
        if program.kind == Program.Kind.FELLOWSHIP:
            assert program.first_pgy >= 4, program.name

    approved = sum(ApprovedPositions.objects.values_list("count", flat=True))
    assert 0.85 <= Trainee.objects.count() / approved <= 1.0
    for trainee in Trainee.objects.select_related("program")[:200]:
        assert trainee.pgy in trainee.program.pgy_levels
        assert trainee.start_date.year == 2026 - (trainee.pgy - trainee.program.first_pgy)
        years = trainee.expected_end_date.year - trainee.start_date.year
        assert years == trainee.program.length_years


def test_languages_are_real_iso_639_3_and_diverse() -> None:
    demo_build(seed=2026, academic_year=2026)
    interpreted = set(InterpretationService.objects.values_list("language", flat=True))
    assert len(interpreted) >= 150
    assert "ase" in interpreted and "spa" in interpreted
    assert all(pycountry.languages.get(alpha_3=code) for code in interpreted)

    trainees = Trainee.objects.count()
    spoken = Counter(SpokenLanguage.objects.values_list("language", flat=True))
    assert spoken["eng"] == trainees  # everyone speaks English
    assert 0.15 < spoken["spa"] / trainees < 0.45
    for code in ["hat", "cmn", "vie", "arb", "rus", "por", "ase"]:
        assert spoken[code] > 0, code


def test_demo_accounts_sign_in_with_their_roles() -> None:
    demo_build(seed=2026, academic_year=2026)
    expected = {
        "gme": Role.GME_OFFICE,
        "pd.im": Role.PROGRAM_DIRECTOR,
        "coord.im": Role.PROGRAM_COORDINATOR,
        "resident": Role.TRAINEE,
        "faculty": Role.FACULTY,
        "wellness": Role.WELLNESS_COMMITTEE,
        "inclusion": Role.INCLUSION_OFFICE,
    }
    assert set(expected) == set(DEMO_USERS)
    im = Program.objects.get(name="Internal Medicine Residency")
    # Hashing is slow on purpose: check the password once, and that all accounts share it.
    assert authenticate(username="gme", password=DEMO_PASSWORD) is not None
    users = {u.username: u for u in User.objects.filter(username__in=list(DEMO_USERS))}
    assert len({u.password for u in users.values()}) == 1
    for username, role in expected.items():
        assert user_roles(users[username]).has(role), username
        assert Person.objects.filter(user=users[username]).exists(), username
    assert im.director is not None and im.director.user == users["pd.im"]
    assert im.coordinator is not None and im.coordinator.user == users["coord.im"]
    assert user_roles(users["pd.im"]).is_staff_member
    assert not user_roles(users["resident"]).is_staff_member


def test_load_demo_twice_is_a_no_op_and_force_rebuilds(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = True  # --force runs only in development (tests/test_demo_force.py)
    out = StringIO()
    call_command("load_demo", seed=2026, stdout=out)
    assert "Trainees:" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    people = Person.objects.count()
    first_ids = set(Person.objects.values_list("pk", flat=True)[:10])

    out = StringIO()
    call_command("load_demo", seed=2026, stdout=out)
    assert "already loaded" in out.getvalue()
    assert Person.objects.count() == people

    call_command("load_demo", seed=2026, force=True, stdout=StringIO())
    assert Person.objects.count() == people
    assert not first_ids & set(Person.objects.values_list("pk", flat=True))
