"""Inclusion: how the institution defines URiM, recruitment funnels, advancement events.

Self-identification itself lives in rounds.people.SelfIdentification (one row per person, kept
apart from the rest of the record); this app reads and writes it only through its services, which
audit every read and write.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# The race and ethnicity categories of the AAMC (ERAS and the AAMC Data Warehouse), as offered.
AAMC_CATEGORIES = [
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Hispanic, Latino, or of Spanish Origin",
    "Middle Eastern or North African",
    "Native Hawaiian or Other Pacific Islander",
    "White",
    "Other",
]
# The AAMC's own reading of "underrepresented in medicine" for US medical education; each
# institution may define its own (UrimDefinition).
DEFAULT_URIM_CATEGORIES = [
    "American Indian or Alaska Native",
    "Black or African American",
    "Hispanic, Latino, or of Spanish Origin",
    "Native Hawaiian or Other Pacific Islander",
]


class UrimDefinition(models.Model):
    """Which self-identified categories the institution counts as URiM. One row (pk 1)."""

    categories = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return "URiM: " + "; ".join(self.categories)


class Track(models.TextChoices):
    RESIDENCY = "applicants", "Applicants to the program"
    AWAY = "away", "Visiting students (away rotations)"


class RecruitmentCycle(models.Model):
    """One program's applicants of one season, or its visiting-student program of one year."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="recruitment_cycles"
    )
    season = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The year of the Match (or of the visiting rotations).",
    )
    track = models.CharField(max_length=12, choices=Track.choices, default=Track.RESIDENCY)
    national_urim_pct = models.DecimalField(
        "national URiM share of the specialty (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Entered by the inclusion office, e.g. from AAMC or ERAS data.",
    )
    national_source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-season", "program__name", "track"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "season", "track"], name="unique_recruitment_cycle"
            )
        ]

    def __str__(self) -> str:
        what = "visiting students" if self.track == Track.AWAY else "applicants"
        return f"{self.program}, {self.season} {what}"


class Stage(models.TextChoices):
    APPLIED = "applied", "Applied"
    INVITED = "invited", "Invited to interview"
    INTERVIEWED = "interviewed", "Interviewed"
    RANKED = "ranked", "Ranked"
    MATCHED = "matched", "Matched"


STAGE_ORDER = list(Stage.values)
# The same funnel, in the words of a visiting-student program.
AWAY_LABELS = {
    Stage.APPLIED: "Applied",
    Stage.INVITED: "Offered a rotation",
    Stage.INTERVIEWED: "Completed the rotation",
    Stage.RANKED: "Applied to the residency",
    Stage.MATCHED: "Matched here",
}


class Applicant(models.Model):
    """One application, identified by the applicant's AAMC ID (or the export's own ID).

    `stage` is the furthest stage reached; `urim` is what the applicant self-identified in the
    application (None: not stated). No name is stored.
    """

    cycle = models.ForeignKey(RecruitmentCycle, on_delete=models.CASCADE, related_name="applicants")
    external_id = models.CharField("AAMC ID", max_length=40)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.APPLIED)
    urim = models.BooleanField(null=True, blank=True)
    first_generation = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "external_id"], name="unique_applicant")
        ]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.cycle})"


class AdvancementEvent(models.Model):
    """Something that happened in a trainee's training that the inclusion office follows."""

    class Kind(models.TextChoices):
        LEAVE = "leave", "Leave of absence"
        REMEDIATION = "remediation", "Remediation"
        CHIEF = "chief", "Chief resident selection"
        AWARD = "award", "Award"
        FELLOWSHIP = "fellowship", "Fellowship placement"
        FACULTY = "faculty", "Faculty placement"

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="advancement_events"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    academic_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text="The year the academic year starts (July 1).",
    )
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-academic_year", "trainee__person__last_name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.academic_year}: {self.trainee.person}"
