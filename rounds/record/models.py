"""The training record: letters that verify a trainee's training, and credentials that expire.

A verification letter is a document as issued: its facts are frozen when the director signs it
(so the public check confirms what the letter says, even after the record moves on), its PDF is
kept as issued, and its verification code is stored only as a SHA-256 digest. The code has 100
random bits, so the digest cannot be reversed by trying codes, and a database copy does not give
anyone a working code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class VerificationLetter(models.Model):
    class Kind(models.TextChoices):
        COMPLETION = "completion", "Certificate of completion of training"
        VERIFICATION = "verification", "Verification of training"

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="verification_letters"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    facts = models.JSONField(help_text="What the letter states, frozen when it was signed.")
    code_digest = models.CharField(max_length=64, unique=True)
    # The sign-off: the program director who signed, and when (an audit entry records it too).
    # The name is kept as signed: the letter still says who signed after the account is gone.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signer_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    issued_on = models.DateField(help_text="The letter's date, in the institution's time zone.")
    pdf = models.BinaryField()

    class Meta:
        ordering = ["-signed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.facts.get('name', '?')} ({self.issued_on})"


class VerifyAttempt(models.Model):
    """A look-up on the public verification page, noted to throttle guessing (keyed digest of
    the address only; which code was tried is not kept)."""

    address_digest = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"verify look-up at {self.created_at:%Y-%m-%d %H:%M}"


class CredentialType(models.Model):
    """A licence, certification or visa a trainee may hold (data: the office adds its own)."""

    class Kind(models.TextChoices):
        LICENCE = "licence", "Licence"
        CERTIFICATION = "certification", "Certification"
        VISA = "visa", "Visa"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=14, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class CredentialRequirement(models.Model):
    """A credential every trainee of a program must hold while in training."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="credential_requirements"
    )
    credential_type = models.ForeignKey(CredentialType, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "credential_type"], name="unique_credential_requirement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} requires {self.credential_type}"


class Credential(models.Model):
    """One licence, certification or visa a trainee holds; a renewal is a new row."""

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="credentials"
    )
    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="credentials"
    )
    number = models.CharField(max_length=60)
    issuer = models.CharField(max_length=120)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["credential_type__name", "-expires_on"]
        indexes = [models.Index(fields=["trainee", "credential_type", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.credential_type} of {self.trainee_id}, expires {self.expires_on}"


class CredentialAlert(models.Model):
    """An expiry alert sent: one per credential and threshold (so the daily command, run twice
    or after a missed day, sends each alert once)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="alerts")
    threshold_days = models.PositiveSmallIntegerField()
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential", "threshold_days"], name="unique_credential_alert"
            )
        ]

    def __str__(self) -> str:
        return f"{self.threshold_days}-day alert for credential {self.credential_id}"


class OnboardingItem(models.Model):
    """One thing an incoming trainee must do before starting: for one program, or for every
    incoming trainee of the institution (no program)."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Document to upload"
        FORM = "form", "Form to sign"
        MODULE = "module", "Training module"
        ACCESS = "access", "Badge or system access"

    program = models.ForeignKey(
        "core.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="onboarding_items",
        help_text="Empty: every incoming trainee of the institution.",
    )
    # A site's badge and EHR access: given to each trainee before their first day at that site,
    # from the published rotation schedule (rounds/record/site_access.py), not to every intern.
    site = models.ForeignKey(
        "core.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="onboarding_items",
        help_text="Set: a site's badge or EHR access, assigned from the rotation schedule.",
    )
    title = models.CharField(max_length=160)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    instructions = models.CharField(max_length=400, blank=True)
    days_before_start = models.PositiveSmallIntegerField(
        default=14, help_text="Due this many days before the trainee's first day."
    )

    class Meta:
        ordering = ["days_before_start", "title"]

    def __str__(self) -> str:
        return self.title


class OnboardingTask(models.Model):
    """An onboarding item assigned to one incoming trainee, with its due date. A document is
    kept in the database (like imports' uploads): it has no URL and is served only through a
    view that checks who asks."""

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="onboarding_tasks"
    )
    item = models.ForeignKey(OnboardingItem, on_delete=models.CASCADE, related_name="tasks")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=130, blank=True)
    file_type = models.CharField(max_length=40, blank=True)
    file_data = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "item__title"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "item"], name="unique_onboarding_task")
        ]

    def __str__(self) -> str:
        return f"{self.item} for trainee {self.trainee_id}"


class OnboardingReminder(models.Model):
    """A reminder sent about one onboarding task at one threshold (due in a week, due in two
    days, overdue): once each, so the daily command run twice or after a missed day sends each
    reminder once (rounds/record/reminders.py)."""

    task = models.ForeignKey(OnboardingTask, on_delete=models.CASCADE, related_name="reminders")
    threshold_days = models.SmallIntegerField()
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "threshold_days"], name="unique_onboarding_reminder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.threshold_days}-day reminder for onboarding task {self.task_id}"
