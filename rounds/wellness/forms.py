from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify

from rounds.core.models import Program
from rounds.people.models import Person
from rounds.staff.forms import GuardedModelForm
from rounds.wellness.models import Committee, Gathering, Initiative, Question, Resource, Survey

SKIP = "skip"


class AnswerForm(forms.Form):
    """One radio group per question, each with an explicit "prefer not to say"."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for number, question in enumerate(questions, start=1):
            choices = [(str(i), text) for i, text in enumerate(question.options)]
            choices.append((SKIP, "Prefer not to say"))
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=f"{number}. {question.text}",
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose an answer, or “Prefer not to say”."},
            )

    def answers(self) -> dict[int, int | None]:
        chosen: dict[int, int | None] = {}
        for question in self.questions:
            value = self.cleaned_data[f"q{question.pk}"]
            chosen[question.pk] = None if value == SKIP else int(value)
        return chosen


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=150)
    program = forms.ModelChoiceField(
        queryset=Program.objects.none(),
        required=False,
        empty_label="Whole institution",
        help_text="Who is asked: one program's trainees, or every trainee.",
    )
    recurrence = forms.ChoiceField(
        choices=Survey.Recurrence.choices, initial=Survey.Recurrence.QUARTERLY
    )
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    introduction = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    questions = forms.ModelMultipleChoiceField(
        queryset=Question.objects.all(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, programs: Any, institution: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bank = self.fields["questions"]
        bank.label_from_instance = lambda q: (  # type: ignore[attr-defined]
            f"{q.text} ({q.instrument})" if q.instrument else q.text
        )
        field = self.fields["program"]
        field.queryset = programs  # type: ignore[attr-defined]
        field.required = not institution
        if not institution:
            field.empty_label = None  # type: ignore[attr-defined]
            field.help_text = "Your committee asks its own program's trainees."


class QuestionForm(forms.ModelForm):
    options_text = forms.CharField(
        label="Answer options",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line, in order, at least two.",
    )

    class Meta:
        model = Question
        fields = ["text", "flag_from", "flag_label"]

    def clean_options_text(self) -> list[str]:
        options = [line.strip() for line in self.cleaned_data["options_text"].splitlines()]
        options = [o for o in options if o]
        if len(options) < 2:
            raise forms.ValidationError("Give at least two answer options, one per line.")
        return options

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        flag, options = cleaned.get("flag_from"), cleaned.get("options_text") or []
        if flag and not 1 <= flag <= len(options):
            self.add_error("flag_from", f"Choose an option number from 1 to {len(options)}.")
        return cleaned

    def save(self, commit: bool = True) -> Question:
        question: Question = super().save(commit=False)
        question.options = self.cleaned_data["options_text"]
        base = "custom-" + slugify(question.text)[:40]
        code, n = base, 2
        while Question.objects.filter(code=code).exists():
            code, n = f"{base}-{n}", n + 1
        question.code = code
        if commit:
            question.save()
        return question


class CommitteeForm(GuardedModelForm):
    class Meta:
        model = Committee
        fields = ["name", "program", "purpose"]


class MemberForm(forms.Form):
    email = forms.EmailField(help_text="The work email of the trainee or faculty member.")
    is_chair = forms.BooleanField(required=False, label="Chair")

    def clean_email(self) -> Person:
        email = self.cleaned_data["email"]
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            raise forms.ValidationError(f"Nobody in Rounds has the email {email}.")
        return person


class GatheringForm(GuardedModelForm):
    class Meta:
        model = Gathering
        fields = ["kind", "title", "on", "location", "notes", "attendees", "headcount"]
        widgets = {
            "on": forms.DateInput(attrs={"type": "date"}),
            "attendees": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"attendees": "Members who came"}

    def __init__(self, *args: Any, committee: Committee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            wellness_memberships__committee=committee
        )


class InitiativeForm(GuardedModelForm):
    class Meta:
        model = Initiative
        fields = ["title", "description", "status", "lead"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, committee: Committee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            wellness_memberships__committee=committee
        )


class ResourceForm(GuardedModelForm):
    url = forms.URLField(label="Web address", required=False, assume_scheme="https")

    class Meta:
        model = Resource
        fields = [
            "name",
            "category",
            "description",
            "phone",
            "text_line",
            "url",
            "hours",
            "confidential",
            "position",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
