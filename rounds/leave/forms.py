from __future__ import annotations

from django import forms

from rounds.leave.models import Remediation


class ExtensionForm(forms.Form):
    days = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Goes in the training history and the audit log.",
    )


class RemediationForm(forms.Form):
    kind = forms.ChoiceField(choices=Remediation.Kind.choices)
    start = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label="Last day", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty while it goes on.",
    )  # fmt: skip
    outcome = forms.ChoiceField(choices=Remediation.Outcome.choices)


class RemediationCloseForm(forms.Form):
    end = forms.DateField(label="Last day", widget=forms.DateInput(attrs={"type": "date"}))
    outcome = forms.ChoiceField(
        choices=[c for c in Remediation.Outcome.choices if c[0] != Remediation.Outcome.ONGOING]
    )
