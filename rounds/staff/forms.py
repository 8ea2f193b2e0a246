"""Staff forms. Every edit form carries a fingerprint of the record as it was when the page was
opened, so a second person's save in between is caught instead of silently overwritten: once when
the form is validated, and again on the locked row when core.services.form_save writes it (two
saves at the same moment both pass the first check)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict
from django.utils.text import slugify

from rounds.core.models import Institution, Program, Site, Specialty, Testimonial
from rounds.core.services import StaleRecord, program_positions_set, program_sites_set
from rounds.imports.specs import SPECS
from rounds.imports.uploads import upload_size_problem
from rounds.people.models import Person, TrainingEvent
from rounds.people.pickers import picker_field

STALE = (
    "Someone else saved this record after you opened it. Reload the page to see "
    "their changes, then make yours again."
)


def fingerprint(instance: Any, *, lock: bool = False) -> str:
    """A digest of the record as stored; with `lock`, read under a row lock (inside the save's
    transaction) so nobody can change it before the save commits."""
    if instance.pk is None:
        return ""
    rows = type(instance).objects.all()
    fresh = (rows.select_for_update() if lock else rows).get(pk=instance.pk)
    data = json.dumps(model_to_dict(fresh), sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


class GuardedModelForm(forms.ModelForm):
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = fingerprint(self.instance)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk and cleaned.get("version") != fingerprint(self.instance):
            raise forms.ValidationError(STALE, code="stale")
        return cleaned

    def recheck_locked(self) -> None:
        """The same check again inside form_save's transaction, on the locked row: two saves
        that both passed `clean` at the same moment cannot both be written."""
        if self.cleaned_data.get("version") != fingerprint(self.instance, lock=True):
            raise StaleRecord(STALE)


class InstitutionForm(GuardedModelForm):
    class Meta:
        model = Institution
        fields = [
            "name",
            "short_name",
            "city",
            "state",
            "tagline",
            "patients_underserved_pct",
            "patients_minority_pct",
            "patients_non_english_pct",
            "population_source",
        ]


class SiteForm(GuardedModelForm):
    class Meta:
        model = Site
        fields = ["name", "slug", "kind", "street", "city", "state", "postal_code", "description"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Every site belongs to the one sponsoring institution; the form does not ask for it.
        if not self.instance.institution_id:
            institution = Institution.objects.order_by("pk").first()
            if institution is None:
                raise forms.ValidationError("Describe the institution first, then add its sites.")
            self.instance.institution = institution
        return cleaned


class SpecialtyForm(GuardedModelForm):
    class Meta:
        model = Specialty
        fields = ["name", "slug", "kind", "parent", "acgme_code"]


class ProgramForm(GuardedModelForm):
    training_sites = forms.ModelMultipleChoiceField(
        queryset=Site.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Sites used",
    )
    primary_site = forms.ModelChoiceField(queryset=Site.objects.all(), required=False)
    positions = forms.CharField(
        label="Approved positions per year",
        required=False,
        help_text="One number per program year, first year first, e.g. 10; 10; 9.",
    )

    # Search by name among those who can hold the role, not a select of every person.
    director = picker_field("director")
    coordinator = picker_field("coordinator")

    class Meta:
        model = Program
        fields = [
            "name",
            "specialty",
            "kind",
            "accreditation",
            "acgme_number",
            "length_years",
            "first_pgy",
            "director",
            "coordinator",
            "contact_email",
            "weekly_hours_limit",
            "swaps_need_approval",
            "description",
            "how_to_apply",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = self.instance
        if program.pk and not self.is_bound:
            links = list(program.programsite_set.select_related("site"))
            self.initial["training_sites"] = [link.site for link in links]
            primary = next((link.site for link in links if link.is_primary), None)
            self.initial["primary_site"] = primary
            counts = program.positions.values_list("count", flat=True)
            self.initial["positions"] = "; ".join(str(count) for count in counts)

    def clean_positions(self) -> list[int] | None:
        text = self.cleaned_data["positions"].strip()
        if not text:
            return None
        try:
            return [int(part) for part in text.replace(",", ";").split(";") if part.strip()]
        except ValueError:
            raise forms.ValidationError("Write whole numbers separated by ';'.") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        counts, length = cleaned.get("positions"), cleaned.get("length_years")
        if counts is not None and length and len(counts) != length:
            self.add_error(
                "positions", f"Gives {len(counts)} years of positions; the program has {length}."
            )
        if counts is not None and any(not 0 <= count <= 500 for count in counts):
            self.add_error("positions", "Each year's positions must be from 0 to 500.")
        primary, sites = cleaned.get("primary_site"), list(cleaned.get("training_sites") or [])
        if primary is not None and primary not in sites:
            sites.insert(0, primary)
        elif primary is not None:
            sites.remove(primary)
            sites.insert(0, primary)
        cleaned["ordered_sites"] = sites
        return cleaned

    def save(self, commit: bool = True) -> Program:
        if not self.instance.slug:
            self.instance.slug = unique_slug(self.instance.name)
        program: Program = super().save(commit=commit)
        if {"training_sites", "primary_site"} & set(self.changed_data):
            program_sites_set(program=program, sites=self.cleaned_data["ordered_sites"])
        if "positions" in self.changed_data and self.cleaned_data["positions"] is not None:
            program_positions_set(program=program, counts=self.cleaned_data["positions"])
        return program


def unique_slug(name: str) -> str:
    """The web address of a new program, from its name (a number added if it is taken): the
    form does not ask for it, and an existing program keeps its own so links stay valid."""
    base = slugify(name)[:190] or "program"
    slug, n = base, 2
    while Program.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class TraineePersonForm(GuardedModelForm):
    """What staff correct about a trainee as a person. Training dates are not here: they change
    only through dated training events (rounds/people/training.py), never by overwriting."""

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "title", "phone", "pager"]


class ProgramTextForm(GuardedModelForm):
    """What program leadership may change about their own program's public page."""

    class Meta:
        model = Program
        fields = ["contact_email", "description", "how_to_apply"]


class TestimonialForm(GuardedModelForm):
    class Meta:
        model = Testimonial
        fields = ["author_name", "author_role", "program", "quote", "is_published", "order"]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=[(kind, spec.label) for kind, spec in SPECS.items()])
    file = forms.FileField(help_text="A .csv (UTF-8) or .xlsx file; the first row names columns.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        too_large = upload_size_problem(upload.size)
        if too_large:
            raise forms.ValidationError(too_large)
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm")):
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload


class TrainingEventForm(forms.Form):
    """One event of a trainee's training history; which dates mean what depends on the kind."""

    kind = forms.ChoiceField(
        label="What happened", choices=[("", "Choose…"), *TrainingEvent.Kind.choices]
    )
    first_day = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The first day it holds (a start, a leave, a transfer, a new PGY level), the "
        "day an extension is decided, or the last day in training for a completion or withdrawal.",
    )
    last_day = forms.DateField(
        label="Until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A leave's last day, an extension's new expected end, or a start's expected end.",
    )
    program = forms.ModelChoiceField(
        label="New program (transfer)", queryset=Program.objects.order_by("name"), required=False
    )
    pgy = forms.IntegerField(
        label="PGY level", min_value=1, max_value=10, required=False,
        help_text="For a promotion; optional for a start or a transfer.",
    )  # fmt: skip
    reason = forms.CharField(label="Reason", max_length=300)
