from __future__ import annotations

from typing import Any

from django import forms

from rounds.conferences.services import SessionPlan
from rounds.core.models import Site

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class SeriesForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name (e.g. Noon report)")
    rate = forms.IntegerField(
        min_value=0, max_value=100, initial=70, label="Required attendance (%)"
    )
    description = forms.CharField(max_length=300, required=False, label="Description (optional)")


class PlanForm(forms.Form):
    """The time, place and topic shared by a single session and a weekly pattern."""

    start_time = forms.TimeField(widget=TIME, label="Starts")
    end_time = forms.TimeField(widget=TIME, label="Ends")
    site = forms.ModelChoiceField(
        queryset=Site.objects.order_by("name"), required=False, label="Site"
    )
    room = forms.CharField(max_length=80, required=False, label="Room")
    video_url = forms.URLField(required=False, label="Video link (optional)", assume_scheme="https")
    topic = forms.CharField(max_length=200, label="Topic")
    presenter_name = forms.CharField(max_length=120, required=False, label="Presenter")

    def plan(self, presenter: Any = None) -> SessionPlan:
        data = self.cleaned_data
        return SessionPlan(
            start_time=data["start_time"],
            end_time=data["end_time"],
            site=data["site"],
            room=data["room"],
            video_url=data["video_url"],
            topic=data["topic"],
            presenter=presenter,
            presenter_name=data["presenter_name"],
        )


class SessionForm(PlanForm):
    day = forms.DateField(widget=DATE, label="Day")
    field_order = ["day", "start_time", "end_time", "site", "room", "video_url", "topic"]


class PatternForm(PlanForm):
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, label="Every")
    first = forms.DateField(widget=DATE, label="From")
    last = forms.DateField(widget=DATE, label="To")
    field_order = ["weekday", "first", "last", "start_time", "end_time", "site", "room"]


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why is it cancelled?")


class ExcuseForm(forms.Form):
    trainee = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=200, label="Reason")


class CheckInForm(forms.Form):
    code = forms.CharField(
        max_length=12,
        label="Code on the screen",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "checkin-code",
            }
        ),
    )
