"""The request form, the decision form, and the hours form that offers approvals."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from rounds.lib import today as clock
from rounds.moonlighting.models import MoonlightingRequest
from rounds.moonlighting.selectors import (
    CHOICE_PREFIX,
    approval_choice,
    approval_from_choice,
    approvals_to_offer,
    days_touched,
    entry_approval,
    licences_of,
)
from rounds.people.models import Trainee
from rounds.record.models import Credential
from rounds.workhours.forms import PeriodForm
from rounds.workhours.models import EntryKind, LoggedPeriod
from rounds.workhours.record import program_zone

LICENCE_HELP = (
    "External moonlighting needs a full, unrestricted medical licence (common GME policy); a "
    "training licence covers internal moonlighting only. The licence must be valid through "
    "the last day."
)


class LicenceChoice(forms.ModelChoiceField[Credential]):
    def label_from_instance(self, obj: Any) -> str:
        credential: Credential = obj
        return (
            f"{credential.credential_type} {credential.number} ({credential.issuer}), "
            f"expires {credential.expires_on:%b %-d, %Y}"
        )


class RequestForm(forms.Form):
    setting = forms.ChoiceField(
        label="Internal or external",
        choices=MoonlightingRequest.Setting.choices,
        widget=forms.RadioSelect,
    )
    where = forms.CharField(
        label="Where", max_length=160, help_text="The site or the employer, for example a clinic."
    )
    start = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))
    hours_per_week = forms.IntegerField(label="Expected hours per week", min_value=1)
    weekly_pattern = forms.CharField(
        label="Weekly pattern (optional)",
        max_length=160,
        required=False,
        help_text="For example: Saturday day shifts, 09:00–17:00.",
    )
    max_hours_per_week = forms.IntegerField(
        label="Maximum hours in any week (optional)", min_value=1, required=False
    )
    licence = LicenceChoice(
        label="Licence it relies on",
        queryset=Credential.objects.none(),
        empty_label=None,
        help_text=LICENCE_HELP,
    )
    statement = forms.CharField(
        label="Statement",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the work is, and that it will not interfere with your training.",
    )

    def __init__(self, *args: Any, trainee: Trainee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["licence"]
        assert isinstance(field, LicenceChoice)
        field.queryset = licences_of(trainee)
        if not field.queryset.exists():
            field.required = False
            field.help_text = (
                "You have no licence recorded: record it on your training record first. "
                + LICENCE_HELP
            )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="Note or reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="A note with an approval (optional); the reason for declining or revoking.",
    )


class PeriodWithApprovalForm(PeriodForm):
    """The hours form, with the trainee's moonlighting approvals offered as kinds of time: an
    entry logged against one is moonlighting of that approval's kind, linked to it, and must
    fall on days it covers."""

    def __init__(
        self, *args: Any, trainee: Trainee, period: LoggedPeriod | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.trainee = trainee
        self.approval: MoonlightingRequest | None = None
        offered = approvals_to_offer(trainee, clock.today())
        linked = entry_approval(period) if period is not None else None
        if linked is not None and linked not in offered:
            offered.append(linked)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [*EntryKind.choices, *(approval_choice(a) for a in offered)]
        if linked is not None and not self.is_bound:
            self.initial["kind"] = approval_choice(linked)[0]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        choice = cleaned.get("kind") or ""
        if not choice.startswith(CHOICE_PREFIX):
            return cleaned
        approval = approval_from_choice(choice, self.trainee)
        if approval is None:
            self.add_error("kind", "That approval is no longer on record; choose again.")
            return cleaned
        cleaned["kind"] = (
            EntryKind.MOONLIGHTING_EXTERNAL
            if approval.setting == MoonlightingRequest.Setting.EXTERNAL
            else EntryKind.MOONLIGHTING_INTERNAL
        )
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            zone = program_zone(self.trainee.program)
            outside = [d for d in days_touched(start, end, zone) if not approval.covers(d)]
            if outside:
                self.add_error("kind", outside_message(approval, outside[0]))
                return cleaned
        self.approval = approval
        return cleaned


def outside_message(approval: MoonlightingRequest, day: date) -> str:
    last = approval.last_covered_day() or approval.end
    return (
        f"Your approval for moonlighting at {approval.where} covers {approval.start:%b} "
        f"{approval.start.day} to {last:%b} {last.day}; this entry is on {day:%b} {day.day}. "
        "Choose the approval that covers the day, or request one."
    )
