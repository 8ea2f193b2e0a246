"""An independent checker: every hard rule of a rotation problem over any set of placements.

Written apart from the CP-SAT model on purpose: it checks what the solver returns (a test proves
they agree) and what a coordinator edits by hand, and says per cell which rule broke.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from rounds.engine.rotations.problem import Problem


@dataclass(frozen=True)
class Placement:
    trainee: str
    block: int
    rotation: str | None  # None: off (vacation)

    def to_json(self) -> dict[str, Any]:
        return {"trainee": self.trainee, "block": self.block, "rotation": self.rotation}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Placement:
        return cls(d["trainee"], int(d["block"]), d.get("rotation"))


@dataclass(frozen=True)
class Finding:
    rule: (
        str  # eligibility, fixed, vacation, missing, double, minimum, maximum, capacity, curriculum
    )
    text: str
    trainee: str | None = None
    block: int | None = None
    rotation: str | None = None
    severity: str = "violation"  # or "warning" for soft rules

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "text": self.text,
            "trainee": self.trainee,
            "block": self.block,
            "rotation": self.rotation,
            "severity": self.severity,
        }


def check(problem: Problem, placements: list[Placement]) -> list[Finding]:
    p = problem
    findings: list[Finding] = []
    cell: dict[tuple[str, int], str | None] = {}
    seen: Counter[tuple[str, int]] = Counter()
    for pl in placements:
        seen[pl.trainee, pl.block] += 1
        cell[pl.trainee, pl.block] = pl.rotation
    findings += _cells(p, cell, seen)
    findings += _numbers(p, cell)
    findings += _curriculum(p, cell)
    return findings


def _cells(
    p: Problem, cell: dict[tuple[str, int], str | None], seen: Counter[tuple[str, int]]
) -> list[Finding]:
    out: list[Finding] = []
    approved = {(v.trainee, v.block) for v in p.vacations if v.weight is None}
    asked = {(v.trainee, v.block) for v in p.vacations}
    for t in p.trainees:
        eligible = set(p.eligible(t))
        for b in range(1, p.blocks + 1):
            where = p.block_label(b)
            if seen[t.id, b] > 1:
                out.append(Finding("double", f"{t.label} is placed twice in {where}", t.id, b))
            if (t.id, b) not in cell:
                out.append(Finding("missing", f"{t.label} has no rotation in {where}", t.id, b))
                continue
            r = cell[t.id, b]
            if r is None:
                if (t.id, b) not in asked:
                    out.append(
                        Finding(
                            "vacation", f"{t.label} is off in {where} without a request", t.id, b
                        )
                    )
            elif r not in eligible:
                label = p.rotation(r).label if r in {x.id for x in p.rotations} else r
                out.append(
                    Finding(
                        "eligibility",
                        f"{t.label} (PGY-{t.pgy}, {p.program_label(t.program)}) may not rotate "
                        f"on {label}",
                        t.id,
                        b,
                        r,
                    )
                )
            if (t.id, b) in approved and r is not None:
                out.append(
                    Finding("vacation", f"{t.label} has approved vacation in {where}", t.id, b, r)
                )
    for f in p.fixed:
        assert f.block is not None
        if cell.get((f.trainee, f.block)) != f.rotation:
            out.append(
                Finding(
                    "fixed",
                    f"{p.trainee(f.trainee).label} is fixed on "
                    f"{p.rotation(f.rotation or '').label} in {p.block_label(f.block)}",
                    f.trainee,
                    f.block,
                    f.rotation,
                )
            )
    return out


def _numbers(p: Problem, cell: dict[tuple[str, int], str | None]) -> list[Finding]:
    out: list[Finding] = []
    per_program: Counter[tuple[str, str, int]] = Counter()
    total: Counter[tuple[str, int]] = Counter()
    for (tid, b), r in cell.items():
        if r is None:
            continue
        per_program[r, p.trainee(tid).program, b] += 1
        total[r, b] += 1
    for load in p.load:
        total[load.rotation, load.block] += load.count
    present = set(p.programs())
    for use in p.uses:
        if use.program not in present:
            continue
        label, prog = p.rotation(use.rotation).label, p.program_label(use.program)
        for b in range(1, p.blocks + 1):
            n = per_program[use.rotation, use.program, b]
            if n < use.min_per_block:
                out.append(
                    Finding(
                        "minimum",
                        f"{label} has {n} from {prog} in {p.block_label(b)}; it needs "
                        f"{use.min_per_block}",
                        None,
                        b,
                        use.rotation,
                    )
                )
            if use.max_per_block is not None and n > use.max_per_block:
                out.append(
                    Finding(
                        "maximum",
                        f"{label} has {n} from {prog} in {p.block_label(b)}; at most "
                        f"{use.max_per_block}",
                        None,
                        b,
                        use.rotation,
                    )
                )
    for rot in p.rotations:
        if rot.capacity is None:
            continue
        for b in range(1, p.blocks + 1):
            if total[rot.id, b] > rot.capacity:
                out.append(
                    Finding(
                        "capacity",
                        f"{rot.label} has {total[rot.id, b]} trainees in {p.block_label(b)}; "
                        f"room for {rot.capacity}",
                        None,
                        b,
                        rot.id,
                    )
                )
    return out


def _curriculum(p: Problem, cell: dict[tuple[str, int], str | None]) -> list[Finding]:
    out: list[Finding] = []
    by_trainee: dict[str, list[str]] = defaultdict(list)
    for (tid, _b), r in cell.items():
        if r is not None:
            by_trainee[tid].append(r)
    for req in p.requirements:
        targets = {r.id for r in p.rotations if req.covers(r)}
        for t in p.trainees:
            if t.program != req.program or t.pgy != req.pgy:
                continue
            n = sum(1 for r in by_trainee[t.id] if r in targets)
            if n < req.min or (req.max is not None and n > req.max):
                out.append(
                    Finding(
                        "curriculum",
                        f"{t.label} has {n} block{'' if n == 1 else 's'} of {req.target(p)}; "
                        f"PGY-{req.pgy} needs {_bounds(req.min, req.max)}",
                        t.id,
                        None,
                        req.rotation,
                        "violation" if req.weight is None else "warning",
                    )
                )
    return out


def _bounds(low: int, high: int | None) -> str:
    if high is None:
        return f"at least {low}"
    if not low:
        return f"at most {high}"
    return f"{low} to {high}"
