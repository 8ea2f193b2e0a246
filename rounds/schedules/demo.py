"""Demo schedules: rotations for every program at its sites, shared ICUs and an emergency
department, curriculum, blocks, some vacation requests and wishes, solved and published years for
a few programs, and a month of call for internal medicine built with the roster engine."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, time

from django.db import transaction
from django.db.models import Q

from rounds.core.demo import academic_year_start
from rounds.core.models import Program, ProgramSite, Site
from rounds.engine.rotations.check import Placement
from rounds.engine.rotations.problem import Problem
from rounds.engine.rotations.solve import solve
from rounds.lib.today import today
from rounds.people.models import Person, Trainee
from rounds.people.training import trainees_in_training
from rounds.schedules.models import (
    Block,
    CalendarFeed,
    CallSchedule,
    CurriculumRequirement,
    Preference,
    Rotation,
    RotationAssignment,
    RotationProgram,
    RotationSchedule,
    VacationRequest,
)
from rounds.schedules.problem import build_problem
from rounds.schedules.services import (
    assignment_correct,
    blocks_create,
    schedule_create,
    schedule_publish,
)

# Shared units: (name, service, group, capacity, specialties whose programs rotate there)
SHARED = [
    ("MICU", "Medical intensive care", "ICU", 26,
     ("Internal Medicine", "Emergency Medicine", "Anesthesiology", "Family Medicine",
      "Transitional Year", "Pulmonary Disease and Critical Care Medicine")),
    ("SICU", "Surgical intensive care", "ICU", 16,
     ("Surgery", "Anesthesiology", "Orthopaedic Surgery", "Neurological Surgery",
      "Surgical Critical Care", "Plastic Surgery - Integrated", "Urology", "Emergency Medicine")),
    ("PICU", "Pediatric intensive care", "ICU", 10,
     ("Pediatrics", "Pediatric Critical Care Medicine", "Pediatric Emergency Medicine")),
    ("Emergency department", "Emergency medicine", "ED", 22,
     ("Emergency Medicine", "Internal Medicine", "Family Medicine", "Transitional Year",
      "Pediatrics", "Pediatric Emergency Medicine")),
]  # fmt: skip
SOLVED = ("Internal Medicine Residency", "Emergency Medicine Residency", "Surgery Residency")
# Residencies whose clinic and electives may be taken for half a block (two weeks each), so the
# demo year shows a few split blocks: trainees who wish for both in one block get both.
HALF_BLOCKS = ("Internal Medicine", "Family Medicine", "Pediatrics")


def demo_wipe() -> None:
    CalendarFeed.objects.all().delete()
    CallSchedule.objects.all().delete()
    RotationSchedule.objects.all().delete()
    CurriculumRequirement.objects.all().delete()
    Block.objects.all().delete()
    Rotation.objects.all().delete()


def demo_extend(*, seed: int, solve_programs: bool = True) -> list[str]:
    rng = random.Random(seed)
    year = academic_year_start(today())
    with transaction.atomic():
        counts = _rotations_and_curriculum(rng, year)
    lines = [
        f"schedules: {counts['rotations']} rotations ({counts['shared']} shared across programs), "
        f"{counts['requirements']} curriculum lines, blocks for {counts['programs']} programs"
    ]
    if solve_programs:
        lines += _solve_and_publish(year)
        lines += _republish_with_correction(year)
        from rounds.schedules.calls import demo_call_month

        lines += demo_call_month(year)
        from rounds.schedules.swaps import demo_swaps

        lines += demo_contacts(rng)
        lines += demo_swaps()
    return lines


def demo_contacts(rng: random.Random) -> list[str]:
    """Phones and pagers for Internal Medicine's people, for the on-call list; about half of
    the trainees share theirs with colleagues."""
    people = list(
        Person.objects.filter(
            Q(trainee__program__name="Internal Medicine Residency")
            | Q(faculty__primary_program__name="Internal Medicine Residency")
        ).distinct()
    )
    for n, person in enumerate(people):
        person.phone = f"+1 212 555 {1000 + n:04d}"
        person.pager = f"{4000 + n}"
        person.share_contact = person.kind != Person.Kind.TRAINEE or rng.random() < 0.5
    Person.objects.bulk_update(people, ["phone", "pager", "share_contact"])
    return [f"people: phone and pager for {len(people)} people of Internal Medicine"]


def _primary_and_others(program: Program) -> tuple[Site, list[Site]]:
    links = list(ProgramSite.objects.filter(program=program).select_related("site"))
    primary = next((link.site for link in links if link.is_primary), None) or links[0].site
    return primary, [link.site for link in links if link.site != primary]


def _rotations_and_curriculum(rng: random.Random, year: int) -> dict[str, int]:
    sponsor = Site.objects.filter(kind=Site.Kind.SPONSOR).first() or Site.objects.first()
    assert sponsor is not None
    children = Site.objects.filter(kind=Site.Kind.CHILDREN).first() or sponsor
    shared: dict[str, tuple[Rotation, set[str]]] = {}
    for name, service, group, cap, specialties in SHARED:
        site = children if name == "PICU" else sponsor
        shared[name] = (
            Rotation.objects.create(
                name=name,
                service=service,
                site=site,
                group=group,
                capacity=cap,
                works_weekends=True,
                day_hours=12,
                day_start=time(7, 0),
            ),
            set(specialties),
        )
    counts: dict[str, int] = defaultdict(int)
    counts["shared"] = len(shared)
    trainees_by_program: dict[int, list[Trainee]] = defaultdict(list)
    # Those in training this year: next July's interns ask for nothing in it.
    for t in trainees_in_training(None, date(year, 7, 1), date(year + 1, 6, 30)):
        trainees_by_program[t.program_id].append(t)
    for program in Program.objects.select_related("specialty"):
        trainees = trainees_by_program.get(program.pk, [])
        if not trainees or not ProgramSite.objects.filter(program=program).exists():
            continue
        counts["programs"] += 1
        blocks = blocks_create(program=program, academic_year=year, by=None)
        own = _own_rotations(program, len(trainees))
        counts["rotations"] += len(own)
        uses_icu = False
        for rotation, served in shared.values():
            if program.specialty.name in served:
                per_year = max(1, len(trainees) // max(1, program.length_years))
                RotationProgram.objects.create(
                    rotation=rotation, program=program, max_per_block=max(2, per_year)
                )
                uses_icu = uses_icu or rotation.group == "ICU"
        counts["requirements"] += _curriculum(program, own, uses_icu)
        _requests(rng, program, trainees, blocks, own, _half_block_pair(program, own))
    counts["rotations"] += len(shared)
    return counts


def _own_rotations(program: Program, size: int) -> list[Rotation]:
    primary, others = _primary_and_others(program)
    elsewhere = others[0] if others else primary
    short = program.specialty.name.split(" - ")[0].split(",")[0]
    residency = program.kind == Program.Kind.RESIDENCY and program.length_years > 1
    first = program.first_pgy
    clinic_pgy = first + (1 if residency else 0)
    wards_min = 2 if size >= 24 else 1 if size >= 4 else 0
    plan: list[tuple[str, str, Site, str, str, int, int, int]] = [
        # name, service, site, kind, group, min_pgy, min per block, day hours
        (f"{short} inpatient", f"{short} inpatient", primary, "clinical", "", first, wards_min, 11),
        (f"{short} consults", f"{short} consults", primary, "clinical", "", first, 0, 10),
        (f"{short} clinic", f"{short} clinic", elsewhere, "ambulatory", "", clinic_pgy, 0, 8),
        ("Elective", "Elective", elsewhere, "elective", "Elective", first, 0, 8),
    ]  # fmt: skip
    if residency:
        plan.append(
            ("Night float", f"{short} nights", primary, "night_float", "Nights", first, 0, 12)
        )
    else:
        plan.append(("Research", "Research", primary, "research", "Research", first, 0, 8))
    rotations = []
    for name, service, site, kind, group, min_pgy, min_block, hours in plan:
        rotation, _ = Rotation.objects.get_or_create(
            site=site,
            name=name if name.startswith(short) else f"{name} ({short})",
            defaults={
                "service": service, "kind": kind, "group": group, "day_hours": hours,
                "day_start": time(19, 0) if kind == "night_float" else time(7, 0),
                "works_weekends": kind in ("clinical", "night_float"),
            },
        )  # fmt: skip
        RotationProgram.objects.create(
            rotation=rotation, program=program, min_pgy=min_pgy, min_per_block=min_block
        )
        rotations.append(rotation)
    vacation = Rotation.objects.create(
        site=primary, name=f"Vacation ({program.slug})", service="Vacation",
        kind=Rotation.Kind.VACATION, day_hours=0,
    )  # fmt: skip
    RotationProgram.objects.create(rotation=vacation, program=program)
    return rotations


def _half_block_pair(program: Program, own: list[Rotation]) -> RotationProgram | None:
    """In a few residencies, clinic and electives may be taken by halves: the clinic's use
    (its PGY range says who may pair them), or None."""
    if program.specialty.name not in HALF_BLOCKS or program.kind != Program.Kind.RESIDENCY:
        return None
    clinic, elective = own[2], own[3]
    uses = RotationProgram.objects.filter(program=program, rotation__in=[clinic, elective])
    uses.update(half_blocks=True)
    return uses.get(rotation=clinic)


def _curriculum(program: Program, own: list[Rotation], uses_icu: bool) -> int:
    rows = []
    for pgy in program.pgy_levels:
        if uses_icu:
            rows.append(CurriculumRequirement(program=program, pgy=pgy, group="ICU",
                                              min_blocks=1 if pgy > program.first_pgy else 2,
                                              max_blocks=4))  # fmt: skip
        rows.append(CurriculumRequirement(program=program, pgy=pgy, rotation=own[0], min_blocks=3))
        if any(r.group == "Nights" for r in own):
            rows.append(CurriculumRequirement(program=program, pgy=pgy, group="Nights",
                                              max_blocks=3))  # fmt: skip
        rows.append(CurriculumRequirement(program=program, pgy=pgy, group="Elective", min_blocks=1))
    CurriculumRequirement.objects.bulk_create(rows)
    return len(rows)


def _requests(
    rng: random.Random,
    program: Program,
    trainees: list[Trainee],
    blocks: list[Block],
    own: list[Rotation],
    halves: RotationProgram | None = None,
) -> None:
    vacations, wishes = [], []
    for t in trainees:
        block = rng.choice(blocks[1:])
        status = VacationRequest.Status.APPROVED if rng.random() < 0.3 else "requested"
        vacations.append(VacationRequest(trainee=t, block=block, status=status))
        if halves is not None and halves.eligible(t.pgy) and rng.random() < 0.15:
            # Two weeks of clinic and two of electives in one block: only halves grant both.
            when = rng.choice(blocks)
            wishes += [
                Preference(trainee=t, rotation=halves.rotation, block=when, weight=3),
                Preference(trainee=t, rotation=own[3], block=when, weight=3),
            ]
        elif rng.random() < 0.5:
            wishes.append(
                Preference(trainee=t, rotation=own[-2 if len(own) > 1 else 0],
                           block=rng.choice(blocks), weight=rng.choice([2, 3, 5]))
            )  # fmt: skip
    VacationRequest.objects.bulk_create(vacations)
    Preference.objects.bulk_create(wishes)


def _solve_and_publish(year: int) -> list[str]:
    """Every program's year in one solve (shared units hold across programs), each published;
    if that fails, the programs in SOLVED one by one."""
    programs = list(Program.objects.filter(blocks__academic_year=year).distinct())
    data = build_problem(programs, year)
    problem = Problem.from_json(data)
    result = solve(problem, time_limit=90, seed=1)
    if not result.has_schedule:
        return [
            f"schedules: institution-wide solve gave no schedule ({'; '.join(result.explanation)})",
            *_solve_one_by_one(year),
        ]
    by_program: dict[str, list[Placement]] = defaultdict(list)
    for placement in result.placements:
        by_program[problem.trainee(placement.trainee).program].append(placement)
    summary = {k: v for k, v in result.to_json().items() if k != "placements"}
    for program in programs:
        with transaction.atomic():
            schedule = schedule_create(
                program=program, academic_year=year, by=None,
                reason="demo year, solved with every program together",
                placements=by_program.get(f"p{program.pk}", []), solve_result=summary,
            )  # fmt: skip
            schedule_publish(schedule=schedule, by=None, notify=False)
    split = len({(p.trainee, p.block) for p in result.placements if p.half})
    return [
        f"schedules: {len(programs)} programs' {year}–{year + 1} years solved together "
        f"({result.status.value}, cost {result.objective:.0f}, first schedule in "
        f"{result.time_to_first or 0:.1f} s, {result.wall_time:.1f} s in all, {split} blocks in "
        "halves) and published"
    ]


CORRECTION = (
    "Worked night float in place of a colleague on sick leave (from the service's sign-in sheets)"
)


def _republish_with_correction(year: int) -> list[str]:
    """Internal medicine's year, republished mid-year with one marked correction of history: a
    resident worked another rotation than planned in a block already over."""
    program = Program.objects.filter(name="Internal Medicine Residency").first()
    published = RotationSchedule.objects.filter(
        program=program, academic_year=year, status=RotationSchedule.Status.PUBLISHED
    ).first()
    if program is None or published is None:
        return []
    over = [b for b in Block.objects.filter(program=program, academic_year=year) if b.end < today()]
    if not over:
        return ["schedules: no internal medicine block is over yet, so no correction to show"]
    block = over[-1]
    uses = list(
        RotationProgram.objects.filter(program=program, rotation__is_active=True)
        .exclude(rotation__kind=Rotation.Kind.VACATION)
        .select_related("rotation")
        .order_by("-rotation__kind")  # night float first, where the program has one
    )
    candidates = [
        (cell, use.rotation)
        for cell in published.assignments.filter(block=block, half=0).select_related("trainee")
        for use in uses
        if use.eligible(cell.trainee.pgy) and use.rotation_id != cell.rotation_id
    ]
    with transaction.atomic():
        draft = schedule_create(
            program=program,
            academic_year=year,
            by=None,
            reason="Mid-year correction",
            based_on=published,
        )
        chosen = _first_correction_breaking_no_rule(draft, block, candidates[:40])
        if chosen is None:
            transaction.set_rollback(True)
            return ["schedules: no internal medicine correction that breaks no rule to show"]
        cell, other = chosen
        schedule_publish(
            schedule=draft,
            by=None,
            notify=False,
            reason=f"Mid-year correction of {block.label}: {CORRECTION}",
        )
    return [
        f"schedules: internal medicine republished as version {draft.number} with a correction "
        f"of {block.label} ({cell.trainee.person}: {other.name})"
    ]


def _first_correction_breaking_no_rule(
    draft: RotationSchedule, block: Block, candidates: list[tuple[RotationAssignment, Rotation]]
) -> tuple[RotationAssignment, Rotation] | None:
    """The demo shows a correction, not a broken schedule: which cell can move without breaking a
    rule depends on the solve, so each candidate is tried in a savepoint and checked."""
    from rounds.schedules.selectors import schedule_grid

    for cell, other in candidates:
        try:
            with transaction.atomic():
                assignment_correct(
                    schedule=draft, trainee=cell.trainee, block=block, half=0,
                    rotation=other, reason=CORRECTION, by=None,
                )  # fmt: skip
                if schedule_grid(draft).violations:
                    raise _BreaksARule
                return cell, other
        except _BreaksARule:
            continue
    return None


class _BreaksARule(Exception):
    pass


def _solve_one_by_one(year: int) -> list[str]:
    lines = []
    for name in SOLVED:
        program = Program.objects.filter(name=name).first()
        if program is None:
            continue
        data = build_problem([program], year)
        result = solve(Problem.from_json(data), time_limit=15, seed=1)
        if not result.has_schedule:
            lines.append(f"schedules: {name}: no schedule ({'; '.join(result.explanation)})")
            continue
        with transaction.atomic():
            schedule = schedule_create(
                program=program, academic_year=year, by=None, reason="demo year",
                placements=result.placements, solve_input=data,
                solve_result={k: v for k, v in result.to_json().items() if k != "placements"},
            )  # fmt: skip
            schedule_publish(schedule=schedule, by=None, notify=False)
        lines.append(
            f"schedules: {name} {year}–{year + 1} solved ({result.status.value}, cost "
            f"{result.objective:.0f}, {result.wall_time:.1f} s) and published"
        )
    return lines
