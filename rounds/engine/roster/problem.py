"""The roster problem as validated dataclasses, JSON both ways.

Every location in an error names the JSON path (`shifts[2].length`), so a person can fix the file.
Days are indices from the horizon start (0 = first day); JSON also accepts ISO dates for them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rounds.engine import readers as read
from rounds.engine.errors import ProblemError

SHIFT_KINDS = (
    "in_house_clinical",
    "in_house_call",
    "night_float",
    "home_call",
    "clinic",
    "education",
)
MOONLIGHTING = (None, "internal", "external")
RULE_FAMILIES = (
    "shifts",  # number of shifts (of one type, or all) over the horizon
    "minutes",  # total minutes worked over the horizon
    "weekends",  # weekends worked (Saturday or Sunday)
    "consecutive_days",  # run length of consecutive working days
    "consecutive_shift",  # run length of consecutive days on one shift type
    "consecutive_days_off",  # run length of consecutive days off
)
FAIRNESS_MEASURES = ("calls", "nights", "weekends", "holidays", "shifts")


# ---------------------------------------------------------------- small JSON readers


# ---------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Person:
    id: str
    name: str = ""
    pgy: int | None = None  # None: not a trainee, the ACGME rules do not apply
    skills: tuple[str, ...] = ()
    group: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Person:
        skills = read.items(d.get("skills"), f"{path}.skills")
        if not all(isinstance(s, str) for s in skills):
            raise ProblemError(f"{path}.skills", "must be a list of strings")
        return cls(
            id=read.text(d, "id", path),
            name=d.get("name") or "",
            pgy=read.optional_integer(d, "pgy", path, minimum=1),
            skills=tuple(skills),
            group=read.optional_text(d, "group", path),
        )


@dataclass(frozen=True)
class ShiftType:
    id: str
    start: str = "00:00"  # local wall-clock time "HH:MM"
    length: int = 480  # minutes
    kind: str = "in_house_clinical"
    name: str = ""
    moonlighting: str | None = None  # "internal" / "external": PGY-1 may not work it
    requires: tuple[str, ...] = ()  # skills a person needs to work it

    @property
    def start_minutes(self) -> int:
        hours, minutes = self.start.split(":")
        return int(hours) * 60 + int(minutes)

    @property
    def label(self) -> str:
        return self.name or self.id

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> ShiftType:
        start = d.get("start", "00:00")
        try:
            hours, minutes = str(start).split(":")
            ok = 0 <= int(hours) < 24 and 0 <= int(minutes) < 60
        except ValueError:
            ok = False
        if not ok:
            raise ProblemError(f"{path}.start", "must be a time HH:MM")
        kind = d.get("kind", "in_house_clinical")
        if kind not in SHIFT_KINDS:
            raise ProblemError(f"{path}.kind", f"must be one of {', '.join(SHIFT_KINDS)}")
        moon = d.get("moonlighting")
        if moon not in MOONLIGHTING:
            raise ProblemError(f"{path}.moonlighting", "must be null, internal or external")
        length = read.integer(d, "length", path, minimum=1)
        if length > 48 * 60:
            raise ProblemError(f"{path}.length", "must be at most 2880 minutes (48 hours)")
        requires = read.items(d.get("requires"), f"{path}.requires")
        if not all(isinstance(s, str) for s in requires):
            raise ProblemError(f"{path}.requires", "must be a list of strings")
        return cls(
            id=read.text(d, "id", path),
            requires=tuple(requires),
            start=f"{int(hours):02d}:{int(minutes):02d}",
            length=length,
            kind=kind,
            name=d.get("name") or "",
            moonlighting=moon,
        )


@dataclass(frozen=True)
class Horizon:
    start: dt.date
    days: int
    timezone: str = "UTC"

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def is_weekend(self, day: int) -> bool:
        return self.date(day).weekday() >= 5

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Horizon:
        tz = d.get("timezone", "UTC")
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            raise ProblemError(f"{path}.timezone", f"unknown time zone {tz!r}") from None
        return cls(
            start=read.iso_date(d.get("start"), f"{path}.start"),
            days=read.integer(d, "days", path, minimum=1),
            timezone=tz,
        )


@dataclass(frozen=True)
class Coverage:
    """How many people a shift needs on some days; hard min/max, soft `required` with weights."""

    shift: str
    days: tuple[int, ...] | None = None  # None: every day
    required: int | None = None
    min: int | None = None
    max: int | None = None
    weight_under: int = 100
    weight_over: int = 1

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Coverage:
        return cls(
            shift=read.text(d, "shift", path),
            days=_days(d.get("days"), f"{path}.days"),
            required=read.optional_integer(d, "required", path),
            min=read.optional_integer(d, "min", path),
            max=read.optional_integer(d, "max", path),
            weight_under=read.integer(d, "weight_under", path, default=100, minimum=0),
            weight_over=read.integer(d, "weight_over", path, default=1, minimum=0),
        )


@dataclass(frozen=True)
class Mix:
    """At least `min` people with a skill and/or a PGY level on a shift (a PGY-2+ every night)."""

    id: str
    shift: str
    min: int = 1
    days: tuple[int, ...] | None = None
    skill: str | None = None
    min_pgy: int | None = None
    weight: int | None = None  # None: hard

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Mix:
        mix = cls(
            id=read.text(d, "id", path),
            shift=read.text(d, "shift", path),
            min=read.integer(d, "min", path, default=1, minimum=0),
            days=_days(d.get("days"), f"{path}.days"),
            skill=read.optional_text(d, "skill", path),
            min_pgy=read.optional_integer(d, "min_pgy", path, minimum=1),
            weight=read.weight(d, "weight", path),
        )
        if mix.skill is None and mix.min_pgy is None:
            raise ProblemError(path, "needs a skill or a min_pgy")
        return mix

    def qualifies(self, person: Person) -> bool:
        if self.skill is not None and self.skill not in person.skills:
            return False
        return self.min_pgy is None or (person.pgy is not None and person.pgy >= self.min_pgy)


@dataclass(frozen=True)
class Leave:
    person: str
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Leave:
        leave = cls(
            person=read.text(d, "person", path),
            start=read.iso_date(d.get("start"), f"{path}.start"),
            end=read.iso_date(d.get("end"), f"{path}.end"),
        )
        if leave.end < leave.start:
            raise ProblemError(f"{path}.end", "must not be before start")
        return leave


@dataclass(frozen=True)
class DayRef:
    """A person on a day, optionally one shift: days off, fixed assignments, requests."""

    person: str
    day: int
    shift: str | None = None
    weight: int | None = None  # requests only: the cost of not granting it

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> DayRef:
        return cls(
            person=read.text(d, "person", path),
            day=_day(d.get("day"), f"{path}.day"),
            shift=read.optional_text(d, "shift", path),
            weight=read.weight(d, "weight", path),
        )


@dataclass(frozen=True)
class Succession:
    """Shift `second` may not follow shift `first` on the next day."""

    first: str
    second: str
    weight: int | None = None

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Succession:
        return cls(
            first=read.text(d, "first", path),
            second=read.text(d, "second", path),
            weight=read.weight(d, "weight", path),
        )


@dataclass(frozen=True)
class Scope:
    """Who a rule applies to: listed people, one group, or (both empty) everyone."""

    people: tuple[str, ...] | None = None
    group: str | None = None

    def includes(self, person: Person) -> bool:
        if self.people is not None and person.id not in self.people:
            return False
        return self.group is None or person.group == self.group

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Scope:
        people = d.get("people")
        if people is not None:
            people = tuple(read.items(people, f"{path}.people"))
        return cls(people=people, group=read.optional_text(d, "group", path))


@dataclass(frozen=True)
class Rest:
    """At least `hours` between the end of one shift and the start of the next."""

    id: str
    hours: float
    scope: Scope = field(default_factory=Scope)
    weight: int | None = None

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Rest:
        return cls(
            id=read.text(d, "id", path),
            hours=read.number(d, "hours", path, 0),
            scope=Scope.parse(d, path),
            weight=read.weight(d, "weight", path),
        )


@dataclass(frozen=True)
class Rule:
    """A counted or sequence rule with hard and soft bounds, as in OR-Tools shift_scheduling_sat.

    Hard bounds must hold; soft bounds cost `min_weight` per unit below `soft_min` and
    `max_weight` per unit above `soft_max` (per violating run for the consecutive families).
    """

    id: str
    family: str
    scope: Scope = field(default_factory=Scope)
    shift: str | None = None
    hard_min: int | None = None
    soft_min: int | None = None
    soft_max: int | None = None
    hard_max: int | None = None
    min_weight: int = 1
    max_weight: int = 1

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Rule:
        family = d.get("family")
        if family not in RULE_FAMILIES:
            raise ProblemError(f"{path}.family", f"must be one of {', '.join(RULE_FAMILIES)}")
        rule = cls(
            id=read.text(d, "id", path),
            family=family,
            scope=Scope.parse(d, path),
            shift=read.optional_text(d, "shift", path),
            hard_min=read.optional_integer(d, "hard_min", path),
            soft_min=read.optional_integer(d, "soft_min", path),
            soft_max=read.optional_integer(d, "soft_max", path),
            hard_max=read.optional_integer(d, "hard_max", path),
            min_weight=read.integer(d, "min_weight", path, default=1, minimum=0),
            max_weight=read.integer(d, "max_weight", path, default=1, minimum=0),
        )
        if family == "consecutive_shift" and rule.shift is None:
            raise ProblemError(f"{path}.shift", "is required for consecutive_shift")
        if (
            rule.hard_min is not None
            and rule.hard_max is not None
            and rule.hard_min > rule.hard_max
        ):
            raise ProblemError(f"{path}.hard_max", "must not be below hard_min")
        return rule


@dataclass(frozen=True)
class Fairness:
    """Balance a measure across a peer group: cost `weight` per unit of (max - min)."""

    id: str
    measure: str
    scope: Scope = field(default_factory=Scope)
    weight: int | None = 1
    max_spread: int | None = None  # hard bound on max - min
    history: dict[str, int] = field(default_factory=dict)  # earlier schedules, carried in

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Fairness:
        measure = d.get("measure")
        if measure not in FAIRNESS_MEASURES:
            raise ProblemError(f"{path}.measure", f"must be one of {', '.join(FAIRNESS_MEASURES)}")
        history = read.obj(d.get("history", {}), f"{path}.history")
        for key, value in history.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ProblemError(f"{path}.history.{key}", "must be an integer at least 0")
        return cls(
            id=read.text(d, "id", path),
            measure=measure,
            scope=Scope.parse(d, path),
            weight=read.weight(d, "weight", path),
            max_spread=read.optional_integer(d, "max_spread", path),
            history=dict(history),
        )


@dataclass(frozen=True)
class Rotation:
    person: str
    name: str
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Rotation:
        return cls(
            person=read.text(d, "person", path),
            name=read.text(d, "name", path),
            start=read.iso_date(d.get("start"), f"{path}.start"),
            end=read.iso_date(d.get("end"), f"{path}.end"),
        )


@dataclass(frozen=True)
class Acgme:
    """The ACGME work-hour rules, hard for every person with a PGY level (docs/scheduling.md)."""

    enabled: bool = True
    weekly_limit_hours: int = 80
    rest_8h_weight: int | None = 5  # None: hard; the rule is a "should", so soft by default

    @classmethod
    def parse(cls, d: dict[str, Any], path: str) -> Acgme:
        limit = read.integer(d, "weekly_limit_hours", path, default=80, minimum=1)
        if limit > 88:
            raise ProblemError(f"{path}.weekly_limit_hours", "must be at most 88")
        return cls(
            enabled=bool(d.get("enabled", True)),
            weekly_limit_hours=limit,
            rest_8h_weight=read.weight(d, "rest_8h_weight", path) if "rest_8h_weight" in d else 5,
        )


def _day(value: Any, path: str) -> int:
    if isinstance(value, str):
        # A date; resolved against the horizon being parsed (set by Problem.from_json).
        assert _HORIZON_START[0] is not None
        return (read.iso_date(value, path) - _HORIZON_START[0]).days
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProblemError(path, "must be a day index or a date YYYY-MM-DD")
    return value


_HORIZON_START: list[dt.date | None] = [None]


def _days(value: Any, path: str) -> tuple[int, ...] | None:
    if value is None:
        return None
    return tuple(_day(v, f"{path}[{i}]") for i, v in enumerate(read.items(value, path)))


@dataclass(frozen=True)
class Problem:
    horizon: Horizon
    people: tuple[Person, ...]
    shifts: tuple[ShiftType, ...]
    coverage: tuple[Coverage, ...] = ()
    mix: tuple[Mix, ...] = ()
    leave: tuple[Leave, ...] = ()
    days_off: tuple[DayRef, ...] = ()
    fixed: tuple[DayRef, ...] = ()
    requests_on: tuple[DayRef, ...] = ()
    requests_off: tuple[DayRef, ...] = ()
    successions: tuple[Succession, ...] = ()
    rest: tuple[Rest, ...] = ()
    rules: tuple[Rule, ...] = ()
    fairness: tuple[Fairness, ...] = ()
    holidays: tuple[dt.date, ...] = ()
    rotations: tuple[Rotation, ...] = ()
    acgme: Acgme = field(default_factory=Acgme)
    max_shifts_per_day: int = 1
    name: str = ""

    # ------------------------------------------------------------ lookups

    def shift(self, shift_id: str) -> ShiftType:
        return next(s for s in self.shifts if s.id == shift_id)

    def person(self, person_id: str) -> Person:
        return next(p for p in self.people if p.id == person_id)

    def shift_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.shifts)}

    def person_index(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.people)}

    def leave_days(self, person_id: str) -> set[int]:
        days: set[int] = set()
        for leave in self.leave:
            if leave.person == person_id:
                first = self.horizon.day_of(leave.start)
                last = self.horizon.day_of(leave.end)
                days.update(range(first, last + 1))
        return days

    # ------------------------------------------------------------ JSON

    @classmethod
    def from_json(cls, data: Any) -> Problem:
        root = read.obj(data, "")
        horizon = Horizon.parse(read.obj(root.get("horizon"), "horizon"), "horizon")
        _HORIZON_START[0] = horizon.start
        try:
            problem = cls._parse(root, horizon)
        finally:
            _HORIZON_START[0] = None
        problem.validate()
        return problem

    @classmethod
    def _parse(cls, root: dict[str, Any], horizon: Horizon) -> Problem:
        acgme = root.get("acgme")
        return cls(
            horizon=horizon,
            people=tuple(read.each(root.get("people"), "people", Person.parse)),
            shifts=tuple(read.each(root.get("shifts"), "shifts", ShiftType.parse)),
            coverage=tuple(read.each(root.get("coverage"), "coverage", Coverage.parse)),
            mix=tuple(read.each(root.get("mix"), "mix", Mix.parse)),
            leave=tuple(read.each(root.get("leave"), "leave", Leave.parse)),
            days_off=tuple(read.each(root.get("days_off"), "days_off", DayRef.parse)),
            fixed=tuple(read.each(root.get("fixed"), "fixed", DayRef.parse)),
            requests_on=tuple(read.each(root.get("requests_on"), "requests_on", DayRef.parse)),
            requests_off=tuple(read.each(root.get("requests_off"), "requests_off", DayRef.parse)),
            successions=tuple(read.each(root.get("successions"), "successions", Succession.parse)),
            rest=tuple(read.each(root.get("rest"), "rest", Rest.parse)),
            rules=tuple(read.each(root.get("rules"), "rules", Rule.parse)),
            fairness=tuple(read.each(root.get("fairness"), "fairness", Fairness.parse)),
            holidays=tuple(
                read.iso_date(v, f"holidays[{i}]")
                for i, v in enumerate(read.items(root.get("holidays"), "holidays"))
            ),
            rotations=tuple(read.each(root.get("rotations"), "rotations", Rotation.parse)),
            acgme=Acgme.parse(read.obj(acgme, "acgme"), "acgme") if acgme is not None else Acgme(),
            max_shifts_per_day=read.integer(root, "max_shifts_per_day", "", default=1, minimum=1),
            name=root.get("name") or "",
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Problem:
        return cls.from_json(read.load_json(path))

    def to_json(self) -> dict[str, Any]:
        def convert(value: Any) -> Any:
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [convert(v) for v in value]
            return value

        out: dict[str, Any] = convert(asdict(self))
        # Scopes are written flat, as they are read.
        for key in ("rest", "rules", "fairness"):
            for item in out[key]:
                item.update(item.pop("scope"))
        return out

    # ------------------------------------------------------------ validation

    def validate(self) -> None:
        """Cross-field checks; each names the field a person must fix."""
        _unique((p.id for p in self.people), "people", "id")
        _unique((s.id for s in self.shifts), "shifts", "id")
        if not self.people:
            raise ProblemError("people", "must not be empty")
        if not self.shifts:
            raise ProblemError("shifts", "must not be empty")
        people = {p.id for p in self.people}
        shifts = {s.id for s in self.shifts}
        days = self.horizon.days
        for i, c in enumerate(self.coverage):
            _check_shift(c.shift, shifts, f"coverage[{i}].shift")
            _check_days(c.days, days, f"coverage[{i}].days")
            if c.min is not None and c.max is not None and c.min > c.max:
                raise ProblemError(f"coverage[{i}].max", "must not be below min")
        for i, m in enumerate(self.mix):
            _check_shift(m.shift, shifts, f"mix[{i}].shift")
            _check_days(m.days, days, f"mix[{i}].days")
        for i, leave in enumerate(self.leave):
            _check_person(leave.person, people, f"leave[{i}].person")
        for name, refs in (
            ("days_off", self.days_off),
            ("fixed", self.fixed),
            ("requests_on", self.requests_on),
            ("requests_off", self.requests_off),
        ):
            self._check_refs(name, refs, people, shifts)
        for i, f in enumerate(self.fixed):
            if f.shift is None:
                raise ProblemError(f"fixed[{i}].shift", "is required")
        for i, s in enumerate(self.successions):
            _check_shift(s.first, shifts, f"successions[{i}].first")
            _check_shift(s.second, shifts, f"successions[{i}].second")
        scoped: list[tuple[str, tuple[Rest | Rule | Fairness, ...]]] = [
            ("rest", self.rest),
            ("rules", self.rules),
            ("fairness", self.fairness),
        ]
        for name, items in scoped:
            for i, item in enumerate(items):
                for pid in item.scope.people or ():
                    _check_person(pid, people, f"{name}[{i}].people")
        for i, r in enumerate(self.rules):
            if r.shift is not None:
                _check_shift(r.shift, shifts, f"rules[{i}].shift")
        for i, rot in enumerate(self.rotations):
            _check_person(rot.person, people, f"rotations[{i}].person")
            if rot.end < rot.start:
                raise ProblemError(f"rotations[{i}].end", "must not be before start")

    def _check_refs(
        self, name: str, refs: Iterable[DayRef], people: set[str], shifts: set[str]
    ) -> None:
        for i, ref in enumerate(refs):
            _check_person(ref.person, people, f"{name}[{i}].person")
            _check_days((ref.day,), self.horizon.days, f"{name}[{i}].day")
            if ref.shift is not None:
                _check_shift(ref.shift, shifts, f"{name}[{i}].shift")


def _unique(values: Iterable[str], path: str, key: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ProblemError(f"{path}[{i}].{key}", f"duplicate id {value!r}")
        seen.add(value)


def _check_shift(shift: str, shifts: set[str], path: str) -> None:
    if shift not in shifts:
        raise ProblemError(path, f"unknown shift {shift!r}")


def _check_person(person: str, people: set[str], path: str) -> None:
    if person not in people:
        raise ProblemError(path, f"unknown person {person!r}")


def _check_days(days: tuple[int, ...] | None, horizon_days: int, path: str) -> None:
    for day in days or ():
        if not 0 <= day < horizon_days:
            raise ProblemError(path, f"day {day} is outside the horizon (0-{horizon_days - 1})")
