"""Wellness committees, anonymous pulse surveys and the support directory.

Survey answers are stored as counts, never as rows per person: `OptionCount` says how many
respondents of one program chose one option of one question in one survey period, and
`ResponseCount` how many responded. Nothing there names a person, a time finer than the period,
or an order of answering. Who has answered is kept apart, in `Respondent`, and used only to stop
double answers and to aim reminders. docs/privacy.md states exactly what is and is not stored.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.urls import reverse


class Committee(models.Model):
    """A resident-led wellness committee: of one program, or of the institution (no program)."""

    name = models.CharField(max_length=150)
    program = models.ForeignKey(
        "core.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wellness_committees",
        help_text="Leave empty for the institution's committee.",
    )
    purpose = models.TextField(blank=True)

    class Meta:
        ordering = ["program__name", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("wellness:committee", args=[self.pk])

    @property
    def scope_label(self) -> str:
        return str(self.program) if self.program_id else "Whole institution"


class CommitteeMember(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="wellness_memberships"
    )
    is_chair = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_chair", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "person"], name="unique_committee_member")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({'chair' if self.is_chair else 'member'}, {self.committee})"


class Gathering(models.Model):
    """A committee meeting or an event the committee runs, with who came."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Committee meeting"
        EVENT = "event", "Event"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="gatherings")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MEETING)
    title = models.CharField(max_length=150)
    on = models.DateField("date")
    location = models.CharField(max_length=150, blank=True)
    notes = models.TextField(blank=True)
    attendees = models.ManyToManyField(
        "people.Person", blank=True, related_name="wellness_gatherings"
    )
    headcount = models.PositiveIntegerField(
        default=0, help_text="For events: how many people came in all (named or not)."
    )

    class Meta:
        ordering = ["-on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.on:%d %b %Y})"


class Initiative(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", "Idea"
        ACTIVE = "active", "Under way"
        DONE = "done", "Done"

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IDEA)
    lead = models.ForeignKey(
        "people.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["status", "title"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question of the bank: a validated instrument's item or a custom question.

    Only closed questions (one option of a fixed list): free text identifies people by how they
    write, so the bank has none.
    """

    code = models.SlugField(max_length=60, unique=True)
    text = models.TextField()
    options = models.JSONField(help_text="The answer options, in order.")
    instrument = models.CharField(
        max_length=150, blank=True, help_text="The validated instrument this item belongs to."
    )
    source = models.TextField(blank=True, help_text="Citation and terms of use.")
    flag_from = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Options from this one (1 = first) on count towards the headline figure.",
    )
    flag_label = models.CharField(
        max_length=80, blank=True, help_text='e.g. "Burnout" for options 3 to 5.'
    )

    class Meta:
        ordering = ["-instrument", "code"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_validated(self) -> bool:
        return bool(self.instrument)


class Survey(models.Model):
    class Recurrence(models.TextChoices):
        ONCE = "once", "Once (one month)"
        MONTHLY = "monthly", "Every month"
        QUARTERLY = "quarterly", "Every three months"

    title = models.CharField(max_length=150)
    program = models.ForeignKey(
        "core.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="wellness_surveys",
        help_text="Leave empty to ask every trainee of the institution.",
    )
    introduction = models.TextField(blank=True)
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.QUARTERLY
    )
    starts_on = models.DateField()
    stopped = models.BooleanField(default=False, help_text="No new periods open once stopped.")
    questions: models.ManyToManyField[Question, SurveyQuestion] = models.ManyToManyField(
        Question, through="SurveyQuestion", related_name="+"
    )

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("wellness:survey", args=[self.pk])

    def ordered_questions(self) -> list[Question]:
        return [item.question for item in self.items.select_related("question")]

    @property
    def months(self) -> int:
        return 3 if self.recurrence == self.Recurrence.QUARTERLY else 1

    @property
    def scope_label(self) -> str:
        return str(self.program) if self.program_id else "Whole institution"


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="unique_survey_question")
        ]

    def __str__(self) -> str:
        return f"{self.question} in {self.survey}"


class SurveyPeriod(models.Model):
    """One round of a survey. Every answer is dated only by the period it belongs to."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="periods")
    index = models.PositiveIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    announced = models.BooleanField(
        default=False, help_text="The opening notice of this round has been queued."
    )
    auto_reminded = models.BooleanField(
        default=False, help_text="The scheduled reminder before closing has been queued."
    )

    class Meta:
        ordering = ["survey", "index"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "index"], name="unique_survey_period")
        ]

    def __str__(self) -> str:
        return f"{self.survey}: {self.label}"

    @property
    def label(self) -> str:
        if self.survey.months == 1:
            return f"{self.starts_on:%b %Y}"
        return f"{self.starts_on:%b}–{self.ends_on:%b %Y}"

    def is_open(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on

    def is_closed(self, today: date) -> bool:
        return today > self.ends_on


class ResponseCount(models.Model):
    """How many trainees of one program answered one period. The coarsest group: the program."""

    period = models.ForeignKey(SurveyPeriod, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("core.Program", on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "program"], name="unique_response_count")
        ]

    def __str__(self) -> str:
        return "respondent count"


class OptionCount(models.Model):
    """How many respondents of one program chose one option of one question in one period.

    All option rows of a (period, program) are created together, zeroed, before the first answer
    is counted, so the order of row ids says nothing about which option anybody chose.
    """

    period = models.ForeignKey(SurveyPeriod, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("core.Program", on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    option = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "program", "question", "option"], name="unique_option_count"
            )
        ]

    def __str__(self) -> str:
        return "option count"


class Respondent(models.Model):
    """The "has answered" flag: this person answered this period. Says nothing about how.

    Read only to refuse a second answer and to send reminders to those who have not answered;
    no page shows it and no count of it is shown while the period is open.
    """

    period = models.ForeignKey(SurveyPeriod, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "person"], name="unique_respondent")
        ]

    def __str__(self) -> str:
        return "answered flag"


class Resource(models.Model):
    """A place to get help: counselling, employee assistance, crisis lines."""

    class Category(models.TextChoices):
        CRISIS = "crisis", "Crisis, any hour"
        COUNSELLING = "counselling", "Counselling and mental health"
        EAP = "eap", "Employee assistance"
        PEER = "peer", "Peer support"
        OTHER = "other", "Other support"

    name = models.CharField(max_length=150)
    category = models.CharField(max_length=12, choices=Category.choices)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    text_line = models.CharField("text / SMS", max_length=40, blank=True)
    url = models.URLField("web address", blank=True)
    hours = models.CharField(max_length=100, blank=True, help_text='e.g. "24/7"')
    confidential = models.BooleanField(
        default=True, help_text="Nothing is reported to the program."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_href(self) -> str:
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    @property
    def text_href(self) -> str:
        return "".join(ch for ch in self.text_line if ch.isdigit() or ch == "+")
