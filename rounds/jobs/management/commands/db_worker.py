"""`manage.py db_worker`: django-tasks-db's worker, made to outlive a lost database and to sweep.

The library's worker dies on the first database error that is not a lock (a terminated backend,
a restarted server, a dropped network), and jobs then wait in the queue until someone restarts
it. This one reconnects and goes on, a little later each time while the database stays away.
It also sweeps: every JOBS_SWEEP_SECONDS it deals with the running jobs whose worker stopped
beating (`job_sweep_stale`: queued again once if safe to run twice, else failed with a Retry),
so a killed worker's job says why on its page within a minute.
Everything else (options, signals, claiming tasks) is the library's.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker as library

from rounds.jobs.services import (
    DATABASE_FAULTS,
    in_memory_database,
    job_sweep_stale,
    worker_name,
)

logger = logging.getLogger("django_tasks_db")

# Waiting for the database to come back: the first retry after this long, doubling up to the cap.
RECONNECT_FIRST = 0.5
RECONNECT_MAX = 30.0


class Worker(library.Worker):
    def run(self) -> None:
        sweeper = _Sweeper()
        sweeper.start()
        try:
            self._run_through_faults()
        finally:
            sweeper.stop()

    def _run_through_faults(self) -> None:
        delay = RECONNECT_FIRST
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return
            except DATABASE_FAULTS as error:
                if time.monotonic() - started > RECONNECT_MAX:
                    delay = RECONNECT_FIRST  # a fresh outage, not the same one still going on
                logger.warning(
                    "Database unavailable (%s): worker_id=%s tries again in %.1f s",
                    str(error).strip().splitlines()[0] if str(error).strip() else error,
                    self.worker_id,
                    delay,
                )
                connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX)
                self.startup_delay = False


class _Sweeper:
    """A thread of every worker that deals with the jobs of workers that died."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sweep, name="jobs-sweeper", daemon=True)

    def start(self) -> None:
        # An in-memory SQLite database (tests) lives in this one process: no other worker to
        # outlive, and its shared cache fails a reader beside a writer instead of waiting.
        if not in_memory_database():
            self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sweep(self) -> None:
        try:
            while True:
                try:
                    job_sweep_stale()
                except DATABASE_FAULTS as error:
                    logger.warning("Sweeping stale jobs failed: %s", error)
                    connection.close()
                if self._done.wait(settings.JOBS_SWEEP_SECONDS):
                    return
        finally:
            connection.close()


class Command(library.Command):
    help = (
        "Run a worker: it takes queued jobs, survives database outages, and re-queues or fails "
        "the jobs of workers that died."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Named by host and process, so a job page can say which worker ran (or lost) it.
        parser.set_defaults(worker_id=worker_name())

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        reload = options["reload"] and not options["batch"]
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if not reload:
            worker.configure_signals()
            worker.run()
            return
        if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            worker.configure_signals()  # only the reloaded child, which does the work
        run_with_reloader(worker.run)
