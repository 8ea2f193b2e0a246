"""Mentorship (profiles, matching cycles, pairs, goals, meetings) and confidential coaching.

Privacy by placement: a re-match request lives in its own table that only the coordinator and GME
office read; a coaching note points at its trainee and nothing else, and only that trainee's
pages ever query it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

CAREER_PATHS = [
    ("academic medicine", "Academic medicine"),
    ("clinical practice", "Clinical practice"),
    ("fellowship", "Fellowship training"),
    ("research", "Research / physician-scientist"),
    ("hospital medicine", "Hospital medicine"),
    ("primary care", "Primary care"),
    ("global health", "Global health"),
    ("medical education", "Medical education"),
    ("leadership", "Leadership and administration"),
    ("community health", "Community and public health"),
]
IDENTITIES = [
    ("URiM", "Underrepresented in medicine (URiM)"),
    ("first generation", "First-generation physician or college graduate"),
    ("parent in training", "Parent during training"),
    ("international graduate", "International medical graduate"),
    ("LGBTQ+", "LGBTQ+"),
    ("veteran", "Military veteran"),
]


class MentorProfile(models.Model):
    """A faculty member or senior trainee who offers to mentor."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="mentor_profile"
    )
    specialty = models.ForeignKey(
        "core.Specialty", on_delete=models.SET_NULL, null=True, blank=True
    )
    clinical_interests = models.JSONField(default=list, blank=True)
    research_interests = models.JSONField(default=list, blank=True)
    career_paths = models.JSONField(default=list, blank=True)
    identities = models.JSONField(
        default=list,
        blank=True,
        help_text="Self-described, optional, shown to mentees so they can ask for it.",
    )
    capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MaxValueValidator(12)], help_text="Mentees at a time."
    )
    accepting = models.BooleanField(default=True, help_text="Open to new mentees this year.")
    bio = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name"]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def interests(self) -> list[str]:
        return list(dict.fromkeys([*self.clinical_interests, *self.research_interests]))

    @property
    def is_trainee(self) -> bool:
        return self.person.kind == "trainee"


class Cycle(models.Model):
    """One round of matching, opened by a program (or the institution, program empty)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for sign-up"
        CLOSED = "closed", "Closed, matching"
        PUBLISHED = "published", "Published"

    class Mode(models.TextChoices):
        AUTO = "auto", "Stable when both sides ranked, else best fit"
        STABLE = "stable", "Stable (ranked preferences)"
        OPTIMAL = "optimal", "Best overall fit, fairest to the worst-off"

    name = models.CharField(max_length=120)
    program = models.ForeignKey(
        "core.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentoring_cycles",
        help_text="Empty: open to trainees of every program.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.AUTO)
    signup_closes = models.DateField(null=True, blank=True)
    instructions = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True)
    problem = models.JSONField(default=dict, blank=True, help_text="Matcher input, kept.")
    result = models.JSONField(default=dict, blank=True, help_text="Matcher output, kept.")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mentoring:cycle", args=[self.pk])

    @property
    def scope(self) -> str:
        return str(self.program) if self.program_id else "All programs"


class CycleMentor(models.Model):
    """A mentor taking part in one cycle, with that cycle's capacity and preferences."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="mentors")
    profile = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="cycles")
    capacity = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(12)])
    # application id (as text) -> 1..5; 0 means "please not this mentee"
    ratings = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "profile"], name="unique_cycle_mentor")
        ]

    def __str__(self) -> str:
        return f"{self.profile} in {self.cycle}"


class Application(models.Model):
    """A mentee's sign-up for one cycle: what they want, and how they rate the mentors."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="applications")
    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="mentoring_applications"
    )
    interests = models.JSONField(default=list, blank=True)
    career_paths = models.JSONField(default=list, blank=True)
    # [{"kind": "identity", "value": "URiM", "strength": "must"}, ...] (engine Wish)
    wishes = models.JSONField(default=list, blank=True)
    ranking = models.JSONField(default=list, blank=True, help_text="Profile ids, best first.")
    # profile id (as text) -> 1..5; 0 means "please not this mentor"
    ratings = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "trainee"], name="unique_application")
        ]

    def __str__(self) -> str:
        return f"{self.trainee.person} in {self.cycle}"


class Pair(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, null=True, blank=True, related_name="pairs"
    )
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="pairs")
    mentee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="mentors")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    fit = models.IntegerField(default=0)
    explanation = models.TextField(blank=True)
    by_hand = models.BooleanField(default=False)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["mentee__person__last_name", "pk"]

    def __str__(self) -> str:
        return f"{self.mentor} mentoring {self.mentee.person}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:pair", args=[self.pk])


class Goal(models.Model):
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    target_date = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done", "target_date", "pk"]

    def __str__(self) -> str:
        return self.text


class Meeting(models.Model):
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    topics = models.TextField(blank=True, help_text="Shared by both of you.")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"meeting on {self.date}"


class RematchRequest(models.Model):
    """Either side asking, privately, for a different match. Never shown to the other side."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="rematch_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    side = models.CharField(max_length=10, choices=[("mentee", "Mentee"), ("mentor", "Mentor")])
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["resolved_at", "-created_at"]

    def __str__(self) -> str:
        return f"re-match request on pair {self.pair_id}"


class Coach(models.Model):
    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="coach")
    trained_on = models.DateField(help_text="When coach training was completed.")
    training = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["person__last_name"]
        verbose_name_plural = "coaches"

    def __str__(self) -> str:
        return str(self.person)


class CoachingSlot(models.Model):
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(
        default=45, validators=[MinValueValidator(15), MaxValueValidator(180)]
    )
    where = models.CharField(max_length=200, help_text="Room, or 'video link sent by email'.")
    booked_by = models.ForeignKey(
        "people.Trainee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coaching_sessions",
    )
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["coach", "starts_at"], name="unique_coach_slot")
        ]

    def __str__(self) -> str:
        return f"{self.coach} at {self.starts_at:%Y-%m-%d %H:%M}"


class CoachingNote(models.Model):
    """The trainee's own notes. Only the trainee's own pages read this table."""

    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, related_name="coaching_notes"
    )
    session = models.ForeignKey(
        CoachingSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"coaching note {self.pk}"
