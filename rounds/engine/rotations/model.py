"""The CP-SAT model of a rotation year: one method per rule family, named penalties.

x[t, b, r] is true when trainee t is on rotation r in block b; it exists only for rotations the
trainee is eligible for. off[t, b] exists only where a vacation was asked for or approved. Every
block of every trainee is exactly one of these.

In explain mode each hard rule group (a curriculum line, a capacity in a block, a program's minimum
in a block, a fixed placement, an approved vacation) is guarded by an enforcement literal, so the
roster engine's core minimisation can name the groups that conflict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from rounds.engine.roster.model import Group, Penalty
from rounds.engine.rotations.problem import Problem


class RotationModel:
    def __init__(self, problem: Problem, *, explain: bool = False) -> None:
        self.problem = problem
        self.explain = explain
        self.model = cp_model.CpModel()
        self.penalties: list[Penalty] = []
        self.groups: dict[tuple[object, ...], Group] = {}
        self.x: dict[tuple[str, int, str], cp_model.IntVar] = {}
        self.off: dict[tuple[str, int], cp_model.IntVar] = {}
        self.by_rotation_block: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
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
        self.model.minimize(sum(p.weight * p.var for p in self.penalties))

    def _variables(self) -> None:
        p = self.problem
        asked = {(v.trainee, v.block) for v in p.vacations}
        for t in p.trainees:
            eligible = p.eligible(t)
            for b in range(1, p.blocks + 1):
                for r in eligible:
                    var = self.model.new_bool_var(f"x[{t.id},{b},{r}]")
                    self.x[t.id, b, r] = var
                    self.by_rotation_block[r, b].append(var)
                if (t.id, b) in asked:
                    self.off[t.id, b] = self.model.new_bool_var(f"off[{t.id},{b}]")

    def _one_per_block(self) -> None:
        p = self.problem
        for t in p.trainees:
            eligible = p.eligible(t)
            for b in range(1, p.blocks + 1):
                cell = [self.x[t.id, b, r] for r in eligible]
                if (t.id, b) in self.off:
                    cell.append(self.off[t.id, b])
                self.model.add_exactly_one(cell)

    def _fixed(self) -> None:
        p = self.problem
        for f in p.fixed:
            assert f.block is not None and f.rotation is not None
            guard = self.group(
                ("fixed", f.trainee, f.block),
                f"{p.trainee(f.trainee).label} is fixed on {p.rotation(f.rotation).label} "
                f"in {p.block_label(f.block)}",
            )
            self.enforce(self.model.add(self.x[f.trainee, f.block, f.rotation] == 1), guard)

    def _vacations(self) -> None:
        p = self.problem
        for v in p.vacations:
            assert v.block is not None
            off = self.off[v.trainee, v.block]
            who, when = p.trainee(v.trainee).label, p.block_label(v.block)
            if v.weight is None:
                guard = self.group(
                    ("vacation", v.trainee, v.block), f"{who} is on vacation in {when}"
                )
                self.enforce(self.model.add(off == 1), guard)
            else:
                refused = self.model.new_bool_var(f"refused[{v.trainee},{v.block}]")
                self.model.add(refused + off == 1)
                self.penalize(
                    "vacation",
                    v.weight,
                    refused,
                    _says(f"{who}'s vacation request for {when} was not granted"),
                )

    def _program_numbers(self) -> None:
        """Each program's minimum and maximum on a rotation in every block."""
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
            label, prog = p.rotation(use.rotation).label, p.program_label(use.program)
            for b in range(1, p.blocks + 1):
                count = sum(self.x[tid, b, use.rotation] for tid in members)
                if use.min_per_block:
                    guard = self.group(
                        ("min", use.rotation, use.program, b),
                        f"{label} needs at least {use.min_per_block} from {prog} in "
                        f"{p.block_label(b)}",
                    )
                    self.enforce(self.model.add(count >= use.min_per_block), guard)
                if use.max_per_block is not None:
                    guard = self.group(
                        ("max", use.rotation, use.program, b),
                        f"{label} takes at most {use.max_per_block} from {prog} in "
                        f"{p.block_label(b)}",
                    )
                    self.enforce(self.model.add(count <= use.max_per_block), guard)

    def _capacity(self) -> None:
        p = self.problem
        outside: dict[tuple[str, int], int] = defaultdict(int)
        for load in p.load:
            outside[load.rotation, load.block] += load.count
        for r in p.rotations:
            if r.capacity is None:
                continue
            for b in range(1, p.blocks + 1):
                vars_ = self.by_rotation_block.get((r.id, b), [])
                room = r.capacity - outside[r.id, b]
                if len(vars_) <= room:
                    continue
                taken = f" ({outside[r.id, b]} taken by other programs)" if outside[r.id, b] else ""
                guard = self.group(
                    ("capacity", r.id, b),
                    f"{r.label} has room for {r.capacity} in {p.block_label(b)}{taken}",
                )
                self.enforce(self.model.add(sum(vars_) <= max(0, room)), guard)

    def _curriculum(self) -> None:
        p = self.problem
        for i, req in enumerate(p.requirements):
            targets = [r.id for r in p.rotations if req.covers(r)]
            sentence = req.sentence(p)
            guard = None if req.weight is not None else self.group(("requirement", i), sentence)
            for t in p.trainees:
                if t.program != req.program or t.pgy != req.pgy:
                    continue
                total = sum(
                    self.x[t.id, b, r]
                    for b in range(1, p.blocks + 1)
                    for r in targets
                    if (t.id, b, r) in self.x
                )
                if req.weight is None:
                    if req.min:
                        self.enforce(self.model.add(total >= req.min), guard)
                    if req.max is not None:
                        self.enforce(self.model.add(total <= req.max), guard)
                    continue
                self._soft_count(t.label, sentence, total, req.min, req.max, req.weight)

    def _soft_count(
        self, who: str, sentence: str, total: object, low: int, high: int | None, weight: int
    ) -> None:
        blocks = self.problem.blocks
        if low:
            short = self.model.new_int_var(0, low, f"short[{who},{sentence}]")
            # Exact, not just a bound, so every schedule's cost is its true cost.
            self.model.add_max_equality(short, [0, low - total])  # type: ignore[operator]
            self.penalize(
                "curriculum",
                weight,
                short,
                _counts(who + ": {} block(s) short of " + f'"{sentence}"'),
            )
        if high is not None:
            over = self.model.new_int_var(0, blocks, f"over[{who},{sentence}]")
            self.model.add_max_equality(over, [0, total - high])  # type: ignore[operator]
            self.penalize(
                "curriculum",
                weight,
                over,
                _counts(who + ": {} block(s) over " + f'"{sentence}"'),
            )

    def _preferences(self) -> None:
        p = self.problem
        for pref in p.preferences:
            assert pref.rotation is not None
            weight = pref.weight or 0
            blocks = [pref.block] if pref.block is not None else list(range(1, p.blocks + 1))
            cells = [self.x[k] for b in blocks if (k := (pref.trainee, b, pref.rotation)) in self.x]
            who, what = p.trainee(pref.trainee).label, p.rotation(pref.rotation).label
            when = f" in {p.block_label(pref.block)}" if pref.block is not None else ""
            if weight > 0:
                # A wish for: granted when at least one of the cells is chosen.
                missed = self.model.new_bool_var(f"missed[{pref.trainee},{pref.rotation}]")
                self.model.add_bool_or([*cells, missed])
                for cell in cells:
                    self.model.add_implication(cell, missed.Not())
                self.penalize(
                    "preference",
                    weight,
                    missed,
                    _says(f"{who} asked for {what}{when} and did not get it"),
                )
            elif weight < 0 and cells:
                got = self.model.new_int_var(0, len(cells), f"got[{pref.trainee},{pref.rotation}]")
                self.model.add(got == sum(cells))
                self.penalize(
                    "preference",
                    -weight,
                    got,
                    _says(f"{who} asked not to do {what}{when} and got it"),
                )


def _says(text: str) -> Callable[[int], str]:
    return lambda _value: text


def _counts(template: str) -> Callable[[int], str]:
    return lambda value: template.format(value)
