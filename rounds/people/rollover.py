"""Year rollover: close one academic year and open the next, previewed and all-or-nothing.

`rollover_plan` lists every change without writing (the dry run). `rollover_run` computes the
same list inside one transaction, refuses if it differs from the one the person saw (the
fingerprint), and then does exactly that list:

- complete every trainee whose training ends by June 30 (on their last day);
- promote everyone continuing, on the anniversary of their start (July 1 for most; an off-cycle
  October start moves up in October), never past the program's last PGY level;
- bring in matched interns with the trainee import (checked first; one bad row stops all);
- create next year's blocks in each program's scheme;
- curriculum and rotation lists belong to the program, not the year: they carry as they are;
- close the year's unpublished drafts and archive the year read-only (a `YearRollover` row; no
  new version of any of its schedules can be made).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from rounds.core.models import Program
from rounds.core.services import audit_record
from rounds.jobs.models import Job
from rounds.jobs.services import Progress, job_handler, job_start
from rounds.people.models import Trainee, YearRollover
from rounds.people.services import trainee_complete, trainee_promote
from rounds.people.training import History, history_of, trainees_in_training


class RolloverError(Exception):
    """The rollover cannot run; the message says why and what to do."""


@dataclass(frozen=True)
class Change:
    kind: str  # complete, promote, intern, blocks, close_draft, archive, carry
    text: str


@dataclass
class InternFile:
    filename: str
    data: bytes


@dataclass
class RolloverPlan:
    year: int  # the academic year being closed (its July's year)
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # What each change acts on, by position in `changes` (not shown; used by the run).
    _actions: list[Any] = field(default_factory=list, repr=False)

    @property
    def label(self) -> str:
        return f"{self.year}–{self.year + 1}"

    @property
    def fingerprint(self) -> str:
        text = "\n".join(f"{c.kind}|{c.text}" for c in self.changes)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)

    def add(self, kind: str, text: str, action: Any = None) -> None:
        self.changes.append(Change(kind, text))
        self._actions.append(action)


def _d(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def year_archived(academic_year: int) -> bool:
    return YearRollover.objects.filter(academic_year=academic_year).exists()


def promotion_day(history: History, next_year: int) -> date:
    """The anniversary of the start that falls in the academic year beginning July 1 of
    `next_year`."""
    for year in (next_year, next_year + 1):
        day = _anniversary(history.start, year)
        if date(next_year, 7, 1) <= day <= date(next_year + 1, 6, 30):
            return day
    return date(next_year, 7, 1)


def _anniversary(start: date, year: int) -> date:
    try:
        return start.replace(year=year)
    except ValueError:  # February 29
        return date(year, 3, 1)


def rollover_plan(*, year: int, interns: InternFile | None = None) -> RolloverPlan:
    """Every change the rollover of academic year `year` would make, nothing written."""
    plan = RolloverPlan(year)
    if year_archived(year):
        plan.problems.append(f"{plan.label} was already rolled over.")
        return plan
    first, last = date(year, 7, 1), date(year + 1, 6, 30)
    programs = {p.pk: p for p in Program.objects.all()}
    trainees = sorted(
        trainees_in_training(None, first, last),
        key=lambda t: (t.program.name, t.person.last_name, t.person.first_name),
    )
    for trainee in trainees:
        _plan_trainee(plan, trainee, history_of(trainee), programs, year)
    _plan_interns(plan, interns)
    _plan_schedules(plan, year)
    return plan


def _plan_trainee(
    plan: RolloverPlan, trainee: Trainee, history: History, programs: dict[int, Program], year: int
) -> None:
    name = trainee.person.full_name
    last = date(year + 1, 6, 30)
    if history.finished:
        return
    if history.last_day <= last:
        program = programs[history.program_on(history.last_day)]
        plan.add(
            "complete",
            f"Complete {name} ({program.name}, PGY-{history.pgy_on(history.last_day)}) on "
            f"{_d(history.last_day)}.",
            (trainee.pk, history.last_day),
        )
        return
    day = promotion_day(history, year + 1)
    if day > history.last_day or day <= history.start:
        return
    program = programs[history.program_on(day)]
    now = history.pgy_on(day - timedelta(days=1))
    top = program.first_pgy + program.length_years - 1
    if now >= top:
        return  # extended in their final year: no level above
    plan.add(
        "promote",
        f"Promote {name} ({program.name}) from PGY-{now} to PGY-{now + 1} on {_d(day)}.",
        (trainee.pk, now + 1, day),
    )


def _plan_interns(plan: RolloverPlan, interns: InternFile | None) -> None:
    if interns is None:
        return
    from rounds.imports.services import Problem, _no_progress, check_rows
    from rounds.imports.specs import SPECS
    from rounds.imports.tables import UnreadableFile, read_table

    try:
        table = read_table(interns.filename, interns.data)
    except UnreadableFile as error:
        plan.problems.append(f"{interns.filename}: {error}")
        return
    problems: list[Problem] = []
    rows = check_rows(SPECS["trainees"](), table, problems, _no_progress)
    plan.problems += [str(p) for p in problems]
    for row in rows:
        verb = "Bring in" if row.created else "Update from the import"
        plan.add("intern", f"{verb} {row.label}.", None)
    if rows and not problems:
        plan._actions[-1] = interns  # the import runs once, with the last of its lines


def _plan_schedules(plan: RolloverPlan, year: int) -> None:
    from rounds.schedules.models import (
        Block,
        CallSchedule,
        CurriculumRequirement,
        RotationProgram,
        RotationSchedule,
    )

    nxt = f"{year + 1}–{year + 2}"
    have = set(Block.objects.filter(academic_year=year + 1).values_list("program_id", flat=True))
    schemes = dict(
        Block.objects.filter(academic_year=year, number=1).values_list("program_id", "scheme")
    )
    for program in Program.objects.filter(pk__in=list(schemes)).order_by("name"):
        if program.pk in have:
            continue
        scheme = Block.Scheme(schemes[program.pk])
        plan.add(
            "blocks", f"Create {program.name}'s blocks for {nxt} ({scheme.label}).",
            (program.pk, scheme.value),
        )  # fmt: skip
    requirements = CurriculumRequirement.objects.filter(program__in=list(schemes)).count()
    uses = RotationProgram.objects.filter(program__in=list(schemes)).count()
    plan.add(
        "carry",
        f"Carry curriculum ({requirements} requirements) and rotation lists ({uses} program "
        f"rotations) to {nxt} unchanged.",
    )
    drafts = RotationSchedule.objects.filter(academic_year=year, status="draft").select_related(
        "program"
    )
    for draft in drafts.order_by("program__name", "number"):
        plan.add(
            "close_draft",
            f"Close unpublished draft version {draft.number} of {draft.program.name} {plan.label}.",
            ("rotation", draft.pk),
        )
    months = CallSchedule.objects.filter(
        month__gte=date(year, 7, 1), month__lte=date(year + 1, 6, 30), status="draft"
    ).select_related("program")
    for month in months.order_by("program__name", "month", "number"):
        plan.add(
            "close_draft",
            f"Close unpublished call draft version {month.number} of {month.program.name} "
            f"{month.month:%B %Y}.",
            ("call", month.pk),
        )
    plan.add("archive", f"Archive {plan.label} read-only: no schedule of the year changes again.")


def rollover_open_check(year: int, today: date) -> None:
    if today < date(year + 1, 6, 1):
        raise RolloverError(
            f"{year}–{year + 1} ends on Jun 30, {year + 1}; run the rollover from "
            f"Jun 1, {year + 1} (the dry run works any day)."
        )


def rollover_start(
    *, year: int, expected: str, by: Any, today: date, interns: InternFile | None = None
) -> Job:
    """Queue the run (long at an institution's scale): refused now if the year is not open."""
    rollover_open_check(year, today)
    params = {"year": year, "expected": expected, "today": today.isoformat()}
    if interns is not None:
        params |= {
            "interns_name": interns.filename,
            "interns_data": base64.b64encode(interns.data).decode(),
        }
    return job_start(
        kind="year_rollover", title=f"Year rollover of {year}–{year + 1}", started_by=by,
        params=params,
    )  # fmt: skip


@job_handler("year_rollover")
def rollover_job(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    interns = None
    if params.get("interns_name"):
        interns = InternFile(params["interns_name"], base64.b64decode(params["interns_data"]))
    progress(0.05, "Checking the list against the dry run")
    plan = rollover_run(
        year=params["year"], expected=params["expected"], by=job.started_by,
        today=date.fromisoformat(params["today"]), interns=interns,
    )  # fmt: skip
    return {"summary": f"Rolled over {plan.label}: {len(plan.changes)} changes done as listed."}


def rollover_run(
    *,
    year: int,
    expected: str,
    by: Any,
    today: date,
    interns: InternFile | None = None,
) -> RolloverPlan:
    """Do what the dry run with fingerprint `expected` listed, all of it or nothing."""
    rollover_open_check(year, today)
    with transaction.atomic():
        plan = rollover_plan(year=year, interns=interns)
        if plan.problems:
            raise RolloverError("Nothing was changed: " + " ".join(plan.problems[:5]))
        if plan.fingerprint != expected:
            raise RolloverError(
                "Nothing was changed: the records changed since the dry run, so it would not do "
                "exactly what was listed. Run the dry run again and check the new list."
            )
        for change, action in zip(plan.changes, plan._actions, strict=True):
            _apply(change, action, by, year)
        YearRollover.objects.create(
            academic_year=year,
            run_by=by if getattr(by, "is_authenticated", False) else None,
            changes=[c.text for c in plan.changes],
        )
        counts = {kind: plan.count(kind) for kind in ("complete", "promote", "intern", "blocks")}
        audit_record(
            by=by, action="rollover", instance=YearRollover.objects.get(academic_year=year),
            summary=f"Year rollover of {plan.label}: " + ", ".join(
                f"{n} {kind}" for kind, n in counts.items()),
            changes={"changes": [c.text for c in plan.changes]},
        )  # fmt: skip
    return plan


def _apply(change: Change, action: Any, by: Any, year: int) -> None:
    from rounds.imports.services import import_file
    from rounds.schedules.models import CallSchedule, RotationSchedule
    from rounds.schedules.services import blocks_create

    why = f"Year rollover of {year}–{year + 1}"
    if change.kind == "complete":
        pk, last = action
        trainee_complete(trainee=Trainee.objects.get(pk=pk), last_day=last, reason=why, by=by)
    elif change.kind == "promote":
        pk, pgy, day = action
        trainee_promote(
            trainee=Trainee.objects.get(pk=pk), pgy=pgy, first_day=day, reason=why, by=by
        )
    elif change.kind == "intern" and action is not None:
        outcome = import_file(kind="trainees", filename=action.filename, data=action.data, by=by)
        if not outcome.ok:
            raise RolloverError("Nothing was changed: " + str(outcome.problems[0]))
    elif change.kind == "blocks":
        pk, scheme = action
        program = Program.objects.get(pk=pk)
        blocks_create(program=program, academic_year=year + 1, scheme=scheme, by=by)
    elif change.kind == "close_draft":
        what, pk = action
        model = RotationSchedule if what == "rotation" else CallSchedule
        model.objects.filter(pk=pk, status="draft").update(status="superseded")
