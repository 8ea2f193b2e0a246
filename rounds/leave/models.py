"""Leave against the program's policy and the specialty board's rules, extensions that make up
leave beyond the board's allowance, and remediation as the training record keeps it.

Leave days themselves are not stored here: they are read (rounds/leave/selectors.py) from where
they are already recorded: a trainee's logged leave (`workhours.LeaveSpan`), a leave of absence
in the dated training history (`people.TrainingEvent`, kind leave) and approved vacation blocks
(`schedules.VacationRequest`). This app holds the rules they are measured against.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

# The ACGME Institutional Requirements (IV.H.1): at least six weeks of paid medical, parental and
# caregiver leave once during training. ABMS boards allow at least as much away without extension.
FAMILY_MEDICAL_MINIMUM_DAYS = 42


class LeaveKind(models.TextChoices):
    VACATION = "vacation", "Vacation"
    SICK = "sick", "Sick"
    PARENTAL = "parental", "Parental or caregiver"
    MEDICAL = "medical", "Medical"
    ABSENCE = "absence", "Leave of absence or other"


# Kinds the board's once-in-training allowance covers (the ACGME six weeks).
FAMILY_MEDICAL_KINDS = frozenset({LeaveKind.PARENTAL, LeaveKind.MEDICAL})


class Board(models.Model):
    """A specialty board's rule on time away from training, as data (`manage.py load_boards`).

    Days are calendar days (a week away is 7). `per_year_days`: the most away in one academic
    year (empty: no yearly cap, unused time carries over); `per_training_year_days` times the
    program's length in years: the most away over the whole training; `family_medical_days`:
    parental, caregiver and medical leave once during training that counts against neither.
    """

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=160)
    per_year_days = models.PositiveSmallIntegerField(null=True, blank=True)
    per_training_year_days = models.PositiveSmallIntegerField()
    family_medical_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(FAMILY_MEDICAL_MINIMUM_DAYS)]
    )
    summary = models.CharField(max_length=600, help_text="The rule in our own words.")
    source = models.URLField(max_length=300)
    checked_on = models.DateField(help_text="When the rule was read at its source.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def total_days(self, years: int) -> int:
        return self.per_training_year_days * years


class LeavePolicy(models.Model):
    """A program's leave policy: days per academic year of each kind, and the board whose rules
    decide when leave extends training."""

    program = models.OneToOneField(
        "core.Program", on_delete=models.CASCADE, related_name="leave_policy"
    )
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, null=True, blank=True, related_name="policies"
    )
    vacation_days = models.PositiveSmallIntegerField(default=20)
    sick_days = models.PositiveSmallIntegerField(default=10)
    parental_days = models.PositiveSmallIntegerField(
        default=FAMILY_MEDICAL_MINIMUM_DAYS, help_text="Parental and caregiver leave."
    )
    medical_days = models.PositiveSmallIntegerField(default=FAMILY_MEDICAL_MINIMUM_DAYS)
    absence_days = models.PositiveSmallIntegerField(
        default=0, help_text="Leave of absence or other leave."
    )

    class Meta:
        verbose_name_plural = "leave policies"

    def __str__(self) -> str:
        return f"leave policy of {self.program}"

    def days_for(self, kind: str) -> int:
        return int(getattr(self, f"{kind}_days"))


class LeaveExtension(models.Model):
    """An extension of training confirmed to make up leave beyond the board's allowance: the
    extension itself is the `TrainingEvent`; this says how many days of leave it made up, so the
    flag does not ask for them twice."""

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="leave_extensions"
    )
    event = models.OneToOneField(
        "people.TrainingEvent", on_delete=models.PROTECT, related_name="leave_extension"
    )
    days = models.PositiveSmallIntegerField()
    board = models.ForeignKey(Board, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.days} days of leave made up by trainee {self.trainee_id}"


class Remediation(models.Model):
    """A dated remediation or probation: kept for program leadership and the GME office only."""

    class Kind(models.TextChoices):
        REMEDIATION = "remediation", "Remediation"
        PROBATION = "probation", "Probation"

    class Outcome(models.TextChoices):
        ONGOING = "ongoing", "Ongoing"
        COMPLETED = "completed", "Completed successfully"
        EXTENDED = "extended", "Training extended"
        DISMISSED = "dismissed", "Dismissed from the program"

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="remediations"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ONGOING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="remediation_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of trainee {self.trainee_id} from {self.start}"


class LetterPolicy(models.Model):
    """The institution's policy for verification letters (one row; none means the defaults)."""

    state_remediation = models.BooleanField(
        "Letters state remediation and probation",
        default=False,
        help_text="Some institutions state them on every verification letter; most do not.",
    )

    class Meta:
        verbose_name_plural = "letter policy"

    def __str__(self) -> str:
        return "letter policy"
