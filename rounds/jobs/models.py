"""A job is long work (an import, a solve) run by a worker, with progress its starter can watch."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = frozenset({Status.SUCCEEDED, Status.FAILED, Status.CANCELLED})

    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    progress = models.FloatField(default=0.0, help_text="Fraction done, 0 to 1.")
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Which worker process runs the job, and when it last showed it was alive: a running job
    # whose heartbeat stops is marked failed by the sweep (`job_sweep_stale`).
    worker = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # How many times the sweep queued it again after its worker died (at most once, and only for
    # kinds safe to run twice); a failed job its starter may start again says so in `result`.
    requeues = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("staff:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    @property
    def can_retry(self) -> bool:
        """Failed for a reason outside the job (its worker or its database went away), so
        starting it again may well succeed; not yet started again."""
        return (
            self.status == self.Status.FAILED
            and bool(self.result.get("retryable"))
            and not self.result.get("retried_as")
        )

    @property
    def is_silent(self) -> bool:
        """Running, but its worker has not beaten for longer than the sweep allows: likely dead,
        and about to be marked failed."""
        if self.status != self.Status.RUNNING or self.heartbeat_at is None:
            return False
        stale = dt.timedelta(seconds=settings.JOBS_STALE_SECONDS)
        return timezone.now() - self.heartbeat_at > stale
