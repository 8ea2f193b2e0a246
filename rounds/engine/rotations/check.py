"""An independent checker: every hard rule of a rotation problem over any set of placements.

Written apart from the CP-SAT model on purpose: it checks what the solver returns (a test proves
they agree) and what a coordinator edits by hand, and says per cell which rule broke.

Every block has two halves. A whole-block placement (`half` 0) fills both; a half placement fills
one. Numbers per block (minimums, maximums, capacities) hold in each half, and curriculum counts
half-blocks as half a block.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rounds.engine.rotations.problem import HALVES, Problem, blocks_text

Half = tuple[str, int, int]  # trainee, block, half (1 or 2)


@dataclass(frozen=True)
class Placement:
    trainee: str
    block: int
    rotation: str | None  # None: off (vacation)
    half: int = 0  # 0 the whole block, 1 or 2 one half

    @property
    def halves(self) -> tuple[int, ...]:
        return HALVES if not self.half else (self.half,)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "trainee": self.trainee,
            "block": self.block,
            "rotation": self.rotation,
        }
        if self.half:
            out["half"] = self.half
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Placement:
        return cls(d["trainee"], int(d["block"]), d.get("rotation"), int(d.get("half") or 0))


def by_half(placements: Iterable[Placement]) -> dict[Half, str | None]:
    """Where each trainee is in each half of each block (the last placement wins)."""
    out: dict[Half, str | None] = {}
    for pl in placements:
        for k in pl.halves:
            out[pl.trainee, pl.block, k] = pl.rotation
    return out


def halves_on(cell: dict[Half, str | None]) -> dict[str, Counter[str]]:
    """Half-blocks each trainee spends on each rotation."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for (tid, _b, _k), r in cell.items():
        if r is not None:
            out[tid][r] += 1
    return out


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
    seen: Counter[Half] = Counter()
    pieces: dict[tuple[str, int], list[Placement]] = defaultdict(list)
    for pl in placements:
        pieces[pl.trainee, pl.block].append(pl)
        for k in pl.halves:
            seen[pl.trainee, pl.block, k] += 1
    cell = by_half(placements)
    findings += _cells(p, pieces, seen)
    findings += _fixed(p, cell)
    findings += _numbers(p, cell)
    findings += _curriculum(p, cell)
    return findings


def _part(halves: Iterable[int]) -> int:
    """The half the listed halves make up: 0 when both (the whole block)."""
    found = set(halves)
    return 0 if found >= set(HALVES) else min(found)


def _cells(
    p: Problem,
    pieces: dict[tuple[str, int], list[Placement]],
    seen: Counter[Half],
) -> list[Finding]:
    out: list[Finding] = []
    approved = _vacation_halves(p, approved_only=True)
    # Off in history needs no request: what was worked is not asked again.
    asked = _vacation_halves(p, approved_only=False) | {
        key for key, rotation in p.past().items() if rotation is None
    }
    for t in p.trainees:
        eligible, halves = set(p.eligible(t)), set(p.half_eligible(t))
        for b in range(1, p.blocks + 1):
            twice = [k for k in HALVES if seen[t.id, b, k] > 1]
            if twice:
                out.append(
                    Finding("double", f"{t.label} is placed twice in {p.when(b, _part(twice))}",
                            t.id, b)
                )  # fmt: skip
            missing = [k for k in HALVES if not seen[t.id, b, k]]
            if missing:
                out.append(
                    Finding("missing", f"{t.label} has no rotation in {p.when(b, _part(missing))}",
                            t.id, b)
                )  # fmt: skip
            for pl in pieces.get((t.id, b), []):
                out += _piece(p, t, pl, eligible, halves, asked, approved)
    return out


def _piece(
    p: Problem,
    t: Any,
    pl: Placement,
    eligible: set[str],
    halves: set[str],
    asked: set[Half],
    approved: set[Half],
) -> list[Finding]:
    """What is wrong with one placement of a trainee: off unasked, ineligible, on vacation."""
    out: list[Finding] = []
    b, r, where = pl.block, pl.rotation, p.when(pl.block, pl.half)
    if r is None:
        if any((t.id, b, k) not in asked for k in pl.halves):
            out.append(
                Finding("vacation", f"{t.label} is off in {where} without a request", t.id, b)
            )
        return out
    if r not in eligible:
        label = p.rotation(r).label if r in {x.id for x in p.rotations} else r
        out.append(
            Finding(
                "eligibility",
                f"{t.label} (PGY-{t.pgy}, {p.program_label(t.program)}) may not rotate on {label}",
                t.id, b, r,
            )
        )  # fmt: skip
    elif pl.half and r not in halves:
        out.append(
            Finding(
                "eligibility",
                f"{t.label} may take {p.rotation(r).label} only for whole blocks",
                t.id, b, r,
            )
        )  # fmt: skip
    away = [k for k in pl.halves if (t.id, b, k) in approved]
    if away:
        text = f"{t.label} has approved vacation in {p.when(b, _part(away))}"
        out.append(Finding("vacation", text, t.id, b, r))
    return out


def _vacation_halves(p: Problem, *, approved_only: bool) -> set[Half]:
    out: set[Half] = set()
    for v in p.vacations:
        if approved_only and v.weight is not None:
            continue
        for k in HALVES if not v.half else (v.half,):
            out.add((v.trainee, v.block or 0, k))
    return out


def _fixed(p: Problem, cell: dict[Half, str | None]) -> list[Finding]:
    out: list[Finding] = []
    for f in p.fixed:
        assert f.block is not None
        halves = HALVES if not f.half else (f.half,)
        if any(cell.get((f.trainee, f.block, k), "") != f.rotation for k in halves):
            out.append(
                Finding(
                    "fixed",
                    f"{p.trainee(f.trainee).label} is fixed on "
                    f"{p.rotation(f.rotation or '').label} in {p.when(f.block, f.half)}",
                    f.trainee,
                    f.block,
                    f.rotation,
                )
            )
    return out


def per_half(
    counts: dict[int, int], *, low: int = 0, high: int | None = None
) -> list[tuple[int, int]]:
    """(half, count) pairs outside low..high: half 0 (the block) when both halves agree."""

    def broken(n: int) -> bool:
        return n < low or (high is not None and n > high)

    first, second = counts.get(1, 0), counts.get(2, 0)
    if first == second:
        return [(0, first)] if broken(first) else []
    return [(k, n) for k, n in ((1, first), (2, second)) if broken(n)]


def _numbers(p: Problem, cell: dict[Half, str | None]) -> list[Finding]:
    out: list[Finding] = []
    per_program: dict[tuple[str, str, int], Counter[int]] = defaultdict(Counter)
    total: dict[tuple[str, int], Counter[int]] = defaultdict(Counter)
    for (tid, b, k), r in cell.items():
        if r is None:
            continue
        per_program[r, p.trainee(tid).program, b][k] += 1
        total[r, b][k] += 1
    for load in p.load:
        for k in HALVES if not load.half else (load.half,):
            total[load.rotation, load.block][k] += load.count
    present = set(p.programs())
    for use in p.uses:
        if use.program not in present:
            continue
        label, prog = p.rotation(use.rotation).label, p.program_label(use.program)
        for b in range(1, p.blocks + 1):
            counts = per_program[use.rotation, use.program, b]
            for k, n in per_half(counts, low=use.min_per_block):
                out.append(
                    Finding(
                        "minimum",
                        f"{label} has {n} from {prog} in {p.when(b, k)}; it needs "
                        f"{use.min_per_block}",
                        None, b, use.rotation,
                    )
                )  # fmt: skip
            most = use.max_per_block
            for k, n in per_half(counts, high=most):
                out.append(
                    Finding(
                        "maximum",
                        f"{label} has {n} from {prog} in {p.when(b, k)}; at most {most}",
                        None, b, use.rotation,
                    )
                )  # fmt: skip
    for rot in p.rotations:
        capacity = rot.capacity
        if capacity is None:
            continue
        for b in range(1, p.blocks + 1):
            for k, n in per_half(total[rot.id, b], high=capacity):
                out.append(
                    Finding(
                        "capacity",
                        f"{rot.label} has {n} trainees in {p.when(b, k)}; room for {capacity}",
                        None, b, rot.id,
                    )
                )  # fmt: skip
    return out


def _curriculum(p: Problem, cell: dict[Half, str | None]) -> list[Finding]:
    out: list[Finding] = []
    spent = halves_on(cell)
    for req in p.requirements:
        targets = {r.id for r in p.rotations if req.covers(r)}
        for t in p.trainees:
            if t.program != req.program or t.pgy != req.pgy:
                continue
            n = sum(count for r, count in spent[t.id].items() if r in targets)
            if n < 2 * req.min or (req.max is not None and n > 2 * req.max):
                out.append(
                    Finding(
                        "curriculum",
                        f"{t.label} has {blocks_text(n)} of {req.target(p)}; "
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
