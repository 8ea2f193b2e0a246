"""The matching job: runs the engine on the cycle's frozen input and stores proposals."""

from __future__ import annotations

from typing import Any

from rounds.engine.matching import Problem, match
from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler
from rounds.mentoring.models import Cycle
from rounds.mentoring.services import MATCH_JOB, matching_store


@job_handler(MATCH_JOB)
def run_matching(job: Job, progress: Progress) -> dict[str, Any]:
    cycle = Cycle.objects.get(pk=job.params["cycle_id"])
    problem = Problem.from_json(cycle.problem)
    result = match(problem, time_limit=60.0, progress=progress)
    progress(0.95, "Saving the proposed pairs")
    made = matching_store(cycle=cycle, result=result.to_json())
    summary = (
        f"{_count(len(result.pairs), 'pair')} proposed ({made} new), "
        f"{_count(len(result.unmatched), 'mentee')} without a mentor; "
        f"{result.mode} matching in {result.seconds:.2f} s."
    )
    return {"summary": summary, "cycle_id": cycle.pk, "pairs": len(result.pairs)}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
