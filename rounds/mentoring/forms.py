"""Forms for mentoring and coaching. Edit forms of stored records reuse GuardedModelForm."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone

from rounds.core.models import Program
from rounds.lib.today import today
from rounds.mentoring.models import CAREER_PATHS, IDENTITIES, Coach, Cycle, MentorProfile
from rounds.staff.forms import GuardedModelForm

RATING_CHOICES = [
    ("", "No view"),
    ("5", "5 - ideal"),
    ("4", "4 - very good"),
    ("3", "3 - good"),
    ("2", "2 - fair"),
    ("1", "1 - poor fit"),
    ("0", "Please not this person"),
]


class LabelsField(forms.CharField):
    """A comma-separated list of short labels, stored as a JSON list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        labels = [part.strip().lower() for part in re.split(r"[,;\n]", text) if part.strip()]
        for label in labels:
            if len(label) > 60:
                raise forms.ValidationError(f"“{label[:30]}…” is long; keep each to a few words.")
        return list(dict.fromkeys(labels))[:12]


def _checkboxes(choices: list[tuple[str, str]], label: str, help_text: str = "") -> Any:
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=label,
        help_text=help_text,
    )


class MentorProfileForm(GuardedModelForm):
    clinical_interests = LabelsField(
        required=False, help_text="Separate with commas, e.g. global health, ultrasound."
    )
    research_interests = LabelsField(required=False, help_text="Separate with commas.")
    career_paths = _checkboxes(CAREER_PATHS, "Career paths you can speak to")
    identities = _checkboxes(
        IDENTITIES,
        "Identities a mentee may ask for (optional)",
        "Self-described and entirely optional. Mentees see these only inside matching, so that "
        "someone who wants, say, a mentor who was a parent in training can find one.",
    )

    class Meta:
        model = MentorProfile
        fields = [
            "specialty",
            "clinical_interests",
            "research_interests",
            "career_paths",
            "identities",
            "capacity",
            "accepting",
            "bio",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}


class CycleForm(GuardedModelForm):
    class Meta:
        model = Cycle
        fields = ["name", "program", "mode", "signup_closes", "instructions"]
        widgets = {
            "signup_closes": forms.DateInput(attrs={"type": "date"}),
            "instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, programs: Any, gme: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        field.queryset = programs  # type: ignore[attr-defined]
        field.required = not gme
        field.empty_label = "All programs (institution-wide)" if gme else None  # type: ignore[attr-defined]


class ApplicationForm(forms.Form):
    interests = LabelsField(
        required=False, help_text="What you would like to talk about, separated by commas."
    )
    career_paths = _checkboxes(CAREER_PATHS, "Career paths you are considering")
    need_identities = _checkboxes(
        IDENTITIES, "I need a mentor who is…", "A requirement: only such mentors will be matched."
    )
    prefer_identities = _checkboxes(IDENTITIES, "I would prefer a mentor who is…")
    language = forms.ChoiceField(
        required=False, label="A language you would like your mentor to speak"
    )
    language_strength = forms.ChoiceField(
        choices=[("prefer", "a preference"), ("must", "a requirement")],
        initial="prefer",
        label="That language is",
    )
    mentor_kind = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Either"),
            ("faculty", "Faculty member"),
            ("trainee", "Senior trainee (peer mentor)"),
        ],
        label="Mentor",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything else the coordinator should know",
    )

    def __init__(
        self, *args: Any, mentors: list[MentorProfile], languages: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.mentors = mentors
        self.fields["language"].choices = [("", "No preference")] + [(x, x) for x in languages]  # type: ignore[attr-defined]
        mentor_choices = [("", "—")] + [(str(m.pk), str(m.person)) for m in mentors]
        for place in (1, 2, 3):
            self.fields[f"rank_{place}"] = forms.ChoiceField(
                choices=mentor_choices, required=False, label=f"Choice {place}"
            )
        for m in mentors:
            self.fields[f"rate_{m.pk}"] = forms.ChoiceField(
                choices=RATING_CHOICES, required=False, label=f"How well would {m.person} suit you?"
            )

    def rating_fields(self) -> list[tuple[MentorProfile, Any]]:
        return [(m, self[f"rate_{m.pk}"]) for m in self.mentors]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ranked = [data.get(f"rank_{p}") for p in (1, 2, 3) if data.get(f"rank_{p}")]
        if len(set(ranked)) != len(ranked):
            raise forms.ValidationError("Each mentor can appear only once among your choices.")
        both = set(data.get("need_identities", [])) & set(data.get("prefer_identities", []))
        if both:
            raise forms.ValidationError(
                f"“{sorted(both)[0]}” is both a requirement and a preference; pick one."
            )
        for m in self.mentors:
            if str(m.pk) in ranked and data.get(f"rate_{m.pk}") == "0":
                raise forms.ValidationError(
                    f"{m.person} is among your choices and also marked “please not”."
                )
        return data

    def to_application(self) -> dict[str, Any]:
        d = self.cleaned_data
        wishes = [
            {"kind": "identity", "value": v, "strength": "must"} for v in d["need_identities"]
        ]
        wishes += [
            {"kind": "identity", "value": v, "strength": "prefer"} for v in d["prefer_identities"]
        ]
        if d.get("language"):
            wishes.append(
                {"kind": "language", "value": d["language"], "strength": d["language_strength"]}
            )
        if d.get("mentor_kind"):
            wishes.append({"kind": "kind", "value": d["mentor_kind"], "strength": "must"})
        return {
            "interests": d["interests"],
            "career_paths": d["career_paths"],
            "wishes": wishes,
            "ranking": [int(d[f"rank_{p}"]) for p in (1, 2, 3) if d.get(f"rank_{p}")],
            "ratings": {
                str(m.pk): int(d[f"rate_{m.pk}"]) for m in self.mentors if d.get(f"rate_{m.pk}")
            },
            "note": d["note"],
        }

    @staticmethod
    def initial_from(application: Any) -> dict[str, Any]:
        if application is None:
            return {}
        wishes = application.wishes
        initial: dict[str, Any] = {
            "interests": application.interests,
            "career_paths": application.career_paths,
            "need_identities": [
                w["value"] for w in wishes if w["kind"] == "identity" and w["strength"] == "must"
            ],
            "prefer_identities": [
                w["value"] for w in wishes if w["kind"] == "identity" and w["strength"] == "prefer"
            ],
            "note": application.note,
        }
        for w in wishes:
            if w["kind"] == "language":
                initial["language"], initial["language_strength"] = w["value"], w["strength"]
            if w["kind"] == "kind":
                initial["mentor_kind"] = w["value"]
        for place, pk in enumerate(application.ranking, start=1):
            initial[f"rank_{place}"] = str(pk)
        for pk, rating in application.ratings.items():
            initial[f"rate_{pk}"] = str(rating)
        return initial


class CycleMentorForm(forms.Form):
    capacity = forms.IntegerField(
        min_value=0, max_value=12, label="Mentees you can take this cycle"
    )

    def __init__(self, *args: Any, applications: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applications = applications
        for a in applications:
            self.fields[f"rate_{a.pk}"] = forms.ChoiceField(
                choices=RATING_CHOICES, required=False, label=f"{a.trainee.person}"
            )

    def rating_fields(self) -> list[tuple[Any, Any]]:
        return [(a, self[f"rate_{a.pk}"]) for a in self.applications]

    def ratings(self) -> dict[str, int]:
        d = self.cleaned_data
        return {
            str(a.pk): int(d[f"rate_{a.pk}"]) for a in self.applications if d.get(f"rate_{a.pk}")
        }


class AssignForm(forms.Form):
    mentee = forms.TypedChoiceField(coerce=int, label="Mentee")
    mentor = forms.TypedChoiceField(coerce=int, label="Mentor")

    def __init__(self, *args: Any, mentees: list[Any], mentors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentee"].choices = [(t.pk, str(t.person)) for t in mentees]  # type: ignore[attr-defined]
        self.fields["mentor"].choices = [(p.pk, str(p)) for p in mentors]  # type: ignore[attr-defined]


class GoalForm(forms.Form):
    text = forms.CharField(max_length=300, label="New goal")
    target_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="By (optional)"
    )


class MeetingForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Date met")
    minutes = forms.IntegerField(min_value=5, max_value=600, initial=30, label="Minutes")
    topics = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What you talked about (both of you see this)",
    )


class RematchForm(forms.Form):
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why (optional; only the coordinator and GME office read this)",
    )


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        label="Starts",
    )
    minutes = forms.IntegerField(min_value=15, max_value=180, initial=45)
    where = forms.CharField(max_length=200, initial="Video link sent by email")

    def clean_starts_at(self) -> Any:
        value = self.cleaned_data["starts_at"]
        if value <= timezone.now():
            raise forms.ValidationError("Offer sessions in the future.")
        return value


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Note")
    session = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Session")

    def __init__(self, *args: Any, sessions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", "Not tied to a session")] + [  # type: ignore[attr-defined]
            (s.pk, f"{timezone.localtime(s.starts_at):%d %b %Y} with {s.coach}") for s in sessions
        ]


def programs_choice(programs: Any) -> Any:
    return programs.order_by("name") if hasattr(programs, "order_by") else Program.objects.none()


class CoachForm(forms.ModelForm):
    class Meta:
        model = Coach
        fields = ["person", "trained_on", "training", "bio"]
        widgets = {
            "trained_on": forms.DateInput(attrs={"type": "date"}),
            "bio": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"person": "Faculty member"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from rounds.people.models import Person
        from rounds.people.pickers import PersonPicker

        self.fields["person"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            kind="faculty", coach__isnull=True
        ).order_by("last_name", "first_name")
        # Search by name among faculty, not a select of every one of them.
        self.fields["person"].widget = PersonPicker("mentor")

    def clean_trained_on(self) -> Any:
        value = self.cleaned_data["trained_on"]
        if value > today():
            raise forms.ValidationError("Coach training must have been completed already.")
        return value
