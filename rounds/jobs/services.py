"""Start, run, report and cancel jobs. Handlers register by kind; one task runs them all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from rounds.jobs.models import Job

logger = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised inside a handler when its starter asked to stop."""


class Progress:
    """Handed to a job's handler: report how far along it is, and learn of cancellation."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, fraction: float, message: str = "") -> None:
        updated = Job.objects.filter(pk=self.job.pk)
        updated.update(progress=max(0.0, min(1.0, fraction)), message=_fit(message))
        if updated.filter(cancel_requested=True).exists():
            raise JobCancelled


Handler = Callable[[Job, Progress], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that does the work of jobs of `kind`; it returns the job's result."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return register


def job_start(*, kind: str, title: str, started_by: Any, params: dict[str, Any]) -> Job:
    """Create the job and queue it once the surrounding transaction commits."""
    from rounds.jobs.tasks import run_job

    job = Job.objects.create(kind=kind, title=title, started_by=started_by, params=params)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_cancel(*, job: Job) -> None:
    Job.objects.filter(pk=job.pk, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        cancel_requested=True
    )


def job_run(job_id: int) -> None:
    """Run one job to its end; every outcome is written to the job row."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return
    if job.cancel_requested:
        _finish(job, Job.Status.CANCELLED, "Cancelled before it started.")
        return
    job.status, job.started_at = Job.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    try:
        result = _HANDLERS[job.kind](job, Progress(job))
    except JobCancelled:
        _finish(job, Job.Status.CANCELLED, "Cancelled.")
    except Exception as error:  # a failed job must say so on its page, whatever went wrong
        logger.exception("job %s failed", job.pk)
        _finish(job, Job.Status.FAILED, f"Failed: {error}")
    else:
        job.result = result
        summary = str(result.get("summary") or "Done.")
        _finish(job, Job.Status.SUCCEEDED, summary, progress=1.0)


def _finish(job: Job, status: str, message: str, progress: float | None = None) -> None:
    job.refresh_from_db(fields=["progress"])
    job.status, job.message, job.finished_at = status, _fit(message), timezone.now()
    if progress is not None:
        job.progress = progress
    job.save(update_fields=["status", "message", "finished_at", "progress", "result"])


def _fit(message: str) -> str:
    """Messages are one line on the job page; the whole text stays in the job's result."""
    limit = Job._meta.get_field("message").max_length or 300
    return message if len(message) <= limit else message[: limit - 1] + "…"
