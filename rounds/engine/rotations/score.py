"""The cost of any placements under the problem's soft rules, computed without the solver.

The same arithmetic as the CP-SAT objective (a test proves they agree), split by program, so the
neighbourhood search knows where cost sits, and said in words, so a schedule (solved or edited by
hand) can tell which wish was bent and by how much.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from rounds.engine.rotations.check import Placement
from rounds.engine.rotations.problem import Problem

Cost = tuple[str, str, int, str]  # program, rule, cost, sentence


def _costs(p: Problem, placements: list[Placement]) -> Iterator[Cost]:
    cell = {(pl.trainee, pl.block): pl.rotation for pl in placements}
    for v in p.vacations:
        granted = cell.get((v.trainee, v.block or 0), "") is None
        if v.weight and not granted:
            who = p.trainee(v.trainee)
            text = (
                f"{who.label}'s vacation request for {p.block_label(v.block or 0)} was not granted"
            )
            yield who.program, "vacation", v.weight, text
    by_trainee: dict[str, list[str]] = defaultdict(list)
    for (tid, _b), r in cell.items():
        if r is not None:
            by_trainee[tid].append(r)
    for req in p.requirements:
        if req.weight is None:
            continue
        targets = {r.id for r in p.rotations if req.covers(r)}
        sentence = req.sentence(p)
        for t in p.trainees:
            if t.program != req.program or t.pgy != req.pgy:
                continue
            n = sum(1 for r in by_trainee[t.id] if r in targets)
            if n < req.min:
                short = req.min - n
                yield (
                    t.program,
                    "curriculum",
                    req.weight * short,
                    (f'{t.label}: {short} block(s) short of "{sentence}"'),
                )
            if req.max is not None and n > req.max:
                over = n - req.max
                yield (
                    t.program,
                    "curriculum",
                    req.weight * over,
                    (f'{t.label}: {over} block(s) over "{sentence}"'),
                )
    for pref in p.preferences:
        weight = pref.weight or 0
        blocks = [pref.block] if pref.block is not None else range(1, p.blocks + 1)
        got = sum(1 for b in blocks if cell.get((pref.trainee, b), "") == pref.rotation)
        who = p.trainee(pref.trainee)
        what = p.rotation(pref.rotation or "").label
        when = f" in {p.block_label(pref.block)}" if pref.block is not None else ""
        if weight > 0 and got == 0:
            yield (
                who.program,
                "preference",
                weight,
                f"{who.label} asked for {what}{when} and did not get it",
            )
        elif weight < 0 and got:
            yield (
                who.program,
                "preference",
                -weight * got,
                f"{who.label} asked not to do {what}{when} and got it",
            )


def score_by_program(problem: Problem, placements: list[Placement]) -> dict[str, float]:
    cost: dict[str, float] = {program: 0.0 for program in problem.programs()}
    for program, _rule, value, _text in _costs(problem, placements):
        cost[program] = cost.get(program, 0.0) + value
    return cost


def score(problem: Problem, placements: list[Placement]) -> float:
    return sum(score_by_program(problem, placements).values())


def bent(problem: Problem, placements: list[Placement]) -> list[dict[str, Any]]:
    """Every soft rule the placements bend, costliest first."""
    out = [
        {"rule": rule, "cost": value, "text": text}
        for _program, rule, value, text in _costs(problem, placements)
    ]
    return sorted(out, key=lambda b: -b["cost"])
