"""The cost of any placements under the problem's soft rules, computed without the solver.

The same arithmetic as the CP-SAT objective (a test proves they agree), split by program, so the
neighbourhood search knows where cost sits, and said in words, so a schedule (solved or edited by
hand) can tell which wish was bent and by how much. A block split in halves costs SPLIT_COST.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from rounds.engine.rotations.check import Half, Placement, by_half, halves_on
from rounds.engine.rotations.problem import HALVES, SPLIT_COST, BlockRef, Problem, Requirement

Cost = tuple[str, str, float, str]  # program, rule, cost, sentence


def _costs(p: Problem, placements: list[Placement]) -> Iterator[Cost]:
    cell = by_half(placements)
    for v in p.vacations:
        halves = HALVES if not v.half else (v.half,)
        granted = all(cell.get((v.trainee, v.block or 0, k), "") is None for k in halves)
        if v.weight and not granted:
            who = p.trainee(v.trainee)
            text = (
                f"{who.label}'s vacation request for {p.when(v.block or 0, v.half)} was not granted"
            )
            yield who.program, "vacation", v.weight, text
    spent = halves_on(cell)
    for req in p.requirements:
        if req.weight is None:
            continue
        yield from _curriculum_costs(p, req, spent)
    for pref in p.preferences:
        yield from _preference_cost(p, pref, cell)
    for tid, block in sorted({(pl.trainee, pl.block) for pl in placements if pl.half}):
        who = p.trainee(tid)
        text = f"{who.label}'s {p.block_label(block)} is split in halves"
        yield who.program, "split", SPLIT_COST, text
    if p.base:
        yield from _change_costs(p, cell)


def _change_costs(p: Problem, cell: dict[Half, str | None]) -> Iterator[Cost]:
    """Each cell of the re-solved version not kept costs `move_cost()` (history is kept)."""
    weight = p.move_cost()
    past = p.past()
    for ref in p.base:
        halves = HALVES if not ref.half else (ref.half,)
        if any((ref.trainee, ref.block or 0, k) in past for k in halves):
            continue
        if any(cell.get((ref.trainee, ref.block or 0, k), "") != ref.rotation for k in halves):
            who = p.trainee(ref.trainee)
            text = f"{who.label} moves in {p.when(ref.block or 0, ref.half)}"
            yield who.program, "change", weight, text


def _curriculum_costs(
    p: Problem, req: Requirement, spent: dict[str, Counter[str]]
) -> Iterator[Cost]:
    """Half a block short (or over) costs half the weight of a block."""
    assert req.weight is not None
    targets = {r.id for r in p.rotations if req.covers(r)}
    sentence = req.sentence(p)
    for t in p.trainees:
        if t.program != req.program or t.pgy != req.pgy:
            continue
        n = sum(count for r, count in spent[t.id].items() if r in targets)
        if n < 2 * req.min:
            short = 2 * req.min - n
            text = f'{t.label}: {_blocks(short)} short of "{sentence}"'
            yield t.program, "curriculum", _tidy(req.weight * short / 2), text
        if req.max is not None and n > 2 * req.max:
            over = n - 2 * req.max
            text = f'{t.label}: {_blocks(over)} over "{sentence}"'
            yield t.program, "curriculum", _tidy(req.weight * over / 2), text


def _tidy(cost: float) -> float:
    """Whole costs stay integers in the JSON (4, not 4.0); halves keep their .5."""
    return int(cost) if cost == int(cost) else cost


def _blocks(halves: int) -> str:
    """'2 block(s)', as before half-blocks; '1.5 block(s)' when a half is involved."""
    return f"{halves // 2} block(s)" if halves % 2 == 0 else f"{halves / 2:.1f} block(s)"


def _preference_cost(p: Problem, pref: BlockRef, cell: dict[Half, str | None]) -> Iterator[Cost]:
    """A wish for a rotation is granted by any half of the block(s) there; a wish against it
    costs its weight per block there (half for a half-block)."""
    weight = pref.weight or 0
    blocks = [pref.block] if pref.block is not None else range(1, p.blocks + 1)
    got = sum(
        1 for b in blocks for k in HALVES if cell.get((pref.trainee, b, k), "") == pref.rotation
    )
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
            _tidy(-weight * got / 2),
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
    """Every soft rule the placements bend, costliest first (a split block is a choice the
    solver paid for, not a rule bent, and a re-solve's changes are listed apart, with their
    reasons, so both are counted in the cost but not listed)."""
    out = [
        {"rule": rule, "cost": value, "text": text}
        for _program, rule, value, text in _costs(problem, placements)
        if rule not in ("split", "change")
    ]
    return sorted(out, key=lambda b: -b["cost"])
