"""The schedule workbook import as a job: the upload is stored, a worker reads and applies it.

Reading a workbook is slow and its size is the uploader's choice, so it never runs inside a web
request. The page shows the job; its result says what changed or lists every problem (row and
column), and the upload is deleted once the import has run.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from rounds.imports.models import UploadedFile
from rounds.imports.uploads import upload_discard
from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler, job_start
from rounds.schedules.models import RotationSchedule
from rounds.schedules.services import ScheduleError

IMPORT_KIND = "schedule_import"
SHOWN_PROBLEMS = 50


def schedule_import_start(
    *, schedule: RotationSchedule, upload: UploadedFile, revision: int, by: Any
) -> Job:
    """Queue the import of `upload` into the draft `schedule`, as of its `revision`."""
    return job_start(
        kind=IMPORT_KIND,
        title=f"Import {upload.name} into {schedule}",
        started_by=by,
        params={
            "program": schedule.program_id,
            "academic_year": schedule.academic_year,
            "schedule": schedule.pk,
            "upload_id": upload.pk,
            "revision": revision,
        },
    )


@job_handler(IMPORT_KIND)
def run_schedule_import(job: Job, progress: Progress) -> dict[str, Any]:
    from rounds.schedules.feeds import ImportProblems, schedule_import

    schedule = RotationSchedule.objects.get(pk=job.params["schedule"])
    grid = reverse("schedules:grid", args=[schedule.pk])
    upload = UploadedFile.objects.get(pk=job.params["upload_id"])
    progress(0.1, f"Reading {upload.name}")
    try:
        changed = schedule_import(
            schedule=schedule,
            filename=upload.name,
            data=bytes(upload.content),
            revision=job.params["revision"],
            by=job.started_by,
        )
    except ImportProblems as problems:
        lines = problems.lines
        return {
            "summary": f"Nothing was imported: {len(lines)} problem(s).",
            "problems": lines[:SHOWN_PROBLEMS],
            "more_problems": max(0, len(lines) - SHOWN_PROBLEMS),
            "grid": grid,
        }
    except ScheduleError as error:
        return {"summary": f"Nothing was imported: {error}", "problems": [str(error)], "grid": grid}
    finally:
        upload_discard(upload.pk)  # the result says what happened; the file is not kept
    return {"summary": f"Imported: {changed} cell(s) changed.", "url": grid, "changed": changed}
