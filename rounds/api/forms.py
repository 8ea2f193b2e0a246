from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from rounds.api.models import ApiToken
from rounds.api.scopes import SCOPES


class TokenForm(forms.Form):
    username = forms.CharField(
        max_length=150, help_text="The account the token acts as; its roles decide what it sees."
    )
    name = forms.CharField(max_length=120, help_text="What will use it, e.g. 'Paging directory'.")
    kind = forms.ChoiceField(choices=ApiToken.Kind.choices, initial=ApiToken.Kind.PERSONAL)
    scopes = forms.MultipleChoiceField(
        choices=list(SCOPES.items()), widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.IntegerField(
        required=False, min_value=1, max_value=3650, help_text="Empty: until revoked."
    )
    rate_per_minute = forms.IntegerField(
        required=False, min_value=1, max_value=100000, help_text="Empty: the site's default."
    )

    def clean_username(self) -> Any:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=name, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"No active account named {name!r}.")
        return user
