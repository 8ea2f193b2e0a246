"""The program finder's filter form: a plain GET form, so it works without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms

from rounds.core.models import Specialty
from rounds.public.selectors import FilterOptions, ProgramFilters

ANY = ("", "Any")


class ProgramFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. cardiology"}),
    )
    specialty = forms.ChoiceField(label="Specialty", required=False)
    kind = forms.ChoiceField(label="Type", required=False)
    site = forms.ChoiceField(label="Site", required=False)
    length = forms.TypedChoiceField(label="Length", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, options: FilterOptions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["specialty"].choices = [ANY, *_specialty_groups(options.specialties)]
        fields["kind"].choices = [ANY, *options.kinds]
        fields["site"].choices = [ANY, *options.sites]
        fields["length"].choices = [ANY, *[(n, _years(n)) for n in options.lengths]]

    def filters(self) -> ProgramFilters:
        """The valid part of the query: a stale or mistyped value is ignored, not an error."""
        self.is_valid()
        data = self.cleaned_data
        return ProgramFilters(
            q=data.get("q") or "",
            specialty=data.get("specialty") or "",
            kind=data.get("kind") or "",
            site=data.get("site") or "",
            length=data.get("length"),
        )


def _years(n: int) -> str:
    return f"{n} year" if n == 1 else f"{n} years"


def _specialty_groups(specialties: list[Specialty]) -> list[tuple[str, list[tuple[str, str]]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    labels = {
        Specialty.Kind.SPECIALTY: "Specialties",
        Specialty.Kind.SUBSPECIALTY: "Subspecialties",
        Specialty.Kind.NON_STANDARD: "Non-standard programs",
    }
    for specialty in specialties:
        groups.setdefault(labels[Specialty.Kind(specialty.kind)], []).append(
            (specialty.slug, specialty.name)
        )
    return [(label, groups[label]) for label in labels.values() if label in groups]
