"""A job's progress reported from another thread (CP-SAT calls its solution callback on its own
search threads) reaches the job's page and leaves no database connection open behind it: on
PostgreSQL such connections outlived the job and kept the database "accessed by other users"."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from rounds.jobs.models import Job
from rounds.jobs.services import Progress, in_memory_database, job_handler, job_start

KIND = "test-progress-from-a-thread"
left_open: list[bool] = []


@job_handler(KIND)
def report_from_a_thread(job: Job, progress: Progress) -> dict[str, Any]:
    def search() -> None:
        progress(0.6, "schedule found, cost 12")
        # Whether this thread still holds a connection of its own once it has reported.
        left_open.append(connection.connection is not None)

    thread = threading.Thread(target=search, name="search-worker")
    thread.start()
    thread.join()
    # The job's own thread keeps its connection for the rest of the job.
    progress(0.8, "writing the draft")
    left_open.append(connection.connection is None)
    return {"summary": "Reported from a search thread."}


@pytest.mark.django_db(transaction=True)
def test_progress_from_a_solver_thread_is_written_and_its_connection_closed() -> None:
    left_open.clear()
    job = job_start(kind=KIND, title="Threads", started_by=None, params={})
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    search_thread_open, job_thread_closed = left_open
    # An in-memory SQLite test database ignores closing (it would vanish); everywhere else the
    # search thread's connection is closed once its report is written.
    assert not search_thread_open or in_memory_database()
    assert not job_thread_closed


@pytest.mark.django_db(transaction=True)
def test_progress_from_a_thread_still_notices_cancel() -> None:
    job = job_start(kind=KIND, title="Threads", started_by=None, params={})
    Job.objects.filter(pk=job.pk).update(cancel_requested=True, status=Job.Status.RUNNING)
    report = Progress(job)  # made on the job's thread, called from a search thread
    raised: list[str] = []

    def search() -> None:
        try:
            report(0.5, "schedule found")
        except Exception as error:  # the solver's callback turns this into stopping the search
            raised.append(type(error).__name__)

    thread = threading.Thread(target=search, name="search-worker")
    thread.start()
    thread.join()
    assert raised == ["JobCancelled"]
    assert Job.objects.get(pk=job.pk).message == "schedule found"
