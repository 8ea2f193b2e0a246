"""A program's rotations and curriculum, edited by its director, coordinator or the GME office."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.core.demo import academic_year_start
from rounds.core.models import Program
from rounds.core.services import form_save, object_delete
from rounds.lib.today import today
from rounds.people.access import user_roles
from rounds.schedules.access import manage_or_404, staff_required
from rounds.schedules.forms import (
    CurriculumForm,
    RotationForm,
    RotationJoinForm,
    RotationUseForm,
)
from rounds.schedules.models import CurriculumRequirement, Rotation, RotationProgram
from rounds.schedules.services import (
    ScheduleError,
    rotation_join_save,
    rotation_remove,
    rotation_save,
)


def _program(request: HttpRequest, pk: int) -> Program:
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    return program


def _year(request: HttpRequest) -> int:
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() else academic_year_start(today())


@staff_required
def setup(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program(request, pk)
    uses = (
        RotationProgram.objects.filter(program=program)
        .exclude(rotation__kind=Rotation.Kind.VACATION)
        .select_related("rotation__site")
        .order_by("rotation__name")
    )
    shared = set(
        RotationProgram.objects.exclude(program=program)
        .filter(rotation__in=[u.rotation_id for u in uses])
        .values_list("rotation_id", flat=True)
    )
    context = {
        "program": program,
        "uses": [(u, u.rotation_id in shared) for u in uses],
        "curriculum": program.curriculum.select_related("rotation"),
        "year": _year(request),
    }
    return render(request, "schedules/setup.html", context)


@staff_required
def rotation_edit(request: HttpRequest, pk: int, use: int | None = None) -> HttpResponse:
    program = _program(request, pk)
    if use is None:
        instance, rotation = RotationProgram(program=program), Rotation()
    else:
        instance = get_object_or_404(
            RotationProgram.objects.select_related("rotation"),
            pk=use,
            program=program,
            rotation__kind__in=[k for k in Rotation.Kind.values if k != Rotation.Kind.VACATION],
        )
        rotation = instance.rotation
    others = _other_programs(rotation, program)
    # The page speaks of the rotation as saved: an invalid form leaves its edits on the instance.
    saved_name, saved_site = rotation.name, rotation.site.name if rotation.pk else ""
    data = request.POST if request.method == "POST" else None
    rotation_form = RotationForm(
        data, instance=rotation, prefix="rotation", others=others,
        gme=user_roles(request.user).is_gme_office,
    )  # fmt: skip
    use_form = RotationUseForm(data, instance=instance, prefix="use", program=program)
    if data is not None and rotation_form.is_valid() and use_form.is_valid():
        saved = rotation_save(
            rotation_form=rotation_form, use_form=use_form, program=program, by=request.user
        )
        messages.success(request, f"Saved {saved.rotation.name}.")
        return redirect("schedules:setup", pk=program.pk)
    context = {
        "program": program,
        "use": instance,
        "rotation": rotation,
        "saved_name": saved_name,
        "saved_site": saved_site,
        "shared": bool(others),
        "others": others,
        "rotation_form": rotation_form,
        "use_form": use_form,
    }
    return render(request, "schedules/rotation_edit.html", context)


def _other_programs(rotation: Rotation, program: Program) -> list[str]:
    """Names of the other programs that use the rotation (none for a new one)."""
    if rotation.pk is None:
        return []
    return sorted(
        RotationProgram.objects.filter(rotation=rotation)
        .exclude(program=program)
        .values_list("program__name", flat=True)
    )


@staff_required
def rotation_join(request: HttpRequest, pk: int) -> HttpResponse:
    """Use a rotation that exists already (another program's, at any site)."""
    program = _program(request, pk)
    form = RotationJoinForm(
        request.POST or None, instance=RotationProgram(program=program), program=program
    )
    if request.method == "POST" and form.is_valid():
        use = rotation_join_save(form=form, program=program, by=request.user)
        rotation = use.rotation
        others = _other_programs(rotation, program)
        room = (
            f" Its room for {rotation.capacity} per block holds across {len(others) + 1} programs."
            if rotation.capacity is not None and others
            else ""
        )
        messages.success(request, f"{program} now sends trainees to {rotation}.{room}")
        return redirect("schedules:setup", pk=program.pk)
    return render(request, "schedules/rotation_join.html", {"program": program, "form": form})


@staff_required
@require_POST
def rotation_delete(request: HttpRequest, pk: int, use: int) -> HttpResponse:
    program = _program(request, pk)
    instance = get_object_or_404(
        RotationProgram.objects.select_related("rotation"), pk=use, program=program
    )
    name = instance.rotation.name
    try:
        rotation_remove(use=instance, by=request.user)
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedules:rotation_edit", pk=program.pk, use=use)
    messages.success(request, f"{name} is no longer one of {program}'s rotations.")
    return redirect("schedules:setup", pk=program.pk)


@staff_required
def curriculum_edit(request: HttpRequest, pk: int, line: int | None = None) -> HttpResponse:
    program = _program(request, pk)
    if line is None:
        instance = CurriculumRequirement(program=program)
    else:
        instance = get_object_or_404(CurriculumRequirement, pk=line, program=program)
    form = CurriculumForm(request.POST or None, instance=instance, program=program)
    if request.method == "POST" and form.is_valid():
        saved = form_save(form=form, by=request.user)
        messages.success(request, f"Saved: {saved}.")
        return redirect("schedules:setup", pk=program.pk)
    context = {"program": program, "line": instance, "form": form}
    return render(request, "schedules/curriculum_edit.html", context)


@staff_required
@require_POST
def curriculum_delete(request: HttpRequest, pk: int, line: int) -> HttpResponse:
    program = _program(request, pk)
    instance = get_object_or_404(CurriculumRequirement, pk=line, program=program)
    sentence = instance.sentence
    with transaction.atomic():
        object_delete(instance=instance, by=request.user)
    messages.success(request, f"Deleted: {sentence}.")
    return redirect("schedules:setup", pk=program.pk)
