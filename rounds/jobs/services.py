"""Start, run, report and cancel jobs. Handlers register by kind; one task runs them all.

A running job has a pulse: a thread beside it that writes the job's heartbeat and looks for
Cancel about once a second, so a solve deep inside CP-SAT stops within seconds (through
`rounds.engine.stop`), and a job whose worker died is found by `job_sweep_stale`, which every
worker runs. A kind registered as safe to run twice (`rerun_safe`) is queued again, once; any
other is marked failed with the reason on its page and a Retry button for its starter
(`job_retry`). Which kinds are which, and why: docs/concurrency.md, "Jobs whose worker died".
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rounds.engine import stop
from rounds.jobs.models import Job

logger = logging.getLogger(__name__)

# What a lost or unreachable database raises (a terminated backend, a dropped network, an
# SQLite file locked past its timeout); the worker survives them and reconnects.
DATABASE_FAULTS = (OperationalError, InterfaceError)
# Writing a job's outcome is retried this many times, a little longer apart each time, before
# the job is left to the sweep.
FINISH_ATTEMPTS = 6


class JobCancelled(Exception):
    """Raised inside a handler when its starter asked to stop."""


class Progress:
    """Handed to a job's handler: report how far along it is, and learn of cancellation."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._owner = threading.get_ident()  # the job's own thread

    def __call__(self, fraction: float, message: str = "") -> None:
        try:
            updated = Job.objects.filter(pk=self.job.pk)
            updated.update(progress=max(0.0, min(1.0, fraction)), message=_fit(message))
            if updated.filter(cancel_requested=True).exists():
                raise JobCancelled
        finally:
            if threading.get_ident() != self._owner:
                # A solver reports from its own threads (CP-SAT's solution callbacks): Django
                # opened a connection for that thread, and nothing else would ever close it.
                connection.close()


Handler = Callable[[Job, Progress], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
# Kinds whose handler may run again from the start after its worker died mid-run, with the same
# outcome as one run: what it writes is all-or-nothing and writing it twice changes nothing.
_RERUN_SAFE: set[str] = set()
# A job whose worker died is queued again at most this many times: what killed the worker (a
# solve too large for memory) may kill the next one too.
MAX_REQUEUES = 1


class JobError(Exception):
    """A job action that cannot be done, with a sentence saying why."""


def job_handler(kind: str, *, rerun_safe: bool = False) -> Callable[[Handler], Handler]:
    """Register the function that does the work of jobs of `kind`; it returns the job's result.
    `rerun_safe`: a job of this kind whose worker died is queued again once by the sweep."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        if rerun_safe:
            _RERUN_SAFE.add(kind)
        else:
            _RERUN_SAFE.discard(kind)
        return handler

    return register


def rerun_safe(kind: str) -> bool:
    from rounds.jobs.tasks import handlers_load

    handlers_load()
    return kind in _RERUN_SAFE


def job_start(*, kind: str, title: str, started_by: Any, params: dict[str, Any]) -> Job:
    """Create the job and queue it once the surrounding transaction commits."""
    from rounds.jobs.tasks import run_job

    job = Job.objects.create(kind=kind, title=title, started_by=started_by, params=params)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def job_cancel(*, job: Job) -> None:
    """A queued job ends at once (nothing of it ran); a running one is asked to stop, and its
    pulse and its solves notice within seconds."""
    Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED,
        cancel_requested=True,
        message="Cancelled before it started.",
        finished_at=timezone.now(),
    )
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True)


def worker_name() -> str:
    """This process as the job page names it (and `db_worker` names itself to django-tasks)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def job_run(job_id: int) -> None:
    """Run one job to its end; every outcome is written to the job row."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return
    if job.cancel_requested:
        _finish(job, Job.Status.CANCELLED, "Cancelled before it started.")
        return
    now = timezone.now()
    taken = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker_name()
    )
    if not taken:  # another worker runs it, or the sweep already gave up on it
        return
    job.refresh_from_db()
    pulse = _Pulse(job.pk)
    try:
        with pulse, stop.stop_when(pulse.cancelled.is_set):
            result = _HANDLERS[job.kind](job, Progress(job))
    except (JobCancelled, stop.Stopped):
        _finish(job, Job.Status.CANCELLED, "Cancelled.")
    except DATABASE_FAULTS as error:
        logger.exception("job %s lost the database", job.pk)
        job.result = {"retryable": True}
        _finish(
            job,
            Job.Status.FAILED,
            f"Failed: the worker lost its database connection ({_first_line(error)}); "
            "what the job had not saved was not kept. Retry starts it again.",
        )
    except Exception as error:  # a failed job must say so on its page, whatever went wrong
        logger.exception("job %s failed", job.pk)
        _finish(job, Job.Status.FAILED, f"Failed: {error}")
    else:
        job.result = result
        summary = str(result.get("summary") or "Done.")
        _finish(job, Job.Status.SUCCEEDED, summary, progress=1.0)


def job_sweep_stale(*, now: dt.datetime | None = None) -> list[Job]:
    """Deal with every running job whose worker stopped beating (killed, out of memory, its
    machine gone), saying so on the job's page; its django-tasks row is marked failed. Returns
    them.

    A kind safe to run twice is queued again, once (`MAX_REQUEUES`); any other job, or one whose
    worker died again, is marked failed, and its starter may press Retry (`job_retry`). A job
    whose starter had pressed Cancel is cancelled."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    silent = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    swept = []
    for job in silent:
        heard = timezone.localtime(job.heartbeat_at or job.started_at or now)
        stopped = (
            f"the worker running it ({job.worker or 'unknown'}) stopped; it was last heard "
            f"from at {heard:%H:%M:%S}"
        )
        again = rerun_safe(job.kind) and job.requeues < MAX_REQUEUES and not job.cancel_requested
        if again:
            message = f"Queued again: {stopped}. This kind of job is safe to run twice."
            change: dict[str, Any] = {
                "status": Job.Status.QUEUED,
                "requeues": job.requeues + 1,
                "worker": "",
                "started_at": None,
                "heartbeat_at": None,
                "progress": 0.0,
            }
        elif job.cancel_requested:
            message = f"Cancelled: {stopped} after Cancel was pressed. Nothing was kept."
            change = {"status": Job.Status.CANCELLED, "finished_at": now}
        else:
            message = f"Failed: {stopped}. What the job had not saved was not kept. " + (
                "Retry starts it again." if job.started_by_id else "It runs again when needed."
            )
            change = {
                "status": Job.Status.FAILED,
                "finished_at": now,
                "result": {**job.result, "retryable": True},
            }
        # Only if it is still silent: a worker that beat meanwhile keeps its job.
        if not Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(message=_fit(message), **change):
            continue
        logger.warning("job %s: %s", job.pk, message)
        for row in _task_rows(job.pk, TaskResultStatus.RUNNING):
            DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="rounds.jobs.services.WorkerLost",
                traceback=message,
            )
        if again:
            from rounds.jobs.tasks import run_job

            run_job.enqueue(job.pk)
        job.refresh_from_db()
        swept.append(job)
    return swept


def job_retry(*, job: Job, by: Any) -> Job:
    """Start again, as its starter, a job that failed because its worker or database went away.
    Pressed twice, it starts one job: the second press gets the job the first one started."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        earlier = locked.result.get("retried_as")
        if earlier:
            return Job.objects.get(pk=earlier)
        if locked.started_by_id is None or locked.started_by_id != getattr(by, "pk", None):
            raise JobError("Only the person who started this job can start it again.")
        if not locked.can_retry:
            raise JobError("This job did not fail for a reason that starting it again would fix.")
        retry = job_start(kind=locked.kind, title=locked.title, started_by=by, params=locked.params)
        locked.result = {**locked.result, "retried_as": retry.pk}
        locked.save(update_fields=["result"])
    return retry


def _task_rows(job_id: int, status: str) -> list[DBTaskResult]:
    """django-tasks' own rows of the task that runs this job (one per time it was queued)."""
    from rounds.jobs.tasks import run_job

    rows = DBTaskResult.objects.filter(status=status, task_path=run_job.module_path)
    return [r for r in rows.only("pk", "args_kwargs") if r.args_kwargs.get("args") == [job_id]]


class _Pulse:
    """A thread beside a running job: its heartbeat, and Cancel noticed within about a second.

    Not on an in-memory SQLite database (the test database): it lives in one process, so no
    worker can die apart from it, and there a reader on one connection and a writer on another
    fail at once instead of waiting. Cancel is then noticed at the job's next progress report.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.cancelled = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-pulse", daemon=True)

    def __enter__(self) -> _Pulse:
        if not in_memory_database():
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        heartbeat = settings.JOBS_HEARTBEAT_SECONDS
        poll = min(settings.JOBS_CANCEL_POLL_SECONDS, heartbeat)
        next_beat = time.monotonic() + heartbeat
        try:
            while not self._done.wait(poll):
                try:
                    if time.monotonic() >= next_beat:
                        job = Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING)
                        job.update(heartbeat_at=timezone.now())
                        next_beat = time.monotonic() + heartbeat
                    if Job.objects.filter(pk=self.job_id, cancel_requested=True).exists():
                        self.cancelled.set()
                except DATABASE_FAULTS as error:
                    # The job's own queries will meet the same fault; the pulse just tries again.
                    logger.warning("job %s pulse: %s", self.job_id, _first_line(error))
                    connection.close()
        finally:
            connection.close()  # this thread's own connection


def in_memory_database() -> bool:
    """An in-memory SQLite database (the tests'): one process, no worker can die apart from it."""
    is_in_memory = getattr(connection, "is_in_memory_db", None)  # SQLite's wrapper only
    return bool(is_in_memory and is_in_memory())


def _finish(job: Job, status: str, message: str, progress: float | None = None) -> None:
    """Write the outcome, through a database that may just have dropped the connection."""
    for attempt in range(FINISH_ATTEMPTS):
        try:
            _write_outcome(job, status, message, progress)
            return
        except DATABASE_FAULTS as error:
            if attempt == FINISH_ATTEMPTS - 1:
                raise  # the worker reconnects; the sweep marks the job failed
            logger.warning("job %s: writing its outcome failed (%s)", job.pk, _first_line(error))
            if not connection.in_atomic_block:
                connection.close()  # the next query connects again
            time.sleep(0.25 * 2**attempt)


def _write_outcome(job: Job, status: str, message: str, progress: float | None) -> None:
    job.refresh_from_db(fields=["progress"])
    job.status, job.message, job.finished_at = status, _fit(message), timezone.now()
    if progress is not None:
        job.progress = progress
    job.save(update_fields=["status", "message", "finished_at", "progress", "result"])


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _fit(message: str) -> str:
    """Messages are one line on the job page; the whole text stays in the job's result."""
    limit = Job._meta.get_field("message").max_length or 300
    return message if len(message) <= limit else message[: limit - 1] + "…"
