"""The import job: reads the stored upload and runs the same import as the command line."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rounds.imports.models import UploadedFile
from rounds.imports.services import import_file
from rounds.imports.uploads import upload_discard, upload_keep
from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler, job_start
from rounds.lib.idempotency import submit_once


def import_start(*, kind: str, filename: str, data: bytes, by: Any, token: str = "") -> Job:
    """Store the upload and queue its import; the same form (`token`) sent twice stores and
    imports once, and both sends land on the one job's page. Raises AlreadySubmitted when the
    token was used for something else."""

    def start() -> Job:
        upload = upload_keep(filename=filename, data=data, by=by)
        return job_start(
            kind="import",
            title=f"Import {kind} from {upload.name}",
            started_by=by,
            params={"kind": kind, "upload_id": upload.pk},
        )

    with transaction.atomic():  # submit_once runs a token-less write as it is
        job, _first = submit_once(token=token, scope="jobs.import", by=by, model=Job, write=start)
    return job


@job_handler("import")
def run_import(job: Job, progress: Progress) -> dict[str, Any]:
    upload = UploadedFile.objects.get(pk=job.params["upload_id"])
    try:
        outcome = import_file(
            kind=job.params["kind"],
            filename=upload.name,
            data=bytes(upload.content),
            by=job.started_by,
            progress=progress,
        )
    finally:
        upload_discard(upload.pk)  # the job keeps the outcome; the file is not needed again
    summary = (
        f"Checked every row: {outcome.created} new, {outcome.updated} updated."
        if outcome.ok
        else f"Checked every row: nothing imported ({_count(len(outcome.problems), 'problem')})."
    )
    return outcome.to_json() | {"summary": summary}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
