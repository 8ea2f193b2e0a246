"""Milestone sets as data, and the Clinical Competency Committee's work on them.

A `MilestoneSet` is one version of one specialty's milestones, loaded from a file
(`manage.py load_milestones`, rounds/milestones/loader.py). The harmonized subcompetencies that
every specialty shares (professionalism, communication, practice-based learning, systems-based
practice) live once, in a set with no specialty; a specialty's set names the harmonized set it
includes, so a 360 form or a rating about professionalism points at the same `Subcompetency` row
in every program. A set is never edited after loading: a new version is a new set.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

# ACGME's six core competencies, in the order milestone reports list them.
COMPETENCY_ORDER = ("PC", "MK", "SBP", "PBLI", "PROF", "ICS")


class MilestoneSet(models.Model):
    specialty = models.ForeignKey(
        "core.Specialty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestone_sets",
        help_text="Empty for the harmonized set every specialty shares.",
    )
    version = models.CharField(max_length=40, help_text="As the file names it, e.g. 2.0 or 2026.")
    title = models.CharField(max_length=200)
    effective_from = models.DateField(help_text="First day ratings use this version.")
    harmonized_set = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="specialty_sets",
        help_text="The harmonized subcompetencies this specialty's set includes.",
    )
    source_name = models.CharField(max_length=200, blank=True, help_text="The file it came from.")
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["specialty__name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["specialty", "version"],
                condition=models.Q(specialty__isnull=False),
                name="unique_milestone_set_version",
            ),
            models.UniqueConstraint(
                fields=["version"],
                condition=models.Q(specialty__isnull=True),
                name="unique_harmonized_set_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def is_harmonized(self) -> bool:
        return self.specialty_id is None


class Competency(models.Model):
    """One of the six core competencies, as one set words it (PC, MK, SBP, PBLI, PROF, ICS)."""

    milestone_set = models.ForeignKey(
        MilestoneSet, on_delete=models.CASCADE, related_name="competencies"
    )
    code = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(
                fields=["milestone_set", "code"], name="unique_competency_per_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class Subcompetency(models.Model):
    """What is rated: one row of a milestone set (e.g. PC1), with what each level looks like.

    `harmonized` says it belongs to the set every specialty shares; its code is then the same in
    every program. Codes are unique across a specialty's set and the harmonized set it includes
    (the loader refuses a clash), so a code names one row for a program."""

    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, related_name="subcompetencies"
    )
    code = models.CharField(max_length=12, help_text="e.g. PC1, PROF2.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    harmonized = models.BooleanField(default=False)
    # Five short descriptions, for levels 1 to 5, in our own words.
    level_descriptions = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["competency__order", "order", "pk"]
        verbose_name_plural = "subcompetencies"
        constraints = [
            models.UniqueConstraint(fields=["competency", "code"], name="unique_subcompetency_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"
