"""A small institution with one named user per role, for tests of pages and permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User

from rounds.core.models import ApprovedPositions, Institution, Program, ProgramSite, Site, Specialty
from rounds.people.models import Person, Role, RoleAssignment, Trainee

PASSWORD = "correct-horse-battery-staple"

# Every user of the small institution, one per role (and "nobody", signed in with no role).
USERNAMES = (
    "gme", "pd.im", "coord.im", "pd.cards", "faculty", "wellness", "inclusion", "nobody",
    "resident", "resident2", "fellow",
)  # fmt: skip


@dataclass
class SmallInstitution:
    institution: Institution
    sponsor: Site
    affiliate: Site
    internal_medicine: Specialty
    cardiology: Specialty
    im: Program
    cards: Program
    users: dict[str, User]
    ana: Trainee  # IM trainee, user "resident"
    ben: Trainee  # IM trainee, user "resident2"
    cara: Trainee  # cardiology fellow, user "fellow"


def _user(username: str, kind: str, first: str, last: str) -> tuple[User, Person]:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    person = Person.objects.create(
        user=user, kind=kind, first_name=first, last_name=last, email=user.email
    )
    return user, person


def _trainee(username: str, program: Program, pgy: int, first: str, last: str) -> Trainee:
    user, person = _user(username, Person.Kind.TRAINEE, first, last)
    RoleAssignment.objects.create(user=user, role=Role.TRAINEE, program=program)
    return Trainee.objects.create(
        person=person,
        program=program,
        pgy=pgy,
        start_date=date(2026 - pgy + 1, 7, 1),
        expected_end_date=date(2029, 6, 30),
    )


def build_small_institution() -> SmallInstitution:
    inst = Institution.objects.create(
        name="Riverside Academic Medical Center", patients_non_english_pct=33
    )
    sponsor = Site.objects.create(
        institution=inst, name="Riverside Hospital", slug="riverside", kind=Site.Kind.SPONSOR
    )
    affiliate = Site.objects.create(institution=inst, name="Harbor VA", slug="harbor-va", kind="va")
    im_spec = Specialty.objects.create(
        name="Internal Medicine", slug="internal-medicine", kind="specialty", acgme_code="140"
    )
    cards_spec = Specialty.objects.create(
        name="Cardiovascular Disease",
        slug="cardiovascular-disease",
        kind="subspecialty",
        parent=im_spec,
    )
    im = Program.objects.create(
        name="Internal Medicine Residency",
        slug="im",
        specialty=im_spec,
        kind="residency",
        acgme_number="1401100001",
        length_years=3,
    )
    cards = Program.objects.create(
        name="Cardiovascular Disease Fellowship",
        slug="cards",
        specialty=cards_spec,
        kind="fellowship",
        acgme_number="1411100002",
        length_years=3,
        first_pgy=4,
    )
    for program in (im, cards):
        ProgramSite.objects.create(program=program, site=sponsor, is_primary=True)
        for pgy in program.pgy_levels:
            ApprovedPositions.objects.create(program=program, pgy=pgy, count=10)
    users: dict[str, User] = {}
    for username, role, program in [
        ("gme", Role.GME_OFFICE, None),
        ("pd.im", Role.PROGRAM_DIRECTOR, im),
        ("coord.im", Role.PROGRAM_COORDINATOR, im),
        ("pd.cards", Role.PROGRAM_DIRECTOR, cards),
        ("faculty", Role.FACULTY, im),
        ("wellness", Role.WELLNESS_COMMITTEE, None),
        ("inclusion", Role.INCLUSION_OFFICE, None),
        ("nobody", None, None),
    ]:
        kind = Person.Kind.STAFF if role != Role.FACULTY else Person.Kind.FACULTY
        users[username], _ = _user(username, kind, username.title(), "Tester")
        if role:
            RoleAssignment.objects.create(user=users[username], role=role, program=program)
    ana = _trainee("resident", im, 2, "Ana", "Alvarez")
    ben = _trainee("resident2", im, 1, "Ben", "Baker")
    cara = _trainee("fellow", cards, 4, "Cara", "Chen")
    for trainee in (ana, ben, cara):
        users[trainee.person.user.username] = trainee.person.user  # type: ignore[union-attr]
    return SmallInstitution(
        inst, sponsor, affiliate, im_spec, cards_spec, im, cards, users, ana, ben, cara
    )
