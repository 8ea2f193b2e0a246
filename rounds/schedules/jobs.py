"""The rotation solve as a job: the problem is built, solved on a worker, and becomes a draft."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from rounds.core.models import Program
from rounds.engine.errors import ProblemError
from rounds.engine.rotations.problem import Problem
from rounds.engine.rotations.solve import solve
from rounds.jobs.models import Job
from rounds.jobs.services import JobCancelled, Progress, job_handler, job_start
from rounds.schedules.models import RotationAssignment, RotationSchedule
from rounds.schedules.problem import build_problem
from rounds.schedules.services import ScheduleError, schedule_create

KIND = "rotation_solve"
DEFAULT_TIME_LIMIT = 30.0


def solve_start(
    *,
    program: Program,
    academic_year: int,
    by: Any,
    based_on: RotationSchedule | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Job:
    """Queue a solve of the program's year; locked cells of `based_on` stay where they are."""
    if not program.blocks.filter(academic_year=academic_year).exists():
        raise ScheduleError(
            f"{program} has no blocks for {academic_year}–{academic_year + 1}; create them first."
        )
    what = "Re-solve" if based_on else "Solve"
    return job_start(
        kind=KIND,
        title=f"{what} {program} rotations {academic_year}–{academic_year + 1}",
        started_by=by,
        params={
            "program": program.pk,
            "academic_year": academic_year,
            "based_on": based_on.pk if based_on else None,
            "time_limit": time_limit,
        },
    )


@job_handler(KIND)
def solve_job(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    program = Program.objects.get(pk=params["program"])
    year = int(params["academic_year"])
    based_on = (
        RotationSchedule.objects.filter(pk=params.get("based_on")).first()
        if params.get("based_on")
        else None
    )
    locked = (
        RotationAssignment.objects.filter(schedule=based_on, locked=True, half=0).select_related(
            "block", "rotation"
        )
        if based_on
        else []
    )
    progress(0.02, "reading trainees, rotations and curriculum")
    data = build_problem([program], year, locked=locked)
    try:
        problem = Problem.from_json(data)
    except ProblemError as error:
        raise ScheduleError(f"The schedule data has a problem: {error}") from None

    def report(fraction: float, message: str) -> bool:
        progress(0.05 + 0.9 * fraction, message)  # raises JobCancelled when asked to stop
        return True

    try:
        result = solve(
            problem,
            time_limit=float(params.get("time_limit", DEFAULT_TIME_LIMIT)),
            on_progress=report,
        )
    except JobCancelled:
        raise
    if not result.has_schedule:
        return {
            "status": result.status.value,
            "explanation": result.explanation,
            "summary": " ".join(result.explanation) or "No schedule was found.",
        }
    reason = "re-solved around locked cells" if based_on else "solved"
    schedule = schedule_create(
        program=program,
        academic_year=year,
        by=job.started_by,
        reason=reason,
        based_on=based_on,
        placements=result.placements,
        solve_input=data,
        solve_result={k: v for k, v in result.to_json().items() if k != "placements"},
    )
    return {
        "status": result.status.value,
        "schedule": schedule.pk,
        "url": reverse("schedules:grid", args=[schedule.pk]),
        "objective": result.objective,
        "bound": result.best_bound,
        "bent": result.bent[:20],
        "summary": f"Draft version {schedule.number} is ready.",
    }


CALL_KIND = "call_build"


def call_build_start(*, program: Program, month: str, by: Any) -> Job:
    return job_start(
        kind=CALL_KIND,
        title=f"Build {program} call for {month}",
        started_by=by,
        params={"program": program.pk, "month": month},
    )


@job_handler(CALL_KIND)
def call_build_job(job: Job, progress: Progress) -> dict[str, Any]:
    import datetime as dt

    from rounds.schedules.calls import call_schedule_build

    program = Program.objects.get(pk=job.params["program"])
    month = dt.date.fromisoformat(job.params["month"] + "-01")
    progress(0.05, "reading the rotation schedule and requests")
    schedule = call_schedule_build(program=program, month=month, by=job.started_by)
    return {
        "summary": f"Call draft version {schedule.number} is ready.",
        "url": reverse("schedules:call", args=[schedule.pk]),
        "schedule": schedule.pk,
    }
