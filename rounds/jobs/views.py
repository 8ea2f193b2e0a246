"""Retry: the person who started a job that failed because its worker died starts it again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from rounds.jobs.models import Job
from rounds.jobs.services import JobError, job_retry
from rounds.people.access import user_roles


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk)
    if job.started_by_id != request.user.pk or not _still_allowed(request, job):
        raise Http404("No such job of yours")
    try:
        again = job_retry(job=job, by=request.user)
    except JobError as error:
        messages.error(request, str(error))
        return redirect(_page_of(request, job, job))
    messages.info(request, "Started again.")
    return redirect(_page_of(request, job, again))


def _still_allowed(request: HttpRequest, job: Job) -> bool:
    """A job about one program (a solve, a schedule import) is started again only by someone who
    still leads that program or is in the GME office: a starter who has left it may not."""
    program = job.params.get("program")
    if program is None:
        return True
    roles = user_roles(request.user)
    return roles.is_gme_office or program in roles.staffed_program_ids


def _page_of(request: HttpRequest, old: Job, new: Job) -> str:
    """The page the Retry button was on (a job page of its area, which ends in the job's id),
    for the new job; the general job page when that cannot be told."""
    page = request.POST.get("page", "")
    safe = url_has_allowed_host_and_scheme(page, allowed_hosts={request.get_host()})
    if safe and page.startswith("/") and page.endswith(f"/{old.pk}/"):
        candidate = page[: -len(f"{old.pk}/")] + f"{new.pk}/"
        try:
            resolve(candidate)
        except Resolver404:
            pass
        else:
            return candidate
    return new.get_absolute_url()
