"""The institution records the GME office manages in pages of Rounds: one description each,
served by the same list, create, edit and delete views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Model, QuerySet

from rounds.core.models import Institution, Program, Site, Specialty, Testimonial
from rounds.staff import forms


@dataclass(frozen=True)
class Managed:
    slug: str
    model: type[Model]
    form: type[forms.GuardedModelForm]
    title: str
    columns: tuple[tuple[str, Callable[[Any], Any]], ...]
    queryset: Callable[[], QuerySet[Any]]
    deletable: bool = False


MANAGED: dict[str, Managed] = {
    m.slug: m
    for m in (
        Managed(
            "institution",
            Institution,
            forms.InstitutionForm,
            "Institution",
            (
                ("Institution", str),
                ("Underserved %", lambda i: i.patients_underserved_pct),
                ("Minority %", lambda i: i.patients_minority_pct),
                ("Non-English %", lambda i: i.patients_non_english_pct),
            ),
            lambda: Institution.objects.all(),
        ),
        Managed(
            "programs",
            Program,
            forms.ProgramForm,
            "Programs",
            (
                ("Program", str),
                ("Specialty", lambda p: p.specialty),
                ("Type", lambda p: p.get_kind_display()),
                ("Years", lambda p: p.length_years),
                ("Trainees", lambda p: p.trainee_count),
            ),
            lambda: Program.objects.select_related("specialty").annotate(
                trainee_count=Count("trainees")
            ),
        ),
        Managed(
            "sites",
            Site,
            forms.SiteForm,
            "Sites",
            (
                ("Site", str),
                ("Kind", lambda s: s.get_kind_display()),
                ("City", lambda s: s.city),
                ("Programs", lambda s: s.program_count),
            ),
            lambda: Site.objects.annotate(program_count=Count("programs")),
        ),
        Managed(
            "specialties",
            Specialty,
            forms.SpecialtyForm,
            "Specialties",
            (
                ("Specialty", str),
                ("Kind", lambda s: s.get_kind_display()),
                ("Parent", lambda s: s.parent or ""),
                ("Programs", lambda s: s.program_count),
            ),
            lambda: Specialty.objects.select_related("parent").annotate(
                program_count=Count("programs")
            ),
        ),
        Managed(
            "testimonials",
            Testimonial,
            forms.TestimonialForm,
            "Testimonials",
            (
                ("Author", lambda t: t.author_name),
                ("Role", lambda t: t.author_role),
                ("Published", lambda t: "yes" if t.is_published else "no"),
                ("Quote", lambda t: t.quote[:80]),
            ),
            lambda: Testimonial.objects.all(),
            deletable=True,
        ),
    )
}
