"""The disclosure audit as a job: a worker decides a table of aggregates so no page waits for it.

Queued by `rounds.lib.disclosure.release_checked` the first time a page reads counts nobody has
checked yet. Idempotent: it rebuilds the table from the database as it is now, stores the
decision under that table's fingerprint (the shared cache, and this job's result for when the
cache forgets), and running it twice decides the same thing twice. Earlier check jobs of the
same table go: only the latest decision is kept.
"""

from __future__ import annotations

from typing import Any

from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler
from rounds.lib.disclosure import CHECK_KIND, check_run, hidden_encode


@job_handler(CHECK_KIND, rerun_safe=True)
def disclosure_check(job: Job, progress: Progress) -> dict[str, Any]:
    builder, params = job.params["builder"], job.params["params"]
    progress(0.05, "Reading the figures")
    fingerprint, hidden = check_run(builder, params)
    # Earlier decisions of this table are of counts it no longer has: this one replaces them.
    Job.objects.filter(
        kind=CHECK_KIND,
        status__in=Job.FINISHED,
        params__builder=builder,
        params__params=params,
    ).exclude(pk=job.pk).delete()
    return {
        "summary": f"Checked: {len(hidden)} figure(s) hidden.",
        "fingerprint": fingerprint,
        "hidden": hidden_encode(hidden),
    }
