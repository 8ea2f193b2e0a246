"""Work-hour logs: what each trainee says they worked, their leave, and what the checker found.

Times are stored as aware datetimes (UTC in the database); the adapter in `record.py` turns them
into the engine's `Record` in the program's time zone. Findings are kept, never deleted: a finding
that no longer shows up after a correction is marked resolved, so a review keeps its subject.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models

from rounds.lib.constraints import DateRange, PostgresExclusion, TsTzRange


class EntryKind(models.TextChoices):
    CLINICAL = "clinical", "Clinical work"
    IN_HOUSE_CALL = "in_house_call", "In-house call"
    EDUCATION = "education", "Education (conference, didactics)"
    HOME_CALL = "home_call", "At-home call (on call, not working)"
    HOME_CALL_WORK = "home_call_work", "Work while on at-home call"
    MOONLIGHTING_INTERNAL = "moonlighting_internal", "Moonlighting, internal"
    MOONLIGHTING_EXTERNAL = "moonlighting_external", "Moonlighting, external"


MOONLIGHTING_KINDS = frozenset({EntryKind.MOONLIGHTING_INTERNAL, EntryKind.MOONLIGHTING_EXTERNAL})
# Being on at-home call is not work: the checker reads these as `home_call` windows.
WINDOW_KINDS = frozenset({EntryKind.HOME_CALL})

# Constraint names the services recognise in an IntegrityError.
PERIOD_NO_OVERLAP = "logged_period_no_overlap"
LEAVE_NO_OVERLAP = "leave_span_no_overlap"


class LoggedPeriod(models.Model):
    """One stretch of time a trainee logged: work of some kind, or a window on at-home call."""

    class Source(models.TextChoices):
        TYPED = "typed", "Entered by hand"
        SCHEDULED = "scheduled", "Worked as scheduled"
        COPIED = "copied", "Copied from an earlier week"
        CLOCK = "clock", "From a time clock (API)"

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="logged_periods"
    )
    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.TYPED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "end"]
        indexes = [models.Index(fields=["trainee", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="logged_period_end_after_start"
            ),
            # No two stretches of work of one trainee share a moment. Ranges are [start, end),
            # so a shift ending at 07:00 and the next starting at 07:00 only touch; a call
            # across midnight is one range. At-home call windows may overlap anything: work
            # done while on home call is logged inside its window.
            PostgresExclusion(
                name=PERIOD_NO_OVERLAP,
                expressions=[
                    ("trainee", RangeOperators.EQUAL),
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=~models.Q(kind__in=sorted(WINDOW_KINDS)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M}"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def is_work(self) -> bool:
        return self.kind not in WINDOW_KINDS


class LeaveSpan(models.Model):
    """Whole days of leave (inclusive); the checker takes them out of the averages."""

    class Kind(models.TextChoices):
        VACATION = "vacation", "Vacation"
        SICK = "sick", "Sick"
        PARENTAL = "parental", "Parental or caregiver leave"
        MEDICAL = "medical", "Medical leave"
        OTHER = "other", "Other leave"

    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="leave")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.VACATION)
    start = models.DateField()
    end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="leave_end_not_before_start"
            ),
            # Leave days are inclusive at both ends: leave ending on the 5th and leave starting
            # on the 5th overlap.
            PostgresExclusion(
                name=LEAVE_NO_OVERLAP,
                expressions=[
                    ("trainee", RangeOperators.EQUAL),
                    (
                        DateRange("start", "end", RangeBoundary(inclusive_upper=True)),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start} to {self.end}"


class WeekConfirmation(models.Model):
    """The trainee says the week is complete (needed for a week with nothing to log)."""

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="confirmed_weeks"
    )
    week_start = models.DateField(help_text="The Monday the week starts on.")
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trainee", "week_start"], name="unique_week_confirm")
        ]

    def __str__(self) -> str:
        return f"week of {self.week_start}"


class Finding(models.Model):
    """A rule the checker found broken (or a warning) in a trainee's log.

    Refreshed on every change to the log. `key` identifies the same finding across refreshes;
    one that disappears gets `resolved_at` instead of being deleted.
    """

    class Severity(models.TextChoices):
        VIOLATION = "violation", "Violation"
        WARNING = "warning", "Warning"

    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="findings")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    rule = models.CharField(max_length=40)
    start = models.CharField(max_length=40, help_text="Local ISO date or date-time.")
    end = models.CharField(max_length=40)
    starts_on = models.DateField(db_index=True)
    detail = models.TextField()
    key = models.CharField(max_length=200)
    first_found_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "key"], name="unique_finding_key")
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.start}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def latest_review(self) -> ViolationReview | None:
        reviews = list(self.reviews.all())
        return reviews[-1] if reviews else None


class ViolationReview(models.Model):
    """A program director's judgement on a finding. Append-only: a new review supersedes."""

    class Outcome(models.TextChoices):
        CONFIRMED = "confirmed", "Violation confirmed; action taken"
        EXCEPTION = "exception", "Approved exception (patient care, education)"
        LOG_ERROR = "log_error", "Logging error; trainee asked to correct"

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} by {self.reviewed_by}"
