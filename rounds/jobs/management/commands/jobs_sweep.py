"""`manage.py jobs_sweep`: deal once with the running jobs whose worker stopped beating (queued
again if safe to run twice, else failed or, if Cancel was pressed, cancelled).

Every `db_worker` already sweeps every JOBS_SWEEP_SECONDS; this is for a machine where no worker
is left to do it (a timer, or by hand after an outage)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rounds.jobs.services import job_sweep_stale


class Command(BaseCommand):
    help = "Deal with the running jobs whose worker stopped (no heartbeat), saying why."

    def handle(self, *args: Any, **options: Any) -> None:
        swept = job_sweep_stale()
        for job in swept:
            self.stdout.write(f"job {job.pk} ({job.title}): {job.message}")
        self.stdout.write(f"{len(swept)} stale job(s): failed, cancelled or queued again.")
