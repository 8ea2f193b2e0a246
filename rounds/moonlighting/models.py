"""Moonlighting: a trainee's request to work outside the program, its two-step approval, and the
link from a logged moonlighting entry to the approval it relies on.

A request moves: waiting for the program director -> waiting for the GME office -> approved;
either step may decline it, the trainee may withdraw it while it waits, and the director may
revoke an approval. What happened is kept as decisions (append-only), so the history of a
request is never rewritten; the request's `status` is where it stands now.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models


class MoonlightingRequest(models.Model):
    class Setting(models.TextChoices):
        INTERNAL = "internal", "Internal: a site of this institution"
        EXTERNAL = "external", "External: another employer"

    class Status(models.TextChoices):
        AWAITING_DIRECTOR = "awaiting_director", "Waiting for the program director"
        AWAITING_GME = "awaiting_gme", "Waiting for the GME office"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REVOKED = "revoked", "Revoked"

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="moonlighting_requests"
    )
    setting = models.CharField(max_length=10, choices=Setting.choices)
    where = models.CharField(max_length=160, help_text="The site or employer, in words.")
    start = models.DateField()
    end = models.DateField()
    weekly_pattern = models.CharField(max_length=160, blank=True)
    max_hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField()
    licence = models.ForeignKey(
        "record.Credential", on_delete=models.RESTRICT, related_name="moonlighting_requests"
    )
    statement = models.TextField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_DIRECTOR
    )
    # The last day a revoked approval covered (the day it was revoked).
    revoked_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["trainee", "status", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="moonlighting_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Moonlighting at {self.where}, {self.start} to {self.end}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.AWAITING_DIRECTOR, self.Status.AWAITING_GME)

    def last_covered_day(self) -> date | None:
        """The last day this request lets the trainee moonlight, or None if it never did."""
        if self.status == self.Status.APPROVED:
            return self.end
        if self.status == self.Status.REVOKED and self.revoked_on is not None:
            return min(self.end, self.revoked_on)
        return None

    def covers(self, day: date) -> bool:
        """The one rule for "approved moonlighting on this day": an approval covers its dates,
        through its end date (then it has expired), and a revoked one up to the day of
        revocation (moonlighting done while it was approved stays approved)."""
        last = self.last_covered_day()
        return last is not None and self.start <= day <= last

    def standing_on(self, day: date) -> str:
        """The status in words as of `day` (an approval past its end date has expired)."""
        if self.status == self.Status.APPROVED and self.end < day:
            return "Expired"
        return self.get_status_display()


class MoonlightingDecision(models.Model):
    """One step in a request's history: who did what, when, and their note or reason."""

    class Action(models.TextChoices):
        DIRECTOR_APPROVED = "director_approved", "Approved by the program director"
        GME_APPROVED = "gme_approved", "Approved by the GME office"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn by the trainee"
        REVOKED = "revoked", "Revoked by the program director"

    request = models.ForeignKey(
        MoonlightingRequest, on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.request_id})"


class MoonlightingEntry(models.Model):
    """A logged moonlighting period and the approval it was logged against (kept here, not on
    the work-hours model, so the work-hours log stays as it is)."""

    period = models.OneToOneField(
        "workhours.LoggedPeriod", on_delete=models.CASCADE, related_name="moonlighting"
    )
    request = models.ForeignKey(
        MoonlightingRequest, on_delete=models.RESTRICT, related_name="entries"
    )

    def __str__(self) -> str:
        return f"period {self.period_id} under request {self.request_id}"
