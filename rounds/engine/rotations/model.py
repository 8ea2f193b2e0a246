"""The CP-SAT model of a rotation year: one method per rule family, named penalties.

x[t, b, r] is true when trainee t is on rotation r for the whole of block b; it exists only for
rotations the trainee is eligible for. h[t, b, r, k] is true when t is on r for half k (1 or 2) of
block b; it exists only where the trainee's program may take r for half a block, so a problem
without half-blocks has none. off[t, b] (and off_half[t, b, k]) exist only where a vacation was
asked for or approved. Each half of every trainee's block is exactly one of these; a whole
placement fills both halves, and one rotation in both halves is always the whole-block x.

Counts are in half-blocks when the problem has any (`units` = 2), so curriculum counts a half as
half a block and the objective is twice the cost in blocks; `cost()` turns it back. Each block in
halves costs SPLIT_COST, so the solver splits a block only when it buys something.

History (placements already worked) has no variables: its cells are constants that count in the
curriculum, capacities, numbers per block and wishes (`past_count`, `constant`). A rule whose
count has no variable left (a block wholly in the past) is not posted: the past cannot be asked
again. Hard curriculum bounds widen just enough to hold what history already gives.

A re-solve's base cells each get a `changed` literal costing `move_cost()` (more than all wishes
together), so the fewest changes come first.

In explain mode each hard rule group (a curriculum line, a capacity in a block or half, a program's
minimum in a block or half, a fixed placement, an approved vacation) is guarded by an enforcement
literal, so the roster engine's core minimisation can name the groups that conflict.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from rounds.engine.roster.model import Group, Penalty
from rounds.engine.rotations.problem import HALVES, SPLIT_COST, Problem, Use, blocks_text


class RotationModel:
    def __init__(self, problem: Problem, *, explain: bool = False) -> None:
        self.problem = problem
        self.explain = explain
        self.units = 2 if problem.has_halves else 1
        self.model = cp_model.CpModel()
        self.penalties: list[Penalty] = []
        self.groups: dict[tuple[object, ...], Group] = {}
        self.x: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.h: dict[tuple[str, int, str, int], cp_model.IntVar] = {}
        self.off: dict[tuple[str, int], cp_model.IntVar] = {}
        self.off_half: dict[tuple[str, int, int], cp_model.IntVar] = {}
        self.by_rotation_block: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        self.by_rotation_half: dict[tuple[str, int, int], list[cp_model.IntVar]] = defaultdict(list)
        self.past = problem.past()
        self.constant = 0.0  # cost in blocks that history fixes whatever is decided
        self._build()

    # ------------------------------------------------------------ helpers

    def group(self, key: tuple[object, ...], sentence: str) -> cp_model.IntVar | None:
        if not self.explain:
            return None
        if key not in self.groups:
            literal = self.model.new_bool_var(f"group{len(self.groups)}")
            self.groups[key] = Group(key, literal, sentence)
        return self.groups[key].literal

    def enforce(self, constraint: cp_model.Constraint, guard: cp_model.IntVar | None) -> None:
        if guard is not None:
            constraint.only_enforce_if(guard)

    def penalize(
        self, rule: str, weight: int, var: cp_model.IntVar, say: Callable[[int], str]
    ) -> None:
        if weight > 0:
            self.penalties.append(Penalty(rule, weight, var, say))

    def objective(self) -> Any:
        """The objective expression, in model units (see `cost`)."""
        return sum(p.weight * p.var for p in self.penalties) + round(self.constant * self.units)

    def is_past(self, tid: str, b: int, k: int = 0) -> bool:
        """Whether half `k` of the block (either half, for 0) is history for the trainee."""
        if k:
            return (tid, b, k) in self.past
        return any((tid, b, h) in self.past for h in HALVES)

    def past_count(self, tids: list[str], b: int, k: int, rotations: set[str]) -> int:
        """History half-blocks of these trainees on these rotations in half k of block b."""
        return sum(1 for tid in tids if self.past.get((tid, b, k), "") in rotations)

    def cost(self, value: float) -> float:
        """A model objective value (or bound) as the cost in blocks, as `score` computes it."""
        return value / self.units

    def units_of(self, cost: float) -> int:
        """A cost in blocks as a model objective value (rounded down)."""
        return int(cost * self.units + 1e-9)

    def spent(self, tid: str, b: int, r: str) -> Any:
        """Half-blocks (or blocks, without halves) trainee `tid` spends on `r` in block `b`."""
        total: Any = 0
        if (tid, b, r) in self.x:
            total = self.units * self.x[tid, b, r]
        for k in HALVES:
            if (tid, b, r, k) in self.h:
                total += self.h[tid, b, r, k]
        return total

    def in_half(self, tid: str, b: int, r: str, k: int) -> list[cp_model.IntVar]:
        """The variables that put `tid` on `r` in half `k` of block `b` (at most one is true)."""
        return [v for v in (self.x.get((tid, b, r)), self.h.get((tid, b, r, k))) if v is not None]

    # ------------------------------------------------------------ build

    def _build(self) -> None:
        self._variables()
        self._one_per_block()
        self._fixed()
        self._vacations()
        self._program_numbers()
        self._capacity()
        self._curriculum()
        self._preferences()
        self._splits()
        self._changes()
        self.model.minimize(self.objective())

    def _variables(self) -> None:
        p = self.problem
        asked = {(v.trainee, v.block) for v in p.vacations if not v.half}
        asked_half = {(v.trainee, v.block, v.half) for v in p.vacations if v.half}
        for t in p.trainees:
            eligible, halves = p.eligible(t), p.half_eligible(t)
            for b in range(1, p.blocks + 1):
                free = [k for k in HALVES if not self.is_past(t.id, b, k)]
                if not free:
                    continue  # the whole block is history: no decision left
                if len(free) == 2:
                    for r in eligible:
                        var = self.model.new_bool_var(f"x[{t.id},{b},{r}]")
                        self.x[t.id, b, r] = var
                        self.by_rotation_block[r, b].append(var)
                    # Half a block off with no half-block rotation to fill the other half (an
                    # off-cycle start or a leave mid-block): the block can only be off whole.
                    half_off = any((t.id, b, k) in asked_half for k in HALVES)
                    if (t.id, b) in asked or (half_off and not halves):
                        self.off[t.id, b] = self.model.new_bool_var(f"off[{t.id},{b}]")
                for r in halves:
                    for k in free:
                        var = self.model.new_bool_var(f"h[{t.id},{b},{r},{k}]")
                        self.h[t.id, b, r, k] = var
                        self.by_rotation_half[r, b, k].append(var)
                for k in free:
                    # Half a block is history: a whole-block request is asked of the other half.
                    if (t.id, b, k) in asked_half or (len(free) == 1 and (t.id, b) in asked):
                        self.off_half[t.id, b, k] = self.model.new_bool_var(f"off[{t.id},{b},{k}]")

    def _one_per_block(self) -> None:
        p = self.problem
        for t in p.trainees:
            eligible, halves = p.eligible(t), p.half_eligible(t)
            for b in range(1, p.blocks + 1):
                if self.is_past(t.id, b):
                    self._one_in_free_half(t.id, b, halves)
                    continue
                whole = [self.x[t.id, b, r] for r in eligible]
                if (t.id, b) in self.off:
                    whole.append(self.off[t.id, b])
                split = [(t.id, b, k) for k in HALVES if (t.id, b, k) in self.off_half]
                if not halves and not split:
                    self.model.add_exactly_one(whole)
                    continue
                for k in HALVES:
                    part = [self.h[t.id, b, r, k] for r in halves]
                    if (t.id, b, k) in self.off_half:
                        part.append(self.off_half[t.id, b, k])
                    self.model.add_exactly_one(whole + part)
                # One rotation (or vacation) in both halves is the whole-block variable, so
                # every schedule has one reading and the checker counts it the same way.
                for r in halves:
                    self.model.add_bool_or(
                        [self.h[t.id, b, r, 1].Not(), self.h[t.id, b, r, 2].Not()]
                    )
                if len(split) == 2 and (t.id, b) in self.off:
                    self.model.add_bool_or([self.off_half[key].Not() for key in split])

    def _one_in_free_half(self, tid: str, b: int, halves: list[str]) -> None:
        """A block partly history: its free half (if any) is exactly one half-piece."""
        for k in HALVES:
            if self.is_past(tid, b, k):
                continue
            part = [self.h[tid, b, r, k] for r in halves]
            if (tid, b, k) in self.off_half:
                part.append(self.off_half[tid, b, k])
            self.model.add_exactly_one(part)

    def _fixed(self) -> None:
        p = self.problem
        for f in p.fixed:
            assert f.block is not None and f.rotation is not None
            if self.is_past(f.trainee, f.block, f.half):
                continue  # history wins over a fixed placement or lock
            guard = self.group(
                ("fixed", f.trainee, f.block, f.half),
                f"{p.trainee(f.trainee).label} is fixed on {p.rotation(f.rotation).label} "
                f"in {p.when(f.block, f.half)}",
            )
            if f.half:
                var = self.h[f.trainee, f.block, f.rotation, f.half]
            else:
                var = self.x[f.trainee, f.block, f.rotation]
            self.enforce(self.model.add(var == 1), guard)

    def _vacations(self) -> None:
        p = self.problem
        for v in p.vacations:
            assert v.block is not None
            if self.is_past(v.trainee, v.block, v.half):
                self._past_vacation(v.trainee, v.block, v.half, v.weight)
                continue
            whole = self.off.get((v.trainee, v.block))
            if v.half:
                # A half is off with the half-block vacation or with a whole block off.
                granted = [self.off_half[v.trainee, v.block, v.half]]
                granted += [whole] if whole is not None else []
            else:
                assert whole is not None
                granted = [whole]
            who, when = p.trainee(v.trainee).label, p.when(v.block, v.half)
            if v.weight is None:
                guard = self.group(
                    ("vacation", v.trainee, v.block, v.half), f"{who} is on vacation in {when}"
                )
                self.enforce(self.model.add(sum(granted) == 1), guard)
            else:
                refused = self.model.new_bool_var(f"refused[{v.trainee},{v.block},{v.half}]")
                self.model.add(refused + sum(granted) == 1)
                self.penalize(
                    "vacation",
                    v.weight * self.units,
                    refused,
                    _says(f"{who}'s vacation request for {when} was not granted"),
                )

    def _past_vacation(self, tid: str, b: int, half: int, weight: int | None) -> None:
        """A vacation on a block partly or wholly history: refused for good when history was
        not off there; otherwise the free half decides (an approved one is only a request then:
        history may already have said no)."""
        halves = HALVES if not half else (half,)
        worked = [self.past[tid, b, k] for k in halves if self.is_past(tid, b, k)]
        if any(rotation is not None for rotation in worked):
            self.constant += weight or 0
            return
        free = [k for k in halves if not self.is_past(tid, b, k)]
        if not free:
            return  # granted by history
        granted = [self.off_half[tid, b, k] for k in free if (tid, b, k) in self.off_half]
        if len(granted) < len(free):
            self.constant += weight or 0
            return
        if weight is None:
            self.model.add(sum(granted) == len(granted))
            return
        refused = self.model.new_bool_var(f"refused[{tid},{b},{half}]")
        self.model.add(sum(granted) == 1).only_enforce_if(refused.Not())
        self.model.add(sum(granted) == 0).only_enforce_if(refused)
        who, when = self.problem.trainee(tid).label, self.problem.when(b, half)
        self.penalize(
            "vacation",
            weight * self.units,
            refused,
            _says(f"{who}'s vacation request for {when} was not granted"),
        )

    def _program_numbers(self) -> None:
        """Each program's minimum and maximum on a rotation in every block (or half)."""
        p = self.problem
        by_program: dict[str, list[str]] = defaultdict(list)
        for t in p.trainees:
            by_program[t.program].append(t.id)
        for use in p.uses:
            if not use.min_per_block and use.max_per_block is None:
                continue
            if use.program not in by_program:
                continue  # a program outside this problem
            members = [tid for tid in by_program[use.program] if use.eligible(p.trainee(tid))]
            if not members and not use.min_per_block:
                continue
            for b in range(1, p.blocks + 1):
                split = use.half_blocks or any(self.is_past(tid, b) for tid in members)
                for k in HALVES if split and members else (0,):
                    self._program_count(use, members, b, k)

    def _program_count(self, use: Use, members: list[str], b: int, k: int) -> None:
        p = self.problem
        label, prog = p.rotation(use.rotation).label, p.program_label(use.program)
        if k:
            free = [v for tid in members for v in self.in_half(tid, b, use.rotation, k)]
            done = self.past_count(members, b, k, {use.rotation})
        else:
            free = [self.x[tid, b, use.rotation] for tid in members]
            done = 0
        if members and not free:
            return  # every member's cell here is history: nothing left to ask of it
        count = done + sum(free)
        if any(self.is_past(tid, b, k) for tid in members):
            # History already decided part of the count: ask only what the rest can still give.
            low = min(use.min_per_block, done + len(free))
            high = None if use.max_per_block is None else max(use.max_per_block, done)
            use = dataclasses.replace(use, min_per_block=low, max_per_block=high)
        if use.min_per_block:
            guard = self.group(
                ("min", use.rotation, use.program, b, k),
                f"{label} needs at least {use.min_per_block} from {prog} in {p.when(b, k)}",
            )
            self.enforce(self.model.add(count >= use.min_per_block), guard)
        if use.max_per_block is not None:
            guard = self.group(
                ("max", use.rotation, use.program, b, k),
                f"{label} takes at most {use.max_per_block} from {prog} in {p.when(b, k)}",
            )
            self.enforce(self.model.add(count <= use.max_per_block), guard)

    def _capacity(self) -> None:
        p = self.problem
        outside: dict[tuple[str, int, int], int] = defaultdict(int)
        for load in p.load:
            for k in HALVES if not load.half else (load.half,):
                outside[load.rotation, load.block, k] += load.count
        for (_tid, b, k), rotation in self.past.items():
            if rotation is not None:
                outside[rotation, b, k] += 1  # history takes its place like other programs do
        for r in p.rotations:
            if r.capacity is None:
                continue
            for b in range(1, p.blocks + 1):
                whole = self.by_rotation_block.get((r.id, b), [])
                halves = {k: self.by_rotation_half.get((r.id, b, k), []) for k in HALVES}
                if not whole and not halves[1] and not halves[2]:
                    continue  # nobody left to place here
                if not halves[1] and not halves[2]:
                    # Nobody here goes for half a block: one constraint holds for both halves.
                    taken = max(outside[r.id, b, k] for k in HALVES)
                    self._room(r.id, b, 0, whole, r.capacity, taken)
                    continue
                for k in HALVES:
                    self._room(r.id, b, k, whole + halves[k], r.capacity, outside[r.id, b, k])

    def _room(
        self, rid: str, b: int, k: int, vars_: list[cp_model.IntVar], capacity: int, taken: int
    ) -> None:
        room = capacity - taken
        if len(vars_) <= room:
            return
        p = self.problem
        say_taken = f" ({taken} taken by other programs)" if taken else ""
        guard = self.group(
            ("capacity", rid, b, k),
            f"{p.rotation(rid).label} has room for {capacity} in {p.when(b, k)}{say_taken}",
        )
        self.enforce(self.model.add(sum(vars_) <= max(0, room)), guard)

    def _curriculum(self) -> None:
        p = self.problem
        for i, req in enumerate(p.requirements):
            targets = [r.id for r in p.rotations if req.covers(r)]
            sentence = req.sentence(p)
            guard = None if req.weight is not None else self.group(("requirement", i), sentence)
            low = req.min * self.units
            high = None if req.max is None else req.max * self.units
            for t in p.trainees:
                if t.program != req.program or t.pgy != req.pgy:
                    continue
                done, free = self._past_units(t.id, set(targets))
                total = done + sum(
                    self.spent(t.id, b, r) for b in range(1, p.blocks + 1) for r in targets
                )
                if req.weight is None:
                    # What history already gives (or took) cannot be undone: ask only the rest.
                    if low and min(low, done + free) > done:
                        self.enforce(self.model.add(total >= min(low, done + free)), guard)
                    if high is not None:
                        self.enforce(self.model.add(total <= max(high, done)), guard)
                    continue
                self._soft_count(t.label, sentence, total, low, high, req.weight)

    def _past_units(self, tid: str, targets: set[str]) -> tuple[int, int]:
        """Model units of history on `targets`, and units the trainee still has to place."""
        halves_done = sum(1 for (t, _b, _k), r in self.past.items() if t == tid and r in targets)
        halves_past = sum(1 for (t, _b, _k) in self.past if t == tid)
        units_per_half = self.units / 2
        # Halves off for good (an approved vacation: days out of training) hold nothing either,
        # so a trainee who leaves mid-year is asked only what the rest of their year can hold.
        off = {
            (v.block, k)
            for v in self.problem.vacations
            if v.trainee == tid and v.weight is None and v.block is not None
            for k in ((v.half,) if v.half else HALVES)
            if (tid, v.block, k) not in self.past
        }
        done = round(halves_done * units_per_half)
        free = round((2 * self.problem.blocks - halves_past - len(off)) * units_per_half)
        return done, free

    def _soft_count(
        self, who: str, sentence: str, total: object, low: int, high: int | None, weight: int
    ) -> None:
        """Short and over in model units; each unit costs `weight` (a block `units` x weight)."""
        most = self.problem.blocks * self.units
        halves = 2 // self.units  # half-blocks per model unit
        if low:
            short = self.model.new_int_var(0, low, f"short[{who},{sentence}]")
            # Exact, not just a bound, so every schedule's cost is its true cost.
            self.model.add_max_equality(short, [0, low - total])  # type: ignore[operator]
            self.penalize(
                "curriculum",
                weight,
                short,
                _counts(who + ": {} short of " + f'"{sentence}"', halves),
            )
        if high is not None:
            over = self.model.new_int_var(0, most, f"over[{who},{sentence}]")
            self.model.add_max_equality(over, [0, total - high])  # type: ignore[operator]
            self.penalize(
                "curriculum",
                weight,
                over,
                _counts(who + ": {} over " + f'"{sentence}"', halves),
            )

    def _preferences(self) -> None:
        p = self.problem
        for pref in p.preferences:
            assert pref.rotation is not None
            weight = pref.weight or 0
            blocks = [pref.block] if pref.block is not None else list(range(1, p.blocks + 1))
            had = sum(1 for b in blocks for k in HALVES
                      if self.past.get((pref.trainee, b, k), "") == pref.rotation)  # fmt: skip
            if weight > 0 and had:
                continue  # history granted it
            if weight < 0:
                self.constant += -weight * had / 2  # history placed it there already
            cells = [self.x[k] for b in blocks if (k := (pref.trainee, b, pref.rotation)) in self.x]
            halves = [
                self.h[key]
                for b in blocks
                for k in HALVES
                if (key := (pref.trainee, b, pref.rotation, k)) in self.h
            ]
            who, what = p.trainee(pref.trainee).label, p.rotation(pref.rotation).label
            when = f" in {p.block_label(pref.block)}" if pref.block is not None else ""
            if weight > 0 and not cells and not halves:
                self.constant += weight  # no free block left to grant it
            elif weight > 0:
                # A wish for: granted when the trainee is there for at least half a block.
                missed = self.model.new_bool_var(f"missed[{pref.trainee},{pref.rotation}]")
                self.model.add_bool_or([*cells, *halves, missed])
                for cell in (*cells, *halves):
                    self.model.add_implication(cell, missed.Not())
                self.penalize(
                    "preference",
                    weight * self.units,
                    missed,
                    _says(f"{who} asked for {what}{when} and did not get it"),
                )
            elif weight < 0 and (cells or halves):
                # A wish against: each block there costs the weight (half for a half-block).
                most = (len(cells) + len(halves)) * self.units
                got = self.model.new_int_var(0, most, f"got[{pref.trainee},{pref.rotation}]")
                self.model.add(got == self.units * sum(cells) + sum(halves))
                self.penalize(
                    "preference",
                    -weight,
                    got,
                    _says(f"{who} asked not to do {what}{when} and got it"),
                )

    def _splits(self) -> None:
        """A block in halves has exactly one half-piece in its first half: that costs SPLIT_COST."""
        first_halves = [var for (_t, _b, _r, k), var in self.h.items() if k == 1]
        first_halves += [var for (_t, _b, k), var in self.off_half.items() if k == 1]
        for var in first_halves:
            self.penalize("split", SPLIT_COST * self.units, var, _says("a block split in halves"))
        # A block partly or wholly history in halves is split already, whatever comes next.
        split = {(ref.trainee, ref.block) for ref in self.problem.history if ref.half}
        self.constant += SPLIT_COST * len(split)

    def _changes(self) -> None:
        """Each base cell not kept costs `move_cost()`, more than every wish together."""
        p = self.problem
        if not p.base:
            return
        weight = p.move_cost()
        for ref in p.base:
            b = ref.block or 0
            if self.is_past(ref.trainee, b, ref.half):
                continue  # history: kept by construction
            kept = self._kept(ref.trainee, b, ref.rotation, ref.half)
            if not kept:
                self.constant += weight
                continue
            changed = self.model.new_bool_var(f"changed[{ref.trainee},{b},{ref.half}]")
            self.model.add(changed + sum(kept) == 1)
            who, when = p.trainee(ref.trainee).label, p.when(b, ref.half)
            self.penalize("change", weight * self.units, changed, _says(f"{who} moves in {when}"))

    def _kept(self, tid: str, b: int, rotation: str | None, half: int) -> list[cp_model.IntVar]:
        """Variables (at most one true) that keep the trainee where the base had them."""
        if rotation is None:
            if half:
                return [v for v in (self.off_half.get((tid, b, half)), self.off.get((tid, b)))
                        if v is not None]  # fmt: skip
            return [self.off[tid, b]] if (tid, b) in self.off else []
        if half:
            return self.in_half(tid, b, rotation, half)
        return [self.x[tid, b, rotation]] if (tid, b, rotation) in self.x else []


def _says(text: str) -> Callable[[int], str]:
    return lambda _value: text


def _counts(template: str, halves_per_unit: int) -> Callable[[int], str]:
    return lambda value: template.format(blocks_text(value * halves_per_unit))
