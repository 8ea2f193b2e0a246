"""People (trainees, faculty, staff), the languages they speak, and the roles their users hold."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse


class Person(models.Model):
    class Kind(models.TextChoices):
        TRAINEE = "trainee", "Trainee"
        FACULTY = "faculty", "Faculty"
        STAFF = "staff", "Staff"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    email = models.EmailField(unique=True)
    title = models.CharField(max_length=120, blank=True, help_text="e.g. MD, Program Director")
    # The hospital's HR number, when single sign-on matches people by it (docs/sign-in.md).
    employee_id = models.CharField(max_length=40, null=True, blank=True, unique=True)
    # Contact numbers for the switchboard's on-call list. Operators and program staff always
    # see them; colleagues only when the person says so (`share_contact`).
    phone = models.CharField(max_length=40, blank=True, help_text="Mobile or work phone.")
    pager = models.CharField(max_length=40, blank=True)
    share_contact = models.BooleanField(
        "Colleagues may see my phone and pager",
        default=False,
        help_text="Switchboard operators and program staff always see them.",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Trainee(models.Model):
    # The record as last written: program, PGY level and expected end after every recorded
    # event, and a status that only says whether training was closed (graduated, withdrawn) or
    # is a legacy leave with no dates. What holds on a given day comes from the dated history
    # (`TrainingEvent`, read through rounds.people.training), never from these columns alone.
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LEAVE = "leave", "On leave"
        GRADUATED = "graduated", "Graduated"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="trainee")
    program = models.ForeignKey("core.Program", on_delete=models.PROTECT, related_name="trainees")
    pgy = models.PositiveSmallIntegerField(
        "PGY level", validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    start_date = models.DateField()
    expected_end_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["program__name", "-pgy", "person__last_name"]

    def __str__(self) -> str:
        return f"{self.person} (PGY-{self.pgy}, {self.program})"

    def get_absolute_url(self) -> str:
        return reverse("staff:trainee", args=[self.pk])


class TrainingEvent(models.Model):
    """One dated fact of a trainee's training, kept as history: rows are added, never changed.

    Dates are days in the institution's time zone. `effective_date` is the first day the fact
    holds (a leave's first day, the first day in the new program, the day of a new PGY level);
    for completion and withdrawal it is the last day in training. `end_date` is a leave's last
    day, or the expected end a start or an extension sets. `from_*` keep the values before the
    event, so the level and program in force on any earlier day can be read back.
    """

    class Kind(models.TextChoices):
        START = "start", "Start of training"
        LEAVE = "leave", "Leave of absence"
        EXTENSION = "extension", "Extension of training"
        TRANSFER = "transfer", "Transfer to another program"
        PROMOTION = "promotion", "PGY promotion"
        COMPLETION = "completion", "Completion"
        WITHDRAWAL = "withdrawal", "Withdrawal"

    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="training_events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    program = models.ForeignKey(
        "core.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_program = models.ForeignKey(
        "core.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pgy = models.PositiveSmallIntegerField(null=True, blank=True)
    from_pgy = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["effective_date", "pk"]
        indexes = [models.Index(fields=["trainee", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.trainee.person} on {self.effective_date}"


class Faculty(models.Model):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="faculty")
    primary_program = models.ForeignKey(
        "core.Program", on_delete=models.SET_NULL, null=True, blank=True, related_name="faculty"
    )
    site = models.ForeignKey("core.Site", on_delete=models.SET_NULL, null=True, blank=True)
    interests = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name_plural = "faculty"

    def __str__(self) -> str:
        return str(self.person)


class SpokenLanguage(models.Model):
    class Proficiency(models.TextChoices):
        # The ILR scale, as used in qualified-bilingual assessments.
        ELEMENTARY = "elementary", "Elementary"
        LIMITED = "limited", "Limited working"
        PROFESSIONAL = "professional", "Professional working"
        FULL = "full", "Full professional"
        NATIVE = "native", "Native or bilingual"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=3, help_text="ISO 639-3 code (ase = ASL).")
    proficiency = models.CharField(max_length=12, choices=Proficiency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "language"], name="unique_person_language")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.language} ({self.get_proficiency_display()})"


class SelfIdentification(models.Model):
    """Voluntary, self-reported demographics, kept apart from the rest of the record.

    Only the person, the inclusion office and the GME office may read it, never program staff; a
    person withdraws by deleting the row.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="identity")
    race_ethnicity = models.JSONField(
        default=list, blank=True, help_text="AAMC race and ethnicity categories, as chosen."
    )
    urim = models.BooleanField("underrepresented in medicine", null=True, blank=True)
    first_generation = models.BooleanField(null=True, blank=True)
    disability = models.BooleanField("has a disability", null=True, blank=True)
    lgbtq = models.BooleanField("identifies as LGBTQ+", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"self-identification of {self.person}"


class Role(models.TextChoices):
    GME_OFFICE = "gme_office", "GME office"
    PROGRAM_DIRECTOR = "program_director", "Program director"
    PROGRAM_COORDINATOR = "program_coordinator", "Program coordinator"
    FACULTY = "faculty", "Faculty"
    TRAINEE = "trainee", "Trainee"
    WELLNESS_COMMITTEE = "wellness_committee", "Wellness committee member"
    INCLUSION_OFFICE = "inclusion_office", "Inclusion office"
    # The hospital operators who page the team on call: they see every contact number.
    SWITCHBOARD = "switchboard", "Switchboard operator"


# Roles that only make sense for one program.
PROGRAM_SCOPED_ROLES = frozenset(
    {Role.PROGRAM_DIRECTOR, Role.PROGRAM_COORDINATOR, Role.FACULTY, Role.TRAINEE}
)


class RoleAssignment(models.Model):
    """A role a user holds, optionally scoped to one program (a wellness committee: either)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, null=True, blank=True, related_name="roles"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "program"], name="unique_role_assignment"
            ),
        ]

    def __str__(self) -> str:
        scope = f" ({self.program})" if self.program_id else ""
        return f"{self.user}: {self.get_role_display()}{scope}"


class YearRollover(models.Model):
    """A finished academic year, rolled over: from then on it is archived and read-only (no new
    version of any of its schedules). `changes` is what the run did, as the dry run listed it."""

    academic_year = models.PositiveSmallIntegerField(unique=True, help_text="Its July's year.")
    run_at = models.DateTimeField(auto_now_add=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["-academic_year"]

    def __str__(self) -> str:
        return f"rollover of {self.academic_year}–{self.academic_year + 1}"


class ResetRequest(models.Model):
    """One password-reset request, kept for the throttle's window (rounds/people/reset.py). Holds
    keyed digests of the email typed and of the address it came from, never either itself, and
    is the same whether or not an account has that email."""

    email_digest = models.CharField(max_length=64, db_index=True)
    address_digest = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"password-reset request at {self.created_at:%Y-%m-%d %H:%M}"
