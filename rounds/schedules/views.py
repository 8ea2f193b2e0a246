"""Schedule pages. Thin: check who is asking, call a selector or a service, render."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from rounds.core.demo import academic_year_start
from rounds.core.models import Program, Site
from rounds.jobs.models import Job
from rounds.lib import today as clock
from rounds.lib.idempotency import token_from
from rounds.lib.params import id_or_none, year_or_none
from rounds.people.access import programs_managed_by, trainee_of, user_roles
from rounds.people.models import Trainee
from rounds.schedules import notices, selectors
from rounds.schedules.access import (
    clinical_required,
    gme_required,
    manage_or_404,
    staff_required,
    trainee_required,
)
from rounds.schedules.calls import call_month_rebuild
from rounds.schedules.consequences import call_months_broken, rotation_publish_preview
from rounds.schedules.forms import WISH_BUDGET, CorrectionForm, WishesForm
from rounds.schedules.grid_display import shown_grid
from rounds.schedules.jobs import (
    ALL_KIND,
    KIND,
    call_resolve_start,
    institution_solve_start,
    solve_start,
)
from rounds.schedules.models import (
    Block,
    CallSchedule,
    Preference,
    Rotation,
    RotationProgram,
    RotationSchedule,
    VacationRequest,
)
from rounds.schedules.services import (
    ScheduleError,
    StaleEdit,
    StalePreview,
    assignment_correct,
    assignment_lock,
    assignment_set,
    blocks_create,
    preferences_set,
    schedule_compare,
    schedule_create,
    schedule_publish,
    vacation_decide,
    vacation_request,
    vacations_decide,
)


def _year(request: HttpRequest) -> int:
    """?year=2026, or this academic year when it is missing or no year Rounds knows."""
    return year_or_none(request.GET.get("year", "")) or academic_year_start(clock.today())


@clinical_required
def home(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    if not roles.is_staff_member:
        return redirect("schedules:mine" if trainee_of(request.user) else "schedules:on_call")
    year = _year(request)
    programs = list(programs_managed_by(request.user).order_by("name")[:200])
    published: dict[int, RotationSchedule] = {}
    drafts: dict[int, RotationSchedule] = {}
    for s in RotationSchedule.objects.filter(program__in=programs, academic_year=year).order_by(
        "number"
    ):  # the newest of each kind wins
        if s.status == RotationSchedule.Status.PUBLISHED:
            published[s.program_id] = s
        elif s.is_draft:
            drafts[s.program_id] = s
    rows = [(p, published.get(p.pk), drafts.get(p.pk)) for p in programs]
    context: dict[str, Any] = {"rows": rows, "year": year, "gme": roles.is_gme_office}
    if roles.is_gme_office:
        context["institution_jobs"] = Job.objects.filter(
            kind=ALL_KIND, params__academic_year=year
        ).order_by("-pk")[:5]
    return render(request, "schedules/home.html", context)


@gme_required
@require_POST
def solve_all(request: HttpRequest, year: int) -> HttpResponse:
    """The GME office builds every program's year in one solve (shared capacities hold)."""
    try:
        job = institution_solve_start(
            academic_year=year,
            by=request.user,
            keep_published=request.POST.get("keep_published") == "1",
            token=token_from(request.POST),
        )
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect(reverse("schedules:home") + f"?year={year}")
    return redirect("schedules:job", pk=job.pk)


@staff_required
def program_year(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    jobs = Job.objects.filter(kind=KIND, params__program=program.pk)[:5]
    context = {
        "program": program,
        "year": year,
        "blocks": selectors.blocks_of(program, year),
        "schedules": selectors.schedules_for(program, year),
        "rotations": Rotation.objects.filter(uses__program=program).select_related("site"),
        "curriculum": program.curriculum.select_related("rotation"),
        "jobs": jobs,
        "broken_calls": call_months_broken(program.pk),
        "schemes": Block.Scheme.choices,
        "vacations": selectors.vacation_book(program, year),
    }
    return render(request, "schedules/program.html", context)


@staff_required
@require_POST
def vacations_decision(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Approve or decline the ticked requests together; each trainee hears their decision."""
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    approve = request.POST.get("approve") == "1"
    ticked = [id_or_none(p) for p in request.POST.getlist("request")]
    pks = [one for one in ticked if one is not None]
    if not pks:
        messages.error(request, "Tick the requests to decide first.")
    else:
        decided = vacations_decide(program=program, pks=pks, approve=approve, by=request.user)
        for one in decided:
            transaction.on_commit(functools.partial(notices.vacation_decided, one))
        verdict = "approved" if approve else "declined"
        messages.success(
            request,
            f"{len(decided)} request{'s' if len(decided) != 1 else ''} {verdict}; "
            "each trainee is told.",
        )
    return redirect(reverse("schedules:program", args=[pk, year]) + "#vac-h")


@staff_required
@require_POST
def blocks_new(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    if year_or_none(year) is None:
        raise Http404(f"Rounds keeps no academic year {year}.")
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    scheme = request.POST.get("scheme", Block.Scheme.FOUR_WEEK)
    if scheme not in Block.Scheme.values:
        scheme = Block.Scheme.FOUR_WEEK
    try:
        blocks_create(program=program, academic_year=year, scheme=scheme, by=request.user)
    except ScheduleError as error:
        messages.error(request, str(error))
    return redirect("schedules:program", pk=pk, year=year)


@staff_required
@require_POST
def solve(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    based_on = None
    if request.POST.get("based_on"):
        based_on = get_object_or_404(
            RotationSchedule, pk=id_or_none(request.POST["based_on"]), program=program
        )
    try:
        job = solve_start(
            program=program,
            academic_year=year,
            by=request.user,
            based_on=based_on,
            token=token_from(request.POST),
        )
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedules:program", pk=pk, year=year)
    return redirect("schedules:job", pk=job.pk)


def _schedule(request: HttpRequest, pk: int) -> RotationSchedule:
    schedule = get_object_or_404(RotationSchedule.objects.select_related("program"), pk=pk)
    manage_or_404(request.user, schedule.program)
    return schedule


@staff_required
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    context = {
        **_grid_context(schedule),
        "others": selectors.schedules_for(schedule.program, schedule.academic_year),
        "broken_calls": call_months_broken(schedule.program_id)
        if schedule.status == RotationSchedule.Status.PUBLISHED
        else [],
        "changes": (changes := selectors.solve_changes(schedule)),
        "changes_people": len({c.trainee for c in changes}),
    }
    return render(request, "schedules/grid.html", context)


def _grid_context(
    schedule: RotationSchedule, error: str = "", only_trainee: int | None = None
) -> dict[str, Any]:
    grid = selectors.schedule_grid(schedule, only_trainee)
    return {"grid": grid, "shown": shown_grid(grid, only_trainee), "error": error}


@staff_required
def cell_correct(request: HttpRequest, pk: int, trainee: int, block: int) -> HttpResponse:
    """Correct a started cell of a draft: a page that asks what was worked and why."""
    schedule = _schedule(request, pk)
    who = get_object_or_404(Trainee, pk=trainee, program=schedule.program)
    where = get_object_or_404(
        Block, pk=block, program=schedule.program, academic_year=schedule.academic_year
    )
    form = CorrectionForm(
        request.POST or None,
        block=where,
        program=schedule.program,
        initial={"revision": schedule.revision},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment_correct(
                schedule=schedule,
                trainee=who,
                block=where,
                half=form.cleaned_data["half"],
                rotation=form.cleaned_data["rotation"],
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
                by=request.user,
            )
        except ScheduleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{who.person} in {where.label} corrected.")
            return redirect("schedules:grid", pk=schedule.pk)
    cells = schedule.assignments.filter(trainee=who, block=where).select_related("rotation")
    context = {"schedule": schedule, "trainee": who, "where": where, "form": form, "cells": cells}
    return render(request, "schedules/correct.html", context)


def _cell_args(request: HttpRequest, schedule: RotationSchedule) -> tuple[Trainee, Block, int]:
    trainee = get_object_or_404(
        Trainee, pk=id_or_none(request.POST.get("trainee")), program=schedule.program
    )
    block = get_object_or_404(
        Block,
        pk=id_or_none(request.POST.get("block")),
        program=schedule.program,
        academic_year=schedule.academic_year,
    )
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    return trainee, block, revision


@staff_required
@require_POST
def cell_set(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    trainee, block, revision = _cell_args(request, schedule)
    # "12" is a whole block of rotation 12; "split:12:7" its first half on 12, second on 7.
    choice = request.POST.get("rotation", "")
    pks = choice.removeprefix("split:").split(":") if choice.startswith("split:") else [choice]
    if len(pks) > 2 or not all(pk.isdigit() for pk in pks):
        raise Http404("No such rotation.")
    parts = [get_object_or_404(Rotation, pk=pk) for pk in pks]
    error, stale = "", False
    try:
        assignment_set(
            schedule=schedule,
            trainee=trainee,
            block=block,
            rotation=parts[0],
            second=parts[1] if len(parts) == 2 else None,
            revision=revision,
            by=request.user,
        )
    except ScheduleError as exc:
        error, stale = str(exc), isinstance(exc, StaleEdit)
    return _respond(request, schedule, trainee, error, stale)


@staff_required
@require_POST
def cell_lock(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    trainee, block, revision = _cell_args(request, schedule)
    error, stale = "", False
    try:
        assignment_lock(
            schedule=schedule,
            trainee=trainee,
            block=block,
            locked=request.POST.get("locked") == "1",
            revision=revision,
            by=request.user,
        )
    except ScheduleError as exc:
        error, stale = str(exc), isinstance(exc, StaleEdit)
    return _respond(request, schedule, trainee, error, stale)


def _respond(
    request: HttpRequest, schedule: RotationSchedule, trainee: Trainee, error: str, stale: bool
) -> HttpResponse:
    """After an edit: to the grid's script, only what changed (the trainee's row with its
    totals and findings, the rules list, the revision); the whole grid when someone else
    changed the draft meanwhile (what they changed is not known here). Without htmx, the page.
    htmx swaps 2xx only, so a refused edit answers 200 with the reason in the rules list."""
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        return redirect("schedules:grid", pk=schedule.pk)
    schedule.refresh_from_db()
    if stale:
        response = render(request, "schedules/_grid.html", _grid_context(schedule, error))
        return reswap(retarget(response, "#grid"), "outerHTML")
    context = _grid_context(schedule, error, only_trainee=trainee.pk)
    return reswap(render(request, "schedules/_grid_changed.html", context), "none")


@staff_required
def publish_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What publishing the draft would change, before it can be published."""
    schedule = _schedule(request, pk)
    if not schedule.is_draft:
        messages.info(request, f"Version {schedule.number} is {schedule.status} already.")
        return redirect("schedules:grid", pk=pk)
    preview = rotation_publish_preview(schedule)
    context = {"preview": preview, "s": schedule, "reason": request.GET.get("reason", "")}
    return render(request, "schedules/publish_preview.html", context)


@staff_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish as previewed (the form carries the preview's fingerprint), and start a rebuild
    of each broken call month the coordinator ticked."""
    schedule = _schedule(request, pk)
    fingerprint = request.POST.get("fingerprint", "")
    if not fingerprint:
        messages.info(request, "See what publishing changes first, then publish from here.")
        return redirect("schedules:publish_preview", pk=pk)
    try:
        told = schedule_publish(
            schedule=schedule,
            by=request.user,
            reason=request.POST.get("reason", ""),
            fingerprint=fingerprint,
        )
    except StalePreview as error:
        messages.error(request, str(error))
        return redirect("schedules:publish_preview", pk=pk)
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedules:publish_preview", pk=pk)
    messages.success(
        request, f"Version {schedule.number} is published; {len(told)} trainee(s) were told."
    )
    _rebuild_months(request, schedule, request.POST.getlist("rebuild"))
    return redirect("schedules:grid", pk=pk)


def _rebuild_months(request: HttpRequest, schedule: RotationSchedule, pks: list[str]) -> None:
    """The ticked call months, rebuilt where the new rotations broke them: a kept-and-locked
    draft, then a re-solve of the gaps on the task queue."""
    months = CallSchedule.objects.filter(
        program=schedule.program, pk__in=[p for p in pks if p.isdigit()]
    )
    because = f"Rotation schedule version {schedule.number} was published"
    for month in months:
        try:
            draft = call_month_rebuild(month=month, because=because, by=request.user)
            call_resolve_start(schedule=draft, by=request.user)
        except ScheduleError as error:
            messages.error(request, f"Call for {month.month:%B %Y}: {error}")
        else:
            messages.success(
                request,
                f"Call for {month.month:%B %Y}: draft version {draft.number} keeps "
                f"{draft.shifts.count()} shift(s) locked; the re-solve of the rest is queued. "
                "Preview and publish its result to replace the published month.",
            )


@staff_required
@require_POST
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, "Say why the schedule changes; the people affected will read it.")
        return redirect("schedules:grid", pk=pk)
    draft = schedule_create(
        program=schedule.program,
        academic_year=schedule.academic_year,
        by=request.user,
        reason=reason,
        based_on=schedule,
    )
    messages.success(
        request, f"Draft version {draft.number} started from version {schedule.number}."
    )
    return redirect("schedules:grid", pk=draft.pk)


@staff_required
def compare(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    a, b = _schedule(request, pk), _schedule(request, other)
    if (a.program_id, a.academic_year) != (b.program_id, b.academic_year):
        raise Http404("Only versions of one program's year can be compared.")
    return render(
        request, "schedules/compare.html", {"a": a, "b": b, "rows": schedule_compare(a, b)}
    )


@trainee_required
def mine(request: HttpRequest) -> HttpResponse:
    trainee = trainee_of(request.user)
    if trainee is None:
        raise Http404("You have no trainee record.")
    return _render_mine(request, trainee, _wishes_form(trainee))


def _render_mine(
    request: HttpRequest, trainee: Trainee, wishes: WishesForm, status: int = 200
) -> HttpResponse:
    today = clock.today()
    year = _year(request)
    start, end = dt.date(year, 7, 1), dt.date(year + 1, 6, 30)
    spans = _merged(selectors.rotation_days(trainee, start, end))
    upcoming = selectors.scheduled_shifts(trainee, today, today + dt.timedelta(days=13))
    context = {
        "trainee": trainee,
        "spans": spans,
        "year": year,
        "today": today,
        "upcoming": upcoming,
        "blocks": selectors.blocks_of(trainee.program, year),
        "vacations": VacationRequest.objects.filter(trainee=trainee, block__academic_year=year)
        .select_related("block")
        .order_by("block__number"),
        "wish_year": _wish_year(),
        "wishes": wishes,
        "wish_budget": WISH_BUDGET,
    }
    return render(request, "schedules/mine.html", context, status=status)


def _wish_year() -> int:
    """Wishes are for the year being planned: the one that starts next July."""
    return academic_year_start(clock.today()) + 1


def _wishes_form(trainee: Trainee, data: Any = None) -> WishesForm:
    year = _wish_year()
    rotations = [
        u.rotation
        for u in RotationProgram.objects.filter(program=trainee.program)
        .exclude(rotation__kind=Rotation.Kind.VACATION)
        .select_related("rotation__site")
        .order_by("rotation__name")
        if u.eligible(trainee.pgy)
    ]
    current: dict[int, tuple[int, int | None]] = {}
    for pref in Preference.objects.filter(trainee=trainee).filter(
        Q(block__isnull=True) | Q(block__academic_year=year)
    ):
        current[pref.rotation_id] = (pref.weight, pref.block_id)
    return WishesForm(
        data,
        rotations=rotations,
        blocks=selectors.blocks_of(trainee.program, year),
        initial_wishes=current,
        prefix="wish",
    )


@trainee_required
@require_POST
def wishes_save(request: HttpRequest) -> HttpResponse:
    trainee = trainee_of(request.user)
    if trainee is None:
        raise Http404("You have no trainee record.")
    form = _wishes_form(trainee, request.POST)
    if not form.is_valid():
        return _render_mine(request, trainee, form, status=400)
    wishes = form.wishes()
    preferences_set(trainee=trainee, academic_year=_wish_year(), wishes=wishes, by=request.user)
    messages.success(
        request,
        f"{len(wishes)} wish{'es' if len(wishes) != 1 else ''} saved; the next solve of "
        f"{_wish_year()}–{_wish_year() + 1} weighs them.",
    )
    return redirect(reverse("schedules:mine") + "#wishes-h")


def _merged(
    spans: list[tuple[dt.date, dt.date, Rotation]],
) -> list[tuple[dt.date, dt.date, Rotation]]:
    """Back-to-back blocks on one rotation read as one stretch."""
    out: list[tuple[dt.date, dt.date, Rotation]] = []
    for first, last, rotation in spans:
        if out and out[-1][2] == rotation and (first - out[-1][1]).days <= 1:
            out[-1] = (out[-1][0], last, rotation)
        else:
            out.append((first, last, rotation))
    return out


@staff_required
def site_view(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=slug)
    today = clock.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today
    end = start + dt.timedelta(days=27)
    stints = selectors.trainees_at_site(site, start, end)
    roles = user_roles(request.user)
    if not roles.is_gme_office:
        stints = [s for s in stints if s.program.pk in roles.staffed_program_ids]
    context = {
        "site": site,
        "start": start,
        "end": end,
        "stints": stints,
        "arriving": [s for s in stints if s.first_day >= start],
        "previous": start - dt.timedelta(days=28),
        "next": end + dt.timedelta(days=1),
        "sites": Site.objects.filter(rotations__isnull=False).distinct(),
    }
    return render(request, "schedules/site.html", context)


@trainee_required
@require_POST
def vacation_new(request: HttpRequest) -> HttpResponse:
    trainee = trainee_of(request.user)
    if trainee is None:
        raise Http404("You have no trainee record.")
    block = get_object_or_404(
        Block, pk=id_or_none(request.POST.get("block")), program=trainee.program
    )
    try:
        vacation_request(trainee=trainee, block=block, note=request.POST.get("note", ""),
                         token=token_from(request.POST), by=request.user)  # fmt: skip
    except ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Vacation in {block.label} requested; the next solve weighs it.")
    return redirect(reverse("schedules:mine") + f"?year={block.academic_year}")


@staff_required
@require_POST
def vacation_decision(request: HttpRequest, pk: int) -> HttpResponse:
    vacation = get_object_or_404(VacationRequest.objects.select_related("block__program"), pk=pk)
    manage_or_404(request.user, vacation.block.program)
    vacation_decide(request=vacation, approve=request.POST.get("approve") == "1", by=request.user)
    transaction.on_commit(lambda: notices.vacation_decided(vacation))
    return redirect("schedules:program", pk=vacation.block.program_id,
                    year=vacation.block.academic_year)  # fmt: skip
