"""Conferences and didactics: a program's conference series, their sessions, and who came.

A session's day and times are wall-clock times in the institution's time zone (settings.TIME_ZONE).
Attendance is written only by a check-in with the session's code; an excuse by a coordinator is
kept with its reason. Automatic excuses (nights, post-call, away rotations, leave, not in
training) are not stored: they are read from the schedule whenever a rate is shown, so a schedule
correction corrects the rate too.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models


def institution_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class Series(models.Model):
    """A recurring conference of one program, e.g. Noon report, with its attendance requirement."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="conference_series"
    )
    name = models.CharField(max_length=120)
    required_rate = models.PositiveSmallIntegerField(
        default=70,
        validators=[MaxValueValidator(100)],
        help_text="Percent of the sessions a trainee is expected at that they must attend.",
    )
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program__name", "name"]
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="unique_series_per_program"),
            models.CheckConstraint(
                condition=models.Q(required_rate__lte=100), name="series_rate_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.program})"


class Session(models.Model):
    """One meeting of a series: when, where (a site and room, or a video link), and what."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="sessions")
    day = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    site = models.ForeignKey(
        "core.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    room = models.CharField(max_length=80, blank=True)
    video_url = models.URLField(blank=True)
    topic = models.CharField(max_length=200)
    presenter = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A presenter with an account may show the check-in code.",
    )
    presenter_name = models.CharField(max_length=120, blank=True)
    # The check-in code shown in the room: short, random, from an alphabet without look-alikes.
    code = models.CharField(max_length=8, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="session_ends_after_start",
            ),
            # A recurring pattern run twice over the same dates makes each session once.
            models.UniqueConstraint(
                fields=["series", "day", "start_time"], name="unique_session_per_series_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series.name} {self.day} {self.start_time:%H:%M}"

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.day, self.start_time, tzinfo=institution_zone())

    @property
    def ends_at(self) -> dt.datetime:
        return dt.datetime.combine(self.day, self.end_time, tzinfo=institution_zone())

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def place(self) -> str:
        where = ", ".join(p for p in (self.site.name if self.site else "", self.room) if p)
        if self.video_url:
            return f"{where} and video" if where else "Video"
        return where or "Place not given"

    @property
    def presented_by(self) -> str:
        if self.presenter is not None:
            return self.presenter.full_name
        return self.presenter_name


class Attendance(models.Model):
    """A trainee checked in to a session with its code (once: the database refuses a second)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    checked_in_at = models.DateTimeField()

    class Meta:
        ordering = ["checked_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], name="one_check_in_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.trainee} at {self.session}"


class Excuse(models.Model):
    """A coordinator's excuse for one trainee from one session, with the reason (audited)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="excuses")
    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], name="one_excuse_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.trainee} excused from {self.session}: {self.reason}"


class CheckInAttempt(models.Model):
    """A refused check-in (wrong code, or outside the session's window), kept for the throttle's
    window only (rounds/conferences/services.py): the code typed is not kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"refused check-in at {self.created_at:%Y-%m-%d %H:%M}"
