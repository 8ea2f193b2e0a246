"""The rotation (block) problem as validated dataclasses, JSON both ways.

One problem holds one program's year or every program's year at once: rotations list which programs
use them (with PGY eligibility and per-program minimum/maximum per block) and may carry a capacity
across all programs. Blocks are numbered 1..blocks. Errors name the JSON path (`uses[3].rotation`).

Half-blocks: a use with `half_blocks: true` lets that program's trainees take the rotation for the
first or second half of a block (`half` 1 or 2); everything else is placed for whole blocks (`half`
0). Vacations, fixed placements and outside load are whole blocks unless they name a half.

History: `history` lists placements already worked (blocks and half-blocks that have started).
They are not decisions: the model has no variable for those cells, yet they count in curriculum
totals, capacities, numbers per block and wishes, and they come back unchanged in every result.
History wins over everything else: a fixed placement, vacation or lock on a history cell is
ignored, and a rule the past already broke is not asked of it again.

Re-solves: `base` lists the future cells of the version being re-solved. Each one not kept costs
`change_weight` (by default more than every wish, vacation request and soft curriculum line of the
problem together), so a re-solve changes a cell only when a rule or a lock needs it, and among
schedules with the fewest changes it then grants what wishes it can.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rounds.engine import readers as read
from rounds.engine.errors import ProblemError


@dataclass(frozen=True)
class Trainee:
    id: str
    program: str
    pgy: int
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or self.id

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Trainee:
        return cls(
            id=read.text(d, "id", path),
            program=read.text(d, "program", path),
            pgy=read.integer(d, "pgy", path, minimum=1),
            name=d.get("name") or "",
        )


@dataclass(frozen=True)
class Rotation:
    id: str
    name: str = ""
    site: str = ""
    group: str | None = None
    capacity: int | None = None  # most trainees per block, all programs together

    @property
    def label(self) -> str:
        return self.name or self.id

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Rotation:
        return cls(
            id=read.text(d, "id", path),
            name=d.get("name") or "",
            site=d.get("site") or "",
            group=read.optional_text(d, "group", path),
            capacity=read.optional_integer(d, "capacity", path),
        )


HALVES = (1, 2)
# Every block split in halves costs this much, so halves appear only where they buy something (two
# wishes in one block, a curriculum line, room on a full rotation), never at random.
SPLIT_COST = 1


def _flag(d: dict[str, Any], key: str, path: str) -> bool:
    value = d.get(key, False)
    if not isinstance(value, bool):
        raise ProblemError(f"{path}.{key}", "must be true or false")
    return value


def _half(d: dict[str, Any], key: str, path: str) -> int:
    value = read.integer(d, key, path, default=0, minimum=0)
    if value > 2:
        raise ProblemError(f"{path}.{key}", "must be 0 (whole block), 1 or 2")
    return value


def half_label(block_label: str, half: int) -> str:
    """'block 3', 'the first half of block 3', 'the second half of block 3'."""
    if not half:
        return block_label
    return f"the {'first' if half == 1 else 'second'} half of {block_label}"


def blocks_text(halves: int) -> str:
    """A count of half-blocks said in blocks: 1 block, 2.5 blocks."""
    number = f"{halves // 2}" if halves % 2 == 0 else f"{halves / 2:.1f}"
    return f"{number} block{'' if halves == 2 else 's'}"


@dataclass(frozen=True)
class Use:
    """A program sends trainees of PGY min_pgy..max_pgy to a rotation, min..max per block
    (per half-block where `half_blocks` lets them go for half a block)."""

    rotation: str
    program: str
    min_pgy: int = 1
    max_pgy: int = 10
    min_per_block: int = 0
    max_per_block: int | None = None
    half_blocks: bool = False

    def eligible(self, trainee: Trainee) -> bool:
        return trainee.program == self.program and self.min_pgy <= trainee.pgy <= self.max_pgy

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Use:
        use = cls(
            rotation=read.text(d, "rotation", path),
            program=read.text(d, "program", path),
            min_pgy=read.integer(d, "min_pgy", path, default=1, minimum=1),
            max_pgy=read.integer(d, "max_pgy", path, default=10, minimum=1),
            min_per_block=read.integer(d, "min_per_block", path, default=0, minimum=0),
            max_per_block=read.optional_integer(d, "max_per_block", path),
            half_blocks=_flag(d, "half_blocks", path),
        )
        if use.max_pgy < use.min_pgy:
            raise ProblemError(f"{path}.max_pgy", "must not be below min_pgy")
        if use.max_per_block is not None and use.max_per_block < use.min_per_block:
            raise ProblemError(f"{path}.max_per_block", "must not be below min_per_block")
        return use


@dataclass(frozen=True)
class Requirement:
    """Curriculum: each trainee of `program` at `pgy` spends min..max blocks on a rotation/group."""

    program: str
    pgy: int
    rotation: str | None = None
    group: str | None = None
    min: int = 0
    max: int | None = None
    weight: int | None = None  # None: hard; else the cost of each block short or over

    def covers(self, rotation: Rotation) -> bool:
        if self.rotation is not None:
            return rotation.id == self.rotation
        return rotation.group == self.group

    def target(self, problem: Problem) -> str:
        if self.rotation is not None:
            return problem.rotation(self.rotation).label
        return f"{self.group} rotations"

    def sentence(self, problem: Problem) -> str:
        bounds = []
        if self.min:
            bounds.append(f"at least {self.min}")
        if self.max is not None:
            bounds.append(f"at most {self.max}")
        return (
            f"{problem.program_label(self.program)} PGY-{self.pgy}: "
            f"{' and '.join(bounds)} blocks of {self.target(problem)}"
        )

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Requirement:
        req = cls(
            program=read.text(d, "program", path),
            pgy=read.integer(d, "pgy", path, minimum=1),
            rotation=read.optional_text(d, "rotation", path),
            group=read.optional_text(d, "group", path),
            min=read.integer(d, "min", path, default=0, minimum=0),
            max=read.optional_integer(d, "max", path),
            weight=read.weight(d, "weight", path),
        )
        if (req.rotation is None) == (req.group is None):
            raise ProblemError(path, "needs exactly one of rotation or group")
        if req.max is not None and req.max < req.min:
            raise ProblemError(f"{path}.max", "must not be below min")
        return req


@dataclass(frozen=True)
class BlockRef:
    """A trainee in a block: a vacation, a fixed (or locked) placement, a preference."""

    trainee: str
    block: int | None = None  # None (preferences only): any block
    rotation: str | None = None
    weight: int | None = None  # vacations and preferences: None hard, else the cost of refusing
    half: int = 0  # vacations and fixed placements: 0 the whole block, 1 or 2 one half

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> BlockRef:
        weight = d.get("weight")
        if weight is not None and (isinstance(weight, bool) or not isinstance(weight, int)):
            raise ProblemError(f"{path}.weight", "must be an integer")
        return cls(
            trainee=read.text(d, "trainee", path),
            block=read.optional_integer(d, "block", path, minimum=1),
            rotation=read.optional_text(d, "rotation", path),
            weight=weight,
            half=_half(d, "half", path),
        )


@dataclass(frozen=True)
class Load:
    """Places on a rotation already taken in a block by trainees outside this problem."""

    rotation: str
    block: int
    count: int
    half: int = 0  # 0: both halves of the block; 1 or 2: that half only

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Load:
        return cls(
            rotation=read.text(d, "rotation", path),
            block=read.integer(d, "block", path, minimum=1),
            count=read.integer(d, "count", path, minimum=0),
            half=_half(d, "half", path),
        )


@dataclass(frozen=True)
class Problem:
    blocks: int
    trainees: tuple[Trainee, ...]
    rotations: tuple[Rotation, ...]
    uses: tuple[Use, ...]
    requirements: tuple[Requirement, ...] = ()
    vacations: tuple[BlockRef, ...] = ()  # weight None: approved (hard); else a request
    fixed: tuple[BlockRef, ...] = ()
    preferences: tuple[BlockRef, ...] = ()  # weight > 0 wish for, < 0 wish against
    load: tuple[Load, ...] = ()
    program_names: tuple[tuple[str, str], ...] = ()
    block_labels: tuple[str, ...] = ()
    name: str = ""
    history: tuple[BlockRef, ...] = ()  # worked already; rotation None: off
    base: tuple[BlockRef, ...] = ()  # the version re-solved; rotation None: off
    change_weight: int | None = None  # per base placement not kept; None: dominates the rest

    # ------------------------------------------------------------ lookups

    def rotation(self, rotation_id: str) -> Rotation:
        return self._rotations[rotation_id]

    def trainee(self, trainee_id: str) -> Trainee:
        return self._trainees[trainee_id]

    @property
    def _rotations(self) -> dict[str, Rotation]:
        cached: dict[str, Rotation] | None = self.__dict__.get("_rot_cache")
        if cached is None:
            cached = {r.id: r for r in self.rotations}
            object.__setattr__(self, "_rot_cache", cached)
        return cached

    @property
    def _trainees(self) -> dict[str, Trainee]:
        cached: dict[str, Trainee] | None = self.__dict__.get("_tr_cache")
        if cached is None:
            cached = {t.id: t for t in self.trainees}
            object.__setattr__(self, "_tr_cache", cached)
        return cached

    def program_label(self, program: str) -> str:
        return dict(self.program_names).get(program, program)

    def block_label(self, block: int) -> str:
        if 0 < block <= len(self.block_labels):
            return self.block_labels[block - 1]
        return f"block {block}"

    def eligible(self, trainee: Trainee) -> list[str]:
        """Rotations the trainee may be placed on, in problem order."""
        ok = {u.rotation for u in self.uses if u.eligible(trainee)}
        return [r.id for r in self.rotations if r.id in ok]

    def programs(self) -> list[str]:
        return sorted({t.program for t in self.trainees})

    def half_eligible(self, trainee: Trainee) -> list[str]:
        """Rotations the trainee may take for half a block, in problem order."""
        ok = {u.rotation for u in self.uses if u.half_blocks and u.eligible(trainee)}
        return [r.id for r in self.rotations if r.id in ok]

    @property
    def has_halves(self) -> bool:
        """Whether anything in the problem is placed or counted by the half-block."""
        return (
            any(u.half_blocks for u in self.uses)
            or any(ref.half for ref in (*self.vacations, *self.fixed, *self.history, *self.base))
            or any(ld.half for ld in self.load)
        )

    def past(self) -> dict[tuple[str, int, int], str | None]:
        """History by (trainee, block, half 1 or 2): the rotation worked, None when off."""
        cached: dict[tuple[str, int, int], str | None] | None = self.__dict__.get("_past")
        if cached is None:
            cached = {}
            for ref in self.history:
                for k in HALVES if not ref.half else (ref.half,):
                    cached[ref.trainee, ref.block or 0, k] = ref.rotation
            object.__setattr__(self, "_past", cached)
        return cached

    def move_cost(self) -> int:
        """What one base placement not kept costs: `change_weight`, else one more than every
        other soft cost of the problem could ever add up to, so fewer changes always win."""
        if self.change_weight is not None:
            return self.change_weight
        most = sum(v.weight or 0 for v in self.vacations)
        for pref in self.preferences:
            weight = pref.weight or 0
            most += weight if weight > 0 else -weight * (1 if pref.block else self.blocks)
        for req in self.requirements:
            if req.weight is not None:
                # Short by at most `min`, over by at most the year, for each trainee.
                most += req.weight * (req.min + self.blocks) * len(self.trainees)
        most += SPLIT_COST * self.blocks * len(self.trainees)
        return most + 1

    def when(self, block: int, half: int = 0) -> str:
        return half_label(self.block_label(block), half)

    # ------------------------------------------------------------ JSON

    @classmethod
    def from_json(cls, data: Any) -> Problem:
        root = read.obj(data, "")
        labels = read.items(root.get("block_labels"), "block_labels")
        names = read.obj(root.get("program_names") or {}, "program_names")
        problem = cls(
            blocks=read.integer(root, "blocks", "", default=13, minimum=1),
            trainees=tuple(read.each(root.get("trainees"), "trainees", Trainee.parse)),
            rotations=tuple(read.each(root.get("rotations"), "rotations", Rotation.parse)),
            uses=tuple(read.each(root.get("uses"), "uses", Use.parse)),
            requirements=tuple(
                read.each(root.get("requirements"), "requirements", Requirement.parse)
            ),
            vacations=tuple(read.each(root.get("vacations"), "vacations", BlockRef.parse)),
            fixed=tuple(read.each(root.get("fixed"), "fixed", BlockRef.parse)),
            preferences=tuple(read.each(root.get("preferences"), "preferences", BlockRef.parse)),
            load=tuple(read.each(root.get("load"), "load", Load.parse)),
            program_names=tuple((str(k), str(v)) for k, v in names.items()),
            block_labels=tuple(str(label) for label in labels),
            name=root.get("name") or "",
            history=tuple(read.each(root.get("history"), "history", BlockRef.parse)),
            base=tuple(read.each(root.get("base"), "base", BlockRef.parse)),
            change_weight=read.optional_integer(root, "change_weight", ""),
        )
        problem.validate()
        return problem

    @classmethod
    def from_file(cls, path: str | Path) -> Problem:
        return cls.from_json(read.load_json(path))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"blocks": self.blocks}
        for key in (
            "trainees",
            "rotations",
            "uses",
            "requirements",
            "vacations",
            "fixed",
            "preferences",
            "load",
            "history",
            "base",
        ):
            out[key] = [asdict(v) for v in getattr(self, key)]
        if self.change_weight is not None:
            out["change_weight"] = self.change_weight
        out["block_labels"] = list(self.block_labels)
        out["name"] = self.name
        out["program_names"] = dict(self.program_names)
        return out

    # ------------------------------------------------------------ validation

    def validate(self) -> None:
        """Cross-field checks; each names the field a person must fix."""
        if not self.trainees:
            raise ProblemError("trainees", "must not be empty")
        if not self.rotations:
            raise ProblemError("rotations", "must not be empty")
        _unique((t.id for t in self.trainees), "trainees")
        _unique((r.id for r in self.rotations), "rotations")
        rotations = set(self._rotations)
        trainees = set(self._trainees)
        groups = {r.group for r in self.rotations if r.group}
        for i, use in enumerate(self.uses):
            _known(use.rotation, rotations, f"uses[{i}].rotation", "rotation")
        for i, req in enumerate(self.requirements):
            if req.rotation is not None:
                _known(req.rotation, rotations, f"requirements[{i}].rotation", "rotation")
            elif req.group not in groups:
                raise ProblemError(f"requirements[{i}].group", f"no rotation is in {req.group!r}")
        for name, refs in (
            ("vacations", self.vacations),
            ("fixed", self.fixed),
            ("preferences", self.preferences),
        ):
            for i, ref in enumerate(refs):
                _known(ref.trainee, trainees, f"{name}[{i}].trainee", "trainee")
                if ref.block is not None and ref.block > self.blocks:
                    raise ProblemError(f"{name}[{i}].block", f"must be between 1 and {self.blocks}")
                if ref.rotation is not None:
                    _known(ref.rotation, rotations, f"{name}[{i}].rotation", "rotation")
                if name != "preferences" and ref.block is None:
                    raise ProblemError(f"{name}[{i}].block", "is required")
                if name == "fixed" and ref.rotation is None:
                    raise ProblemError(f"{name}[{i}].rotation", "is required")
                if name == "fixed" and ref.rotation not in self.eligible(self.trainee(ref.trainee)):
                    raise ProblemError(
                        f"{name}[{i}].rotation",
                        f"{self.trainee(ref.trainee).label} may not rotate on "
                        f"{self.rotation(ref.rotation or '').label}",
                    )
                if name == "preferences" and ref.rotation is None:
                    raise ProblemError(f"{name}[{i}].rotation", "is required")
                if name == "preferences" and ref.half:
                    raise ProblemError(f"{name}[{i}].half", "wishes are for whole blocks")
                if name == "fixed" and ref.half:
                    trainee = self.trainee(ref.trainee)
                    if ref.rotation not in self.half_eligible(trainee):
                        raise ProblemError(
                            f"{name}[{i}].half",
                            f"{trainee.label} may take {self.rotation(ref.rotation or '').label} "
                            "only for whole blocks",
                        )
        self._validate_history(trainees, rotations)
        for i, load in enumerate(self.load):
            _known(load.rotation, rotations, f"load[{i}].rotation", "rotation")
            if load.block > self.blocks:
                raise ProblemError(f"load[{i}].block", f"must be between 1 and {self.blocks}")
        for i, t in enumerate(self.trainees):
            if not self.eligible(t):
                raise ProblemError(
                    f"trainees[{i}]",
                    f"{t.label} (PGY-{t.pgy}) is eligible for no rotation of "
                    f"{self.program_label(t.program)}",
                )

    def _validate_history(self, trainees: set[str], rotations: set[str]) -> None:
        """History and base cells name known trainees, rotations and blocks, once each. Their
        rotations need not be eligible now: the past stays what it was."""
        for name in ("history", "base"):
            seen: set[tuple[str, int, int]] = set()
            for i, ref in enumerate(getattr(self, name)):
                path = f"{name}[{i}]"
                _known(ref.trainee, trainees, f"{path}.trainee", "trainee")
                if ref.block is None:
                    raise ProblemError(f"{path}.block", "is required")
                if ref.block > self.blocks:
                    raise ProblemError(f"{path}.block", f"must be between 1 and {self.blocks}")
                if ref.rotation is not None:
                    _known(ref.rotation, rotations, f"{path}.rotation", "rotation")
                for k in HALVES if not ref.half else (ref.half,):
                    if (ref.trainee, ref.block, k) in seen:
                        raise ProblemError(path, f"{self.when(ref.block, k)} is given twice")
                    seen.add((ref.trainee, ref.block, k))
        past = self.past()
        for i, ref in enumerate(self.history):
            if not ref.half:
                continue
            other = 3 - ref.half
            trainee = self.trainee(ref.trainee)
            if (ref.trainee, ref.block or 0, other) not in past and not self.half_eligible(trainee):
                raise ProblemError(
                    f"history[{i}]",
                    f"only {self.when(ref.block or 0, ref.half)} is history, and "
                    f"{trainee.label} may take no rotation for half a block: give the other "
                    "half as history too",
                )


def _unique(values: Iterable[str], path: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ProblemError(f"{path}[{i}].id", f"duplicate id {value!r}")
        seen.add(value)


def _known(value: str, known: set[str], path: str, what: str) -> None:
    if value not in known:
        raise ProblemError(path, f"unknown {what} {value!r}")
