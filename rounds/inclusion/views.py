"""Inclusion pages. Thin: check who is asking, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.core.models import Program
from rounds.core.services import form_save
from rounds.imports.models import UploadedFile
from rounds.imports.tables import UnreadableFile, read_table
from rounds.imports.uploads import upload_keep
from rounds.inclusion import selectors
from rounds.inclusion.access import inclusion_required, is_inclusion_reader
from rounds.inclusion.charts import line_chart
from rounds.inclusion.forms import (
    AdvancementForm,
    CycleForm,
    IdentityForm,
    MappingForm,
    UploadForm,
    UrimDefinitionForm,
    tristate_initial,
)
from rounds.inclusion.imports import (
    JOB_KIND,
    SPECS,
    ApplicantImport,
    guess_mapping,
    mapped_import_start,
)
from rounds.inclusion.models import AdvancementEvent, RecruitmentCycle
from rounds.inclusion.services import (
    IdentityAnswers,
    InclusionError,
    identity_read,
    identity_set,
    identity_withdraw,
    urim_definition_get,
    urim_definition_set,
)
from rounds.jobs.models import Job
from rounds.lib import today as clock
from rounds.lib.exports import csv_response
from rounds.people.access import require_roles, trainees_visible_to, user_roles
from rounds.people.models import Person, Trainee


def _own_person(request: HttpRequest) -> Person | None:
    return Person.objects.filter(user=request.user.pk).first()


# -- self-identification ---------------------------------------------------------------------------
@login_required
def my_identity(request: HttpRequest) -> HttpResponse:
    person = _own_person(request)
    if person is None:
        return render(request, "inclusion/me.html", {"person": None}, status=200)
    if request.method == "POST":
        form = IdentityForm(request.POST)
        if form.is_valid():
            answers = IdentityAnswers(
                race_ethnicity=form.cleaned_data["race_ethnicity"],
                first_generation=form.cleaned_data["first_generation"],
                disability=form.cleaned_data["disability"],
                lgbtq=form.cleaned_data["lgbtq"],
            )
            identity_set(person=person, answers=answers, by=request.user)
            messages.success(
                request,
                "Saved. Only you, the inclusion office and the GME office can see your answers.",
            )
            return redirect("inclusion:me")
        identity = None
    else:
        identity = identity_read(person=person, by=request.user)
        initial: dict[str, Any] = {}
        if identity is not None:
            initial = {
                "race_ethnicity": identity.race_ethnicity,
                "first_generation": tristate_initial(identity.first_generation),
                "disability": tristate_initial(identity.disability),
                "lgbtq": tristate_initial(identity.lgbtq),
            }
        form = IdentityForm(initial=initial)
    return render(
        request, "inclusion/me.html", {"person": person, "form": form, "identity": identity}
    )


@login_required
@require_POST
def my_identity_withdraw(request: HttpRequest) -> HttpResponse:
    person = _own_person(request)
    if person is None or not identity_withdraw(person=person, by=request.user):
        messages.info(request, "You had no self-identification on record.")
    else:
        messages.success(
            request, "Your self-identification is deleted. You can give it again at any time."
        )
    return redirect("inclusion:me")


# -- overview and definition -----------------------------------------------------------------------
@inclusion_required
def home(request: HttpRequest) -> HttpResponse:
    rows, overall = selectors.trainee_composition()
    return render(
        request,
        "inclusion/home.html",
        {
            "rows": [r for r in rows if not r.split.suppressed],
            "too_small": [r.program for r in rows if r.split.suppressed],
            "overall": overall,
            "definition": urim_definition_get(),
            "note": selectors.suppression_note(),
            "checking": selectors.suppression_note(pending=True) if overall.pending else "",
        },
    )


@inclusion_required
def definition_edit(request: HttpRequest) -> HttpResponse:
    definition = urim_definition_get()
    form = UrimDefinitionForm(
        request.POST if request.method == "POST" else None,
        initial={"categories": definition.categories},
        current_version=definition.updated_at.isoformat(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = urim_definition_set(
                categories=form.cleaned_data["categories"],
                by=request.user,
                version=form.cleaned_data.get("version") or None,
            )
        except InclusionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Saved the URiM definition; {changed} self-identifications re-derived."
            )
            return redirect("inclusion:home")
    return render(request, "inclusion/definition.html", {"form": form})


@inclusion_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """Trainees per program by URiM, suppressed exactly as on the page."""
    rows, overall = selectors.trainee_composition()
    response, writer = csv_response("urim-by-program.csv")
    writer.writerow(["program", "trainees", "urim", "not_urim", "not_stated", "urim_pct"])

    def cell(value: Any) -> str:
        return "suppressed" if value is None else str(value)

    for row in [*((r.program.name, r.split) for r in rows), ("All programs", overall)]:
        name, split = row
        writer.writerow(
            [
                name,
                cell(split.total),
                cell(split.urim),
                cell(split.other),
                cell(split.not_stated),
                "" if split.urim_pct is None else str(split.urim_pct),
            ]
        )
    return response


# -- recruitment funnel ----------------------------------------------------------------------------
@inclusion_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cycle = form_save(form=form, by=request.user)
        messages.success(request, f"Added {cycle}.")
        return redirect("inclusion:cycle", pk=cycle.pk)
    return render(
        request, "inclusion/cycles.html", {"cycles": selectors.cycles_listed(), "form": form}
    )


@inclusion_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(RecruitmentCycle.objects.select_related("program__specialty"), pk=pk)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, f"Saved {cycle}.")
        return redirect("inclusion:cycle", pk=cycle.pk)
    funnel = selectors.funnel_of(cycle)
    upload_form = UploadForm()
    return render(
        request,
        "inclusion/cycle.html",
        {
            "cycle": cycle,
            "funnel": funnel,
            "form": form,
            "upload_form": upload_form,
            "note": selectors.suppression_note(),
        },
    )


@inclusion_required
def cycle_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The funnel as on the page, suppressed the same way."""
    cycle = get_object_or_404(RecruitmentCycle.objects.select_related("program"), pk=pk)
    funnel = selectors.funnel_of(cycle)
    response, writer = csv_response(f"funnel-{cycle.program.slug}-{cycle.season}-{cycle.track}.csv")
    writer.writerow(["stage", "people", "urim", "not_urim", "not_stated", "urim_pct", "national"])
    national = "" if cycle.national_urim_pct is None else str(cycle.national_urim_pct)
    for stage in funnel.stages:
        split = stage.split
        writer.writerow(
            [
                stage.label,
                *_cells(split),
                "" if split.urim_pct is None else split.urim_pct,
                national,
            ]
        )
    return response


def _cells(split: selectors.Split) -> list[str]:
    return [
        "suppressed" if value is None else str(value)
        for value in (split.total, split.urim, split.other, split.not_stated)
    ]


@inclusion_required
@require_POST
def cycle_upload(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(RecruitmentCycle, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", []):
            messages.error(request, str(error))
        return redirect("inclusion:cycle", pk=cycle.pk)
    upload = form.cleaned_data["file"]
    stored = upload_keep(filename=upload.name, data=upload.read(), by=request.user)
    return redirect("inclusion:map", spec=ApplicantImport.kind, upload=stored.pk, cycle=cycle.pk)


def may_import(roles: Any) -> bool:
    return is_inclusion_reader(roles)


@require_roles(may_import)
def import_map(request: HttpRequest, spec: str, upload: int, cycle: int = 0) -> HttpResponse:
    """Step two of an import: say which of the file's columns holds which of ours."""
    if spec not in SPECS:
        raise Http404("No such import")
    if spec != ApplicantImport.kind and not user_roles(request.user).is_gme_office:
        raise PermissionDenied("Only the GME office imports site data.")
    stored = get_object_or_404(UploadedFile, pk=upload, uploaded_by=request.user.pk)
    the_cycle = (
        get_object_or_404(RecruitmentCycle, pk=cycle) if spec == ApplicantImport.kind else None
    )
    try:
        table = read_table(stored.name, bytes(stored.content))
    except UnreadableFile as error:
        messages.error(request, f"{stored.name}: {error}")
        return (
            redirect("inclusion:cycle", pk=cycle) if the_cycle else redirect("languages:site_index")
        )
    ours = [(c.name, c.help, c.required) for c in SPECS[spec].columns if not c.name.startswith("_")]
    form = MappingForm(
        request.POST or None,
        ours=ours,
        theirs=table.columns,
        initial=guess_mapping(spec, table.columns),
    )
    if request.method == "POST" and form.is_valid():
        job = mapped_import_start(
            spec_kind=spec,
            upload=stored,
            mapping=form.cleaned_data,
            by=request.user,
            cycle=the_cycle,
            title=f"Import {SPECS[spec].label.lower()} from {stored.name}",
        )
        return redirect("inclusion:job", pk=job.pk)
    sample = table.rows[:3]
    return render(
        request,
        "inclusion/map.html",
        {
            "form": form,
            "stored": stored,
            "cycle": the_cycle,
            "columns": table.columns,
            "sample": [[r.values.get(c, "") for c in table.columns] for r in sample],
            "rows": len(table.rows),
            "label": SPECS[spec].label,
        },
    )


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk, kind=JOB_KIND)
    if job.started_by_id != request.user.pk:
        raise Http404("No such job of yours")
    cycle_id = job.params.get("cycle_id")
    template = "inclusion/_job.html" if getattr(request, "htmx", False) else "inclusion/job.html"
    return render(request, template, {"job": job, "cycle_id": cycle_id})


# -- advancement -----------------------------------------------------------------------------------
@inclusion_required
def advancement(request: HttpRequest) -> HttpResponse:
    program = None
    program_id = request.GET.get("program", "")
    if program_id.isdigit():
        program = get_object_or_404(Program, pk=int(program_id))
    years = selectors.academic_years(clock.today())
    table = selectors.advancement_by_year(program=program, years=years)
    charts = []
    for measure, label in selectors.MEASURES:
        series = {
            "URiM": [row.rates[measure]["urim"].pct for row in table],
            "Not URiM": [row.rates[measure]["other"].pct for row in table],
        }
        charts.append((measure, label, line_chart(years, series, title=label)))
    return render(
        request,
        "inclusion/advancement.html",
        {
            "program": program,
            "programs": Program.objects.order_by("name"),
            "years": years,
            "table": table,
            "charts": charts,
            "measures": selectors.MEASURES,
            "note": selectors.suppression_note(),
            "checking": (
                selectors.suppression_note(pending=True) if any(r.pending for r in table) else ""
            ),
        },
    )


def may_record_advancement(roles: Any) -> bool:
    return roles.is_staff_member


def _recordable(request: HttpRequest) -> QuerySet[Trainee]:
    return trainees_visible_to(request.user).exclude(person__user=request.user.pk)


@require_roles(may_record_advancement)
def advancement_record(request: HttpRequest) -> HttpResponse:
    """Program leadership and the GME office record events of the trainees they manage."""
    trainees = _recordable(request)
    form = AdvancementForm(request.POST or None, trainees=trainees)
    if request.method == "POST" and form.is_valid():
        form.instance.recorded_by = request.user
        event = form_save(form=form, by=request.user)
        messages.success(request, f"Recorded: {event}.")
        return redirect("inclusion:advancement_record")
    events = AdvancementEvent.objects.filter(trainee__in=trainees).select_related(
        "trainee__person", "trainee__program"
    )[:100]
    return render(request, "inclusion/advancement_record.html", {"form": form, "events": events})
