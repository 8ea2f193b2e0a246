"""Pages of case logs. Thin: access.py decides, services write, selectors read."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.caselogs.access import (
    case_log_programs,
    faculty_of,
    may_decide,
    may_log_for,
    may_open_home,
    may_see_log_of,
    may_see_program,
)
from rounds.caselogs.forms import CaseLogForm, ReturnForm
from rounds.caselogs.models import CaseLog
from rounds.caselogs.selectors import (
    EXPORT_COLUMNS,
    entries_of,
    export_rows,
    level_summaries,
    prefill_for,
    procedures_for,
    program_standings,
    progress_of,
    queue_of,
    supervisors_for,
)
from rounds.caselogs.services import (
    CaseLogError,
    caselog_log,
    caselog_resubmit,
    caselog_return,
    caselog_verify,
)
from rounds.core.models import Program
from rounds.lib import today as clock
from rounds.lib.exports import csv_response
from rounds.lib.idempotency import made_earlier, submit_once, token_from
from rounds.people.access import trainee_of, user_roles
from rounds.people.models import Role, Trainee


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A trainee goes to their log, faculty to their queue, staff see their programs."""
    if not may_open_home(request.user):
        raise PermissionDenied("Your roles do not include case logs.")
    programs = list(case_log_programs(request.user).order_by("name"))
    faculty = faculty_of(request.user)
    if not programs:
        trainee = trainee_of(request.user)
        if trainee is not None:
            return redirect("caselogs:trainee", trainee.pk)
        return redirect("caselogs:queue")
    context = {"programs": programs, "queue": queue_of(faculty).count() if faculty else None}
    return render(request, "caselogs/home.html", context)


def _trainee_for(request: HttpRequest, pk: int) -> Trainee:
    trainee = get_object_or_404(Trainee.objects.select_related("person", "program"), pk=pk)
    if not may_see_log_of(request.user, trainee):
        raise Http404
    return trainee


def _day_from(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def _log_form(
    trainee: Trainee,
    day: date,
    data: Any = None,
    corrects: CaseLog | None = None,
    returned: CaseLog | None = None,
) -> CaseLogForm:
    """The log form for `day`; correcting an entry, or editing one `returned`, it starts from
    that entry's procedure, role, site and supervisor (and, for an edit, its note)."""
    prefill = prefill_for(trainee, day)
    initial: dict[str, Any] = {"day": day, "site": prefill.site, "supervisor": prefill.supervisor}
    supervisors = supervisors_for(trainee, prefill)
    earlier = corrects or returned
    if earlier is not None:
        initial |= {"procedure": earlier.procedure.name, "role": earlier.role,
                    "site": earlier.site, "supervisor": earlier.supervisor}  # fmt: skip
    if returned is not None:
        initial["note"] = returned.note
        # The supervisor it names stays offered, even when not the program's or the day's.
        if returned.supervisor not in supervisors:
            supervisors.append(returned.supervisor)
    form = CaseLogForm(
        data,
        initial=initial,
        procedures=list(procedures_for(trainee.program)),
        supervisors=supervisors,
    )
    form.prefill = prefill  # type: ignore[attr-defined]
    return form


def _trainee_context(
    request: HttpRequest, trainee: Trainee, form: CaseLogForm | None = None
) -> dict[str, Any]:
    today = clock.today()
    logs = may_log_for(request.user, trainee)
    corrects = _correcting(request, trainee) if logs else None
    if logs and form is None:
        day = corrects.day if corrects else _day_from(request.GET.get("day"), today)
        form = _log_form(trainee, min(day, today), corrects=corrects)
    return {
        "trainee": trainee,
        "today": today,
        "form": form,
        "corrects": corrects,
        "progress": progress_of(trainee, today),
        "entries": list(entries_of(trainee)[:200]),
    }


def _correcting(request: HttpRequest, trainee: Trainee) -> CaseLog | None:
    raw = request.POST.get("corrects") or request.GET.get("corrects")
    if not raw or not str(raw).isdigit():
        return None
    return CaseLog.objects.filter(
        pk=int(raw), trainee=trainee, status=CaseLog.Status.VERIFIED
    ).first()


@login_required
def trainee_log(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee_for(request, pk)
    return render(request, "caselogs/trainee.html", _trainee_context(request, trainee))


@login_required
@require_POST
def log(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee_for(request, pk)
    if not may_log_for(request.user, trainee):
        raise Http404
    corrects = _correcting(request, trainee)
    day = _day_from(request.POST.get("day"), clock.today())
    form = _log_form(trainee, day, request.POST, corrects=corrects)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry, _ = submit_once(
                token=token_from(request.POST),
                scope=f"caselogs.log.{trainee.pk}",
                by=request.user,
                model=CaseLog,
                write=lambda: caselog_log(
                    trainee=trainee, by=request.user, corrects=corrects, **data
                ),
            )
        except CaseLogError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"{entry.procedure.name} ({entry.get_role_display().lower()}) logged; "
                f"it waits for {entry.supervisor.person.full_name} to verify it.",
            )
            return redirect("caselogs:trainee", trainee.pk)
    context = _trainee_context(request, trainee, form)
    return render(request, "caselogs/trainee.html", context, status=400)


def _returned_entry(request: HttpRequest, pk: int) -> CaseLog:
    """A returned entry of the signed-in trainee's own; anything else is a 404."""
    entry = get_object_or_404(
        CaseLog.objects.select_related(
            "trainee__person", "trainee__program", "procedure", "site", "supervisor__person",
            "decided_by",
        ),
        pk=pk,
    )  # fmt: skip
    if not may_log_for(request.user, entry.trainee) or entry.status != CaseLog.Status.RETURNED:
        raise Http404
    return entry


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an entry the faculty returned and send it again to be verified. The form carries a
    submit token: a second tap finds the entry already sent and answers as the first did."""
    token = token_from(request.POST)
    scope = f"caselogs.resubmit.{pk}"
    earlier = made_earlier(token=token, scope=scope, by=request.user, model=CaseLog)
    if earlier is not None:
        return redirect("caselogs:trainee", earlier.trainee_id)
    entry = _returned_entry(request, pk)
    trainee = entry.trainee
    raw_day = request.POST.get("day") if request.method == "POST" else request.GET.get("day")
    day = min(_day_from(raw_day, entry.day), clock.today())
    form = _log_form(
        trainee, day, request.POST if request.method == "POST" else None, returned=entry
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            sent, _ = submit_once(
                token=token, scope=scope, by=request.user, model=CaseLog,
                write=lambda: caselog_resubmit(entry=entry, by=request.user, **data),
            )  # fmt: skip
        except CaseLogError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                f"{sent.procedure.name} sent again; it waits for "
                f"{sent.supervisor.person.full_name} to verify it.",
            )
            return redirect("caselogs:trainee", trainee.pk)
    status = 400 if request.method == "POST" else 200
    context = {"entry": entry, "trainee": trainee, "form": form}
    return render(request, "caselogs/edit.html", context, status=status)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The entries waiting for the signed-in faculty member to verify."""
    faculty = faculty_of(request.user)
    if faculty is None and not user_roles(request.user).has(Role.FACULTY):
        raise PermissionDenied("Case logs are verified by the faculty who supervised them.")
    context = {"entries": list(queue_of(faculty)), "no_record": faculty is None}
    return render(request, "caselogs/queue.html", context)


def _entry_to_decide(request: HttpRequest, pk: int) -> CaseLog:
    entry = get_object_or_404(
        CaseLog.objects.select_related("supervisor__person", "procedure", "trainee__person"), pk=pk
    )
    if not may_decide(request.user, entry):
        raise Http404
    return entry


@login_required
@require_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_to_decide(request, pk)
    try:
        caselog_verify(entry=entry, by=request.user)
    except CaseLogError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Verified: {entry.trainee.person.full_name}, {entry.procedure}.")
    return redirect("caselogs:queue")


@login_required
@require_POST
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_to_decide(request, pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise CaseLogError("Say why the entry goes back (at most 300 characters).")
        caselog_return(entry=entry, by=request.user, comment=form.cleaned_data["comment"])
    except CaseLogError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Returned to {entry.trainee.person.full_name} with your comment."
        )
    return redirect("caselogs:queue")


def _program_for(request: HttpRequest, pk: int) -> Program:
    program = get_object_or_404(Program, pk=pk)
    if not may_see_program(request.user, program):
        raise PermissionDenied("Your roles do not include this program's case logs.")
    return program


@login_required
def program(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is behind the minimums due at their level, furthest behind first."""
    program = _program_for(request, pk)
    standings = program_standings(program, clock.today())
    context = {
        "program": program,
        "standings": standings,
        "levels": level_summaries(standings),
        "procedures": procedures_for(program).prefetch_related("minimums"),
    }
    return render(request, "caselogs/program.html", context)


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    program = _program_for(request, pk)
    response, writer = csv_response(f"case-logs-{program.slug}-{clock.today():%Y%m%d}.csv")
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(export_rows(program))
    return response
