"""The engine's rotation problem, built from the database (and placements read back into it).

Ids in the problem are database ids as strings: trainees `t<pk>`, rotations `r<pk>`, programs
`p<pk>`; block numbers are the program's block numbers (programs solved together share numbers).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from rounds.core.models import Program
from rounds.engine.rotations.check import Placement
from rounds.engine.rotations.problem import Problem
from rounds.people.models import Trainee
from rounds.people.training import History, histories_of, trainees_in_training
from rounds.schedules.history import started
from rounds.schedules.models import (
    Block,
    CurriculumRequirement,
    FixedAssignment,
    Preference,
    Rotation,
    RotationAssignment,
    RotationProgram,
    RotationSchedule,
    VacationRequest,
)

REQUESTED_VACATION_WEIGHT = 20
# A block short of (or over) a curriculum line, for a cohort with someone not in training all
# year: more than every wish of a trainee together, so it is met whenever it can be.
PART_YEAR_CURRICULUM_WEIGHT = 100


def tid(pk: int) -> str:
    return f"t{pk}"


def rid(pk: int) -> str:
    return f"r{pk}"


def pid(pk: int) -> str:
    return f"p{pk}"


def pk_of(engine_id: str) -> int:
    return int(engine_id[1:])


def active_trainees(programs: Iterable[Program], first: date, last: date) -> list[Trainee]:
    """Trainees of these programs in training on at least one day of [first, last]."""
    return trainees_in_training(list(programs), first, last)


def year_span(program_ids: list[int], academic_year: int) -> tuple[date, date]:
    """The first and last day of these programs' blocks of the year (July 1 to June 30 if none)."""
    blocks = Block.objects.filter(program__in=program_ids, academic_year=academic_year)
    return span_of(list(blocks), academic_year)


def span_of(blocks: list[Block], academic_year: int) -> tuple[date, date]:
    """`year_span` of blocks already read."""
    starts = [b.start for b in blocks] or [date(academic_year, 7, 1)]
    ends = [b.end for b in blocks] or [date(academic_year + 1, 6, 30)]
    return min(starts), max(ends)


def _unavailable(
    history: History, program: int, blocks: Iterable[Block], halves: bool
) -> dict[int, list[int]]:
    """Block number -> halves (0: the whole block) the trainee is not in training in `program`
    for every day of: before the start, after the end, on leave, in another program. Without
    any rotation the trainee may take for half a block (`halves`), a block half out is out."""
    out: dict[int, list[int]] = {}
    mine = [b for b in blocks if b.program_id == program]
    if mine:  # most trainees are in training all year: one look instead of one per half block
        first, last = min(b.start for b in mine), max(b.end for b in mine)
        if history.count_days_in(first, last, program) == (last - first).days + 1:
            return out
    for block in mine:
        out_halves = [half for half in (1, 2) if not _all_in(history, program, block, half)]
        if len(out_halves) == 2 or (out_halves and not halves):
            out[block.number] = [0]
        elif out_halves:
            out[block.number] = out_halves
    return out


def _all_in(history: History, program: int, block: Block, half: int) -> bool:
    first, last = block.half_range(half)
    return history.count_days_in(first, last, program) == (last - first).days + 1


def _placed(
    trainees: list[Trainee],
    histories: dict[int, History],
    program_ids: list[int],
    span: tuple[date, date],
) -> dict[int, tuple[int, int]]:
    """Each trainee's (program, PGY level) in the problem: those on their first day of training
    in one of these programs this year."""
    out: dict[int, tuple[int, int]] = {}
    for t in trainees:
        history = histories[t.pk]
        starts = [lo for p in program_ids for lo, _ in history.stretches_in(span[0], span[1], p)]
        first = min(starts) if starts else span[0]
        out[t.pk] = (history.program_on(first), history.pgy_on(first))
    return out


def build_problem(
    programs: list[Program],
    academic_year: int,
    *,
    locked: Iterable[RotationAssignment] = (),
    history: Iterable[RotationAssignment] = (),
    base: Iterable[RotationAssignment] = (),
    trainees: list[Trainee] | None = None,
) -> dict[str, Any]:
    """The JSON problem for these programs' year; `locked` cells (whole or halves) become fixed
    placements, or approved vacation where they are off. `history` cells (already worked) and
    `base` cells (the version a re-solve starts from) go to the engine as they are: history is
    fixed input, and each base cell the solve does not keep costs more than every wish.
    `trainees`: the programs' `active_trainees` over the year, when the caller read them already
    (the grid does, on every edit: reading them is a good part of an edit's time)."""
    history = list(history)
    program_ids = [p.pk for p in programs]
    blocks = list(Block.objects.filter(program__in=program_ids, academic_year=academic_year))
    span = span_of(blocks, academic_year)
    if trainees is None:
        trainees = active_trainees(programs, *span)
    trainee_ids = {t.pk for t in trainees}
    histories = histories_of(trainees)  # built once: each is read for every block
    placed = _placed(trainees, histories, program_ids, span)
    # Blocks a trainee is not in training for are off, whatever else asks for them: nobody is
    # placed before they start, after they finish, on leave or while in another program.
    half_uses = RotationProgram.objects.filter(
        program__in=program_ids, rotation__is_active=True, half_blocks=True
    ).values_list("program_id", "min_pgy", "max_pgy")

    def may_split(program: int, pgy: int) -> bool:
        return any(p == program and low <= pgy <= high for p, low, high in half_uses)

    away = {
        t.pk: _unavailable(histories[t.pk], placed[t.pk][0], blocks, may_split(*placed[t.pk]))
        for t in trainees
    }
    block_count = max((b.number for b in blocks), default=0)
    labels = [f"block {n}" for n in range(1, block_count + 1)]
    uses = list(
        RotationProgram.objects.filter(
            program__in=program_ids, rotation__is_active=True
        ).select_related("rotation__site")
    )
    rotations = {u.rotation.pk: u.rotation for u in uses}
    fixed: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for f in FixedAssignment.objects.filter(
        trainee__in=trainee_ids, block__academic_year=academic_year
    ).select_related("block"):
        if f.block.number not in away[f.trainee_id]:
            fixed[f.trainee_id, f.block.number] = [
                _ref(f.trainee_id, f.block.number, f.rotation_id)
            ]
    vacations: dict[tuple[int, int, int], dict[str, Any]] = {}
    for v in (
        VacationRequest.objects.filter(trainee__in=trainee_ids, block__academic_year=academic_year)
        .exclude(status=VacationRequest.Status.DECLINED)
        .select_related("block")
    ):
        if v.block.number in away[v.trainee_id]:
            continue
        approved = v.status == VacationRequest.Status.APPROVED
        vacations[v.trainee_id, v.block.number, 0] = {
            **_ref(v.trainee_id, v.block.number),
            "weight": None if approved else REQUESTED_VACATION_WEIGHT,
        }
    for (trainee, number), parts in _locked_cells(locked).items():
        if trainee not in trainee_ids or number in away[trainee]:
            continue  # not in training then: not in this year's problem
        fixed[trainee, number] = []  # a locked cell replaces a fixed assignment there
        for half, rotation in parts:
            if rotation.is_off:
                vacations[trainee, number, half] = {
                    **_ref(trainee, number, half=half),
                    "weight": None,
                }
            else:
                fixed[trainee, number].append(_ref(trainee, number, rotation.pk, half))
    # History wins over dates: a started block stays what was worked (a leave recorded after
    # the fact is a correction of history, not something a solve rewrites).
    worked = set(_locked_cells(history))
    part_year = {placed[t] for t, numbers in away.items() if numbers}
    for trainee, numbers in away.items():
        for number, halves in numbers.items():
            if (trainee, number) in worked:
                continue
            for half in halves:
                vacations[trainee, number, half] = {
                    **_ref(trainee, number, half=half),
                    "weight": None,
                }
    # A started half nobody worked (a newcomer's first blocks, a trainee the published version
    # left out) was not worked: it stays empty, so a re-solve never writes a past.
    not_worked = _not_worked(trainees, blocks, placed, worked) if history else []
    data = {
        "name": ", ".join(p.name for p in programs) + f" {academic_year}–{academic_year + 1}",
        "blocks": block_count,
        "block_labels": labels,
        "program_names": {pid(p.pk): p.name for p in programs},
        "trainees": [
            {
                "id": tid(t.pk),
                "program": pid(placed[t.pk][0]),
                "pgy": placed[t.pk][1],
                "name": t.person.full_name,
            }
            for t in trainees
        ],
        "rotations": [_rotation_json(r) for r in rotations.values() if not r.is_off],
        "uses": [
            {
                "rotation": rid(u.rotation_id),
                "program": pid(u.program_id),
                "min_pgy": u.min_pgy,
                "max_pgy": u.max_pgy,
                "min_per_block": u.min_per_block,
                "max_per_block": u.max_per_block,
                "half_blocks": u.half_blocks,
            }
            for u in uses
            if not u.rotation.is_off
        ],
        "requirements": [
            {
                "program": pid(c.program_id),
                "pgy": c.pgy,
                "rotation": rid(c.rotation_id) if c.rotation_id else None,
                "group": None if c.rotation_id else c.group,
                "min": c.min_blocks,
                "max": c.max_blocks,
                # A trainee away part of the year (started late, on leave, left) may not fit a
                # yearly line: their cohort's line is bent rather than no schedule at all, and
                # every block short is named in the result.
                "weight": PART_YEAR_CURRICULUM_WEIGHT
                if (c.program_id, c.pgy) in part_year
                else None,
            }
            for c in CurriculumRequirement.objects.filter(program__in=program_ids)
        ],
        "vacations": list(vacations.values()),
        "fixed": [ref for refs in fixed.values() for ref in refs],
        "preferences": [
            {
                "trainee": tid(pref.trainee_id),
                "rotation": rid(pref.rotation_id),
                "block": pref.block.number if pref.block else None,
                "weight": pref.weight,
            }
            for pref in Preference.objects.filter(
                trainee__in=trainee_ids, rotation__in=list(rotations)
            ).select_related("block")
            if pref.block is None
            or (
                pref.block.academic_year == academic_year
                and pref.block.number not in away[pref.trainee_id]
            )
        ],
        "load": _outside_load(program_ids, list(rotations.values()), academic_year),
        **_as_they_were(trainee_ids, rotations, history=history, base=base),
    }
    for rotation in data.pop("extra_rotations", []):
        data["rotations"].append(_rotation_json(rotation))
    if not_worked:
        data["history"] = [*data.get("history", []), *not_worked]
    return data


def problem_trainees(data: dict[str, Any], program: Program) -> set[int]:
    """Database ids of the program's trainees a built problem holds."""
    return {pk_of(t["id"]) for t in data["trainees"] if t["program"] == pid(program.pk)}


def add_gaps(data: dict[str, Any], gaps: Iterable[tuple[int, int]]) -> None:
    """Started blocks where a trainee has no history stay empty: history too, as nobody was
    placed there (`gaps`: trainee and block number)."""
    have = {(ref["trainee"], ref["block"]) for ref in data.get("history", [])}
    empty = [{**_ref(t, n), "rotation": None} for t, n in sorted(gaps) if (tid(t), n) not in have]
    if empty:
        data["history"] = [*data.get("history", []), *empty]


def _not_worked(
    trainees: list[Trainee],
    blocks: list[Block],
    placed: dict[int, tuple[int, int]],
    worked: set[tuple[int, int]],
) -> list[dict[str, Any]]:
    """History refs (off) for each trainee's started blocks with no worked cell. The whole block
    stays as the published version has it, empty, even if only its first half has begun: a half
    alone cannot be history for a trainee who takes no half-block rotation."""
    out = []
    for t in trainees:
        for block in blocks:
            if block.program_id != placed[t.pk][0] or (t.pk, block.number) in worked:
                continue
            if started(block, 1):
                out.append({**_ref(t.pk, block.number), "rotation": None})
    return out


def _as_they_were(
    trainee_ids: set[int],
    rotations: dict[int, Rotation],
    *,
    history: Iterable[RotationAssignment],
    base: Iterable[RotationAssignment],
) -> dict[str, Any]:
    """History and base cells as engine refs (rotation None where off). A rotation history or the
    base names that the program no longer uses is listed (without a use), so the past stays
    what it was and the change away from it says why."""
    out: dict[str, Any] = {}
    extra: dict[int, Rotation] = {}
    for key, cells in (("history", history), ("base", base)):
        refs = []
        for (trainee, number), parts in _locked_cells(cells).items():
            if trainee not in trainee_ids:
                continue
            for half, rotation in parts:
                if rotation.is_off:
                    refs.append({**_ref(trainee, number, half=half), "rotation": None})
                    continue
                if rotation.pk not in rotations:
                    extra[rotation.pk] = rotation
                refs.append(_ref(trainee, number, rotation.pk, half))
        if refs:
            out[key] = refs
    return {"extra_rotations": list(extra.values()), **out} if extra else out


def _rotation_json(r: Rotation) -> dict[str, Any]:
    return {
        "id": rid(r.pk),
        "name": r.name,
        "site": r.site.name,
        "group": r.group or None,
        "capacity": r.capacity,
    }


def _ref(trainee: int, block: int, rotation: int | None = None, half: int = 0) -> dict[str, Any]:
    ref: dict[str, Any] = {"trainee": tid(trainee), "block": block}
    if rotation is not None:
        ref["rotation"] = rid(rotation)
    if half:
        ref["half"] = half
    return ref


def _locked_cells(
    locked: Iterable[RotationAssignment],
) -> dict[tuple[int, int], list[tuple[int, Rotation]]]:
    """Locked cells by (trainee, block number): (half, rotation) pairs, one rotation in both
    halves read as the whole block (the engine places it that way)."""
    halves: dict[tuple[int, int], dict[int, Rotation]] = {}
    for cell in locked:
        halves.setdefault((cell.trainee_id, cell.block.number), {})[cell.half] = cell.rotation
    out: dict[tuple[int, int], list[tuple[int, Rotation]]] = {}
    for key, parts in halves.items():
        if 0 in parts:
            out[key] = [(0, parts[0])]
        elif parts.get(1) is not None and parts.get(1) == parts.get(2):
            out[key] = [(0, parts[1])]
        else:
            out[key] = sorted(parts.items())
    return out


def _outside_load(
    program_ids: list[int], rotations: list[Any], academic_year: int
) -> list[dict[str, Any]]:
    """Places other programs' published schedules take on shared, capacitated rotations (by
    half where they are there for half a block)."""
    capped = [r.pk for r in rotations if r.capacity is not None]
    counts: dict[tuple[int, int, int], int] = {}
    rows = (
        RotationAssignment.objects.filter(
            schedule__status=RotationSchedule.Status.PUBLISHED,
            schedule__academic_year=academic_year,
            rotation__in=capped,
        )
        .exclude(schedule__program__in=program_ids)
        .values_list("rotation_id", "block__number", "half")
    )
    for key in rows:
        counts[key] = counts.get(key, 0) + 1
    return [
        {"rotation": rid(r), "block": b, "count": n, **({"half": h} if h else {})}
        for (r, b, h), n in sorted(counts.items())
    ]


def problem_for_schedule(schedule: RotationSchedule) -> Problem:
    return Problem.from_json(build_problem([schedule.program], schedule.academic_year))


def placements_of(schedule: RotationSchedule) -> list[Placement]:
    """The schedule's cells (whole blocks and halves) as engine placements; vacation is off."""
    rows = RotationAssignment.objects.filter(schedule=schedule).select_related("block", "rotation")
    return [
        Placement(
            tid(a.trainee_id),
            a.block.number,
            None if a.rotation.is_off else rid(a.rotation_id),
            a.half,
        )
        for a in rows
    ]
