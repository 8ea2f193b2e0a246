"""Rotation (block) schedules and call schedules.

A program's academic year is cut into blocks. Rotations are a service at a site; a rotation may take
trainees from several programs, and its capacity holds across all of them. A rotation schedule is a
numbered version per program and year: drafts are edited, a published version never changes, and a
change is a new version that says why.
"""

from __future__ import annotations

import secrets
from datetime import date, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

if TYPE_CHECKING:
    from rounds.core.models import Program


class Block(models.Model):
    """One block of a program's academic year (July 1 to June 30; `academic_year` = its July)."""

    class Scheme(models.TextChoices):
        FOUR_WEEK = "four_week", "13 four-week blocks"
        MONTH = "month", "12 calendar months"

    program = models.ForeignKey("core.Program", on_delete=models.CASCADE, related_name="blocks")
    academic_year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    scheme = models.CharField(max_length=10, choices=Scheme.choices, default=Scheme.FOUR_WEEK)
    start = models.DateField()
    end = models.DateField(help_text="Last day, inclusive.")

    class Meta:
        ordering = ["program", "academic_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "academic_year", "number"], name="unique_block_number"
            )
        ]

    def __str__(self) -> str:
        return f"Block {self.number} ({self.start:%b %-d} – {self.end:%b %-d})"

    @property
    def label(self) -> str:
        return f"Block {self.number}"

    def half_range(self, half: int) -> tuple[date, date]:
        """Days covered by half 0 (whole block), 1 (first half) or 2 (second half)."""
        days = (self.end - self.start).days + 1
        split = self.start + timedelta(days=days // 2)
        if half == 1:
            return self.start, split - timedelta(days=1)
        if half == 2:
            return split, self.end
        return self.start, self.end


class Rotation(models.Model):
    """A service at a site. Shared rotations list several programs; `capacity` holds across them."""

    class Kind(models.TextChoices):
        CLINICAL = "clinical", "Clinical"
        NIGHT_FLOAT = "night_float", "Night float"
        AMBULATORY = "ambulatory", "Ambulatory"
        ELECTIVE = "elective", "Elective"
        RESEARCH = "research", "Research"
        VACATION = "vacation", "Vacation"

    name = models.CharField(max_length=120, help_text="e.g. MICU, Night float, Cardiology consults")
    service = models.CharField(max_length=120, help_text="The clinical service, e.g. Medicine ICU.")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="rotations")
    programs: models.ManyToManyField[Program, RotationProgram] = models.ManyToManyField(
        "core.Program", through="RotationProgram", related_name="rotations"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CLINICAL)
    group = models.CharField(
        max_length=60, blank=True, help_text="Curriculum group, e.g. ICU, Elective, Night float."
    )
    capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most trainees per block from all programs together."
    )
    day_start = models.TimeField(default=time(7, 0))
    day_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(28)],
        help_text="Default hours per working day, used until a call schedule says otherwise.",
    )
    works_weekends = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_rotation_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"

    @property
    def is_off(self) -> bool:
        return self.kind == self.Kind.VACATION


class RotationProgram(models.Model):
    """A program's use of a rotation: who may go (PGY levels) and how many per block."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="uses")
    program = models.ForeignKey("core.Program", on_delete=models.CASCADE, related_name="+")
    min_pgy = models.PositiveSmallIntegerField(default=1)
    max_pgy = models.PositiveSmallIntegerField(default=10)
    min_per_block = models.PositiveSmallIntegerField(default=0)
    max_per_block = models.PositiveSmallIntegerField(null=True, blank=True)
    half_blocks = models.BooleanField(
        default=False,
        help_text="This program's trainees may take it for half a block (two weeks at a time).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rotation", "program"], name="unique_rotation_program")
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.rotation}"

    def eligible(self, pgy: int) -> bool:
        return self.min_pgy <= pgy <= self.max_pgy


class CurriculumRequirement(models.Model):
    """At least `min_blocks`, at most `max_blocks` of a rotation (or a group) for a PGY level."""

    program = models.ForeignKey("core.Program", on_delete=models.CASCADE, related_name="curriculum")
    pgy = models.PositiveSmallIntegerField()
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, null=True, blank=True)
    group = models.CharField(max_length=60, blank=True)
    min_blocks = models.PositiveSmallIntegerField(default=0)
    max_blocks = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["program", "pgy", "pk"]

    def __str__(self) -> str:
        return self.sentence

    @property
    def target(self) -> str:
        return self.rotation.name if self.rotation_id and self.rotation else f"{self.group} group"

    @property
    def sentence(self) -> str:
        parts = []
        if self.min_blocks:
            parts.append(f"at least {self.min_blocks}")
        if self.max_blocks is not None:
            parts.append(f"at most {self.max_blocks}")
        return f"PGY-{self.pgy}: {' and '.join(parts) or 'any'} blocks of {self.target}"


class VacationRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trainee", "block"], name="unique_vacation_request")
        ]

    def __str__(self) -> str:
        return f"{self.trainee.person}: vacation in {self.block.label} ({self.status})"


class FixedAssignment(models.Model):
    """A placement decided before solving (a away rotation, a required site visit)."""

    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="+")
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["trainee", "block"], name="unique_fixed_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.trainee.person}: {self.rotation.name} in {self.block.label}"


class Preference(models.Model):
    """A trainee's wish for (weight > 0) or against (< 0) a rotation, optionally in one block."""

    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="+")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, null=True, blank=True)
    weight = models.SmallIntegerField(validators=[MinValueValidator(-10), MaxValueValidator(10)])

    def __str__(self) -> str:
        when = f" in {self.block.label}" if self.block_id and self.block else ""
        return f"{self.trainee.person}: {self.rotation.name}{when} ({self.weight:+d})"


class ScheduleVersion(models.Model):
    """What every version of a schedule keeps: draft, then published (never edited again), then
    superseded by the next published one; why it was made, by whom, and an edit counter. Each
    model adds its own `based_on` (the version it was made from)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Superseded"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    reason = models.CharField(max_length=300, blank=True)
    revision = models.PositiveIntegerField(
        default=0, help_text="Raised by every edit, so two editors never overwrite each other."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class RotationSchedule(ScheduleVersion):
    """One version of a program's year. Published versions are never edited."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="rotation_schedules"
    )
    academic_year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(help_text="Version number within program and year.")
    # Declared on each model, not on the base, so that it is typed as this model.
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    solve_input = models.JSONField(default=dict, blank=True)
    solve_result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["program", "-academic_year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "academic_year", "number"], name="unique_schedule_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.academic_year}–{self.academic_year + 1} v{self.number}"


class RotationAssignment(models.Model):
    """Where one trainee is in one block (or half of it, `half` 1 or 2) in one version."""

    schedule = models.ForeignKey(
        RotationSchedule, on_delete=models.CASCADE, related_name="assignments"
    )
    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="+")
    half = models.PositiveSmallIntegerField(default=0, help_text="0 whole block, 1 or 2 a half.")
    rotation = models.ForeignKey(Rotation, on_delete=models.PROTECT, related_name="+")
    locked = models.BooleanField(default=False)
    correction = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why history was corrected here: a started cell changes only with a reason.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "trainee", "block", "half"], name="unique_assignment_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trainee.person}: {self.rotation.name} in {self.block.label}"


class CallSchedule(ScheduleVersion):
    """A program's call/shift schedule for one month, built by the roster engine."""

    program = models.ForeignKey(
        "core.Program", on_delete=models.CASCADE, related_name="call_schedules"
    )
    month = models.DateField(help_text="First day of the month.")
    number = models.PositiveSmallIntegerField(default=1)
    # Declared on each model, not on the base, so that it is typed as this model.
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    problem = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["program", "-month", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "month", "number"], name="unique_call_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.program} call {self.month:%B %Y} v{self.number}"


class CallAssignment(models.Model):
    """One shift of one trainee: an in-house call, a night, a day on a service, home call."""

    class Kind(models.TextChoices):
        CLINICAL = "clinical", "Clinical"
        IN_HOUSE_CALL = "in_house_call", "In-house call"
        EDUCATION = "education", "Education"
        HOME_CALL = "home_call", "At-home call"

    schedule = models.ForeignKey(CallSchedule, on_delete=models.CASCADE, related_name="shifts")
    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    start = models.DateTimeField()
    end = models.DateTimeField()
    kind = models.CharField(max_length=14, choices=Kind.choices)
    label = models.CharField(max_length=80)
    service = models.CharField(max_length=120, blank=True)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    locked = models.BooleanField(
        default=False, help_text="Kept as it is when the rest of the month is solved again."
    )
    correction = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why history was corrected here: a started day changes only with a reason.",
    )

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["start", "end"])]

    def __str__(self) -> str:
        return f"{self.trainee.person}: {self.label} {self.start:%Y-%m-%d %H:%M}"


class CallRequest(models.Model):
    """A trainee's wish for a call month: a day off, or a day they would take call."""

    class Kind(models.TextChoices):
        OFF = "off", "Day off"
        ON = "on", "Would work"

    trainee = models.ForeignKey("people.Trainee", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=3, choices=Kind.choices, default=Kind.OFF)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "day"], name="unique_call_request")
        ]

    def __str__(self) -> str:
        return f"{self.trainee.person}: {self.get_kind_display()} on {self.day}"


class SwapProposal(models.Model):
    """A trainee's shift changing hands, as residents arrange it: offered to a named colleague
    (who is asked first), traded for one of the colleague's shifts, or put in an open pool that
    any eligible colleague may pick up. Once a colleague agrees, the coordinator approves when
    the program asks for it (`Program.swaps_need_approval`); otherwise it is done at once."""

    class Kind(models.TextChoices):
        GIVE = "give", "Give-away to a colleague"
        TRADE = "trade", "Trade of two shifts"
        POOL = "pool", "Give-away to the open pool"

    class Status(models.TextChoices):
        ASKED = "asked", "Waiting for the colleague"
        OPEN = "open", "Open to any eligible colleague"
        PROPOSED = "proposed", "Waiting for the coordinator"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    PENDING = (Status.ASKED, Status.OPEN, Status.PROPOSED)

    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.GIVE)
    shift = models.ForeignKey(CallAssignment, on_delete=models.CASCADE, related_name="swaps")
    # A trade's other half: the colleague's shift the offering trainee takes in return.
    in_return = models.ForeignKey(
        CallAssignment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Empty while a pool offer waits for someone to pick it up.
    to_trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    findings = models.JSONField(default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Who declined or withdrew, in words for the trainee ("Dr Lee declined"), when not approved.
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        taker = self.to_trainee.person if self.to_trainee_id else "the open pool"  # type: ignore[union-attr]
        what = f"{self.shift} ⇄ {self.in_return}" if self.in_return_id else str(self.shift)
        return f"{what} → {taker} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private calendar link: one trainee's schedule, or one service at a site. Revocable."""

    token = models.CharField(max_length=64, unique=True, default=new_token)
    trainee = models.ForeignKey(
        "people.Trainee", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"calendar of {self.trainee or self.rotation}"
