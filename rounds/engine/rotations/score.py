"""The cost of any placements under the problem's soft rules, computed without the solver.

The same arithmetic as the CP-SAT objective (a test proves they agree), split by program, so the
neighbourhood search knows where cost sits and a hand-edited draft can show what it gave up.
"""

from __future__ import annotations

from collections import defaultdict

from rounds.engine.rotations.check import Placement
from rounds.engine.rotations.problem import Problem


def score_by_program(problem: Problem, placements: list[Placement]) -> dict[str, float]:
    p = problem
    cell = {(pl.trainee, pl.block): pl.rotation for pl in placements}
    cost: dict[str, float] = defaultdict(float)
    for program in p.programs():
        cost[program] = 0.0
    for v in p.vacations:
        granted = cell.get((v.trainee, v.block or 0), "") is None
        if v.weight is not None and not granted:
            cost[p.trainee(v.trainee).program] += v.weight
    by_trainee: dict[str, list[str]] = defaultdict(list)
    for (tid, _b), r in cell.items():
        if r is not None:
            by_trainee[tid].append(r)
    for req in p.requirements:
        if req.weight is None:
            continue
        targets = {r.id for r in p.rotations if req.covers(r)}
        for t in p.trainees:
            if t.program != req.program or t.pgy != req.pgy:
                continue
            n = sum(1 for r in by_trainee[t.id] if r in targets)
            cost[t.program] += req.weight * max(0, req.min - n)
            if req.max is not None:
                cost[t.program] += req.weight * max(0, n - req.max)
    for pref in p.preferences:
        weight = pref.weight or 0
        blocks = [pref.block] if pref.block is not None else range(1, p.blocks + 1)
        got = sum(1 for b in blocks if cell.get((pref.trainee, b), "") == pref.rotation)
        program = p.trainee(pref.trainee).program
        if weight > 0 and got == 0:
            cost[program] += weight
        elif weight < 0:
            cost[program] += -weight * got
    return dict(cost)


def score(problem: Problem, placements: list[Placement]) -> float:
    return sum(score_by_program(problem, placements).values())
