"""Why no rotation year exists, in words a coordinator can act on.

`precheck` is instant arithmetic (more curriculum blocks than the year has, minimums above the
people available, a capacity below the programs' minimums). `explain` guards every hard rule group
with an enforcement literal and reuses the roster engine's core extraction and deletion filter.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

from rounds.engine.roster.explain import _core, _shrink
from rounds.engine.rotations.model import RotationModel
from rounds.engine.rotations.problem import Problem


def precheck(problem: Problem) -> list[str]:
    p = problem
    out: list[str] = []
    approved: Counter[str] = Counter(v.trainee for v in p.vacations if v.weight is None)
    minimum_total: dict[tuple[str, int], int] = defaultdict(int)
    for req in p.requirements:
        if req.weight is None:
            minimum_total[req.program, req.pgy] += req.min
    for t in p.trainees:
        free = p.blocks - approved[t.id]
        needed = minimum_total.get((t.program, t.pgy), 0)
        if needed > free:
            out.append(
                f"{t.label} needs {needed} curriculum blocks but has only {free} blocks "
                f"free of vacation"
            )
    on_vacation: Counter[tuple[str, int]] = Counter()
    for v in p.vacations:
        if v.weight is None and v.block is not None:
            on_vacation[p.trainee(v.trainee).program, v.block] += 1
    for use in p.uses:
        if not use.min_per_block:
            continue
        if use.program not in set(p.programs()):
            continue
        members = [t for t in p.trainees if use.eligible(t)]
        for b in range(1, p.blocks + 1):
            away = sum(
                1
                for t in members
                if any(v.trainee == t.id and v.block == b and v.weight is None for v in p.vacations)
            )
            if len(members) - away < use.min_per_block:
                out.append(
                    f"{p.rotation(use.rotation).label} needs {use.min_per_block} from "
                    f"{p.program_label(use.program)} in {p.block_label(b)}, but only "
                    f"{len(members) - away} eligible trainee(s) are available"
                )
                break
    out += _places(p)
    return _dedupe(out)[:10]


def _places(p: Problem) -> list[str]:
    """Curriculum blocks a program needs on a rotation or group, against the places it can get."""
    out: list[str] = []
    by_program: dict[str, list[str]] = defaultdict(list)
    for t in p.trainees:
        by_program[t.program].append(t.id)
    load: Counter[tuple[str, int]] = Counter()
    for item in p.load:
        load[item.rotation, item.block] += item.count
    needed: dict[tuple[str, str | None, str | None], int] = defaultdict(int)
    for req in p.requirements:
        if req.weight is None and req.min:
            count = sum(
                1 for tid in by_program.get(req.program, []) if p.trainee(tid).pgy == req.pgy
            )
            needed[req.program, req.rotation, req.group] += req.min * count
    for (program, rotation, group), blocks in needed.items():
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
                room = r.capacity - load[r.id, b] if r.capacity is not None else members
                places += max(0, min([*cap, room]))
            if r.capacity is not None and any(load[r.id, b] for b in range(1, p.blocks + 1)):
                limits.append(f"other programs already fill part of {r.label}")
        if blocks > places:
            target = p.rotation(rotation).label if rotation else f"{group} rotations"
            why = f" ({'; '.join(limits)})" if limits else ""
            out.append(
                f"{p.program_label(program)} needs {blocks} blocks of {target} in the year, "
                f"but its places allow at most {places}{why}"
            )
    return out + _shared(p, needed, load)


def _shared(
    p: Problem,
    needed: dict[tuple[str, str | None, str | None], int],
    load: Counter[tuple[str, int]],
) -> list[str]:
    """Demand that can only go to one capacitated rotation, summed over the programs."""
    forced: dict[str, int] = defaultdict(int)
    who: dict[str, list[str]] = defaultdict(list)
    for (program, rotation, group), blocks in needed.items():
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
                forced[only] += blocks
                who[only].append(p.program_label(program))
    out = []
    for rotation_id, blocks in forced.items():
        r = p.rotation(rotation_id)
        assert r.capacity is not None
        room = sum(max(0, r.capacity - load[r.id, b]) for b in range(1, p.blocks + 1))
        if blocks > room:
            out.append(
                f"{r.label} has room for {room} trainee-blocks in the year, but "
                f"{', '.join(sorted(set(who[rotation_id])))} need {blocks} there"
            )
    return out


def _dedupe(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def explain(problem: Problem, *, time_limit: float = 10.0) -> list[str]:
    """A small set of hard rules that cannot all hold, one sentence each."""
    deadline = time.monotonic() + time_limit
    rm = RotationModel(problem, explain=True)
    rm.model.clear_objective()
    groups = list(rm.groups.values())
    if not groups:
        return [
            "No schedule exists even without the curriculum, capacities and fixed placements: "
            "some trainee is eligible for no rotation in some block."
        ]
    loose: Any = rm  # the roster helpers only use `.model`
    core = _core(loose, [g.literal for g in groups], deadline)
    if core is None:
        return [
            "No schedule was found in the time allowed; the rules could not be narrowed down "
            "further. Try a longer time limit."
        ]
    core = _shrink(loose, core, deadline)
    by_index = {g.literal.index: g for g in groups}
    return [
        "These rules cannot all hold together; relax one of them:",
        *[by_index[lit.index].sentence for lit in core],
    ]
