"""What a re-solve changed from the version it started from, cell by cell, and why.

A change is a cell of the base (the re-solved version's future) that the new schedule does not
keep. Its reason, in order: a fixed placement or lock on that cell; the rotation the base had is
no longer allowed; approved vacation there; a rule the base breaks once fixed placements and
locks are applied (the rule a coordinator would see on the grid); else the change follows from
the others (room made in the same block, or the same trainee's curriculum kept whole).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rounds.engine.rotations.check import Finding, Placement, by_half, check
from rounds.engine.rotations.problem import HALVES, BlockRef, Problem


def changes_of(problem: Problem, placements: list[Placement]) -> list[dict[str, Any]]:
    """One entry per base cell moved: trainee, block, half, from and to (rotation ids, None for
    off), and `why`, a sentence."""
    p = problem
    cell = by_half(placements)
    past = p.past()
    moved: list[tuple[BlockRef, str | None]] = []
    for ref in p.base:
        b = ref.block or 0
        halves = HALVES if not ref.half else (ref.half,)
        if any((ref.trainee, b, k) in past for k in halves):
            continue
        now = [cell.get((ref.trainee, b, k), "") for k in halves]
        if any(r != ref.rotation for r in now):
            moved.append((ref, next((r for r in now if r != ref.rotation), None)))
    if not moved:
        return []
    broken = _broken_by_base(p)
    out = []
    for ref, to in moved:
        out.append(
            {
                "trainee": ref.trainee,
                "block": ref.block,
                "half": ref.half,
                "from": ref.rotation,
                "to": to or None,
                "why": _why(p, ref, broken),
            }
        )
    _knock_on(p, out)
    return out


def _broken_by_base(p: Problem) -> list[Finding]:
    """The rules the base breaks once the fixed placements (locks) are put in: what forced the
    re-solve's hand."""
    fixed = {(f.trainee, f.block or 0) for f in p.fixed}
    kept = [
        Placement(b.trainee, b.block or 0, b.rotation, b.half)
        for b in p.base
        if (b.trainee, b.block or 0) not in fixed
    ]
    wanted = [
        *[Placement(h.trainee, h.block or 0, h.rotation, h.half) for h in p.history],
        *kept,
        *[Placement(f.trainee, f.block or 0, f.rotation, f.half) for f in p.fixed],
    ]
    return [f for f in check(p, wanted) if f.severity == "violation" and f.rule != "missing"]


def _why(p: Problem, ref: BlockRef, broken: list[Finding]) -> str:
    b = ref.block or 0
    who = p.trainee(ref.trainee)
    for f in p.fixed:
        if f.trainee == ref.trainee and f.block == b and f.half in (0, ref.half):
            where = p.rotation(f.rotation or "").label
            return f"locked: {who.label} is fixed on {where} in {p.when(b, f.half)}"
    if ref.rotation is not None and ref.rotation not in p.eligible(who):
        return f"{who.label} may no longer rotate on {p.rotation(ref.rotation).label}"
    for v in p.vacations:
        if v.trainee == ref.trainee and v.block == b and v.weight is None and ref.rotation:
            return f"{who.label} has approved vacation in {p.when(b, v.half)}"
    for finding in broken:
        if finding.trainee == ref.trainee and finding.block in (b, None):
            return finding.text
    for finding in broken:
        if finding.trainee is None and finding.block == b and finding.rotation == ref.rotation:
            return finding.text
    return ""


def _knock_on(p: Problem, out: list[dict[str, Any]]) -> None:
    """Changes with no rule of their own follow from the others: the same trainee's (their
    curriculum stays whole) or the same block's (room is made)."""
    by_trainee: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_block: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for change in out:
        if change["why"]:
            by_trainee[change["trainee"]].append(change)
            by_block[change["block"]].append(change)
    for change in out:
        if change["why"]:
            continue
        who = p.trainee(change["trainee"]).label
        mine = by_trainee.get(change["trainee"])
        if mine:
            first = p.block_label(mine[0]["block"])
            change["why"] = f"keeps {who}'s curriculum whole after the change in {first}"
            continue
        same = by_block.get(change["block"])
        if same:
            other = p.trainee(same[0]["trainee"]).label
            change["why"] = f"makes room in {p.block_label(change['block'])} for {other}'s change"
            continue
        change["why"] = "follows from the other changes (numbers per block and curriculum)"


def changes_summary(changes: list[dict[str, Any]], problem: Problem) -> dict[str, Any]:
    """How many cells changed, for whom: {"count": n, "trainees": {label: n}}."""
    per: dict[str, int] = defaultdict(int)
    for change in changes:
        per[problem.trainee(change["trainee"]).label] += 1
    return {"count": len(changes), "trainees": dict(sorted(per.items()))}
