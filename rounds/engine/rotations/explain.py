"""Why no rotation year exists, in words a coordinator can act on.

`precheck` is instant arithmetic (more curriculum blocks than the year has, minimums above the
people available, a capacity below the programs' minimums), counted in half-blocks and said in
blocks. `explain` guards every hard rule group
with an enforcement literal, asks CP-SAT for an infeasible core of them and shrinks it with a
deletion filter, every solve timed on the caller's clock.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rounds.engine.clock import WALL, Clock
from rounds.engine.cores import infeasible_core, shrink_core
from rounds.engine.rotations.check import per_half
from rounds.engine.rotations.model import RotationModel
from rounds.engine.rotations.problem import HALVES, Problem, blocks_text


def precheck(problem: Problem) -> list[str]:
    """Arithmetic in half-blocks (a whole block is two), said in blocks."""
    p = problem
    out: list[str] = []
    approved: Counter[str] = Counter()
    for v in p.vacations:
        if v.weight is None:
            approved[v.trainee] += 1 if v.half else 2
    minimum_total: dict[tuple[str, int], int] = defaultdict(int)
    for req in p.requirements:
        if req.weight is None:
            minimum_total[req.program, req.pgy] += req.min
    worked = {tid for tid, _b, _k in p.past()}
    for t in p.trainees:
        if t.id in worked:
            continue  # history counts as it was; the model asks only what the rest can give
        free = 2 * p.blocks - approved[t.id]
        needed = minimum_total.get((t.program, t.pgy), 0)
        if 2 * needed > free:
            out.append(
                f"{t.label} needs {needed} curriculum blocks but has only {blocks_text(free)} "
                f"free of vacation"
            )
    out += _available(p)
    out += _places(p)
    return _dedupe(out)[:10]


def _available(p: Problem) -> list[str]:
    """A program's minimum on a rotation against its eligible trainees not on vacation."""
    out: list[str] = []
    away: dict[tuple[str, int], Counter[int]] = defaultdict(Counter)
    for v in p.vacations:
        if v.weight is None and v.block is not None:
            for k in HALVES if not v.half else (v.half,):
                away[v.trainee, v.block][k] += 1
    present = set(p.programs())
    for use in p.uses:
        if not use.min_per_block or use.program not in present:
            continue
        members = [t for t in p.trainees if use.eligible(t)]
        past = p.past()
        for b in range(1, p.blocks + 1):
            if any((t.id, b, k) in past for t in members for k in HALVES):
                continue  # history decided part of it; the model asks only what is left
            there = {k: len(members) - sum(away[t.id, b][k] for t in members) for k in HALVES}
            short = per_half(there, low=use.min_per_block)
            if short:
                k, n = short[0]
                out.append(
                    f"{p.rotation(use.rotation).label} needs {use.min_per_block} from "
                    f"{p.program_label(use.program)} in {p.when(b, k)}, but only "
                    f"{n} eligible trainee(s) are available"
                )
                break
    return out


def _places(p: Problem) -> list[str]:
    """Curriculum blocks a program needs on a rotation or group, against the places it can get
    (counted in half-blocks)."""
    out: list[str] = []
    by_program: dict[str, list[str]] = defaultdict(list)
    for t in p.trainees:
        by_program[t.program].append(t.id)
    load: Counter[tuple[str, int, int]] = Counter()
    for item in p.load:
        for k in HALVES if not item.half else (item.half,):
            load[item.rotation, item.block, k] += item.count
    needed: dict[tuple[str, str | None, str | None], int] = defaultdict(int)
    for req in p.requirements:
        if req.weight is None and req.min:
            count = sum(
                1 for tid in by_program.get(req.program, []) if p.trainee(tid).pgy == req.pgy
            )
            needed[req.program, req.rotation, req.group] += 2 * req.min * count
    for (program, rotation, group), halves in needed.items():
        places, limits = 0, []
        for use in p.uses:
            if use.program != program:
                continue
            r = p.rotation(use.rotation)
            if (rotation is not None and r.id != rotation) or (
                group is not None and r.group != group
            ):
                continue
            members = sum(1 for tid in by_program[program] if use.eligible(p.trainee(tid)))
            cap = [members]
            if use.max_per_block is not None:
                cap.append(use.max_per_block)
                limits.append(f"{r.label} takes at most {use.max_per_block} per block")
            for b in range(1, p.blocks + 1):
                for k in HALVES:
                    room = r.capacity - load[r.id, b, k] if r.capacity is not None else members
                    places += max(0, min([*cap, room]))
            if r.capacity is not None and any(
                load[r.id, b, k] for b in range(1, p.blocks + 1) for k in HALVES
            ):
                limits.append(f"other programs already fill part of {r.label}")
        if halves > places:
            target = p.rotation(rotation).label if rotation else f"{group} rotations"
            why = f" ({'; '.join(limits)})" if limits else ""
            out.append(
                f"{p.program_label(program)} needs {blocks_text(halves)} of {target} in the "
                f"year, but its places allow at most {blocks_text(places)}{why}"
            )
    return out + _shared(p, needed, load)


def _shared(
    p: Problem,
    needed: dict[tuple[str, str | None, str | None], int],
    load: Counter[tuple[str, int, int]],
) -> list[str]:
    """Demand that can only go to one capacitated rotation, summed over the programs."""
    forced: dict[str, int] = defaultdict(int)
    who: dict[str, list[str]] = defaultdict(list)
    for (program, rotation, group), halves in needed.items():
        options = {
            u.rotation
            for u in p.uses
            if u.program == program
            and (rotation is None or u.rotation == rotation)
            and (group is None or p.rotation(u.rotation).group == group)
        }
        if len(options) == 1:
            only = next(iter(options))
            if p.rotation(only).capacity is not None:
                forced[only] += halves
                who[only].append(p.program_label(program))
    out = []
    for rotation_id, halves in forced.items():
        r = p.rotation(rotation_id)
        assert r.capacity is not None
        room = sum(
            max(0, r.capacity - load[r.id, b, k]) for b in range(1, p.blocks + 1) for k in HALVES
        )
        if halves > room:
            out.append(
                f"{r.label} has room for {_number(room)} trainee-blocks in the year, but "
                f"{', '.join(sorted(set(who[rotation_id])))} need {_number(halves)} there"
            )
    return out


def _number(halves: int) -> str:
    return f"{halves // 2}" if halves % 2 == 0 else f"{halves / 2:.1f}"


def _dedupe(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def explain(problem: Problem, *, time_limit: float = 10.0, clock: Clock = WALL) -> list[str]:
    """A small set of hard rules that cannot all hold, one sentence each."""
    deadline = clock.now() + time_limit
    rm = RotationModel(problem, explain=True)
    rm.model.clear_objective()
    groups = list(rm.groups.values())
    if not groups:
        return [
            "No schedule exists even without the curriculum, capacities and fixed placements: "
            "some trainee is eligible for no rotation in some block."
        ]
    core = infeasible_core(rm.model, [g.literal for g in groups], deadline, clock)
    if core is None:
        return [
            "No schedule was found in the time allowed; the rules could not be narrowed down "
            "further. Try a longer time limit."
        ]
    core = shrink_core(rm.model, core, deadline, clock)
    by_index = {g.literal.index: g for g in groups}
    return [
        "These rules cannot all hold together; relax one of them:",
        *[by_index[lit.index].sentence for lit in core],
    ]
