"""A synthetic demo institution on the scale of a large academic medical center.

Same seed, same data: every random choice comes from a `random.Random(seed)` owned by the builder
and from Faker instances seeded with `seed_instance`, never from the global random state. Dates are
relative to the academic year (July 1 to June 30), which defaults to the current one, so two builds
with the same seed in the same academic year are identical. Specialty names and ACGME specialty
codes are real; everything about people and places is invented.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pycountry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify
from faker import Faker

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
from rounds.lib import today as clock
from rounds.people.models import (
    Faculty,
    Person,
    Role,
    RoleAssignment,
    SelfIdentification,
    SpokenLanguage,
    Trainee,
)

DEMO_EMAIL_DOMAIN = "demo.rounds.example"
DEMO_PASSWORD = "rounds-demo-2026"
# username -> what the account is for; printed by `load_demo` and listed in the README.
DEMO_USERS: dict[str, str] = {
    "gme": "GME office (sees every program)",
    "pd.im": "Program director, Internal Medicine Residency",
    "coord.im": "Program coordinator, Internal Medicine Residency",
    "resident": "Trainee, PGY-2 in Internal Medicine",
    "faculty": "Faculty member, Internal Medicine",
    "wellness": "Resident wellness committee member (a psychiatry resident)",
    "inclusion": "Office of Inclusion",
}

# Programs the demo accounts belong to (see build_users).
ACCOUNT_PROGRAMS = ("Internal Medicine Residency", "Psychiatry Residency")

Sp = Specialty.Kind
Pk = Program.Kind

# ---------------------------------------------------------------------------------------------
# Reference data. Names and codes follow the ACGME's list of specialties and subspecialties.
# (name, ACGME code, parent, program length in years, PGY on entry, positions per year)
# ---------------------------------------------------------------------------------------------
SPECIALTIES: list[tuple[str, str, str | None, int, int, int]] = [
    ("Anesthesiology", "040", None, 4, 1, 10),
    ("Dermatology", "080", None, 3, 2, 4),
    ("Emergency Medicine", "110", None, 3, 1, 10),
    ("Family Medicine", "120", None, 3, 1, 7),
    ("Internal Medicine", "140", None, 3, 1, 26),
    ("Neurological Surgery", "160", None, 7, 1, 2),
    ("Neurology", "180", None, 4, 1, 6),
    ("Obstetrics and Gynecology", "220", None, 4, 1, 6),
    ("Ophthalmology", "240", None, 3, 2, 4),
    ("Orthopaedic Surgery", "260", None, 5, 1, 4),
    ("Otolaryngology - Head and Neck Surgery", "280", None, 5, 1, 3),
    ("Pathology - Anatomic and Clinical", "300", None, 4, 1, 5),
    ("Pediatrics", "320", None, 3, 1, 14),
    ("Physical Medicine and Rehabilitation", "340", None, 3, 2, 4),
    ("Plastic Surgery - Integrated", "362", None, 6, 1, 2),
    ("Preventive Medicine", "380", None, 2, 2, 3),
    ("Psychiatry", "400", None, 4, 1, 7),
    ("Interventional Radiology - Integrated", "417", None, 5, 2, 2),
    ("Diagnostic Radiology", "420", None, 4, 2, 6),
    ("Radiation Oncology", "430", None, 4, 2, 3),
    ("Surgery", "440", None, 5, 1, 6),
    ("Thoracic Surgery", "460", None, 2, 6, 2),
    ("Urology", "480", None, 5, 1, 3),
    ("Transitional Year", "999", None, 1, 1, 8),
    ("Cardiovascular Disease", "141", "Internal Medicine", 3, 4, 4),
    ("Endocrinology, Diabetes, and Metabolism", "143", "Internal Medicine", 2, 4, 2),
    ("Gastroenterology", "144", "Internal Medicine", 3, 4, 4),
    ("Infectious Disease", "146", "Internal Medicine", 2, 4, 3),
    ("Nephrology", "148", "Internal Medicine", 2, 4, 3),
    ("Rheumatology", "150", "Internal Medicine", 2, 4, 2),
    ("Geriatric Medicine", "151", "Internal Medicine", 1, 4, 3),
    ("Interventional Cardiology", "152", "Internal Medicine", 1, 7, 2),
    ("Clinical Cardiac Electrophysiology", "154", "Internal Medicine", 2, 7, 1),
    ("Hematology and Medical Oncology", "155", "Internal Medicine", 3, 4, 4),
    ("Pulmonary Disease and Critical Care Medicine", "156", "Internal Medicine", 3, 4, 4),
    ("Advanced Heart Failure and Transplant Cardiology", "159", "Internal Medicine", 1, 7, 1),
    ("Vascular Neurology", "188", "Neurology", 1, 5, 2),
    ("Pediatric Critical Care Medicine", "323", "Pediatrics", 3, 4, 2),
    ("Pediatric Emergency Medicine", "324", "Pediatrics", 3, 4, 2),
    ("Pediatric Hematology/Oncology", "327", "Pediatrics", 3, 4, 2),
    ("Neonatal-Perinatal Medicine", "329", "Pediatrics", 3, 4, 2),
    ("Child and Adolescent Psychiatry", "405", "Psychiatry", 2, 4, 3),
    ("Consultation-Liaison Psychiatry", "409", "Psychiatry", 1, 5, 2),
    ("Neuroradiology", "423", "Diagnostic Radiology", 1, 6, 2),
    ("Surgical Critical Care", "442", "Surgery", 1, 6, 3),
]

# Second programs in the same specialty at another kind of site: (specialty, site kind, positions).
EXTRA_PROGRAMS: list[tuple[str, str, int]] = [
    ("Internal Medicine", Site.Kind.VA, 6),
    ("Internal Medicine", Site.Kind.HOSPITAL, 6),
    ("Family Medicine", Site.Kind.COMMUNITY, 5),
    ("Family Medicine", Site.Kind.COMMUNITY, 4),
    ("Family Medicine", Site.Kind.HOSPITAL, 4),
    ("Psychiatry", Site.Kind.HOSPITAL, 3),
    ("Psychiatry", Site.Kind.VA, 3),
    ("Surgery", Site.Kind.HOSPITAL, 3),
    ("Emergency Medicine", Site.Kind.HOSPITAL, 5),
    ("Pediatrics", Site.Kind.HOSPITAL, 4),
    ("Obstetrics and Gynecology", Site.Kind.HOSPITAL, 4),
    ("Anesthesiology", Site.Kind.HOSPITAL, 3),
    ("Neurology", Site.Kind.VA, 2),
    ("Cardiovascular Disease", Site.Kind.VA, 2),
    ("Pulmonary Disease and Critical Care Medicine", Site.Kind.VA, 2),
    ("Geriatric Medicine", Site.Kind.VA, 2),
    ("Transitional Year", Site.Kind.HOSPITAL, 6),
    ("Diagnostic Radiology", Site.Kind.HOSPITAL, 3),
]

# Non-standard (not ACGME-accredited) programs: (area, program name, length, PGY on entry, pos.)
NON_STANDARD: list[tuple[str, str, int, int, int]] = [
    ("Advanced Heart Failure Research", "Advanced Heart Failure Research Fellowship", 2, 7, 1),
    ("Addiction Psychiatry (Clinical)", "Addiction Psychiatry Clinical Fellowship", 1, 5, 2),
    ("Cardio-Oncology", "Cardio-Oncology Fellowship", 1, 7, 1),
    ("Global Health Equity", "Global Health Equity Fellowship", 2, 4, 2),
    ("Clinician Educator", "Clinician Educator Fellowship", 1, 4, 2),
    ("Point-of-Care Ultrasound", "Emergency Ultrasound Fellowship", 1, 4, 2),
    ("Wilderness Medicine", "Wilderness Medicine Fellowship", 1, 4, 1),
    ("Quality Improvement and Patient Safety", "Patient Safety and Quality Fellowship", 1, 4, 2),
    ("Women's Health", "Women's Health Fellowship", 1, 4, 1),
    ("Refugee and Immigrant Health", "Refugee and Immigrant Health Fellowship", 1, 4, 2),
    ("Hospital Medicine", "Hospital Medicine Fellowship", 1, 4, 2),
    ("Cardiac Imaging", "Advanced Cardiac Imaging Fellowship", 1, 7, 1),
    ("Abdominal Transplant Surgery", "Abdominal Transplant Surgery Fellowship", 2, 6, 1),
    (
        "Minimally Invasive Gynecologic Surgery",
        "Minimally Invasive Gynecologic Surgery Fellowship",
        2,
        5,
        1,
    ),
    ("Breast Surgical Oncology", "Breast Surgical Oncology Fellowship", 1, 6, 1),
    ("Shoulder and Elbow Surgery", "Shoulder and Elbow Surgery Fellowship", 1, 6, 1),
    ("Spine Surgery", "Orthopaedic Spine Surgery Fellowship", 1, 6, 1),
    ("Cornea and External Disease", "Cornea and Refractive Surgery Fellowship", 1, 5, 1),
    ("Glaucoma", "Glaucoma Fellowship", 1, 5, 1),
    ("Interventional Pulmonology", "Interventional Pulmonology Fellowship", 1, 7, 1),
    ("Headache Medicine", "Headache Medicine Fellowship", 1, 5, 1),
    ("Neuro-Oncology", "Neuro-Oncology Fellowship", 2, 5, 1),
    ("Disaster Medicine", "Disaster Medicine and Emergency Management Fellowship", 1, 4, 1),
    ("Medical Simulation", "Simulation Education Fellowship", 1, 4, 1),
    ("Community and Population Health", "Community Health Leadership Fellowship", 1, 4, 2),
    ("Lifestyle Medicine", "Lifestyle Medicine Fellowship", 1, 4, 1),
]

# Site kinds of the 33 affiliated hospitals, in the order they are generated.
AFFILIATE_KINDS: list[Site.Kind] = (
    [Site.Kind.VA] * 2
    + [Site.Kind.CHILDREN] * 2
    + [Site.Kind.COMMUNITY] * 10
    + [Site.Kind.HOSPITAL] * 14
    + [Site.Kind.AMBULATORY] * 5
)

# Languages interpreters are most asked for in US hospitals; the rest are drawn from pycountry.
COMMON_INTERPRETED = [
    "spa",
    "ase",
    "hat",
    "cmn",
    "yue",
    "vie",
    "por",
    "rus",
    "ara",
    "kea",
    "som",
    "khm",
    "kor",
    "pol",
    "ita",
    "fra",
    "tgl",
    "hin",
    "ben",
    "urd",
    "pan",
    "guj",
    "fas",
    "pus",
    "amh",
    "tir",
    "swa",
    "yor",
    "ibo",
    "hau",
    "nep",
    "lao",
    "tha",
    "mya",
    "hmn",
    "jpn",
    "deu",
    "ell",
    "heb",
    "tur",
    "ukr",
    "sqi",
    "bos",
    "hrv",
    "srp",
    "ron",
    "hye",
    "kat",
    "mar",
    "tam",
    "tel",
    "mal",
    "kan",
    "uzb",
    "kaz",
    "prs",
    "kin",
    "lin",
    "wol",
    "ful",
]
INTERPRETED_LANGUAGES = 172
# Share of trainees with each extra language, and the proficiencies seen.
TRAINEE_LANGUAGE_SHARE: list[tuple[str, float]] = [
    ("spa", 0.20),
    ("cmn", 0.05),
    ("hin", 0.04),
    ("arb", 0.03),
    ("vie", 0.03),
    ("fra", 0.03),
    ("por", 0.025),
    ("rus", 0.025),
    ("hat", 0.02),
    ("kor", 0.02),
    ("urd", 0.02),
    ("fas", 0.015),
    ("ase", 0.015),
    ("yue", 0.015),
    ("tgl", 0.01),
    ("amh", 0.008),
    ("yor", 0.01),
    ("ben", 0.01),
]
# Faker locales for person names (weights), and the language a name's speaker grew up with.
NAME_LOCALES: list[tuple[str, int, str | None]] = [
    ("en_US", 55, None),
    ("es_MX", 8, "spa"),
    ("es_CO", 4, "spa"),
    ("pt_BR", 3, "por"),
    ("vi_VN", 3, "vie"),
    ("en_IN", 8, "hin"),
    ("en_NG", 4, "yor"),
    ("pl_PL", 2, "pol"),
    ("it_IT", 2, "ita"),
    ("fr_FR", 2, "fra"),
    ("en_PK", 4, "urd"),
    ("ko_KR", 0, None),
]
AAMC_CATEGORIES = [
    ("American Indian or Alaska Native", 0.01, True),
    ("Asian", 0.24, False),
    ("Black or African American", 0.10, True),
    ("Hispanic, Latino, or of Spanish Origin", 0.12, True),
    ("Native Hawaiian or Other Pacific Islander", 0.005, True),
    ("White", 0.50, False),
    ("Other", 0.03, False),
]
FACULTY_INTERESTS = [
    "medical education",
    "health equity",
    "quality improvement",
    "global health",
    "clinical trials",
    "point-of-care ultrasound",
    "wellness and burnout",
    "mentoring URiM trainees",
    "simulation",
    "health policy",
    "palliative care",
    "addiction medicine",
    "informatics",
    "community partnerships",
    "language access",
    "outcomes research",
]

TESTIMONIALS = [
    "My coach met me every month from intern year on. She never told me what to choose; she "
    "helped me notice what I already cared about.",
    "Our resident wellness committee actually has a budget and a say. We changed the night-float "
    "schedule after a pulse survey, and the change stuck.",
    "Half of my continuity patients speak Spanish or Haitian Creole. Having in-person interpreters "
    "in clinic, not just a phone line, changes the visit.",
    "Rotating through the VA, the children's hospital and a community health center in one year "
    "showed me how differently care works, and where it falls short.",
    "I came in as the first doctor in my family. The inclusion office paired me with a mentor "
    "who had walked the same road, and it made all the difference.",
    "Faculty here ask what you think before telling you what they think. You grow fast when your "
    "reasoning is taken seriously.",
    "We learn quality improvement by fixing real things: our team cut discharge delays on our "
    "unit by a third.",
    "Call is hard, but it is fair and planned well ahead, and nobody pretends the hours don't "
    "matter.",
    "I chose this program for its patients. The city is diverse and the program is proud of it.",
]
TESTIMONIAL_DRAFT = "Draft: a quote the GME office has not published yet."


@dataclass(frozen=True)
class DemoSummary:
    institution: str
    sites: int
    acgme_specialties: int
    non_standard_areas: int
    accredited_programs: int
    non_standard_programs: int
    approved_positions: int
    trainees: int
    faculty: int
    people: int
    interpretation_languages: int
    testimonials: int
    users: list[str]
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"Institution:                 {self.institution}",
            f"Sites (sponsor + affiliated): {self.sites}",
            f"ACGME specialties/subspec.:  {self.acgme_specialties}",
            f"Non-standard areas:          {self.non_standard_areas}",
            f"Accredited programs:         {self.accredited_programs}",
            f"Non-standard programs:       {self.non_standard_programs}",
            f"Approved positions:          {self.approved_positions}",
            f"Trainees:                    {self.trainees}",
            f"Faculty:                     {self.faculty}",
            f"People:                      {self.people}",
            f"Interpretation languages:    {self.interpretation_languages}",
            f"Testimonials:                {self.testimonials}",
            f"Built in:                    {self.seconds:.1f} s",
        ]


def academic_year_start(today: date) -> int:
    """The calendar year in which the current academic year (July 1 to June 30) began."""
    return today.year if today.month >= 7 else today.year - 1


def demo_exists() -> bool:
    return Person.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).exists()


@transaction.atomic
def demo_wipe() -> None:
    """Remove the demo institution (and any other institution data) so it can be rebuilt."""
    Testimonial.objects.all().delete()
    RoleAssignment.objects.all().delete()
    Trainee.objects.all().delete()
    Faculty.objects.all().delete()
    Program.objects.all().delete()
    Person.objects.all().delete()
    Specialty.objects.filter(parent__isnull=False).delete()
    Specialty.objects.all().delete()
    Site.objects.all().delete()
    Institution.objects.all().delete()
    get_user_model().objects.filter(username__in=list(DEMO_USERS)).delete()


@transaction.atomic
def demo_build(*, seed: int, scale: float = 1.0, academic_year: int | None = None) -> DemoSummary:
    """Build the demo institution into an empty database, inside one transaction.

    `scale` (0 < scale <= 1) shrinks the people (trainees and faculty) for fast tests; the
    institution, sites, specialties, programs and languages stay the same.
    """
    started = time.perf_counter()
    year = academic_year if academic_year is not None else academic_year_start(clock.today())
    builder = _Builder(seed=seed, scale=scale, year=year)
    builder.build()
    return builder.summary(time.perf_counter() - started)


@dataclass
class _Builder:
    seed: int
    scale: float
    year: int
    rng: random.Random = field(init=False)
    fakers: dict[str, Faker] = field(init=False)
    emails: set[str] = field(default_factory=set)
    people: list[Person] = field(default_factory=list)
    home_language: dict[str, str | None] = field(default_factory=dict)
    institution: Institution = field(init=False)
    sponsor: Site = field(init=False)
    sites_by_kind: dict[str, list[Site]] = field(default_factory=dict)
    specialties: dict[str, Specialty] = field(default_factory=dict)
    programs: list[Program] = field(default_factory=list)
    positions: dict[int, dict[int, int]] = field(default_factory=dict)
    trainees: list[Trainee] = field(default_factory=list)
    faculty: list[Faculty] = field(default_factory=list)
    users: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 0 < self.scale <= 1:
            raise ValueError("scale must be in (0, 1]")
        self.rng = random.Random(self.seed)
        self.fakers = {}
        for index, (locale, _, _) in enumerate(NAME_LOCALES):
            fake = Faker(locale)
            # Distinct seeds per locale: locales sharing a provider would repeat the same names.
            fake.seed_instance(self.seed * 100 + index)
            self.fakers[locale] = fake

    @property
    def fake(self) -> Faker:
        return self.fakers["en_US"]

    def build(self) -> None:
        self.build_institution()
        self.build_sites()
        self.build_interpretation()
        self.build_specialties()
        self.build_programs()
        self.build_leadership()
        self.build_faculty()
        self.build_trainees()
        self.build_languages_and_identity()
        self.build_testimonials()
        self.build_users()

    # -- places ---------------------------------------------------------------------------------
    def build_institution(self) -> None:
        place = self.fake.city()
        self.state = self.fake.state_abbr(include_territories=False)
        self.institution = Institution.objects.create(
            name=f"{place} University Medical Center",
            short_name=f"{place} UMC",
            city=place,
            state=self.state,
            tagline="Training physicians who care for every community, in every language.",
            patients_underserved_pct=self.pct(30, 45),
            patients_minority_pct=self.pct(45, 62),
            patients_non_english_pct=self.pct(22, 34),
            population_source=f"Synthetic demo figures, fiscal year {self.year}.",
        )

    def pct(self, low: float, high: float) -> Decimal:
        return Decimal(str(round(self.rng.uniform(low, high), 1)))

    def build_sites(self) -> None:
        sponsor = self.new_site(f"{self.institution.city} University Hospital", Site.Kind.SPONSOR)
        sponsor.city = self.institution.city
        names = {sponsor.name}
        sites = [sponsor]
        for kind in AFFILIATE_KINDS:
            site = self.new_site(self.unique_site_name(kind, names), kind)
            names.add(site.name)
            sites.append(site)
        Site.objects.bulk_create(sites)
        self.sponsor = sites[0]
        for site in sites:
            self.sites_by_kind.setdefault(site.kind, []).append(site)

    def unique_site_name(self, kind: str, taken: set[str]) -> str:
        patterns = {
            Site.Kind.VA: ["{city} VA Medical Center"],
            Site.Kind.CHILDREN: ["{last} Children's Hospital", "Children's Hospital of {city}"],
            Site.Kind.COMMUNITY: [
                "{city} Community Health Center",
                "{street} Family Health Center",
            ],
            Site.Kind.HOSPITAL: [
                "{city} General Hospital",
                "{last} Memorial Hospital",
                "{city} Regional Medical Center",
            ],
            Site.Kind.AMBULATORY: ["{city} Ambulatory Care Center", "{last} Outpatient Pavilion"],
        }[Site.Kind(kind)]
        while True:
            name = self.rng.choice(patterns).format(
                city=self.fake.city(),
                last=self.fake.last_name(),
                street=self.fake.street_name(),
            )
            if name not in taken:
                return name

    def new_site(self, name: str, kind: str) -> Site:
        descriptions = {
            Site.Kind.SPONSOR: "The sponsoring teaching hospital: tertiary and quaternary care, "
            "the level I trauma center and most inpatient teaching services.",
            Site.Kind.VA: "Veterans' care across primary care, inpatient medicine, surgery, "
            "mental health and geriatrics.",
            Site.Kind.CHILDREN: "Pediatric inpatient, intensive and emergency care, with "
            "subspecialty clinics for children from across the region.",
            Site.Kind.COMMUNITY: "A federally qualified health center: continuity clinics, "
            "prenatal care, behavioral health and care for patients without insurance.",
            Site.Kind.HOSPITAL: "A community teaching hospital: general medicine, surgery, "
            "obstetrics and emergency care close to home.",
            Site.Kind.AMBULATORY: "Outpatient specialty clinics, procedures and imaging.",
        }
        return Site(
            institution=self.institution,
            name=name,
            slug=slugify(name),
            kind=kind,
            street=self.fake.street_address(),
            city=self.fake.city(),
            state=self.state,
            postal_code=self.fake.postcode_in_state(self.state),
            description=descriptions[Site.Kind(kind)],
        )

    def build_interpretation(self) -> None:
        languages = interpreted_languages(self.rng)
        rows: list[InterpretationService] = []
        for site in self.all_sites():
            rows += self.site_interpretation(site, languages)
        InterpretationService.objects.bulk_create(rows)

    def site_interpretation(self, site: Site, languages: list[str]) -> list[InterpretationService]:
        """The sponsor offers every language; affiliates a phone subset and a few in person."""
        Mode = InterpretationService.Mode
        if site.kind == Site.Kind.SPONSOR:
            phone, video, in_person = languages, languages[:60], languages[:12]
        else:
            phone = languages[: self.rng.randint(80, len(languages))]
            video = languages[: self.rng.randint(15, 40)]
            in_person = ["spa", *self.rng.sample(languages[1:12], self.rng.randint(0, 4))]
        return [
            InterpretationService(site=site, language=code, mode=mode)
            for mode, codes in [
                (Mode.PHONE, phone),
                (Mode.VIDEO, video),
                (Mode.IN_PERSON, in_person),
            ]
            for code in codes
        ]

    def all_sites(self) -> list[Site]:
        return [site for sites in self.sites_by_kind.values() for site in sites]

    # -- specialties and programs ---------------------------------------------------------------
    def build_specialties(self) -> None:
        for name, code, parent, *_ in SPECIALTIES:
            kind = Sp.SUBSPECIALTY if parent else Sp.SPECIALTY
            self.specialties[name] = Specialty(
                name=name,
                slug=slugify(name),
                kind=kind,
                acgme_code=code,
                parent=self.specialties[parent] if parent else None,
            )
        for area, *_ in NON_STANDARD:
            self.specialties[area] = Specialty(name=area, slug=slugify(area), kind=Sp.NON_STANDARD)
        # Parents first, so their primary keys exist when subspecialties are inserted.
        Specialty.objects.bulk_create([s for s in self.specialties.values() if not s.parent])
        for spec in self.specialties.values():
            spec.parent_id = spec.parent.pk if spec.parent else None
        Specialty.objects.bulk_create([s for s in self.specialties.values() if s.parent])

    def build_programs(self) -> None:
        self.acgme_numbers: set[str] = set()
        plans: list[tuple[Program, Site, int]] = []
        for name, code, parent, length, first_pgy, per_year in SPECIALTIES:
            kind = Pk.FELLOWSHIP if parent else Pk.RESIDENCY
            title = f"{name} {'Fellowship' if parent else 'Residency'}"
            site = self.primary_site_for(name)
            plans.append(
                (self.new_program(title, name, kind, length, first_pgy, code), site, per_year)
            )
        for name, site_kind, per_year in EXTRA_PROGRAMS:
            _, code, parent, length, first_pgy, _ = next(s for s in SPECIALTIES if s[0] == name)
            site = self.rng.choice(self.sites_by_kind[site_kind])
            kind = Pk.FELLOWSHIP if parent else Pk.RESIDENCY
            title = f"{name} {'Fellowship' if parent else 'Residency'} at {site.name}"
            plans.append(
                (self.new_program(title, name, kind, length, first_pgy, code), site, per_year)
            )
        for area, title, length, first_pgy, per_year in NON_STANDARD:
            program = self.new_program(title, area, Pk.NON_STANDARD, length, first_pgy, "")
            plans.append((program, self.sponsor, per_year))
        Program.objects.bulk_create([p for p, _, _ in plans])
        self.programs = [p for p, _, _ in plans]
        self.build_program_sites(plans)
        self.build_positions(plans)

    def primary_site_for(self, specialty: str) -> Site:
        pediatric = specialty.startswith(("Pediatric", "Neonatal")) or specialty in {
            "Pediatrics",
            "Child and Adolescent Psychiatry",
        }
        return self.sites_by_kind[Site.Kind.CHILDREN][0] if pediatric else self.sponsor

    def new_program(
        self, title: str, specialty: str, kind: str, length: int, first_pgy: int, code: str
    ) -> Program:
        return Program(
            name=title,
            slug=slugify(title),
            specialty=self.specialties[specialty],
            kind=kind,
            accreditation=self.accreditation(kind),
            acgme_number=self.acgme_number(code),
            length_years=length,
            first_pgy=first_pgy,
            description="",
            how_to_apply=how_to_apply(kind),
        )

    def accreditation(self, kind: str) -> str:
        A = Program.Accreditation
        if kind == Pk.NON_STANDARD:
            return A.NOT_ACCREDITED
        return self.rng.choices(
            [A.CONTINUED, A.INITIAL, A.CONTINUED_WARNING, A.INITIAL_WARNING],
            weights=[84, 10, 5, 1],
        )[0]

    def acgme_number(self, code: str) -> str:
        """Specialty code, a state code and a sequence: the shape of real program numbers."""
        if not code:
            return ""
        while True:
            number = f"{code}24{self.rng.randint(0, 99999):05d}"
            if number not in self.acgme_numbers:
                self.acgme_numbers.add(number)
                return number

    def build_program_sites(self, plans: list[tuple[Program, Site, int]]) -> None:
        rows: list[ProgramSite] = []
        affiliates = [s for s in self.all_sites() if s.kind != Site.Kind.SPONSOR]
        for program, primary, _ in plans:
            others = [s for s in [self.sponsor, *affiliates] if s.pk != primary.pk]
            extra = self.rng.sample(
                others, self.rng.randint(1, 4 if program.length_years > 1 else 2)
            )
            rows.append(ProgramSite(program=program, site=primary, is_primary=True))
            rows += [ProgramSite(program=program, site=site) for site in extra]
            program.description = describe(program, primary, extra)
        ProgramSite.objects.bulk_create(rows)
        Program.objects.bulk_update([p for p, _, _ in plans], ["description"])

    def build_positions(self, plans: list[tuple[Program, Site, int]]) -> None:
        rows: list[ApprovedPositions] = []
        for program, _, per_year in plans:
            self.positions[program.pk] = {pgy: per_year for pgy in program.pgy_levels}
            rows += [
                ApprovedPositions(program=program, pgy=pgy, count=per_year)
                for pgy in program.pgy_levels
            ]
        ApprovedPositions.objects.bulk_create(rows)

    # -- people ---------------------------------------------------------------------------------
    def new_person(self, kind: str, title: str = "") -> Person:
        locales = [loc for loc, weight, _ in NAME_LOCALES if weight]
        weights = [weight for _, weight, _ in NAME_LOCALES if weight]
        locale = self.rng.choices(locales, weights=weights)[0]
        fake = self.fakers[locale]
        first, last = fake.first_name(), fake.last_name()
        email = self.unique_email(first, last)
        self.home_language[email] = next(lang for loc, _, lang in NAME_LOCALES if loc == locale)
        person = Person(kind=kind, first_name=first, last_name=last, email=email, title=title)
        self.people.append(person)
        return person

    def unique_email(self, first: str, last: str) -> str:
        base = f"{slugify(first)}.{slugify(last)}".strip(".") or "person"
        email, n = f"{base}@{DEMO_EMAIL_DOMAIN}", 1
        while email in self.emails:
            n += 1
            email = f"{base}{n}@{DEMO_EMAIL_DOMAIN}"
        self.emails.add(email)
        return email

    def build_leadership(self) -> None:
        """A director (faculty) and a coordinator (staff) per program, plus the GME office."""
        pairs = [
            (
                self.new_person(Person.Kind.FACULTY, "MD, Program Director"),
                self.new_person(Person.Kind.STAFF, "Program Coordinator"),
            )
            for _ in self.programs
        ]
        self.office = {
            "dio": self.new_person(Person.Kind.FACULTY, "MD, Designated Institutional Official"),
            "gme": self.new_person(Person.Kind.STAFF, "GME Office Manager"),
            "wellness_officer": self.new_person(Person.Kind.FACULTY, "MD, Chief Wellness Officer"),
            "inclusion": self.new_person(Person.Kind.STAFF, "Director, Office of Inclusion"),
        }
        Person.objects.bulk_create(self.people)
        for program, (director, coordinator) in zip(self.programs, pairs, strict=True):
            program.director, program.coordinator = director, coordinator
            program.contact_email = coordinator.email
        Program.objects.bulk_update(self.programs, ["director", "coordinator", "contact_email"])

    def build_faculty(self) -> None:
        """Directors, leaders and core faculty: about one faculty member per three positions."""
        new_people: list[Person] = []
        rows: list[Faculty] = []
        sites = self.all_sites()
        for program in self.programs:
            assert program.director is not None
            rows.append(self.faculty_row(program.director, program, self.sponsor))
            core = max(1, round(sum(self.positions[program.pk].values()) / 3 * self.scale))
            for _ in range(core):
                person = self.new_person(Person.Kind.FACULTY, "MD")
                new_people.append(person)
                rows.append(self.faculty_row(person, program, self.rng.choice(sites)))
        for key in ("dio", "wellness_officer"):
            rows.append(self.faculty_row(self.office[key], None, self.sponsor))
        Person.objects.bulk_create(new_people)
        for row in rows:
            row.person_id = row.person.pk
        self.faculty = Faculty.objects.bulk_create(rows)

    def faculty_row(self, person: Person, program: Program | None, site: Site) -> Faculty:
        interests = ", ".join(self.rng.sample(FACULTY_INTERESTS, 2))
        return Faculty(person=person, primary_program=program, site=site, interests=interests)

    def build_trainees(self) -> None:
        people: list[Person] = []
        rows: list[Trainee] = []
        for program in self.programs:
            for pgy, count in self.positions[program.pk].items():
                filled = self.filled(count, pgy == program.first_pgy)
                # The demo accounts need a resident in these programs even at a tiny scale.
                if program.name in ACCOUNT_PROGRAMS:
                    filled = max(filled, 1)
                for _ in range(filled):
                    person = self.new_person(Person.Kind.TRAINEE)
                    people.append(person)
                    rows.append(self.trainee_row(person, program, pgy))
        Person.objects.bulk_create(people)
        for row in rows:
            row.person_id = row.person.pk
        self.trainees = Trainee.objects.bulk_create(rows)

    def filled(self, positions: int, entry_year: bool) -> int:
        """Most positions are filled; a few stay open after attrition, fewer in the entry year."""
        open_chance = 0.03 if entry_year else 0.08
        taken = sum(1 for _ in range(positions) if self.rng.random() >= open_chance)
        return round(taken * self.scale)

    def trainee_row(self, person: Person, program: Program, pgy: int) -> Trainee:
        start = self.year - (pgy - program.first_pgy)
        status = Trainee.Status.LEAVE if self.rng.random() < 0.015 else Trainee.Status.ACTIVE
        return Trainee(
            person=person,
            program=program,
            pgy=pgy,
            status=status,
            start_date=date(start, 7, 1),
            expected_end_date=date(start + program.length_years, 6, 30),
        )

    def build_languages_and_identity(self) -> None:
        P = SpokenLanguage.Proficiency
        languages: list[SpokenLanguage] = []
        identities: list[SelfIdentification] = []
        for trainee in self.trainees:
            person = trainee.person
            home = self.home_language[person.email]
            english = P.FULL if home and self.rng.random() < 0.3 else P.NATIVE
            languages.append(SpokenLanguage(person=person, language="eng", proficiency=english))
            spoken = {"eng"}
            if home:
                languages.append(SpokenLanguage(person=person, language=home, proficiency=P.NATIVE))
                spoken.add(home)
            for code, share in TRAINEE_LANGUAGE_SHARE:
                if code not in spoken and self.rng.random() < share:
                    level = self.rng.choice([P.LIMITED, P.PROFESSIONAL, P.PROFESSIONAL, P.FULL])
                    languages.append(
                        SpokenLanguage(person=person, language=code, proficiency=level)
                    )
                    spoken.add(code)
            if self.rng.random() < 0.6:
                identities.append(self.identity(person))
        SpokenLanguage.objects.bulk_create(languages)
        SelfIdentification.objects.bulk_create(identities)

    def identity(self, person: Person) -> SelfIdentification:
        names = [name for name, _, _ in AAMC_CATEGORIES]
        weights = [share for _, share, _ in AAMC_CATEGORIES]
        chosen = sorted(
            set(self.rng.choices(names, weights=weights, k=self.rng.choice([1, 1, 1, 2])))
        )
        urim = any(urim for name, _, urim in AAMC_CATEGORIES if name in chosen)
        return SelfIdentification(
            person=person,
            race_ethnicity=chosen,
            urim=urim,
            first_generation=self.rng.random() < 0.18,
        )

    def build_testimonials(self) -> None:
        authors = self.rng.sample(self.trainees, min(len(TESTIMONIALS), len(self.trainees)))
        rows = [
            Testimonial(
                author_name=t.person.full_name,
                author_role=f"PGY-{t.pgy}, {t.program.name}",
                program=t.program,
                quote=quote,
                is_published=True,
                order=index,
            )
            for index, (t, quote) in enumerate(zip(authors, TESTIMONIALS, strict=False))
        ]
        rows.append(
            Testimonial(
                author_name="Draft",
                author_role="",
                quote=TESTIMONIAL_DRAFT,
                is_published=False,
                order=99,
            )
        )
        Testimonial.objects.bulk_create(rows)

    # -- demo accounts --------------------------------------------------------------------------
    def build_users(self) -> None:
        im = next(p for p in self.programs if p.name == "Internal Medicine Residency")
        psych = next(p for p in self.programs if p.name == "Psychiatry Residency")
        resident = next(t for t in self.trainees if t.program_id == im.pk and t.pgy == 2)
        wellness = next(t for t in self.trainees if t.program_id == psych.pk and t.pgy == 3)
        im_faculty = next(
            f
            for f in self.faculty
            if f.primary_program_id == im.pk and f.person.pk != im.director_id
        )
        assert im.director is not None and im.coordinator is not None
        R = Role
        accounts: list[tuple[str, Person, list[tuple[str, Program | None]]]] = [
            ("gme", self.office["gme"], [(R.GME_OFFICE, None)]),
            ("pd.im", im.director, [(R.PROGRAM_DIRECTOR, im), (R.FACULTY, im)]),
            ("coord.im", im.coordinator, [(R.PROGRAM_COORDINATOR, im)]),
            ("resident", resident.person, [(R.TRAINEE, im)]),
            ("faculty", im_faculty.person, [(R.FACULTY, im)]),
            ("wellness", wellness.person, [(R.TRAINEE, psych), (R.WELLNESS_COMMITTEE, None)]),
            ("inclusion", self.office["inclusion"], [(R.INCLUSION_OFFICE, None)]),
        ]
        self.create_users(accounts)

    def create_users(
        self, accounts: list[tuple[str, Person, list[tuple[str, Program | None]]]]
    ) -> None:
        User = get_user_model()
        # One hash for all accounts: hashing is deliberately slow, and they share the password.
        password = make_password(DEMO_PASSWORD)
        roles: list[RoleAssignment] = []
        for username, person, grants in accounts:
            user = User.objects.create(
                username=username,
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                password=password,
            )
            Person.objects.filter(pk=person.pk).update(user=user)
            roles += [
                RoleAssignment(user=user, role=role, program=program) for role, program in grants
            ]
            self.users.append(username)
        RoleAssignment.objects.bulk_create(roles)

    def summary(self, seconds: float) -> DemoSummary:
        return DemoSummary(
            institution=self.institution.name,
            sites=len(self.all_sites()),
            acgme_specialties=sum(1 for s in self.specialties.values() if s.is_acgme),
            non_standard_areas=sum(1 for s in self.specialties.values() if not s.is_acgme),
            accredited_programs=sum(1 for p in self.programs if p.kind != Pk.NON_STANDARD),
            non_standard_programs=sum(1 for p in self.programs if p.kind == Pk.NON_STANDARD),
            approved_positions=sum(sum(p.values()) for p in self.positions.values()),
            trainees=len(self.trainees),
            faculty=len(self.faculty),
            people=len(self.people),
            interpretation_languages=InterpretationService.objects.values("language")
            .distinct()
            .count(),
            testimonials=Testimonial.objects.filter(is_published=True).count(),
            users=self.users,
            seconds=seconds,
        )


def interpreted_languages(rng: random.Random) -> list[str]:
    """The common languages first (their order decides who gets in-person and video), then a
    deterministic sample of other living languages from ISO 639-3 up to the target count."""
    common = list(COMMON_INTERPRETED)
    pool = sorted(
        lang.alpha_3
        for lang in pycountry.languages
        if getattr(lang, "type", "") == "L"
        and getattr(lang, "scope", "") == "I"
        and lang.alpha_3 not in common
        and lang.alpha_3 != "eng"
        # Names with a comma or parenthesis are mostly obscure varieties; keep the list readable.
        and not any(ch in lang.name for ch in ",(")
    )
    return common + rng.sample(pool, INTERPRETED_LANGUAGES - len(common))


def describe(program: Program, primary: Site, others: list[Site]) -> str:
    specialty = program.specialty.name
    elsewhere = ", ".join(site.name for site in others)
    if program.kind == Pk.RESIDENCY:
        opening = (
            f"Our {specialty} residency trains physicians over {program.length_years} "
            f"year{'s' if program.length_years > 1 else ''}, from PGY-{program.first_pgy}, "
            f"to practice independently in any setting and to care for every patient who comes "
            f"through the door."
        )
    elif program.kind == Pk.FELLOWSHIP:
        opening = (
            f"The {specialty} fellowship builds subspecialty depth on top of residency: graded "
            f"autonomy on consult and procedural services, protected time for scholarship, and "
            f"a faculty mentor from the first week."
        )
    else:
        opening = (
            f"This fellowship in {specialty.lower()} is a non-standard program approved by our GME "
            f"committee, not accredited by the ACGME. It offers focused clinical and scholarly "
            f"training for physicians who have completed residency."
        )
    return (
        f"{opening}\n\nTrainees are based at {primary.name} and rotate at {elsewhere}. Every "
        f"trainee has a faculty coach, joins the resident-led wellness committee if they wish, "
        f"and works with professional interpreters so patients are cared for in their own "
        f"language."
    )


def how_to_apply(kind: str) -> str:
    if kind == Pk.RESIDENCY:
        return (
            "Apply through ERAS between September and October. We participate in the NRMP Main "
            "Residency Match and interview virtually from October to January. We welcome "
            "applicants from every background, including graduates of international medical "
            "schools with ECFMG certification."
        )
    if kind == Pk.FELLOWSHIP:
        return (
            "Apply through the ERAS Fellowships Documents Office. We participate in the NRMP "
            "Specialties Matching Service. Send three letters of recommendation, including one "
            "from your residency program director."
        )
    return (
        "Email the program coordinator your CV, a personal statement and three letters of "
        "recommendation by December 1. Interviews are held in January and offers made in "
        "February."
    )
