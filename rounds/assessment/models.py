"""Who supervised whom, evaluation forms, requests generated from the schedules, and answers.

- A teaching assignment says which faculty member attends a rotation (a service at a site) on
  which days; with the published rotation and call schedules it gives contact time.
- A form belongs to a program and one kind of evaluator; its items live in numbered versions.
  A published version is never edited: a change is a new version, and every answer points at
  the version it answered.
- Requests are made by `requests_generate` from the schedules, never by hand. Each unit of
  work the generator considered (a trainee's block on a rotation, N shifts with a faculty
  member) is a `RequestSource` with a unique key, so running it twice makes nothing new, and a
  source that lands on an open request for the same evaluator and subject is merged into it.
- An evaluation is one answered request (one-to-one: the database refuses a second answer).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q


class EvaluatorKind(models.TextChoices):
    FACULTY_OF_TRAINEE = "faculty_of_trainee", "Faculty evaluates trainee"
    TRAINEE_OF_FACULTY = "trainee_of_faculty", "Trainee evaluates faculty"
    TRAINEE_OF_ROTATION = "trainee_of_rotation", "Trainee evaluates rotation"
    PEER = "peer", "Peer evaluates trainee"
    SELF = "self", "Self-evaluation"
    STAFF = "staff", "Nurse or other staff evaluates trainee"
    PATIENT = "patient", "Patient evaluates trainee"


# Evaluations the evaluated person reads only as aggregates (trainees judging those who grade
# them), and evaluators whose names a trainee never sees (peers, staff and patients).
ANONYMOUS_TO_EVALUATED = frozenset(
    {EvaluatorKind.TRAINEE_OF_FACULTY, EvaluatorKind.TRAINEE_OF_ROTATION}
)
UNNAMED_EVALUATORS = frozenset({EvaluatorKind.PEER, EvaluatorKind.STAFF, EvaluatorKind.PATIENT})
ABOUT_TRAINEE = frozenset(
    {
        EvaluatorKind.FACULTY_OF_TRAINEE,
        EvaluatorKind.PEER,
        EvaluatorKind.SELF,
        EvaluatorKind.STAFF,
        EvaluatorKind.PATIENT,
    }
)
# Kinds answered through a one-time link, without an account.
BY_LINK = frozenset({EvaluatorKind.STAFF, EvaluatorKind.PATIENT})


class TeachingAssignment(models.Model):
    """A faculty member attending a rotation from `first_day` to `last_day` (a week or a day)."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="teaching_assignments"
    )
    faculty = models.ForeignKey(
        "people.Faculty", on_delete=models.CASCADE, related_name="teaching_assignments"
    )
    rotation = models.ForeignKey(
        "schedules.Rotation", on_delete=models.CASCADE, related_name="teaching_assignments"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["first_day", "rotation", "faculty"]
        indexes = [models.Index(fields=["rotation", "first_day", "last_day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="teaching_days_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.faculty} on {self.rotation} {self.first_day}–{self.last_day}"

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


class ProgramEvaluationSettings(models.Model):
    """How a program's requests are made. A program without a row uses the defaults."""

    class Trigger(models.TextChoices):
        BLOCK_END = "block_end", "At the end of each rotation block"
        SHIFTS = "shifts", "After a number of shifts together"

    program = models.OneToOneField(
        "core.Program", on_delete=models.CASCADE, related_name="evaluation_settings"
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.BLOCK_END)
    shifts_together = models.PositiveSmallIntegerField(
        default=6, help_text="With the shifts trigger: a request after this many shifts together."
    )
    min_contact_days = models.PositiveSmallIntegerField(
        default=5, help_text="A faculty member is asked only after this many days together."
    )
    monthly_cap = models.PositiveSmallIntegerField(
        default=8, help_text="Most requests an evaluator receives per month."
    )
    remind_every_days = models.PositiveSmallIntegerField(default=4)
    expire_after_days = models.PositiveSmallIntegerField(default=21)
    release_after_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days before a trainee reads an evaluation about them."
    )
    aggregate_delay_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Trainees' evaluations of faculty and rotations count in aggregates only "
        "after this many days, so timing does not tell who wrote what.",
    )

    def __str__(self) -> str:
        return f"evaluation settings of {self.program}"


class EvaluationForm(models.Model):
    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="evaluation_forms"
    )
    name = models.CharField(max_length=120)
    evaluator_kind = models.CharField(max_length=24, choices=EvaluatorKind.choices)
    rotation = models.ForeignKey(
        "schedules.Rotation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: used for every rotation without a form of its own.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "evaluator_kind", "name"]

    def __str__(self) -> str:
        return self.name

    def published_version(self) -> FormVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class FormVersion(models.Model):
    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="unique_form_version")
        ]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class FormItem(models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", "Rating scale"
        YES_NO = "yes_no", "Yes / no"
        NARRATIVE = "narrative", "Narrative"

    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=300)
    help = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    scale_min = models.DecimalField(max_digits=3, decimal_places=1, default=1)
    scale_max = models.DecimalField(max_digits=3, decimal_places=1, default=5)
    scale_step = models.DecimalField(
        max_digits=3, decimal_places=1, default=1, help_text="0.5 allows the in-between levels."
    )
    allow_not_assessable = models.BooleanField(
        default=False, help_text='Offer "not yet assessable" (a milestone item).'
    )
    low_label = models.CharField(max_length=80, blank=True)
    high_label = models.CharField(max_length=80, blank=True)
    subcompetency = models.ForeignKey(
        "milestones.Subcompetency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The milestone subcompetency this rating maps to (levels 1-5 in half steps).",
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="unique_item_position")
        ]

    def __str__(self) -> str:
        return self.text


class EvaluationRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        COMPLETED = "completed", "Completed"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    program = models.ForeignKey("core.Program", on_delete=models.CASCADE, related_name="+")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="requests")
    evaluator_kind = models.CharField(max_length=24, choices=EvaluatorKind.choices)
    evaluator = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluation_requests",
        help_text="Empty for a one-time link (nurse, staff, patient).",
    )
    evaluator_label = models.CharField(
        max_length=120, blank=True, help_text="Who holds a one-time link, e.g. 'Nurse, 5 West'."
    )
    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    faculty = models.ForeignKey(
        "people.Faculty", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rotation = models.ForeignKey(
        "schedules.Rotation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    month = models.DateField(help_text="First day of the month the cap counts it in.")
    contact_days = models.PositiveSmallIntegerField(default=0)
    contact_shifts = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_on = models.DateField()
    expires_on = models.DateField()
    reminded_on = models.DateField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField(default=0)
    draft = models.JSONField(default=dict, blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_on", "pk"]
        indexes = [
            models.Index(fields=["evaluator", "status"]),
            models.Index(fields=["evaluator", "month"]),
            models.Index(fields=["status", "expires_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_evaluator_kind_display()}: {self.subject_name}"

    @property
    def subject_name(self) -> str:
        if self.evaluator_kind == EvaluatorKind.TRAINEE_OF_ROTATION and self.rotation:
            return str(self.rotation)
        if self.evaluator_kind == EvaluatorKind.TRAINEE_OF_FACULTY and self.faculty:
            return self.faculty.person.full_name
        return self.trainee.person.full_name if self.trainee else ""

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING


class RequestSource(models.Model):
    """One unit of supervised work the generator considered, so no unit is counted twice.

    `key` names it (kind, people, period); `request` is the request it made or was merged into,
    or empty when the evaluator's monthly cap held it back (`outcome`)."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created a request"
        MERGED = "merged", "Merged into an open request"
        CAPPED = "capped", "Held back by the monthly cap"
        NOT_IN_TRAINING = "not_in_training", "Trainee no longer in training"

    key = models.CharField(max_length=160, unique=True)
    request = models.ForeignKey(
        EvaluationRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="sources"
    )
    program = models.ForeignKey("core.Program", on_delete=models.CASCADE, related_name="+")
    evaluator = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    considered_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.key}: {self.outcome}"


class OneTimeLink(models.Model):
    """A link for someone without an account. Only a digest of the token is stored; the link
    works once (`used_at`) and until `expires_at`, and opens this one request only."""

    request = models.OneToOneField(EvaluationRequest, on_delete=models.CASCADE, related_name="link")
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"one-time link for request {self.request_id}"


class Evaluation(models.Model):
    """An answered request. One per request: a second submit is refused by the database too."""

    request = models.OneToOneField(
        EvaluationRequest, on_delete=models.PROTECT, related_name="evaluation"
    )
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    submitted_on = models.DateField()
    released_on = models.DateField(help_text="From this day a trainee evaluated reads it.")
    comments = models.TextField(blank=True, help_text="All narrative answers, for evidence.")

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"evaluation for {self.request}"


class Answer(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(FormItem, on_delete=models.PROTECT, related_name="answers")
    rating = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    not_assessable = models.BooleanField(default=False)
    yes_no = models.BooleanField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["evaluation", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="unique_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"answer to {self.item}"
