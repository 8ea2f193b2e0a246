from __future__ import annotations

from typing import Any

from django import forms

from rounds.imports.uploads import upload_size_problem
from rounds.inclusion.models import AAMC_CATEGORIES, AdvancementEvent, RecruitmentCycle
from rounds.staff.forms import GuardedModelForm

CATEGORY_CHOICES = [(c, c) for c in AAMC_CATEGORIES]
TRISTATE = [("", "Prefer not to say"), ("yes", "Yes"), ("no", "No")]


def _tristate(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=TRISTATE,
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )


def tristate_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class IdentityForm(forms.Form):
    race_ethnicity = forms.MultipleChoiceField(
        label="Race and ethnicity (choose any that apply, or none)",
        choices=CATEGORY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    first_generation = _tristate("First in my family to graduate from college")
    disability = _tristate("I have a disability")
    lgbtq = _tristate("I identify as LGBTQ+")


class UrimDefinitionForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label="Categories the institution counts as underrepresented in medicine",
        choices=CATEGORY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    # When the definition was last saved as this page saw it: a save in between is refused.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, current_version: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_version = current_version
        if not self.is_bound:
            self.initial["version"] = current_version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("version") != self.current_version:
            raise forms.ValidationError(
                "Someone else changed the definition after you opened this page. Reload it to "
                "see their change, then make yours again.",
                code="stale",
            )
        return cleaned


class CycleForm(GuardedModelForm):
    class Meta:
        model = RecruitmentCycle
        fields = ["program", "season", "track", "national_urim_pct", "national_source"]


class UploadForm(forms.Form):
    file = forms.FileField(help_text="A .csv (UTF-8) or .xlsx export; the first row names columns.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        too_large = upload_size_problem(upload.size)
        if too_large:
            raise forms.ValidationError(too_large)
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload


class MappingForm(forms.Form):
    """One select per column we know: which of the file's columns holds it."""

    def __init__(
        self, *args: Any, ours: list[tuple[str, str, bool]], theirs: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        options = [("", "— not in this file —")] + [(c, c) for c in theirs]
        for name, help_text, required in ours:
            self.fields[name] = forms.ChoiceField(
                label=f"{name} (required)" if required else name,
                choices=options,
                required=required,
                help_text=help_text,
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        used: dict[str, str] = {}
        for ours, theirs in list(cleaned.items()):
            if theirs and theirs in used:
                self.add_error(
                    ours, f"The file's column {theirs!r} is already used for {used[theirs]}."
                )
            elif theirs:
                used[theirs] = ours
        return cleaned


class AdvancementForm(forms.ModelForm):
    class Meta:
        model = AdvancementEvent
        fields = ["trainee", "kind", "academic_year", "note"]

    def __init__(self, *args: Any, trainees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = trainees  # type: ignore[attr-defined]
