"""Forms for logging time, leave and reviews. Times are local wall-clock in the program's zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from rounds.engine.workhours.record import resolve_wall_clock
from rounds.workhours.models import EntryKind, LeaveSpan, ViolationReview


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label="What", choices=EntryKind.choices)
    day = forms.DateField(label="Day it started", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(
        label="To",
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text="An end at or before the start means the next day (a night shift).",
    )
    note = forms.CharField(label="Note (optional)", max_length=200, required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, zone: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day: date | None = cleaned.get("day")
        start_time: time | None = cleaned.get("start_time")
        end_time: time | None = cleaned.get("end_time")
        if day and start_time and end_time:
            end_day = day if end_time > start_time else day + timedelta(days=1)
            cleaned["start"] = resolve_wall_clock(
                datetime.combine(day, start_time), self.zone, "start"
            )
            cleaned["end"] = resolve_wall_clock(
                datetime.combine(end_day, end_time), self.zone, "end"
            )
        return cleaned

    def version_time(self) -> datetime | None:
        raw = self.cleaned_data.get("version") or ""
        try:
            return datetime.fromisoformat(raw) if raw else None
        except ValueError:
            return None


class LeaveForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of leave", choices=LeaveSpan.Kind.choices)
    start = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Conclusion", choices=ViolationReview.Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happened, and for an exception, why it was approved.",
    )
