"""Case and procedure logs: what a trainee did, in which role, verified by the faculty who
supervised it (docs/case-logs.md).

A specialty's procedures and their minimums are data (`data/procedures.csv`, loaded by
`manage.py load_procedures`). A log entry is the trainee's word until its supervising faculty
verifies it; from then on it is locked: a mistake in it is corrected by a new entry that names
the one it corrects, and which replaces it in the counts once verified itself. Nothing verified
is ever edited or deleted, so the counts of any past day can be explained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseRole(models.TextChoices):
    """The trainee's part in a procedure, least to most (a minimum counts its role and above)."""

    OBSERVED = "observed", "Observed"
    ASSISTED = "assisted", "Assisted"
    PERFORMED = "performed", "Performed"
    SUPERVISED = "supervised", "Supervised or taught"


ROLE_ORDER = [CaseRole.OBSERVED, CaseRole.ASSISTED, CaseRole.PERFORMED, CaseRole.SUPERVISED]


def roles_at_least(role: str) -> list[str]:
    """The roles that count towards a minimum for `role`: a procedure taught was performed too."""
    return [str(r) for r in ROLE_ORDER[ROLE_ORDER.index(CaseRole(role)) :]]


class Procedure(models.Model):
    specialty = models.ForeignKey(
        "core.Specialty", on_delete=models.PROTECT, related_name="procedures"
    )
    code = models.SlugField(max_length=60, help_text="Stable name in the data file.")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=80, blank=True)
    # Procedures dropped from the data file stay for the entries that name them, but are no
    # longer offered when logging.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["specialty", "category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["specialty", "code"], name="procedure_code_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Minimum(models.Model):
    """ "By the end of PGY-3: 5 performed" (entries with that role or above count)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="minimums")
    role = models.CharField(max_length=12, choices=CaseRole.choices)
    by_pgy = models.PositiveSmallIntegerField(help_text="Due by the end of this training year.")
    count = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["by_pgy", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "role", "by_pgy"], name="minimum_once_per_role_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure}: {self.count} {self.role} by end of PGY-{self.by_pgy}"


class CaseLog(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for verification"
        VERIFIED = "verified", "Verified"
        RETURNED = "returned", "Returned"

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="case_logs"
    )
    day = models.DateField()
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="logs")
    role = models.CharField(max_length=12, choices=CaseRole.choices)
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supervisor = models.ForeignKey(
        "people.Faculty", on_delete=models.PROTECT, related_name="supervised_case_logs"
    )
    note = models.CharField(max_length=300, blank=True, help_text="No patient identifiers.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    logged_at = models.DateTimeField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.CharField(max_length=300, blank=True, help_text="Why it was returned.")

    class Meta:
        ordering = ["-day", "-pk"]
        indexes = [
            models.Index(fields=["supervisor", "status"]),
            models.Index(fields=["trainee", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.procedure} ({self.role}) on {self.day}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.VERIFIED
