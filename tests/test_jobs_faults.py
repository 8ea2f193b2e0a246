"""Jobs survive faults, with real worker processes: one killed mid-job, a running solve cancelled,
the database connection dropped under a running job.

The workers are `manage.py db_worker` in their own processes (tests/jobs_worker.py adds the test
job kinds), on the test database: PostgreSQL's directly; on SQLite, whose test database lives in
this process's memory, a file copy that this process then uses too. Nothing is timed: each step
waits for what a person would see (a status, a message) with a generous ceiling, and the
heartbeat, staleness and sweep intervals are set short instead.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rounds.jobs.models import Job
from rounds.jobs.services import job_start
from tests import job_kinds
from tests.people import SmallInstitution

ROOT = Path(__file__).resolve().parent.parent
WORKER_OPTIONS = ["--no-reload", "--no-startup-delay", "--interval", "0.1"]
# Generous: a step that has not happened by then will not happen. No assertion is about speed.
CEILING = 120.0
FAST_PULSE = {
    "ROUNDS_JOBS_HEARTBEAT_SECONDS": "0.2",
    "ROUNDS_JOBS_CANCEL_POLL_SECONDS": "0.2",
    "ROUNDS_JOBS_STALE_SECONDS": "60",
    "ROUNDS_JOBS_SWEEP_SECONDS": "0.3",
}
# Where a worker is killed: silent for 5 s (25 heartbeats) is dead.
FAST_SWEEP = {**FAST_PULSE, "ROUNDS_JOBS_STALE_SECONDS": "5"}


class Worker:
    def __init__(self, url: str, log: Path, env: dict[str, str]) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.jobs_worker", *WORKER_OPTIONS],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
                "DATABASE_URL": url,
                "PYTHONUNBUFFERED": "1",
                **env,
            },
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()


@pytest.fixture
def database_url(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A URL of the test database that another process can open."""
    settings = connection.settings_dict
    if connection.vendor != "sqlite":
        user, password = quote(settings["USER"] or ""), quote(settings["PASSWORD"] or "")
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        yield f"postgres://{user}:{password}@{host}:{port}/{settings['NAME']}"
        return
    # The in-memory test database is copied to a file, and this process uses the file until the
    # test ends; then the in-memory one (still open) is put back for the next test.
    connection.ensure_connection()
    memory, name = connection.connection, settings["NAME"]
    path = tmp_path / "jobs.sqlite3"
    copy = sqlite3.connect(path)
    memory.backup(copy)
    copy.close()
    connection.connection, settings["NAME"] = None, str(path)
    try:
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        connection.connection, settings["NAME"] = memory, name


@pytest.fixture
def start_worker(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        worker = Worker(database_url, tmp_path / f"worker{len(workers)}.log", env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(what: str, happened: Callable[[], bool], *workers: Worker) -> None:
    deadline = time.monotonic() + CEILING
    while not happened():
        if time.monotonic() > deadline:
            logs = "\n".join(w.output()[-3000:] for w in workers)
            raise AssertionError(f"{what} did not happen; the workers said:\n{logs}")
        time.sleep(0.05)


def status_of(job: Job) -> str:
    job.refresh_from_db()
    return job.status


def kill_the_worker_of(job: Job, workers: list[Worker]) -> Worker:
    """SIGKILL the worker process running `job` (no chance to clean up); returns it."""
    pid = int(job.worker.rsplit(":", 1)[1])
    victim = next(w for w in workers if w.process.pid == pid)
    os.kill(pid, signal.SIGKILL)
    victim.process.wait()
    return victim


def test_a_worker_killed_mid_job_leaves_the_job_failed_with_the_reason_and_a_retry(
    start_worker: Callable[..., Worker],
    small: SmallInstitution,
    client_as: Callable[[str], Client],
) -> None:
    workers = [start_worker(**FAST_SWEEP), start_worker(**FAST_SWEEP)]
    job = job_start(kind=job_kinds.WAIT, title="Wait", started_by=small.users["gme"], params={})
    wait_for("the job starting", lambda: status_of(job) == Job.Status.RUNNING, *workers)

    victim = kill_the_worker_of(job, workers)
    survivor = next(w for w in workers if w is not victim)
    wait_for("the sweep", lambda: status_of(job) != Job.Status.RUNNING, survivor)

    # Not a kind safe to run twice: failed, with the reason, and not queued again.
    assert job.status == Job.Status.FAILED and job.requeues == 0
    assert job.message.startswith(f"Failed: the worker running it ({job.worker}) stopped")
    assert job.message.endswith("Retry starts it again.")
    gme = client_as("gme")
    page = gme.get(job.get_absolute_url()).content.decode()
    assert "<strong>Failed</strong>" in page and f"({job.worker}) stopped" in page
    assert ">Retry</button>" in page
    (task_row,) = [r for r in DBTaskResult.objects.all() if r.args_kwargs["args"] == [job.pk]]
    assert task_row.status == TaskResultStatus.FAILED
    assert survivor.alive

    # Only its starter may start it again; pressed twice, it starts one job, which runs.
    assert client_as("pd.im").post(f"/jobs/{job.pk}/retry/").status_code == 404
    page_path = job.get_absolute_url()
    first = gme.post(f"/jobs/{job.pk}/retry/", {"page": page_path})
    second = gme.post(f"/jobs/{job.pk}/retry/", {"page": page_path})
    (again,) = Job.objects.exclude(pk=job.pk)
    assert first["Location"] == second["Location"] == again.get_absolute_url()
    assert (again.kind, again.started_by, again.params) == (job.kind, job.started_by, job.params)
    wait_for("the retry running", lambda: status_of(again) == Job.Status.RUNNING, survivor)
    assert ">Retry</button>" not in gme.get(job.get_absolute_url()).content.decode()


def test_a_job_safe_to_run_twice_is_queued_again_once_when_its_worker_dies(
    start_worker: Callable[..., Worker], small: SmallInstitution, tmp_path: Path
) -> None:
    hold = tmp_path / "hold"
    hold.touch()
    workers = [start_worker(**FAST_SWEEP), start_worker(**FAST_SWEEP)]
    job = job_start(
        kind=job_kinds.HOLD, title="Hold", started_by=small.users["gme"], params={"hold": str(hold)}
    )
    wait_for("the job starting", lambda: status_of(job) == Job.Status.RUNNING, *workers)
    first_worker = job.worker

    victim = kill_the_worker_of(job, workers)
    survivor = next(w for w in workers if w is not victim)
    # Queued again by the survivor's sweep, and taken by the survivor.
    wait_for(
        "the job running again",
        lambda: status_of(job) == Job.Status.RUNNING and job.worker != first_worker,
        survivor,
    )
    assert job.requeues == 1
    hold.unlink()
    wait_for("the job finishing", lambda: status_of(job) != Job.Status.RUNNING, survivor)
    assert (job.status, job.message) == (Job.Status.SUCCEEDED, "Released.")
    rows = sorted(
        (r for r in DBTaskResult.objects.all() if r.args_kwargs["args"] == [job.pk]),
        key=lambda r: r.enqueued_at,
    )
    assert [r.status for r in rows] == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]


def test_a_job_safe_to_run_twice_whose_worker_dies_again_is_failed(
    start_worker: Callable[..., Worker], small: SmallInstitution, tmp_path: Path
) -> None:
    hold = tmp_path / "hold"
    hold.touch()
    workers = [start_worker(**FAST_SWEEP), start_worker(**FAST_SWEEP)]
    job = job_start(
        kind=job_kinds.HOLD, title="Hold", started_by=small.users["gme"], params={"hold": str(hold)}
    )
    wait_for("the job starting", lambda: status_of(job) == Job.Status.RUNNING, *workers)
    first_worker = job.worker
    victim = kill_the_worker_of(job, workers)
    workers.remove(victim)
    wait_for(
        "the job running again",
        lambda: status_of(job) == Job.Status.RUNNING and job.worker != first_worker,
        *workers,
    )

    workers.append(start_worker(**FAST_SWEEP))
    kill_the_worker_of(job, workers)
    wait_for("the second sweep", lambda: status_of(job) != Job.Status.RUNNING, workers[-1])
    assert (job.status, job.requeues) == (Job.Status.FAILED, 1)
    assert job.can_retry and job.message.endswith("Retry starts it again.")


def test_cancel_stops_a_running_solve_and_keeps_nothing(
    start_worker: Callable[..., Worker],
    small: SmallInstitution,
    client_as: Callable[[str], Client],
) -> None:
    worker = start_worker(**FAST_PULSE)
    # Ten minutes: far longer than this test waits, so only Cancel can end it in time.
    job = job_start(
        kind=job_kinds.CALL_SOLVE,
        title="Solve",
        started_by=small.users["gme"],
        params={"time_limit": 600},
    )
    wait_for(
        "the solve starting",
        lambda: status_of(job) == Job.Status.RUNNING and job.message == "solving",
        worker,
    )
    # Let the search run: a few heartbeats after it began.
    began = job.heartbeat_at
    assert began is not None
    wait_for(
        "the solve running on",
        lambda: status_of(job) == "running" and (job.heartbeat_at or began) > began,
        worker,
    )

    gme = client_as("gme")
    gme.post(f"{job.get_absolute_url()}cancel/")
    page = gme.get(job.get_absolute_url()).content.decode()
    assert "Stopping: Cancel was pressed" in page or "Cancelled" in page
    wait_for("the solve stopping", lambda: status_of(job) != Job.Status.RUNNING, worker)

    assert (job.status, job.message, job.result) == (Job.Status.CANCELLED, "Cancelled.", {})
    assert worker.alive


def test_a_worker_outlives_its_database_going_away_under_a_running_job_and_while_idle(
    start_worker: Callable[..., Worker], small: SmallInstitution
) -> None:
    worker = start_worker(**FAST_PULSE)
    job = job_start(kind=job_kinds.WAIT, title="Wait", started_by=small.users["gme"], params={})
    wait_for("the job starting", lambda: status_of(job) == Job.Status.RUNNING, worker)

    # The job's next write meets the fault; the database is back once the worker said so.
    take_the_database_away(until=lambda: "lost the database" in worker.output())
    wait_for("the job failing", lambda: status_of(job) != Job.Status.RUNNING, worker)
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("Failed: the worker lost its database connection (")

    # Again while the worker waits for work (on PostgreSQL it cannot even connect for a while).
    unavailable = lambda: "Database unavailable" in worker.output()  # noqa: E731
    take_the_database_away(until=unavailable, quiet=True)
    after = job_start(kind=job_kinds.COUNT, title="Next", started_by=None, params={})
    wait_for("the next job", lambda: status_of(after) == Job.Status.SUCCEEDED, worker)
    assert worker.alive and after.worker == job.worker


def take_the_database_away(until: Callable[[], bool], quiet: bool = False) -> None:
    """The database goes away under the worker until `until()`. On PostgreSQL the worker's
    connections are terminated (pg_terminate_backend) and new ones refused meanwhile; on SQLite
    the file is held locked past the worker's lock timeout, a fault the worker meets only when
    it writes. An idle worker on SQLite meets it only when it claims a task, and the library
    waits that out without a word (`quiet`): the lock is then held for three of its timeouts."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        lock = sqlite3.connect(settings["NAME"], timeout=30)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            if quiet:
                time.sleep(3.0)
            else:
                wait_for("the worker meeting the fault", until)
        finally:
            lock.rollback()
            lock.close()
        return
    import psycopg

    name = connection.ops.quote_name(settings["NAME"])
    # From the maintenance database: PostgreSQL refuses to lock out the one it is in.
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false")
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [settings["NAME"], connection.connection.info.backend_pid],
            )
            wait_for("the worker meeting the fault", until)
        finally:
            admin.execute(f"ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true")
