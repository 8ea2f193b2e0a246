"""Long work runs on the worker; its starter sees progress, the outcome, and can cancel it."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler, job_start
from tests.people import SmallInstitution

seen_progress: list[float] = []


@job_handler("test-count")
def count_to(job: Job, progress: Progress) -> dict[str, Any]:
    for step in range(job.params["to"]):
        progress(step / job.params["to"], f"Counted {step}")
        seen_progress.append(Job.objects.get(pk=job.pk).progress)
    if job.params.get("fail"):
        raise ValueError("the count went wrong at the end")
    return {"summary": f"Counted to {job.params['to']}."}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_job_and_its_page_shows_the_outcome(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    job = job_start(
        kind="test-count", title="Count", started_by=small.users["gme"], params={"to": 4}
    )
    seen_progress.clear()
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert seen_progress == [0.0, 0.25, 0.5, 0.75]
    assert (
        "Finished</strong> — Counted to 4."
        in client_as("gme").get(job.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_says_what_went_wrong(small: SmallInstitution) -> None:
    job = job_start(
        kind="test-count", title="Count", started_by=None, params={"to": 1, "fail": True}
    )
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.message) == (
        Job.Status.FAILED,
        "Failed: the count went wrong at the end",
    )


@pytest.mark.django_db(transaction=True)
def test_a_job_cancelled_before_it_starts_never_runs(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    job = job_start(
        kind="test-count", title="Count", started_by=small.users["gme"], params={"to": 3}
    )
    page = client_as("gme").get(job.get_absolute_url()).content.decode()
    assert "the next free worker takes it." in page
    client_as("gme").post(f"{job.get_absolute_url()}cancel/")
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.CANCELLED, "Cancelled before it started.")
    seen_progress.clear()
    run_worker()
    job.refresh_from_db()
    assert (job.status, seen_progress) == (Job.Status.CANCELLED, [])


@pytest.mark.django_db(transaction=True)
def test_a_running_job_stops_at_its_next_progress_report(small: SmallInstitution) -> None:
    job = job_start(kind="test-count", title="Count", started_by=None, params={"to": 3})
    # Someone presses Cancel while the job runs: its next progress report must stop it.
    original = Progress.__call__

    def cancel_then_report(self: Progress, fraction: float, message: str = "") -> None:
        Job.objects.filter(pk=self.job.pk).update(cancel_requested=True)
        original(self, fraction, message)

    Progress.__call__ = cancel_then_report  # type: ignore[method-assign]
    try:
        run_worker()
    finally:
        Progress.__call__ = original  # type: ignore[method-assign]
    job.refresh_from_db()
    assert (job.status, job.message) == (Job.Status.CANCELLED, "Cancelled.")


@job_handler("test-long-summary")
def long_summary(job: Job, progress: Progress) -> dict[str, Any]:
    progress(0.5, "x" * 1000)
    return {"summary": "No schedule exists: " + "because " * 100}


@pytest.mark.django_db(transaction=True)
def test_a_long_summary_is_shortened_on_the_page_and_kept_whole_in_the_result(
    small: SmallInstitution,
) -> None:
    job = job_start(kind="test-long-summary", title="Long", started_by=None, params={})
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.message.startswith("No schedule exists: because") and job.message.endswith("…")
    assert len(job.message) == 300
    assert job.result["summary"].count("because") == 100


@pytest.mark.django_db(transaction=True)
def test_a_running_job_whose_worker_fell_silent_is_marked_failed_and_its_page_says_why(
    small: SmallInstitution, client_as: Callable[[str], Client], settings: Any
) -> None:
    now = timezone.now()
    silent_since = now - dt.timedelta(seconds=settings.JOBS_STALE_SECONDS + 5)
    silent, alive = (
        Job.objects.create(
            kind="test-count",
            title=title,
            started_by=small.users["gme"],
            status=Job.Status.RUNNING,
            worker=f"host-a:{pid}",
            started_at=silent_since,
            heartbeat_at=beat,
        )
        for title, pid, beat in [("Silent", 101, silent_since), ("Alive", 102, now)]
    )
    gme = client_as("gme")
    page = gme.get(silent.get_absolute_url()).content.decode()
    assert "Its worker (host-a:101) has not been heard from since" in page
    assert "has not been heard from" not in gme.get(alive.get_absolute_url()).content.decode()

    out = io.StringIO()
    call_command("jobs_sweep", stdout=out)
    assert out.getvalue().endswith("1 stale job(s): failed, cancelled or queued again.\n")
    silent.refresh_from_db()
    alive.refresh_from_db()
    assert (silent.status, alive.status) == (Job.Status.FAILED, Job.Status.RUNNING)
    heard = timezone.localtime(silent_since)
    assert silent.message == (
        f"Failed: the worker running it (host-a:101) stopped; it was last heard from at "
        f"{heard:%H:%M:%S}. What the job had not saved was not kept. Retry starts it again."
    )
    page = gme.get(silent.get_absolute_url()).content.decode()
    assert "<strong>Failed</strong> — Failed: the worker running it (host-a:101) stopped" in page
    assert ">Retry</button>" in page  # gme started it


@pytest.mark.django_db(transaction=True)
def test_after_cancel_a_running_job_says_it_is_stopping(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    job = Job.objects.create(
        kind="test-count",
        title="Count",
        started_by=small.users["gme"],
        status=Job.Status.RUNNING,
        heartbeat_at=timezone.now(),
    )
    gme = client_as("gme")
    gme.post(f"{job.get_absolute_url()}cancel/")
    assert "Stopping: Cancel was pressed" in gme.get(job.get_absolute_url()).content.decode()


@job_handler("test-stopped-solve")
def stopped_solve(job: Job, progress: Progress) -> dict[str, Any]:
    from rounds.engine import stop

    # What a search inside the engine raises once the job's pulse has seen Cancel.
    raise stop.Stopped


@pytest.mark.django_db(transaction=True)
def test_a_solve_the_engine_stopped_ends_the_job_cancelled(small: SmallInstitution) -> None:
    job = job_start(kind="test-stopped-solve", title="Solve", started_by=None, params={})
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.message, job.result) == (Job.Status.CANCELLED, "Cancelled.", {})
