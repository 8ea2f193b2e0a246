"""The log form: few fields, most of them pre-filled, so a procedure is logged in seconds."""

from __future__ import annotations

from typing import Any

from django import forms

from rounds.caselogs.models import CaseRole, Procedure
from rounds.caselogs.selectors import procedure_named
from rounds.core.models import Site
from rounds.people.models import Faculty


class FacultyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.full_name)


class CaseLogForm(forms.Form):
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    procedure = forms.CharField(
        label="Procedure",
        max_length=120,
        help_text="Type to search your program's list.",
        widget=forms.TextInput(attrs={"list": "procedure-list", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Your role", choices=CaseRole.choices, widget=forms.RadioSelect)
    site = forms.ModelChoiceField(
        label="Site", queryset=Site.objects.order_by("name"), required=False
    )
    supervisor = FacultyChoice(label="Supervising faculty", queryset=Faculty.objects.none())
    note = forms.CharField(
        label="Note (optional)",
        max_length=300,
        required=False,
        help_text="No patient identifiers: no names, record numbers or dates.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, procedures: list[Procedure], supervisors: list[Faculty], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.procedures = procedures
        field = self.fields["supervisor"]
        assert isinstance(field, FacultyChoice)
        field.queryset = (
            Faculty.objects.filter(pk__in=[f.pk for f in supervisors])
            .select_related("person")
            .order_by("person__last_name", "person__first_name")
        )

    def clean_procedure(self) -> Procedure:
        procedure = procedure_named(self.procedures, self.cleaned_data["procedure"])
        if procedure is not None:
            return procedure
        raise forms.ValidationError(
            "Choose a procedure from your program's list (start typing its name)."
        )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Why it goes back", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
