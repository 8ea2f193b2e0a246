"""Speaking up: a concern raised with the GME office, by name or anonymously, and its thread.

An anonymous concern stores no link to whoever raised it: no user, no person, no session, and a
date rather than a time. The reporter returns with a code only they hold; the database keeps a
SHA-256 digest of it, so the stored row cannot be turned back into the link.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

# No 0/O or 1/I: references are read aloud and typed.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """A random reference, so that references say nothing about how many concerns came before
    or in which order (a sequential number would)."""
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"C-{raw[:4]}-{raw[4:]}"


class ConcernHandler(models.Model):
    """A GME office user designated to read and answer concerns. Both are needed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concern_handler"
    )

    def __str__(self) -> str:
        return f"concern handler {self.user}"


class Concern(models.Model):
    class Category(models.TextChoices):
        MISTREATMENT = "mistreatment", "Mistreatment (harassment, discrimination, humiliation)"
        WORKLOAD = "workload", "Workload or work hours"
        SAFETY = "safety", "Patient or personal safety"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "In conversation"
        CLOSED = "closed", "Closed"

    category = models.CharField(max_length=15, choices=Category.choices)
    subject = models.CharField(max_length=150)
    # Optional and coarse on purpose: naming a small program can identify a reporter.
    program = models.ForeignKey(
        "core.Program", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    anonymous = models.BooleanField(default=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only when raised by name.",
    )
    code_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    # Handlers are told of new messages once a day, never at the moment one arrives: the email's
    # time would otherwise time-stamp the reporter's act.
    office_notice_due = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    raised_on = models.DateField()

    class Meta:
        # Within a day, by the random reference: never the order in which they arrived.
        ordering = ["status", "-raised_on", "reference"]

    def __str__(self) -> str:
        return f"Concern {self.reference}: {self.subject}"


class ConcernMessage(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    from_office = models.BooleanField(default=False)
    # Set only for messages from the GME office; a reporter's messages carry no author.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    sent_on = models.DateField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"message on {self.concern}"
