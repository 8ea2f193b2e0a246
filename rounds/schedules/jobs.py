"""The rotation solve as a job: the problem is built, solved on a worker, and becomes a draft."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.urls import reverse

from rounds.core.models import Program
from rounds.engine.errors import ProblemError
from rounds.engine.rotations.check import Placement
from rounds.engine.rotations.problem import Problem
from rounds.engine.rotations.solve import Result, solve, subproblem
from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler, job_start
from rounds.lib.engine_clock import engine_clock
from rounds.lib.idempotency import AlreadySubmitted, submit_once
from rounds.people.models import Trainee
from rounds.schedules.history import history_cells, history_gaps
from rounds.schedules.models import (
    Block,
    CallSchedule,
    Rotation,
    RotationAssignment,
    RotationProgram,
    RotationSchedule,
)
from rounds.schedules.problem import (
    add_gaps,
    build_problem,
    pid,
    pk_of,
    problem_trainees,
    rid,
    tid,
)
from rounds.schedules.services import ScheduleError, schedule_create

KIND = "rotation_solve"
DEFAULT_TIME_LIMIT = 30.0


def _start_once(*, token: str, by: Any, kind: str, start: Callable[[], Job]) -> Job:
    """Queue the job `start` makes, once per form `token`: a start button pressed twice starts
    one solve, and the second press lands on the same job's page."""
    try:
        job, _first = submit_once(token=token, scope=f"jobs.{kind}", by=by, model=Job, write=start)
    except AlreadySubmitted as error:
        raise ScheduleError(error.message) from None
    return job


def solve_start(
    *,
    program: Program,
    academic_year: int,
    by: Any,
    based_on: RotationSchedule | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    token: str = "",
) -> Job:
    """Queue a solve of the program's year; locked cells of `based_on` stay where they are."""
    if not program.blocks.filter(academic_year=academic_year).exists():
        raise ScheduleError(
            f"{program} has no blocks for {academic_year}–{academic_year + 1}; create them first."
        )
    what = "Re-solve" if based_on else "Solve"
    return _start_once(
        token=token,
        by=by,
        kind=KIND,
        start=lambda: job_start(
            kind=KIND,
            title=f"{what} {program} rotations {academic_year}–{academic_year + 1}",
            started_by=by,
            params={
                "program": program.pk,
                "academic_year": academic_year,
                "based_on": based_on.pk if based_on else None,
                "time_limit": time_limit,
            },
        ),
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
        RotationAssignment.objects.filter(schedule=based_on, locked=True).select_related(
            "block", "rotation"
        )
        if based_on
        else []
    )
    progress(0.02, "reading trainees, rotations and curriculum")
    history = history_cells(program, year, based_on)
    data = build_problem([program], year, locked=locked, history=history, base=_cells_of(based_on))
    gaps = history_gaps(program, year, history, problem_trainees(data, program))
    add_gaps(data, gaps)
    time_limit = float(params.get("time_limit", DEFAULT_TIME_LIMIT))
    problem, result = _solve(data, time_limit, progress, share=0.9)
    if not result.has_schedule:
        return _no_schedule(result)
    result.placements = _without(gaps, result.placements)
    result.placements += _history_outside(history, problem)
    reason = (
        f"re-solved around locked cells of version {based_on.number}: {_changed_text(result)}"
        if based_on
        else "solved"
    )
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
        "changed": len(result.changes),
        "summary": f"Draft version {schedule.number} is ready"
        + (f": {_changed_text(result)}." if based_on else "."),
    }


def _without(gaps: set[tuple[int, int]], placements: list[Placement]) -> list[Placement]:
    """The solve's placements less the started blocks nobody was placed in (empty history)."""
    return [p for p in placements if (pk_of(p.trainee), p.block) not in gaps]


def _history_outside(history: list[RotationAssignment], problem: Problem) -> list[Placement]:
    """History of trainees the problem no longer holds (gone from the program, or outside their
    training dates now): not solved, but kept in the new version as it was worked."""
    inside = {t.id for t in problem.trainees}
    out = []
    for c in history:
        if tid(c.trainee_id) not in inside:
            where = None if c.rotation.is_off else rid(c.rotation_id)
            out.append(Placement(tid(c.trainee_id), c.block.number, where, c.half))
    return out


def _cells_of(schedule: RotationSchedule | None) -> list[RotationAssignment]:
    """The base of a re-solve: every cell of the version it starts from."""
    if schedule is None:
        return []
    return list(schedule.assignments.select_related("block", "rotation__site"))


def _changed_text(result: Result) -> str:
    people = {c["trainee"] for c in result.changes}
    if not result.changes:
        return "no cell changed"
    return f"{len(result.changes)} cell(s) changed for {len(people)} trainee(s)"


def _solve(
    data: dict[str, Any], time_limit: float, progress: Progress, share: float
) -> tuple[Problem, Result]:
    """Read and solve the problem `build_problem` wrote; the solver's progress fills `share` of
    the job's bar after its first 5 % (the job's `progress` raises JobCancelled when asked to
    stop)."""
    try:
        problem = Problem.from_json(data)
    except ProblemError as error:
        raise ScheduleError(f"The schedule data has a problem: {error}") from None

    def report(fraction: float, message: str) -> bool:
        progress(0.05 + share * fraction, message)
        return True

    return problem, solve(problem, time_limit=time_limit, on_progress=report, clock=engine_clock())


def _no_schedule(result: Result) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "explanation": result.explanation,
        "summary": " ".join(result.explanation) or "No schedule was found.",
    }


# ---------------------------------------------------------------- every program at once

ALL_KIND = "rotation_solve_all"
ALL_REASON = "Institution-wide solve"
ALL_TIME_LIMIT = 180.0


def institution_programs(academic_year: int, *, keep_published: bool) -> list[Program]:
    """Programs the institution-wide solve builds: those with blocks, active trainees and
    rotations in the year, less those with a published year when `keep_published` (their schedule
    stays and counts as load on shared rotations)."""
    with_rotations = (
        RotationProgram.objects.filter(rotation__is_active=True)
        .exclude(rotation__kind=Rotation.Kind.VACATION)
        .values("program")
    )
    programs = Program.objects.filter(
        blocks__academic_year=academic_year,
        trainees__status__in=[Trainee.Status.ACTIVE, Trainee.Status.LEAVE],
        pk__in=with_rotations,
    ).distinct()
    if keep_published:
        published = RotationSchedule.objects.filter(
            academic_year=academic_year, status=RotationSchedule.Status.PUBLISHED
        ).values("program")
        programs = programs.exclude(pk__in=published)
    return list(programs.order_by("name"))


def _one_scheme(programs: list[Program], academic_year: int) -> None:
    """Programs solved together share block numbers, so they must cut the year the same way."""
    schemes: dict[str, list[str]] = {}
    for name, scheme in (
        Block.objects.filter(program__in=programs, academic_year=academic_year, number=1)
        .values_list("program__name", "scheme")
        .order_by("program__name")
    ):
        schemes.setdefault(scheme, []).append(name)
    if len(schemes) > 1:
        fewer = min(schemes.values(), key=len)
        names = ", ".join(fewer[:5]) + (f" and {len(fewer) - 5} more" if len(fewer) > 5 else "")
        raise ScheduleError(
            f"Programs cut {academic_year}–{academic_year + 1} into blocks differently ({names} "
            "differ from the rest), and programs solved together share block numbers. Solve "
            "those programs from their own pages."
        )


def institution_solve_start(
    *,
    academic_year: int,
    by: Any,
    keep_published: bool = True,
    time_limit: float = ALL_TIME_LIMIT,
    token: str = "",
) -> Job:
    """Queue one solve of every program's year together (shared capacities across programs)."""
    years = f"{academic_year}–{academic_year + 1}"
    programs = institution_programs(academic_year, keep_published=keep_published)
    if not programs:
        every = institution_programs(academic_year, keep_published=False)
        raise ScheduleError(
            f"No program is left to build for {years}: "
            + (
                "every program with blocks, trainees and rotations has a published year. "
                "Untick “keep published years” to build new drafts for them too."
                if every
                else "no program has blocks, active trainees and rotations for that year."
            )
        )
    _one_scheme(programs, academic_year)
    return _start_once(
        token=token,
        by=by,
        kind=ALL_KIND,
        start=lambda: job_start(
            kind=ALL_KIND,
            title=f"Build every program's year {years}",
            started_by=by,
            params={
                "academic_year": academic_year,
                "keep_published": keep_published,
                "time_limit": time_limit,
            },
        ),
    )


def _base_versions(programs: list[Program], academic_year: int) -> dict[int, RotationSchedule]:
    """Each program's newest draft of the year, else its published version: the new draft's
    basis, whose locked cells stay where they are."""
    bases: dict[int, RotationSchedule] = {}
    for schedule in RotationSchedule.objects.filter(
        program__in=programs,
        academic_year=academic_year,
        status__in=[RotationSchedule.Status.DRAFT, RotationSchedule.Status.PUBLISHED],
    ).order_by("program", "-number"):
        current = bases.get(schedule.program_id)
        if current is None or (schedule.is_draft and not current.is_draft):
            bases[schedule.program_id] = schedule
    return bases


@job_handler(ALL_KIND)
def institution_solve_job(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    year = int(params["academic_year"])
    progress(0.01, "reading every program's trainees, rotations and curriculum")
    programs = institution_programs(year, keep_published=bool(params.get("keep_published", True)))
    _one_scheme(programs, year)
    bases = _base_versions(programs, year)
    locked = RotationAssignment.objects.filter(
        schedule__in=list(bases.values()), locked=True
    ).select_related("block", "rotation")
    history = [
        cell for program in programs for cell in history_cells(program, year, bases.get(program.pk))
    ]
    base = [cell for schedule in bases.values() for cell in _cells_of(schedule)]
    data = build_problem(programs, year, locked=locked, history=history, base=base)
    gaps: set[tuple[int, int]] = set()
    for program in programs:
        mine = [c for c in history if c.block.program_id == program.pk]
        gaps |= history_gaps(program, year, mine, problem_trainees(data, program))
    add_gaps(data, gaps)
    time_limit = float(params.get("time_limit", ALL_TIME_LIMIT))
    problem, result = _solve(data, time_limit, progress, share=0.85)
    if not result.has_schedule:
        return _no_schedule(result)
    result.placements = _without(gaps, result.placements)
    progress(0.92, f"writing a new draft for each of {len(programs)} programs")
    drafts = _institution_drafts(job, problem, result, programs, bases, year)
    return {
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.best_bound,
        "drafts": drafts,
        "bent": result.bent[:20],
        "summary": f"{_drafts_ready(len(drafts))} ({result.status.value}, "
        f"cost {result.objective:.0f}).",
    }


def _drafts_ready(count: int) -> str:
    return "1 draft is ready" if count == 1 else f"{count} drafts are ready, one per program"


def _institution_drafts(
    job: Job,
    problem: Problem,
    result: Result,
    programs: list[Program],
    bases: dict[int, RotationSchedule],
    year: int,
) -> list[dict[str, Any]]:
    """One new draft per program, all or none. Each keeps its own part of the problem, with the
    other programs' placements as load, so it can be replayed alone."""
    mine: dict[str, list[Placement]] = {}
    for placement in result.placements:
        mine.setdefault(problem.trainee(placement.trainee).program, []).append(placement)
    for program in programs:
        worked = history_cells(program, year, bases.get(program.pk))
        mine.setdefault(pid(program.pk), []).extend(_history_outside(worked, problem))
    summary = {k: v for k, v in result.to_json().items() if k != "placements"}
    drafts = []
    with transaction.atomic():
        for program in programs:
            own = mine.get(pid(program.pk), [])
            others = [
                p
                for p in result.placements
                if problem.trainee(p.trainee).program != pid(program.pk)
            ]
            schedule = schedule_create(
                program=program,
                academic_year=year,
                by=job.started_by,
                reason=ALL_REASON,
                based_on=bases.get(program.pk),
                placements=own,
                solve_input=subproblem(problem, [pid(program.pk)], others).to_json(),
                solve_result={
                    **summary,
                    "changes": [
                        c
                        for c in result.changes
                        if problem.trainee(c["trainee"]).program == pid(program.pk)
                    ],
                },
            )
            drafts.append(
                {
                    "program": program.name,
                    "number": schedule.number,
                    "schedule": schedule.pk,
                    "url": reverse("schedules:grid", args=[schedule.pk]),
                }
            )
    return drafts


CALL_KIND = "call_build"
CALL_RESOLVE_KIND = "call_resolve"
CALL_KINDS = (CALL_KIND, CALL_RESOLVE_KIND)
CALL_TIME_LIMIT = 20.0


def call_build_start(
    *,
    program: Program,
    month: str,
    by: Any,
    time_limit: float = CALL_TIME_LIMIT,
    token: str = "",
) -> Job:
    return _start_once(
        token=token,
        by=by,
        kind=CALL_KIND,
        start=lambda: job_start(
            kind=CALL_KIND,
            title=f"Build {program} call for {month}",
            started_by=by,
            params={"program": program.pk, "month": month, "time_limit": time_limit},
        ),
    )


@job_handler(CALL_KIND)
def call_build_job(job: Job, progress: Progress) -> dict[str, Any]:
    import datetime as dt

    from rounds.schedules.calls import call_schedule_build

    program = Program.objects.get(pk=job.params["program"])
    month = dt.date.fromisoformat(job.params["month"] + "-01")
    progress(0.05, "reading the rotation schedule and requests")
    schedule = call_schedule_build(
        program=program,
        month=month,
        by=job.started_by,
        time_limit=float(job.params.get("time_limit", CALL_TIME_LIMIT)),
    )
    return {
        "summary": f"Call draft version {schedule.number} is ready.",
        "url": reverse("schedules:call", args=[schedule.pk]),
        "schedule": schedule.pk,
    }


def call_resolve_start(
    *, schedule: CallSchedule, by: Any, time_limit: float = CALL_TIME_LIMIT, token: str = ""
) -> Job:
    """Queue a re-solve of a call draft around its locked shifts (a new draft version)."""
    if not schedule.is_draft:
        raise ScheduleError("Only a draft is re-solved; make a change to start one.")
    return _start_once(
        token=token,
        by=by,
        kind=CALL_RESOLVE_KIND,
        start=lambda: job_start(
            kind=CALL_RESOLVE_KIND,
            title=f"Re-solve {schedule.program} call for {schedule.month:%B %Y} "
            f"around version {schedule.number}",
            started_by=by,
            params={
                "program": schedule.program_id,
                "schedule": schedule.pk,
                "revision": schedule.revision,
                "time_limit": time_limit,
            },
        ),
    )


@job_handler(CALL_RESOLVE_KIND)
def call_resolve_job(job: Job, progress: Progress) -> dict[str, Any]:
    from rounds.schedules.call_grid import call_compare
    from rounds.schedules.calls import NoSchedule, call_schedule_resolve

    draft = CallSchedule.objects.select_related("program").get(pk=job.params["schedule"])
    progress(0.05, "solving the month around the locked shifts")
    try:
        schedule = call_schedule_resolve(
            schedule=draft,
            by=job.started_by,
            time_limit=float(job.params.get("time_limit", CALL_TIME_LIMIT)),
        )
    except NoSchedule as error:
        return {"explanation": error.lines, "summary": str(error)}
    changed = call_compare(draft, schedule).changed
    draft.refresh_from_db(fields=["revision"])
    later = (
        " (it was edited after the re-solve started)"
        if draft.revision != int(job.params.get("revision", draft.revision))
        else ""
    )
    return {
        "summary": f"Call draft version {schedule.number} is ready: {changed} cell(s) differ "
        f"from version {draft.number}{later}.",
        "url": reverse("schedules:call", args=[schedule.pk]),
        "compare": reverse("schedules:call_compare", args=[draft.pk]) + f"?other={schedule.pk}",
        "schedule": schedule.pk,
        "changed": changed,
    }
