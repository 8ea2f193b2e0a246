"""Staff pages. Thin: check the role, call a service or selector, render."""

from __future__ import annotations

import base64
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.core.demo import academic_year_start
from rounds.core.models import AuditEntry, Program
from rounds.core.services import StaleRecord, form_save, object_delete
from rounds.imports.jobs import import_start
from rounds.imports.specs import SPECS
from rounds.jobs.models import Job
from rounds.jobs.services import job_cancel
from rounds.lib import today as clock
from rounds.lib.idempotency import AlreadySubmitted, made_earlier, token_from
from rounds.lib.languages import language_name
from rounds.people.access import (
    can_manage_program,
    can_view_trainee,
    gme_office_required,
    person_of,
    programs_managed_by,
    staff_required,
    trainees_visible_to,
    user_roles,
)
from rounds.people.models import Role, Trainee, YearRollover
from rounds.people.rollover import InternFile, RolloverError, rollover_plan, rollover_start
from rounds.people.services import (
    Preview,
    TrainingError,
    trainee_event_preview,
    training_event_draft,
    training_event_record,
)
from rounds.people.training import history_of, history_prefetch, trainees_in_training
from rounds.staff.forms import (
    ImportForm,
    ProgramTextForm,
    TraineePersonForm,
    TrainingEventForm,
)
from rounds.staff.managed import MANAGED, Managed
from rounds.staff.todos import failed_jobs, todos_for


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    programs = list(programs_managed_by(request.user).select_related("specialty"))
    today = clock.today()
    counts = Counter(
        history_of(t).program_on(today) for t in trainees_in_training(programs, today, today)
    )
    for program in programs:
        program.trainee_count = counts[program.pk]  # type: ignore[attr-defined]
    context = {
        "programs": programs,
        "program_total": len(programs),
        "trainee_total": sum(counts[p.pk] for p in programs),
        "managed": MANAGED.values() if user_roles(request.user).is_gme_office else [],
        "jobs": Job.objects.filter(started_by_id=request.user.pk)[:5],
        "todos": todos_for(request.user),
    }
    return render(request, "staff/home.html", context)


def _managed(kind: str) -> Managed:
    try:
        return MANAGED[kind]
    except KeyError:
        raise Http404(f"No records called {kind}") from None


@gme_office_required
def managed_list(request: HttpRequest, kind: str) -> HttpResponse:
    managed = _managed(kind)
    rows = [(obj.pk, [value(obj) for _, value in managed.columns]) for obj in managed.queryset()]
    return render(
        request,
        "staff/managed_list.html",
        {"managed": managed, "headers": [label for label, _ in managed.columns], "rows": rows},
    )


@gme_office_required
def managed_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    managed = _managed(kind)
    instance = get_object_or_404(managed.model, pk=pk) if pk else managed.model()
    token = "" if pk else token_from(request.POST)
    # A new record's form sent again: its own checks (a name already taken) would refuse it.
    earlier = made_earlier(
        token=token, scope=f"form.{managed.model._meta.label_lower}", by=request.user,
        model=managed.model,
    )  # fmt: skip
    if request.method == "POST" and earlier is not None:
        messages.success(request, f"Saved {earlier}.")
        return redirect("staff:managed_list", kind=kind)
    form = managed.form(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form_save(form=form, by=request.user, token=token)
        messages.success(request, f"Saved {saved}.")
        return redirect("staff:managed_list", kind=kind)
    return render(
        request, "staff/edit.html", {"managed": managed, "form": form, "instance": instance}
    )


@gme_office_required
@require_POST
def managed_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    managed = _managed(kind)
    if not managed.deletable:
        raise PermissionDenied(f"{managed.title} are not deleted from here.")
    instance = get_object_or_404(managed.model, pk=pk)
    object_delete(instance=instance, by=request.user)
    messages.success(request, f"Deleted {instance}.")
    return redirect("staff:managed_list", kind=kind)


@staff_required
def program_text_edit(request: HttpRequest, pk: int) -> HttpResponse:
    program = get_object_or_404(Program, pk=pk)
    if not can_manage_program(request.user, program):
        raise PermissionDenied("You are not on this program's leadership.")
    form = ProgramTextForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, f"Saved the public page of {program}.")
        return redirect("staff:home")
    return render(request, "staff/program_text.html", {"form": form, "program": program})


@staff_required
def trainee_list(request: HttpRequest) -> HttpResponse:
    """Trainees of the viewer's programs, searched by name or email as one types (htmx swaps
    only the rows), narrowed to one program."""
    trainees = trainees_visible_to(request.user).exclude(person__user=request.user.pk)
    today = clock.today()
    program_id = request.GET.get("program")
    if program_id and program_id.isdigit():
        trainees = trainees.filter(program_id=int(program_id))
    text = request.GET.get("q", "").strip()[:100]
    for word in text.split()[:4]:
        trainees = trainees.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
        )
    context = {
        "rows": [
            (t, history.pgy_on(today), history.status_label_on(today))
            for t in trainees.select_related("person", "program").prefetch_related(
                *history_prefetch()
            )[:200]
            for history in [history_of(t)]
        ],
        "total": trainees.count(),
        "programs": programs_managed_by(request.user).order_by("name"),
        "q": text,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "staff/_trainee_rows.html", context)
    return render(request, "staff/trainee_list.html", context)


@staff_required
def trainee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A trainee's name, email and numbers, by staff of their program; every change audited.
    Dates are not here: a new start or end is a dated training event on the record page."""
    trainee = get_object_or_404(Trainee.objects.select_related("person", "program"), pk=pk)
    if not can_manage_program(request.user, trainee.program):
        raise Http404("No such trainee record for you")
    form = TraineePersonForm(request.POST or None, instance=trainee.person)
    if request.method == "POST" and form.is_valid():
        try:
            form_save(form=form, by=request.user)
        except StaleRecord as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Saved {trainee.person.full_name}.")
            return redirect("staff:trainee", pk=trainee.pk)
    return render(request, "staff/trainee_edit.html", {"trainee": trainee, "form": form})


@login_required
def trainee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = get_object_or_404(
        Trainee.objects.select_related("person", "program__specialty"), pk=pk
    )
    if not can_view_trainee(request.user, trainee):
        # 404, not 403: a trainee must not learn which records exist.
        raise Http404("No such trainee record for you")
    return _trainee_page(request, trainee, TrainingEventForm())


def _trainee_page(
    request: HttpRequest,
    trainee: Trainee,
    form: TrainingEventForm,
    preview: Preview | None = None,
    previewed: str = "",
) -> HttpResponse:
    languages = [
        (language_name(spoken.language), spoken.get_proficiency_display())
        for spoken in trainee.person.languages.all()
    ]
    today = clock.today()
    history = history_of(trainee)
    context = {
        "trainee": trainee,
        "languages": languages,
        "history": history,
        "status_today": history.status_label_on(today),
        "pgy_today": history.pgy_on(today),
        "events": trainee.training_events.select_related("program", "recorded_by"),
        "can_record": can_manage_program(request.user, trainee.program),
        "form": form,
        "preview": preview,
        "previewed": previewed,
    }
    return render(request, "staff/trainee.html", context)


@staff_required
@require_POST
def trainee_event_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview an event of the trainee's training history; record it once confirmed."""
    trainee = get_object_or_404(
        Trainee.objects.select_related("person", "program__specialty"), pk=pk
    )
    if not can_manage_program(request.user, trainee.program):
        raise Http404("No such trainee record for you")
    form = TrainingEventForm(request.POST)
    if not form.is_valid():
        return _trainee_page(request, trainee, form)
    data = form.cleaned_data
    try:
        event = training_event_draft(
            trainee=trainee, kind=data["kind"], first_day=data["first_day"],
            last_day=data["last_day"], program=data["program"], pgy=data["pgy"],
            reason=data["reason"],
        )  # fmt: skip
        # Record only what was previewed: a change made after the preview is previewed again.
        shown = "|".join(str(data[name]) for name in sorted(data))
        if "confirm" not in request.POST or request.POST.get("previewed") != shown:
            preview = trainee_event_preview(trainee=trainee, event=event)
            return _trainee_page(request, trainee, form, preview, shown)
        training_event_record(event=event, by=request.user)
    except TrainingError as error:
        form.add_error(None, str(error))
        return _trainee_page(request, trainee, form)
    messages.success(request, f"Recorded: {event.get_kind_display()} from {event.effective_date}.")
    return redirect("staff:trainee", pk=trainee.pk)


@login_required
def my_record(request: HttpRequest) -> HttpResponse:
    """The landing page of a trainee, and of faculty, wellness committee members and the
    inclusion office (program staff and the GME office have their dashboard): the work waiting
    for them first, then their own pages."""
    trainee = (
        Trainee.objects.filter(person__user=request.user.pk)
        .select_related("person", "program")
        .first()
    )
    if trainee is None and user_roles(request.user).is_staff_member:
        return redirect("staff:home")
    context = {
        "trainee": trainee,
        "person": trainee.person if trainee is not None else person_of(request.user),
        "todos": todos_for(request.user),
    }
    return render(request, "staff/me.html", context)


@staff_required
def jobs_failed(request: HttpRequest) -> HttpResponse:
    """Background jobs that failed this week: the GME office's to-do; program staff see their
    own."""
    jobs = failed_jobs()
    if not user_roles(request.user).is_gme_office:
        jobs = jobs.filter(started_by_id=request.user.pk)
    return render(request, "staff/jobs_failed.html", {"jobs": jobs[:100]})


@gme_office_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_start(
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                data=upload.read(),
                by=request.user,
                token=token_from(request.POST),
            )
        except AlreadySubmitted as error:
            form.add_error(None, error.message)
        else:
            return redirect(job)
    return render(request, "staff/import.html", {"form": form, "specs": SPECS.values()})


def _own_job(request: HttpRequest, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if job.started_by_id != request.user.pk and not user_roles(request.user).is_gme_office:
        raise Http404("No such job of yours")
    return job


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    is_poll = bool(getattr(request, "htmx", False))  # set by django-htmx's middleware
    template = "staff/_job_status.html" if is_poll else "staff/job.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def job_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    job_cancel(job=job)
    messages.info(request, "Asked the job to stop.")
    return redirect(job)


@gme_office_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.select_related("actor")[:200]
    return render(request, "staff/audit.html", {"entries": entries})


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where sign-in lands: staff to their dashboard; trainees, faculty, wellness committee
    members and the inclusion office to their landing page (the work waiting for them first)."""
    roles = user_roles(request.user)
    if roles.is_staff_member:
        return redirect("staff:home")
    if Trainee.objects.filter(person__user=request.user.pk).exists() or any(
        roles.has(role) for role in LANDING_ROLES
    ):
        return redirect("staff:me")
    return redirect("public:home")


# Roles without the staff dashboard whose work waits for them on their landing page.
LANDING_ROLES = (Role.FACULTY, Role.WELLNESS_COMMITTEE, Role.INCLUSION_OFFICE)


ROLLOVER_HEADINGS = {
    "complete": "Completions",
    "promote": "PGY promotions",
    "intern": "Matched interns (trainee import)",
    "blocks": "Next year's blocks",
    "carry": "Carried as they are",
    "close_draft": "Unpublished drafts closed",
    "archive": "Archive",
}


@gme_office_required
def year_rollover(request: HttpRequest) -> HttpResponse:
    """The dry run of the year rollover, and the run itself once the list was seen."""
    today = clock.today()
    year = _year_of(request.POST.get("year")) or academic_year_start(today)
    interns = _interns_of(request)
    if request.method == "POST" and request.POST.get("action") == "run":
        try:
            job = rollover_start(
                year=year, expected=request.POST.get("fingerprint", ""), by=request.user,
                today=today, interns=interns,
            )  # fmt: skip
        except RolloverError as error:
            messages.error(request, str(error))
        else:
            return redirect(job)
    plan = rollover_plan(year=year, interns=interns)
    groups = [
        (heading, [c.text for c in plan.changes if c.kind == kind])
        for kind, heading in ROLLOVER_HEADINGS.items()
    ]
    context = {
        "plan": plan,
        "groups": [(h, lines) for h, lines in groups if lines],
        "year": year,
        "interns": interns,
        "interns_data": base64.b64encode(interns.data).decode() if interns else "",
        "history": YearRollover.objects.all()[:10],
    }
    return render(request, "staff/rollover.html", context)


def _year_of(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and 2000 <= int(text) <= 2100 else None


def _interns_of(request: HttpRequest) -> InternFile | None:
    """The interns file: uploaded with the dry run, carried in the page to the run."""
    upload = request.FILES.get("interns")
    if upload is not None:
        return InternFile(upload.name or "interns.csv", upload.read())
    data, name = request.POST.get("interns_data"), request.POST.get("interns_name")
    if data and name:
        try:
            return InternFile(name, base64.b64decode(data, validate=True))
        except ValueError:
            return None
    return None
