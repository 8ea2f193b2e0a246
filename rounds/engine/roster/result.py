"""What a solve returns: its status, the assignments, totals per person, what was bent."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rounds.engine import readers as read
from rounds.engine.errors import ProblemError
from rounds.engine.roster.model import is_night
from rounds.engine.roster.problem import Problem


class Status(enum.StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Assignment:
    person: str
    day: int
    shift: str

    def to_json(self) -> dict[str, Any]:
        return {"person": self.person, "day": self.day, "shift": self.shift}


@dataclass
class Result:
    status: Status
    objective: float | None = None
    best_bound: float | None = None
    wall_time: float = 0.0
    time_to_first_feasible: float | None = None
    assignments: list[Assignment] = field(default_factory=list)
    totals: dict[str, dict[str, float]] = field(default_factory=dict)
    bent: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    changes: dict[str, dict[str, list[str]]] | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def has_schedule(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status.value,
            "objective": self.objective,
            "best_bound": self.best_bound,
            "wall_time": round(self.wall_time, 3),
            "time_to_first_feasible": None
            if self.time_to_first_feasible is None
            else round(self.time_to_first_feasible, 3),
            "assignments": [a.to_json() for a in self.assignments],
            "totals": self.totals,
            "bent": self.bent,
            "findings": self.findings,
            "explanation": self.explanation,
            "stats": self.stats,
        }
        if self.changes is not None:
            out["changes"] = self.changes
        return out

    @classmethod
    def from_json(cls, data: Any) -> Result:
        if not isinstance(data, dict):
            raise ProblemError("", "a result must be an object")
        try:
            status = Status(data.get("status", "unknown"))
        except ValueError:
            raise ProblemError(
                "status", "must be optimal, feasible, infeasible or unknown"
            ) from None
        assignments = []
        for i, item in enumerate(data.get("assignments") or []):
            try:
                assignments.append(
                    Assignment(str(item["person"]), int(item["day"]), str(item["shift"]))
                )
            except (KeyError, TypeError, ValueError):
                raise ProblemError(f"assignments[{i}]", "needs person, day and shift") from None
        return cls(
            status=status,
            objective=data.get("objective"),
            best_bound=data.get("best_bound"),
            wall_time=float(data.get("wall_time") or 0.0),
            time_to_first_feasible=data.get("time_to_first_feasible"),
            assignments=assignments,
            totals=data.get("totals") or {},
            bent=data.get("bent") or [],
            findings=data.get("findings") or [],
            explanation=data.get("explanation") or [],
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Result:
        """An earlier result to start from; anything not written by `rounds solve` is refused
        as input (ProblemError on `--warm-start`), never a crash."""
        data = read.load_json(path, "--warm-start")
        try:
            return cls.from_json(data)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            raise ProblemError(f"--warm-start {path}", "not a result of rounds solve") from None


def totals(problem: Problem, assignments: list[Assignment]) -> dict[str, dict[str, float]]:
    """Per person: hours (nominal shift lengths), calls, nights, weekends worked, shifts."""
    shifts = {s.id: s for s in problem.shifts}
    out: dict[str, dict[str, float]] = {
        p.id: {"hours": 0.0, "calls": 0, "nights": 0, "weekends": 0, "shifts": 0}
        for p in problem.people
    }
    weekends: dict[str, set[int]] = {p.id: set() for p in problem.people}
    for a in assignments:
        shift = shifts[a.shift]
        row = out[a.person]
        row["shifts"] += 1
        if shift.kind != "home_call":
            row["hours"] += shift.length / 60
        row["calls"] += shift.kind in ("in_house_call", "home_call")
        row["nights"] += is_night(shift)
        if problem.horizon.is_weekend(a.day):
            # Key a weekend by its Saturday, so Saturday and Sunday count once.
            weekday = problem.horizon.date(a.day).weekday()
            weekends[a.person].add(a.day - (weekday - 5))
    for pid, keys in weekends.items():
        out[pid]["weekends"] = len(keys)
    for row in out.values():
        row["hours"] = round(row["hours"], 2)
    return out
