"""The mentor-matching problem as validated dataclasses, JSON both ways.

Attributes (interests, languages, career paths, identities) are opaque labels: the caller passes
them as people should read them ("global health", "Spanish", "URiM"), and explanations quote them.
Every error names the JSON path (`mentees[3].wishes[0].kind`) so a person can fix the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rounds.engine import readers as read
from rounds.engine.errors import ProblemError

# What a wish can ask of a mentor, and the mentor attribute it is checked against.
WISH_KINDS = ("identity", "language", "specialty", "career_path", "interest", "kind")
STRENGTHS = ("must", "must_not", "prefer")
MODES = ("auto", "stable", "optimal")
MENTOR_KINDS = ("faculty", "trainee")


def _id(d: dict[str, Any], key: str, path: str) -> str:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise ProblemError(f"{path}.{key}", "must be a non-empty string or integer")
    return str(value)


def _labels(d: dict[str, Any], key: str, path: str) -> frozenset[str]:
    out = set()
    for i, item in enumerate(read.items(d.get(key), f"{path}.{key}")):
        if not isinstance(item, str) or not item.strip():
            raise ProblemError(f"{path}.{key}[{i}]", "must be a non-empty string")
        out.add(item.strip())
    return frozenset(out)


def _ids(d: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    out: list[str] = []
    for i, item in enumerate(read.items(d.get(key), f"{path}.{key}")):
        if isinstance(item, bool) or not isinstance(item, str | int) or item == "":
            raise ProblemError(f"{path}.{key}[{i}]", "must be an id (string or integer)")
        if str(item) in out:
            raise ProblemError(f"{path}.{key}[{i}]", f"{item!r} is listed twice")
        out.append(str(item))
    return tuple(out)


def _ratings(d: dict[str, Any], path: str) -> dict[str, int]:
    raw = read.obj(d.get("ratings") or {}, f"{path}.ratings")
    out: dict[str, int] = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ProblemError(f"{path}.ratings.{key}", "must be a whole number from 1 to 5")
        out[str(key)] = value
    return out


@dataclass(frozen=True)
class Wish:
    """What a mentee asks of a mentor: `must` filters, `must_not` excludes, `prefer` adds fit."""

    kind: str
    value: str
    strength: str = "prefer"

    @classmethod
    def from_json(cls, data: Any, path: str) -> Wish:
        d = read.obj(data, path)
        kind = d.get("kind")
        if kind not in WISH_KINDS:
            raise ProblemError(f"{path}.kind", f"must be one of {', '.join(WISH_KINDS)}")
        value = d.get("value")
        if not isinstance(value, str) or not value.strip():
            raise ProblemError(f"{path}.value", "must be a non-empty string")
        strength = d.get("strength", "prefer")
        if strength not in STRENGTHS:
            raise ProblemError(f"{path}.strength", f"must be one of {', '.join(STRENGTHS)}")
        if kind == "kind" and value not in MENTOR_KINDS:
            raise ProblemError(f"{path}.value", f"must be one of {', '.join(MENTOR_KINDS)}")
        return cls(kind, value.strip(), strength)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "strength": self.strength}


@dataclass(frozen=True)
class Mentor:
    id: str
    capacity: int
    kind: str = "faculty"
    specialty: str | None = None
    interests: frozenset[str] = frozenset()
    career_paths: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    identities: frozenset[str] = frozenset()
    ranking: tuple[str, ...] = ()  # mentee ids, best first
    ratings: dict[str, int] = field(default_factory=dict)  # mentee id -> 1..5
    excluded: tuple[str, ...] = ()  # mentees this mentor must not be given

    @classmethod
    def from_json(cls, data: Any, path: str) -> Mentor:
        d = read.obj(data, path)
        capacity = d.get("capacity", 1)
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
            raise ProblemError(f"{path}.capacity", "must be a whole number, 0 or more")
        kind = d.get("kind", "faculty")
        if kind not in MENTOR_KINDS:
            raise ProblemError(f"{path}.kind", f"must be one of {', '.join(MENTOR_KINDS)}")
        specialty = d.get("specialty")
        if specialty is not None and not isinstance(specialty, str):
            raise ProblemError(f"{path}.specialty", "must be a string or null")
        return cls(
            id=_id(d, "id", path),
            capacity=capacity,
            kind=kind,
            specialty=specialty or None,
            interests=_labels(d, "interests", path),
            career_paths=_labels(d, "career_paths", path),
            languages=_labels(d, "languages", path),
            identities=_labels(d, "identities", path),
            ranking=_ids(d, "ranking", path),
            ratings=_ratings(d, path),
            excluded=_ids(d, "excluded", path),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "capacity": self.capacity,
            "kind": self.kind,
            "specialty": self.specialty,
            "interests": sorted(self.interests),
            "career_paths": sorted(self.career_paths),
            "languages": sorted(self.languages),
            "identities": sorted(self.identities),
            "ranking": list(self.ranking),
            "ratings": dict(self.ratings),
            "excluded": list(self.excluded),
        }

    def attribute(self, kind: str) -> frozenset[str]:
        """The labels a wish of `kind` is checked against."""
        if kind == "specialty":
            return frozenset([self.specialty]) if self.specialty else frozenset()
        if kind == "kind":
            return frozenset([self.kind])
        if kind == "career_path":
            return self.career_paths
        return getattr(
            self, {"identity": "identities", "language": "languages"}.get(kind, kind + "s")
        )


@dataclass(frozen=True)
class Mentee:
    id: str
    specialty: str | None = None
    interests: frozenset[str] = frozenset()
    career_paths: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    wishes: tuple[Wish, ...] = ()
    ranking: tuple[str, ...] = ()  # mentor ids, best first
    ratings: dict[str, int] = field(default_factory=dict)  # mentor id -> 1..5
    excluded: tuple[str, ...] = ()  # mentors this mentee must not be given

    @classmethod
    def from_json(cls, data: Any, path: str) -> Mentee:
        d = read.obj(data, path)
        specialty = d.get("specialty")
        if specialty is not None and not isinstance(specialty, str):
            raise ProblemError(f"{path}.specialty", "must be a string or null")
        wishes = tuple(
            Wish.from_json(w, f"{path}.wishes[{i}]")
            for i, w in enumerate(read.items(d.get("wishes"), f"{path}.wishes"))
        )
        return cls(
            id=_id(d, "id", path),
            specialty=specialty or None,
            interests=_labels(d, "interests", path),
            career_paths=_labels(d, "career_paths", path),
            languages=_labels(d, "languages", path),
            wishes=wishes,
            ranking=_ids(d, "ranking", path),
            ratings=_ratings(d, path),
            excluded=_ids(d, "excluded", path),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "specialty": self.specialty,
            "interests": sorted(self.interests),
            "career_paths": sorted(self.career_paths),
            "languages": sorted(self.languages),
            "wishes": [w.to_json() for w in self.wishes],
            "ranking": list(self.ranking),
            "ratings": dict(self.ratings),
            "excluded": list(self.excluded),
        }


@dataclass(frozen=True)
class Problem:
    mentees: tuple[Mentee, ...]
    mentors: tuple[Mentor, ...]
    # auto: stable matching when every mentee and every mentor ranked, else optimal fit + fairness
    mode: str = "auto"
    # pairs already agreed (kept by hand or from an earlier cycle): they use capacity, never move
    pinned: tuple[tuple[str, str], ...] = ()
    common_language: str = "English"  # sharing it is not worth mentioning

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.mode not in MODES:
            raise ProblemError("mode", f"must be one of {', '.join(MODES)}")
        mentee_ids = _unique([m.id for m in self.mentees], "mentees")
        mentor_ids = _unique([m.id for m in self.mentors], "mentors")
        for i, mentee in enumerate(self.mentees):
            for key in ("ranking", "excluded"):
                for j, ref in enumerate(getattr(mentee, key)):
                    if ref not in mentor_ids:
                        raise ProblemError(f"mentees[{i}].{key}[{j}]", f"no mentor with id {ref!r}")
            for ref in mentee.ratings:
                if ref not in mentor_ids:
                    raise ProblemError(f"mentees[{i}].ratings.{ref}", f"no mentor with id {ref!r}")
        for i, mentor in enumerate(self.mentors):
            for key in ("ranking", "excluded"):
                for j, ref in enumerate(getattr(mentor, key)):
                    if ref not in mentee_ids:
                        raise ProblemError(f"mentors[{i}].{key}[{j}]", f"no mentee with id {ref!r}")
            for ref in mentor.ratings:
                if ref not in mentee_ids:
                    raise ProblemError(f"mentors[{i}].ratings.{ref}", f"no mentee with id {ref!r}")
        seen: set[str] = set()
        load: dict[str, int] = {}
        capacity = {m.id: m.capacity for m in self.mentors}
        for i, (mentee_id, mentor_id) in enumerate(self.pinned):
            if mentee_id not in mentee_ids:
                raise ProblemError(f"pinned[{i}][0]", f"no mentee with id {mentee_id!r}")
            if mentor_id not in mentor_ids:
                raise ProblemError(f"pinned[{i}][1]", f"no mentor with id {mentor_id!r}")
            if mentee_id in seen:
                raise ProblemError(f"pinned[{i}][0]", f"mentee {mentee_id!r} is pinned twice")
            seen.add(mentee_id)
            load[mentor_id] = load.get(mentor_id, 0) + 1
            if load[mentor_id] > capacity[mentor_id]:
                raise ProblemError(
                    f"pinned[{i}][1]",
                    f"mentor {mentor_id!r} is pinned to more mentees than their capacity",
                )

    @classmethod
    def from_json(cls, data: Any) -> Problem:
        d = read.obj(data, "")
        mentees = tuple(
            Mentee.from_json(m, f"mentees[{i}]")
            for i, m in enumerate(read.items(d.get("mentees"), "mentees"))
        )
        mentors = tuple(
            Mentor.from_json(m, f"mentors[{i}]")
            for i, m in enumerate(read.items(d.get("mentors"), "mentors"))
        )
        pinned: list[tuple[str, str]] = []
        for i, pair in enumerate(read.items(d.get("pinned"), "pinned")):
            if not isinstance(pair, list) or len(pair) != 2:
                raise ProblemError(f"pinned[{i}]", "must be a [mentee id, mentor id] pair")
            pinned.append((str(pair[0]), str(pair[1])))
        language = d.get("common_language", "English")
        if not isinstance(language, str):
            raise ProblemError("common_language", "must be a string")
        return cls(mentees, mentors, d.get("mode", "auto"), tuple(pinned), language)

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "common_language": self.common_language,
            "mentees": [m.to_json() for m in self.mentees],
            "mentors": [m.to_json() for m in self.mentors],
            "pinned": [list(p) for p in self.pinned],
        }

    @property
    def resolved_mode(self) -> str:
        if self.mode != "auto":
            return self.mode
        everyone_ranked = all(m.ranking for m in self.mentees) and all(
            m.ranking for m in self.mentors if m.capacity > 0
        )
        return "stable" if everyone_ranked and self.mentees else "optimal"


def _unique(ids: list[str], path: str) -> set[str]:
    seen: set[str] = set()
    for i, ident in enumerate(ids):
        if ident in seen:
            raise ProblemError(f"{path}[{i}].id", f"{ident!r} is used twice")
        seen.add(ident)
    return seen
