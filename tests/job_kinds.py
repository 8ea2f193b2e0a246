"""Job kinds of the fault tests, run by real worker processes (`tests/jobs_worker.py`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler

WAIT = "test-wait"
HOLD = "test-hold"
CALL_SOLVE = "test-call-solve"
COUNT = "test-quick"


@job_handler(WAIT)
def wait_until_stopped(job: Job, progress: Progress) -> dict[str, Any]:
    """Reports progress (a database write) until it is cancelled, its worker dies or its
    database goes away."""
    while True:
        progress(0.5, "waiting")
        time.sleep(0.05)


@job_handler(HOLD, rerun_safe=True)
def hold_while_the_file_exists(job: Job, progress: Progress) -> dict[str, Any]:
    """A kind safe to run twice: it only waits (reporting progress) while the file named in its
    params exists, then finishes."""
    while Path(job.params["hold"]).exists():
        progress(0.5, "holding")
        time.sleep(0.05)
    return {"summary": "Released."}


@job_handler(CALL_SOLVE)
def solve_a_call_month(job: Job, progress: Progress) -> dict[str, Any]:
    """A real roster solve (two months of call for 40 residents) with a long time limit: its
    neighbourhood search runs to the limit, so only Cancel ends it early. It reports progress
    once, before the search, so the search itself must notice Cancel."""
    from rounds.engine.roster.generate import call_problem
    from rounds.engine.roster.problem import Problem
    from rounds.engine.roster.solve import solve

    problem = Problem.from_json(call_problem(40, 56, seed=1))
    progress(0.1, "solving")
    result = solve(problem, time_limit=float(job.params["time_limit"]))
    return {"summary": f"Solved: {result.status.value}.", "objective": result.objective}


@job_handler(COUNT)
def quick(job: Job, progress: Progress) -> dict[str, Any]:
    progress(0.5, "half way")
    return {"summary": "Done quickly."}
