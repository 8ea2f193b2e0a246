from __future__ import annotations

from django import forms

from rounds.record.models import Credential, CredentialType


class CredentialForm(forms.ModelForm[Credential]):
    credential_type = forms.ModelChoiceField(
        queryset=CredentialType.objects.all(), label="Credential", empty_label=None
    )

    class Meta:
        model = Credential
        fields = ["credential_type", "number", "issuer", "issued_on", "expires_on"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"issued_on": "Issued on (optional)", "expires_on": "Expires on"}
