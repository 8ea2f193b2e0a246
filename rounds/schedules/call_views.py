"""Call schedule pages: build a month, see it with its ACGME check, publish; requests and swaps."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import reswap

from rounds.core.models import Program
from rounds.jobs.models import Job
from rounds.lib import today as clock
from rounds.lib.idempotency import token_from
from rounds.people.access import trainee_of
from rounds.people.models import Trainee
from rounds.schedules import consequences
from rounds.schedules.access import manage_or_404, staff_required, trainee_required
from rounds.schedules.call_checks import month_days, shift_code, shift_types
from rounds.schedules.call_grid import call_compare, call_grid
from rounds.schedules.calls import (
    call_cell_set,
    call_schedule_publish,
    call_shift_correct,
    call_version_new,
)
from rounds.schedules.forms import CallCorrectionForm
from rounds.schedules.history import call_corrections, day_started
from rounds.schedules.jobs import CALL_KINDS, call_build_start, call_resolve_start
from rounds.schedules.models import CallRequest, CallSchedule
from rounds.schedules.services import ScheduleError, StaleEdit


@staff_required
def program_calls(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    context = {
        "program": program,
        "schedules": CallSchedule.objects.filter(program=program),
        "jobs": Job.objects.filter(kind__in=CALL_KINDS, params__program=program.pk)[:5],
        "this_month": clock.today().strftime("%Y-%m"),
        "broken_calls": consequences.call_months_broken(program.pk),
        "requests": CallRequest.objects.filter(
            trainee__program=program, day__gte=clock.today()
        ).select_related("trainee__person")[:100],
    }
    return render(request, "schedules/calls_program.html", context)


@staff_required
@require_POST
def call_build(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    manage_or_404(request.user, program)
    month = request.POST.get("month", "")
    try:
        dt.date.fromisoformat(month + "-01")
    except ValueError:
        messages.error(request, "Choose a month, for example 2026-11.")
        return redirect("schedules:calls", pk=pk)
    job = call_build_start(
        program=program, month=month, by=request.user, token=token_from(request.POST)
    )
    return redirect("schedules:call_job", pk=job.pk)


def _call(request: HttpRequest, pk: int) -> CallSchedule:
    schedule = get_object_or_404(CallSchedule.objects.select_related("program"), pk=pk)
    manage_or_404(request.user, schedule.program)
    return schedule


def _origin(schedule: CallSchedule) -> CallSchedule | None:
    """The published (or once published) version a draft was started from, through re-solves."""
    seen = 0
    base = schedule.based_on
    while base is not None and base.is_draft and seen < 50:
        base, seen = base.based_on, seen + 1
    return base


def _fragment(
    request: HttpRequest, schedule: CallSchedule, *, error: str = "", notice: str = ""
) -> HttpResponse:
    schedule.refresh_from_db()
    context = {"grid": call_grid(schedule), "error": error, "notice": notice}
    return render(request, "schedules/_calls_grid.html", context)


def _changed(
    request: HttpRequest,
    schedule: CallSchedule,
    trainee: Trainee,
    day: dt.date,
    *,
    error: str,
    notice: str,
) -> HttpResponse:
    """After an edit from the grid: only what one trainee's day can change (their row with its
    shift count and findings, the day's coverage, the rules list), swapped out of band; the
    rest of the month stays as it is on the page."""
    schedule.refresh_from_db()
    grid = call_grid(schedule)
    context = {
        "grid": grid,
        "rows": [r for r in grid.rows if r.trainee.pk == trainee.pk],
        "cover": [c for c in grid.cover if c.day == day],
        "error": error,
        "notice": notice,
    }
    return reswap(render(request, "schedules/_calls_changed.html", context), "none")


@staff_required
def call_grid_page(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _call(request, pk)
    if request.htmx:  # type: ignore[attr-defined]
        return _fragment(request, schedule)
    versions = CallSchedule.objects.filter(program=schedule.program, month=schedule.month)
    published = next((v for v in versions if v.status == CallSchedule.Status.PUBLISHED), None)
    origin = _origin(schedule)
    context = {
        "schedule": schedule,
        "grid": call_grid(schedule),
        "others": [v for v in versions if v.pk != schedule.pk],
        "published": published,
        "replaces_unseen": schedule.is_draft and published is not None and origin != published,
        "origin": origin,
        "bent": schedule.result.get("bent", [])[:20],
    }
    return render(request, "schedules/calls_grid.html", context)


def _cell_args(request: HttpRequest, schedule: CallSchedule) -> tuple[Trainee, dt.date]:
    data = request.POST if request.method == "POST" else request.GET
    trainee = get_object_or_404(
        Trainee.objects.select_related("person"),
        pk=data.get("trainee") or 0,
        program=schedule.program,
    )
    try:
        day = dt.date.fromisoformat(data.get("day", ""))
    except ValueError:
        raise Http404("No such day.") from None
    if not 0 <= (day - schedule.month).days < month_days(schedule.month):
        raise Http404("That day is not in this month.")
    return trainee, day


@staff_required
def call_cell(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form for one trainee's day (a panel over the grid, or its own page when opened
    directly, reloaded or without JavaScript; a published version's page says why it cannot
    change). POST: save it; a stale or refused edit returns the fresh grid and the reason, or,
    for a plain form post, the grid page with the reason as a message."""
    schedule = _call(request, pk)
    trainee, day = _cell_args(request, schedule)
    if request.method != "POST":
        return _cell_form(request, schedule, trainee, day)
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    error = notice = ""
    stale = False
    try:
        change = call_cell_set(
            schedule=schedule,
            trainee=trainee,
            day=day,
            shift=request.POST.get("shift", ""),
            locked=request.POST.get("locked") == "1",
            revision=revision,
            by=request.user,
        )
    except ScheduleError as exc:
        error, stale = str(exc), isinstance(exc, StaleEdit)
    else:
        notice = change.text
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps 2xx answers only: a refused edit answers 200 too, with why. Someone else
        # changed the draft meanwhile (what, is not known here): the whole fresh grid.
        if stale:
            return _fragment(request, schedule, error=error)
        return _changed(request, schedule, trainee, day, error=error, notice=notice)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(reverse("schedules:call", args=[schedule.pk]) + f"#t{trainee.pk}")


def _cell_form(
    request: HttpRequest, schedule: CallSchedule, trainee: Trainee, day: dt.date
) -> HttpResponse:
    shifts = list(schedule.shifts.filter(trainee=trainee, day=day))
    types = shift_types(schedule)
    codes = sorted(shift_code(s, types) for s in shifts)
    grid = call_grid(schedule)
    row = next((r for r in grid.rows if r.trainee.pk == trainee.pk), None)
    cell = next((c for c in row.cells if c.day == day), None) if row else None
    context = {
        "schedule": schedule,
        "trainee": trainee,
        "day": day,
        "types": types,
        "current": codes[0] if len(codes) == 1 else "",
        "several": "+".join(codes) if len(codes) > 1 else "",
        "locked": bool(shifts) and all(s.locked for s in shifts),
        "findings": (cell.broken + cell.bent) if cell else [],
        "cover": next((c for c in grid.cover if c.day == day), None),
        "started": day_started(day),
        # A panel over the grid only when htmx asked for one; a link opened directly, a reload
        # or a browser without JavaScript gets a page of its own whose form posts plainly.
        "panel": bool(request.htmx),  # type: ignore[attr-defined]
    }
    template = "schedules/_calls_cell.html" if context["panel"] else "schedules/calls_cell.html"
    return render(request, template, context)


@staff_required
def call_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a started call day of a draft: a page that asks what was worked and why."""
    schedule = _call(request, pk)
    trainee, day = _cell_args(request, schedule)
    types = shift_types(schedule)
    now = sorted(shift_code(s, types) for s in schedule.shifts.filter(trainee=trainee, day=day))
    form = CallCorrectionForm(
        request.POST or None,
        types=types,
        initial={"revision": schedule.revision, "shift": now[0] if len(now) == 1 else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            call_shift_correct(
                schedule=schedule,
                trainee=trainee,
                day=day,
                shift=form.cleaned_data["shift"],
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
                by=request.user,
            )
        except ScheduleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{trainee.person} on {day:%a %b %-d} corrected.")
            return redirect(reverse("schedules:call", args=[schedule.pk]) + f"#t{trainee.pk}")
    context = {
        "schedule": schedule,
        "trainee": trainee,
        "day": day,
        "form": form,
        "now": "+".join(now) or "off",
        "started": day_started(day),
        "correction": call_corrections(schedule).get((trainee.pk, day), ""),
    }
    return render(request, "schedules/calls_correct.html", context)


@staff_required
@require_POST
def call_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _call(request, pk)
    try:
        job = call_resolve_start(schedule=schedule, by=request.user, token=token_from(request.POST))
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedules:call", pk=pk)
    return redirect("schedules:call_job", pk=job.pk)


@staff_required
@require_POST
def call_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _call(request, pk)
    try:
        draft = call_version_new(
            schedule=schedule, reason=request.POST.get("reason", ""), by=request.user
        )
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedules:call", pk=pk)
    messages.success(
        request,
        f"Draft version {draft.number} started from version {schedule.number}; edit it, then "
        "publish it to replace the published one.",
    )
    return redirect("schedules:call", pk=draft.pk)


@staff_required
def call_compare_page(request: HttpRequest, pk: int) -> HttpResponse:
    a = _call(request, pk)
    b = _call(
        request,
        int(request.GET.get("other") or 0) if (request.GET.get("other") or "").isdigit() else 0,
    )
    if (a.program_id, a.month) != (b.program_id, b.month):
        raise Http404("Only versions of one program's month can be compared.")
    return render(request, "schedules/calls_compare.html", {"cmp": call_compare(a, b)})


@staff_required
def call_publish_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What publishing the month would change, before it can be published."""
    schedule = _call(request, pk)
    if not schedule.is_draft:
        messages.info(request, f"Version {schedule.number} is {schedule.status} already.")
        return redirect("schedules:call", pk=pk)
    context = {
        "preview": consequences.call_publish_preview(schedule),
        "s": schedule,
        "reason": request.GET.get("reason", ""),
    }
    return render(request, "schedules/publish_preview.html", context)


@staff_required
@require_POST
def call_publish(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _call(request, pk)
    fingerprint = request.POST.get("fingerprint", "")
    if not fingerprint:
        messages.info(request, "See what publishing changes first, then publish from here.")
        return redirect("schedules:call_publish_preview", pk=pk)
    try:
        told = call_schedule_publish(
            schedule=schedule,
            by=request.user,
            reason=request.POST.get("reason", ""),
            fingerprint=fingerprint,
        )
    except ScheduleError as error:
        messages.error(request, str(error))
        return redirect("schedules:call_publish_preview", pk=pk)
    else:
        messages.success(
            request,
            f"Call for {schedule.month:%B %Y}, version {schedule.number}, is published; "
            f"{len(told)} trainee(s) whose shifts changed are told by email.",
        )
    return redirect("schedules:call", pk=pk)


@trainee_required
@require_POST
def call_request(request: HttpRequest) -> HttpResponse:
    trainee = trainee_of(request.user)
    if trainee is None:
        raise Http404("You have no trainee record.")
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        messages.error(request, "Choose the day, for example 2026-12-24.")
        return redirect("schedules:my_calls")
    if day < clock.today():
        messages.error(request, "That day has passed; requests are for days to come.")
        return redirect("schedules:my_calls")
    kind = request.POST.get("kind", CallRequest.Kind.OFF)
    if kind not in CallRequest.Kind.values:
        kind = CallRequest.Kind.OFF
    CallRequest.objects.update_or_create(
        trainee=trainee, day=day,
        defaults={"kind": kind, "note": request.POST.get("note", "")[:200]},
    )  # fmt: skip
    messages.success(
        request, f"Request for {day:%a %b %-d} saved; the next call schedule weighs it."
    )
    return redirect("schedules:my_calls")
