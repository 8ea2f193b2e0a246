"""The page of every schedule job: a program's rotation solve, the institution-wide solve, a call
month built or re-solved. One view, one cancel and one partial (`_job.html`, polled by htmx) serve
them all; `JOB_KINDS` says, per kind of job, which URLs show it, who may see it and where "back"
goes. What a job made (a draft, drafts, the reasons there is none) is in its result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rounds.core.models import Program
from rounds.jobs.models import Job
from rounds.jobs.services import job_cancel
from rounds.people.access import user_roles
from rounds.schedules.access import manage_or_404, staff_required
from rounds.schedules.import_job import IMPORT_KIND
from rounds.schedules.jobs import ALL_KIND, CALL_KIND, CALL_RESOLVE_KIND, KIND

SOLVES = "schedules:job"
CALLS = "schedules:call_job"


@dataclass(frozen=True)
class JobKind:
    """What the job page needs to know of one kind of job."""

    url: str  # the URL name of its page (SOLVES or CALLS); its cancel URL is this + "_cancel"
    step: str  # the last crumb of the breadcrumbs
    back: Callable[[Job, Program | None], tuple[str, str]]  # the crumb before it: (text, href)
    gme_only: bool = False  # every program's at once: only the GME office sees it

    @property
    def cancel_url(self) -> str:
        return f"{self.url}_cancel"


def _program_year(job: Job, program: Program | None) -> tuple[str, str]:
    year = job.params.get("academic_year")
    if program is None:  # every program's year: the schedules home of that year
        return "Schedules", f"{reverse('schedules:home')}?year={year}"
    return program.name, reverse("schedules:program", args=[program.pk, year])


def _program_calls(job: Job, program: Program | None) -> tuple[str, str]:
    if program is None:
        raise Http404("No such job.")  # a call job always belongs to a program
    return f"{program.name} call", reverse("schedules:calls", args=[program.pk])


JOB_KINDS: dict[str, JobKind] = {
    KIND: JobKind(SOLVES, "Solve", _program_year),
    ALL_KIND: JobKind(SOLVES, "Every program’s year", _program_year, gme_only=True),
    CALL_KIND: JobKind(CALLS, "Build", _program_calls),
    CALL_RESOLVE_KIND: JobKind(CALLS, "Re-solve", _program_calls),
    IMPORT_KIND: JobKind(SOLVES, "Import", _program_year),
}


def _job(request: HttpRequest, pk: int, url: str) -> tuple[Job, JobKind, Program | None]:
    """The job of one of the kinds `url` shows, if this user may see it: a program's job is its
    staff's and the GME office's; another program's staff get 404, as for its schedules. A
    GME-only job does not exist for anyone else."""
    kinds = [name for name, kind in JOB_KINDS.items() if kind.url == url]
    job = get_object_or_404(Job, pk=pk, kind__in=kinds)
    kind = JOB_KINDS[job.kind]
    if kind.gme_only:
        if not user_roles(request.user).is_gme_office:
            raise Http404("No such job.")
        return job, kind, None
    program = get_object_or_404(Program, pk=job.params.get("program"))
    manage_or_404(request.user, program)
    return job, kind, program


@staff_required
def job_page(request: HttpRequest, pk: int, url: str) -> HttpResponse:
    """The job's progress, a cancel button while it runs, and its result; htmx polls the card."""
    job, kind, program = _job(request, pk, url)
    context = {"job": job, "kind": kind, "program": program}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "schedules/_job.html", context)
    context["back"] = kind.back(job, program)
    return render(request, "schedules/job.html", context)


@staff_required
@require_POST
def job_stop(request: HttpRequest, pk: int, url: str) -> HttpResponse:
    job, kind, _ = _job(request, pk, url)
    job_cancel(job=job)
    return redirect(kind.url, pk=pk)
