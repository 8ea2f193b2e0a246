"""Language-access pages. Thin: check who is asking, call a service or selector, render."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.core.models import InterpretationService, Site
from rounds.core.services import form_save, object_delete
from rounds.imports.uploads import upload_keep
from rounds.inclusion.access import is_inclusion_reader
from rounds.inclusion.forms import UploadForm
from rounds.inclusion.imports import SPECS, LanguageDemandImport
from rounds.languages import selectors
from rounds.languages.forms import (
    CertificationForm,
    InterpretationForm,
    PopulationForm,
    SpokenLanguageForm,
)
from rounds.languages.models import Certification, PopulationFigures
from rounds.languages.services import (
    LanguageError,
    interpretation_set,
    spoken_language_remove,
    spoken_language_set,
)
from rounds.lib import today as clock
from rounds.lib.languages import language_name
from rounds.lib.params import key_or_none
from rounds.people.access import (
    UserRoles,
    gme_office_required,
    require_roles,
    staff_required,
    trainees_visible_to,
    user_roles,
)
from rounds.people.models import Person


def may_see_sites(roles: UserRoles) -> bool:
    return roles.is_staff_member or is_inclusion_reader(roles)


sites_required = require_roles(may_see_sites)


def _today() -> date:
    return clock.today()


# -- a person's own languages ----------------------------------------------------------------------
@login_required
def my_languages(request: HttpRequest) -> HttpResponse:
    person = Person.objects.filter(user=request.user.pk).first()
    form = SpokenLanguageForm(request.POST or None)
    if person is not None and request.method == "POST" and form.is_valid():
        spoken_language_set(
            person=person,
            language=form.cleaned_data["language"],
            proficiency=form.cleaned_data["proficiency"],
            by=request.user,
        )
        messages.success(request, f"Saved {language_name(form.cleaned_data['language'])}.")
        return redirect("languages:me")
    spoken = (
        [(row, language_name(row.language)) for row in person.languages.all()] if person else []
    )
    certifications = (
        [(c, language_name(c.language)) for c in person.language_certifications.all()]
        if person
        else []
    )
    return render(
        request,
        "languages/me.html",
        {
            "person": person,
            "form": form,
            "spoken": spoken,
            "certifications": certifications,
            "today": _today(),
            "common": selectors.common_languages(),
        },
    )


@login_required
@require_POST
def my_language_remove(request: HttpRequest, code: str) -> HttpResponse:
    person = Person.objects.filter(user=request.user.pk).first()
    if person is None or key_or_none(code) is None:
        raise Http404("No person record or no such language")
    try:
        spoken_language_remove(person=person, language=code, by=request.user)
    except LanguageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Removed {language_name(code)}.")
    return redirect("languages:me")


# -- certifications --------------------------------------------------------------------------------
@staff_required
def certifications(request: HttpRequest) -> HttpResponse:
    trainees = trainees_visible_to(request.user)
    form = CertificationForm(request.POST or None, trainees=trainees)
    if request.method == "POST" and form.is_valid():
        form.instance.recorded_by = request.user
        cert = form_save(form=form, by=request.user)
        messages.success(request, f"Recorded the certification: {cert}.")
        return redirect("languages:certifications")
    rows = Certification.objects.filter(person__trainee__in=trainees.values("pk")).select_related(
        "person__trainee__program"
    )
    return render(
        request,
        "languages/certifications.html",
        {
            "form": form,
            "rows": [(c, language_name(c.language)) for c in rows],
            "today": _today(),
            "common": selectors.common_languages(),
        },
    )


@staff_required
@require_POST
def certification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    trainees = trainees_visible_to(request.user)
    cert = get_object_or_404(Certification, pk=pk, person__trainee__in=trainees.values("pk"))
    object_delete(instance=cert, by=request.user)
    messages.success(request, f"Deleted the certification of {cert.person}.")
    return redirect("languages:certifications")


# -- sites -----------------------------------------------------------------------------------------
@sites_required
def site_list(request: HttpRequest) -> HttpResponse:
    population = selectors.latest_population()
    demand = selectors.latest_demand_everywhere()
    coverage: dict[int, set[str]] = {}
    for site_id, code in InterpretationService.objects.values_list("site_id", "language"):
        coverage.setdefault(site_id, set()).add(code)
    rows = [
        (
            site,
            population.get(site.pk),
            len(demand.get(site.pk, [])),
            len(coverage.get(site.pk, ())),
        )
        for site in Site.objects.order_by("name")
    ]
    return render(
        request,
        "languages/sites.html",
        {
            "rows": rows,
            "figures": selectors.institution_population(),
            "languages": len(selectors.interpretation_languages()),
            "upload_form": UploadForm(),
            "is_gme": user_roles(request.user).is_gme_office,
        },
    )


def _block_choice(request: HttpRequest) -> tuple[int, list[selectors.RefBlock], selectors.RefBlock]:
    today = _today()
    year_text = request.GET.get("year", "")
    year = (
        int(year_text)
        if year_text.isdigit() and 2000 <= int(year_text) <= 2100
        else (selectors.academic_year_of(today))
    )
    blocks = selectors.reference_blocks(year)
    number = request.GET.get("block", "")
    if number.isdigit() and 1 <= int(number) <= len(blocks):
        return year, blocks, blocks[int(number) - 1]
    current = next((b for b in blocks if b.start <= today <= b.end), blocks[0])
    return year, blocks, current


@sites_required
def site_detail(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=slug)
    year, blocks, block = _block_choice(request)
    result = selectors.concordance(site, block)
    visible = set(trainees_visible_to(request.user).values_list("pk", flat=True))
    roles = user_roles(request.user)
    coverage: dict[str, list[str]] = {}
    for service in InterpretationService.objects.filter(site=site):
        coverage.setdefault(service.language, []).append(service.get_mode_display())
    modes = InterpretationService.objects.filter(site=site).values_list("mode", flat=True)
    labels = dict(InterpretationService.Mode.choices)
    counted = Counter(modes)
    mode_counts = ", ".join(
        f"{counted[m]} {str(labels[m]).lower()}"
        for m in InterpretationService.Mode.values
        if counted[m]
    )
    return render(
        request,
        "languages/site.html",
        {
            "site": site,
            "year": year,
            "years": sorted(
                {
                    year,
                    *range(
                        selectors.academic_year_of(_today()) - 2,
                        selectors.academic_year_of(_today()) + 2,
                    ),
                }
            ),
            "blocks": blocks,
            "chosen": block,
            "result": result,
            "visible": visible,
            "is_gme": roles.is_gme_office,
            "population": PopulationFigures.objects.filter(site=site),
            "mode_counts": mode_counts,
            "coverage": sorted((language_name(c), m) for c, m in coverage.items()),
            "population_form": PopulationForm(),
            "interpretation_form": InterpretationForm(),
            "common": selectors.common_languages(),
        },
    )


@gme_office_required
@require_POST
def site_population_add(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=slug)
    form = PopulationForm(request.POST, instance=PopulationFigures(site=site))
    if form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(
            request, f"Saved the patient figures of {site} as of {form.instance.as_of}."
        )
    else:
        _form_errors(request, form)
    return redirect("languages:concordance", slug=site.slug)


@gme_office_required
@require_POST
def site_interpretation_set(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=slug)
    form = InterpretationForm(request.POST)
    if form.is_valid():
        code, modes = form.cleaned_data["language"], form.cleaned_data["modes"]
        interpretation_set(site=site, language=code, modes=modes, by=request.user)
        what = "removed" if not modes else "saved"
        messages.success(request, f"Interpretation in {language_name(code)} {what}.")
    else:
        _form_errors(request, form)
    return redirect("languages:concordance", slug=site.slug)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label or field}: {error}" if field != "__all__" else error)


@gme_office_required
@require_POST
def demand_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("languages:site_index")
    upload = form.cleaned_data["file"]
    stored = upload_keep(filename=upload.name, data=upload.read(), by=request.user)
    return redirect("inclusion:map", spec=LanguageDemandImport.kind, upload=stored.pk)


# -- recruitment planning --------------------------------------------------------------------------
@sites_required
def planning(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "languages/planning.html",
        {
            "rows": selectors.planning(_today()),
            "columns": [c for c in SPECS[LanguageDemandImport.kind].columns if c.name[0] != "_"],
        },
    )
