"""Forms people fill in about themselves."""

from __future__ import annotations

import re

from django import forms

from rounds.people.models import Person

_NUMBER = re.compile(r"^[0-9+()\-. x]*$")


class ContactForm(forms.ModelForm[Person]):
    """A person's own phone and pager, and whether colleagues may see them."""

    class Meta:
        model = Person
        fields = ["phone", "pager", "share_contact"]

    def _number(self, name: str) -> str:
        value: str = self.cleaned_data.get(name, "").strip()
        if not _NUMBER.match(value):
            raise forms.ValidationError(
                "Digits, spaces and + ( ) - . x only, for example +1 212 555 0100 x 24."
            )
        return value

    def clean_phone(self) -> str:
        return self._number("phone")

    def clean_pager(self) -> str:
        return self._number("pager")
