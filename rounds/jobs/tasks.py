from __future__ import annotations

from django_tasks import task

from rounds.jobs.services import job_run


@task()
def run_job(job_id: int) -> None:
    """The one queued task: everything long runs through a Job so people can watch it."""
    # Handlers live in their own apps; importing them registers them.
    import rounds.imports.jobs  # noqa: F401
    import rounds.inclusion.imports  # noqa: F401
    import rounds.wellness.services  # noqa: F401
    import rounds.mentoring.jobs  # noqa: F401
    import rounds.schedules.jobs  # noqa: F401

    job_run(job_id)
