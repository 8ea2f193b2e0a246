"""The sponsoring institution, its sites, specialties and programs."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse

share_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Institution(models.Model):
    """The sponsoring institution. One per deployment; its figures feed the public home page."""

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=60, blank=True)
    tagline = models.CharField(max_length=300, blank=True)
    # Patient population, in percent of patients. Entered by the GME office from hospital data.
    patients_underserved_pct = models.DecimalField(
        "patients from underserved communities (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=share_validators,
    )
    patients_minority_pct = models.DecimalField(
        "patients identifying with a racial or ethnic minority group (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=share_validators,
    )
    patients_non_english_pct = models.DecimalField(
        "patients whose primary language is not English (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=share_validators,
    )
    population_source = models.CharField(
        max_length=300, blank=True, help_text="Where the patient figures come from, and when."
    )

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    class Kind(models.TextChoices):
        SPONSOR = "sponsor", "Sponsoring hospital"
        HOSPITAL = "hospital", "Affiliated hospital"
        CHILDREN = "children", "Children's hospital"
        VA = "va", "Veterans Affairs medical center"
        COMMUNITY = "community", "Community health center"
        AMBULATORY = "ambulatory", "Ambulatory / outpatient center"

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.HOSPITAL)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True, help_text="What is trained here.")
    timezone = models.CharField(max_length=64, default="America/New_York")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:site", args=[self.slug])

    @property
    def address(self) -> str:
        place = ", ".join(p for p in [self.city, self.state] if p)
        return ", ".join(p for p in [self.street, f"{place} {self.postal_code}".strip()] if p)


class InterpretationService(models.Model):
    """A language a site's interpreter services cover; the public language figure counts these."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video"
        PHONE = "phone", "Phone"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="interpretation")
    language = models.CharField(max_length=3, help_text="ISO 639-3 code (ase = ASL).")
    mode = models.CharField(max_length=10, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "language", "mode"], name="unique_interpretation_mode"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.language} ({self.get_mode_display()})"


class Specialty(models.Model):
    class Kind(models.TextChoices):
        SPECIALTY = "specialty", "ACGME specialty"
        SUBSPECIALTY = "subspecialty", "ACGME subspecialty"
        NON_STANDARD = "non_standard", "Non-standard (not ACGME-accredited)"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="subspecialties"
    )
    acgme_code = models.CharField("ACGME specialty code", max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == self.Kind.SUBSPECIALTY and self.parent_id is None:
            raise ValidationError({"parent": "A subspecialty needs its parent specialty."})
        if self.kind == self.Kind.SPECIALTY and self.parent_id is not None:
            raise ValidationError({"parent": "Only a subspecialty has a parent specialty."})
        if self.parent_id is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": "A specialty cannot be its own parent."})

    @property
    def is_acgme(self) -> bool:
        return self.kind != self.Kind.NON_STANDARD


class Program(models.Model):
    class Kind(models.TextChoices):
        RESIDENCY = "residency", "Residency"
        FELLOWSHIP = "fellowship", "Fellowship"
        NON_STANDARD = "non_standard", "Non-standard program"

    class Accreditation(models.TextChoices):
        INITIAL = "initial", "Initial accreditation"
        INITIAL_WARNING = "initial_warning", "Initial accreditation with warning"
        CONTINUED = "continued", "Continued accreditation"
        CONTINUED_WARNING = "continued_warning", "Continued accreditation with warning"
        PROBATION = "probation", "Probationary accreditation"
        NOT_ACCREDITED = "not_accredited", "Not ACGME-accredited"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="programs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    accreditation = models.CharField(
        max_length=20, choices=Accreditation.choices, default=Accreditation.CONTINUED
    )
    acgme_number = models.CharField(
        "ACGME program number",
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", "An ACGME program number has 10 digits.")],
    )
    length_years = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    first_pgy = models.PositiveSmallIntegerField(
        "PGY level on entry",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Fellowships start after residency, e.g. PGY-4.",
    )
    sites: models.ManyToManyField[Site, ProgramSite] = models.ManyToManyField(
        Site, through="ProgramSite", related_name="programs"
    )
    director = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    coordinator = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.TextField(blank=True)
    how_to_apply = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    weekly_hours_limit = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(40), MaxValueValidator(88)],
        help_text="80, or up to 88 where the Review Committee approved an exception.",
    )
    swaps_need_approval = models.BooleanField(
        "Swaps need the coordinator's approval",
        default=True,
        help_text="Once a colleague accepts a swap or trade, the coordinator approves it; "
        "untick to let agreed swaps that break no rule take effect at once.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["acgme_number"],
                condition=~models.Q(acgme_number=""),
                name="unique_acgme_number",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:program", args=[self.slug])

    def clean(self) -> None:
        accredited = self.kind != self.Kind.NON_STANDARD
        if accredited and self.accreditation == self.Accreditation.NOT_ACCREDITED:
            raise ValidationError({"accreditation": "Residencies and fellowships are accredited."})
        if not accredited and self.accreditation != self.Accreditation.NOT_ACCREDITED:
            raise ValidationError(
                {"accreditation": "A non-standard program is not ACGME-accredited."}
            )
        if not accredited and self.acgme_number:
            raise ValidationError({"acgme_number": "Only accredited programs have one."})

    @property
    def pgy_levels(self) -> range:
        return range(self.first_pgy, self.first_pgy + self.length_years)


class ProgramSite(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE)
    site = models.ForeignKey(Site, on_delete=models.PROTECT)
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "site"], name="unique_program_site")
        ]

    def __str__(self) -> str:
        return f"{self.program} at {self.site}"


class ApprovedPositions(models.Model):
    """Positions the ACGME (or the GME committee, for non-standard programs) approved per year."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="positions")
    pgy = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    count = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["pgy"]
        verbose_name_plural = "approved positions"
        constraints = [
            models.UniqueConstraint(fields=["program", "pgy"], name="unique_positions_per_pgy")
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.count} at PGY-{self.pgy}"


class Testimonial(models.Model):
    """A trainee's words on the public site; the GME office edits and publishes them."""

    author_name = models.CharField(max_length=120)
    author_role = models.CharField(max_length=120, help_text="e.g. PGY-3, Internal Medicine")
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="testimonials"
    )
    quote = models.TextField()
    is_published = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.quote[:40]}"


class AuditEntry(models.Model):
    """One row per write, written in the same transaction as the write itself."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


class SubmitToken(models.Model):
    """A form that was sent and what it made, so a second send of the same form (a double click,
    a resubmit after a timeout) returns the first result instead of writing again.

    The token is random, put in the form when the page is drawn (rounds/lib/idempotency.py).
    Rows are only needed for minutes; each new submit by a person clears their old ones, and
    `manage.py purge_tokens` (daily) everyone's older than a day.
    """

    token = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=60, help_text="What the form does, e.g. workhours.log.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    result_pk = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.token[:8]}"
