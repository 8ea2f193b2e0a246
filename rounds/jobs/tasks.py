from __future__ import annotations

import importlib

from django_tasks import task

from rounds.jobs.services import job_run

# Modules whose `@job_handler`s must be registered before a job runs, one per area.
HANDLER_MODULES = (
    "rounds.jobs.disclosure",
    "rounds.imports.jobs",
    "rounds.inclusion.imports",
    "rounds.wellness.services",
    "rounds.mentoring.jobs",
    "rounds.schedules.jobs",
    "rounds.people.rollover",
    "rounds.schedules.import_job",
)


def handlers_load() -> None:
    """Register every area's job kinds (imports are cached: cheap after the first call)."""
    for module in HANDLER_MODULES:
        importlib.import_module(module)


@task()
def run_job(job_id: int) -> None:
    """The one queued task: everything long runs through a Job so people can watch it."""
    handlers_load()
    job_run(job_id)
