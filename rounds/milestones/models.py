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


# ---------------------------------------------------------------------------------------------
# The Clinical Competency Committee
# ---------------------------------------------------------------------------------------------


class CommitteeMember(models.Model):
    """A faculty member the program director appointed to the program's CCC. Ending a
    membership dates it; the row stays, so who sat on which review can be read back."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="committee_members"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="committee_seats"
    )
    is_chair = models.BooleanField(default=False)
    appointed_on = models.DateField()
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-is_chair", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_committee_seat",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} on the CCC of {self.program}"


class ProgressRule(models.Model):
    """The level below which a resident in a given year of the program is flagged as not
    progressing. A program without rows uses DEFAULT_EXPECTED in rounds/milestones/progress.py."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="milestone_rules"
    )
    training_year = models.PositiveSmallIntegerField(help_text="1 for the first year in program.")
    minimum_level = models.DecimalField(max_digits=2, decimal_places=1)

    class Meta:
        ordering = ["program", "training_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "training_year"], name="one_rule_per_training_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program}, year {self.training_year}: at least {self.minimum_level}"


class CommitteeReview(models.Model):
    """One program's CCC review for one period: the meeting's workspace, until the program
    director signs it off; from then on its ratings are read-only."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.PROTECT, related_name="committee_reviews"
    )
    period = models.CharField(max_length=11, help_text="e.g. 2026-2027-1")
    milestone_set = models.ForeignKey(MilestoneSet, on_delete=models.PROTECT, related_name="+")
    meeting_date = models.DateField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program__name", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["program", "period"], name="one_review_per_period")
        ]

    def __str__(self) -> str:
        return f"CCC review {self.period} of {self.program}"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class LevelProposal(models.Model):
    """One member's proposed level for one resident and subcompetency, before the committee
    agrees; a member changes their own proposal until the consensus is recorded."""

    review = models.ForeignKey(CommitteeReview, on_delete=models.CASCADE, related_name="proposals")
    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    subcompetency = models.ForeignKey(Subcompetency, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="proposals")
    level = models.DecimalField(
        max_digits=2, decimal_places=1, null=True, blank=True, help_text="Empty: not assessable."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "trainee", "subcompetency", "member"],
                name="one_proposal_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.person} proposes {self.level} for {self.subcompetency.code}"


class ConsensusRating(models.Model):
    """The committee's level for one resident and subcompetency. Rows are only ever added: the
    latest row is the level; a row added after sign-off is a correction and carries its reason."""

    review = models.ForeignKey(CommitteeReview, on_delete=models.CASCADE, related_name="ratings")
    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    subcompetency = models.ForeignKey(Subcompetency, on_delete=models.PROTECT, related_name="+")
    level = models.DecimalField(
        max_digits=2, decimal_places=1, null=True, blank=True, help_text="Empty: not assessable."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    correction_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["review", "trainee", "subcompetency"])]

    def __str__(self) -> str:
        return f"{self.subcompetency.code} {self.level} for {self.trainee_id}"


class TraineeReview(models.Model):
    """What the committee and the program director say to one resident for one period: the
    committee's summary, the semiannual meeting and the resident's acknowledgement."""

    review = models.ForeignKey(
        CommitteeReview, on_delete=models.CASCADE, related_name="trainee_reviews"
    )
    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="committee_reviews"
    )
    summary = models.TextField(blank=True, help_text="Strengths and what to work on next.")
    met_on = models.DateField(null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "trainee"], name="one_trainee_review")
        ]

    def __str__(self) -> str:
        return f"{self.review.period} review of {self.trainee_id}"


class ReviewComment(models.Model):
    """A comment on a resident's semiannual review, by the resident or the program director.
    Never edited or deleted: a second thought is another comment."""

    trainee_review = models.ForeignKey(
        TraineeReview, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_role = models.CharField(max_length=40)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment by {self.author_role} on {self.trainee_review}"
