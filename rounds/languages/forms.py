from __future__ import annotations

from typing import Any

from django import forms

from rounds.core.models import InterpretationService
from rounds.languages.models import Certification, PopulationFigures
from rounds.lib.languages import UnknownLanguage, parse_language
from rounds.people.models import SpokenLanguage
from rounds.staff.forms import GuardedModelForm


class LanguageField(forms.CharField):
    """A language by English name or ISO 639-3 code (e.g. "Haitian Creole", "hat", "ASL")."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault(
            "help_text", "A name (Spanish, Haitian Creole) or ISO 639-3 code (spa, hat, ase = ASL)."
        )
        super().__init__(**kwargs)
        self.widget.attrs.update({"list": "language-names", "autocomplete": "off"})

    def clean(self, value: Any) -> str:
        text = super().clean(value).strip()
        try:
            return parse_language(text)
        except UnknownLanguage as error:
            raise forms.ValidationError(str(error)) from None


class SpokenLanguageForm(forms.Form):
    language = LanguageField()
    proficiency = forms.ChoiceField(choices=SpokenLanguage.Proficiency.choices)


class CertificationForm(forms.ModelForm):
    language = LanguageField()

    class Meta:
        model = Certification
        fields = ["person", "language", "assessment", "assessed_on", "expires_on"]
        widgets = {
            "assessed_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"person": "Trainee"}

    def __init__(self, *args: Any, trainees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from rounds.people.models import Person

        field = self.fields["person"]
        field.queryset = Person.objects.filter(  # type: ignore[attr-defined]
            trainee__in=trainees
        ).order_by("last_name", "first_name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("assessed_on"), cleaned.get("expires_on")
        if first and last and last <= first:
            self.add_error("expires_on", "The certification must expire after the assessment date.")
        return cleaned


class PopulationForm(GuardedModelForm):
    class Meta:
        model = PopulationFigures
        fields = [
            "as_of",
            "source",
            "patients_per_year",
            "underserved_pct",
            "minority_pct",
            "non_english_pct",
        ]
        widgets = {"as_of": forms.DateInput(attrs={"type": "date"})}


class InterpretationForm(forms.Form):
    language = LanguageField()
    modes = forms.MultipleChoiceField(
        choices=InterpretationService.Mode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave all unticked to remove the language.",
    )
