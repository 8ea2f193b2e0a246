"""Reading a milestone set from a file: validated whole before anything is written.

The format (docs/milestones.md has an example) is one JSON object per set:

    {"format": "rounds-milestones/1", "specialty": "140" | "internal-medicine" | null,
     "version": "2026", "title": "...", "effective_from": "2026-07-01",
     "includes_harmonized": "2026",            # specialty sets only, optional
     "competencies": [{"code": "PC", "title": "...",
                       "subcompetencies": [{"code": "PC1", "title": "...", "description": "...",
                                            "levels": ["...", "...", "...", "...", "..."]}]}]}

`specialty` null means the harmonized set every specialty shares. Every problem found is listed,
each with where it is (`competencies[1].subcompetencies[0].code`), and nothing is loaded unless
there is none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from rounds.core.models import Specialty
from rounds.milestones.models import COMPETENCY_ORDER, MilestoneSet, Subcompetency

FORMAT = "rounds-milestones/1"
TOP_KEYS = {
    "format",
    "specialty",
    "version",
    "title",
    "effective_from",
    "includes_harmonized",
    "competencies",
}
COMPETENCY_KEYS = {"code", "title", "subcompetencies"}
SUBCOMPETENCY_KEYS = {"code", "title", "description", "levels"}
LEVEL_COUNT = 5


class MilestoneFileError(Exception):
    """The file cannot be loaded; `problems` lists each one with where it is."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class SubcompetencyData:
    code: str
    title: str
    description: str
    levels: tuple[str, ...]


@dataclass(frozen=True)
class CompetencyData:
    code: str
    title: str
    subcompetencies: tuple[SubcompetencyData, ...]


@dataclass(frozen=True)
class MilestoneSetData:
    specialty: Specialty | None
    version: str
    title: str
    effective_from: date
    harmonized_set: MilestoneSet | None
    competencies: tuple[CompetencyData, ...]


def milestone_file_parse(text: str) -> MilestoneSetData:
    """The set described by `text` (the file's content), or MilestoneFileError."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MilestoneFileError(
            [f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"]
        ) from None
    return _Reader().read(raw)


class _Reader:
    """Walks the parsed JSON once, noting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def read(self, raw: Any) -> MilestoneSetData:
        if not isinstance(raw, dict):
            raise MilestoneFileError(["the file must hold one JSON object (a set), not a list"])
        self._unknown_keys(raw, TOP_KEYS, "the set")
        if raw.get("format") != FORMAT:
            self.fail("format", f'must be "{FORMAT}" (found {raw.get("format")!r})')
        specialty = self._specialty(raw.get("specialty"))
        version = self._text(raw, "version", "version", 40)
        title = self._text(raw, "title", "title", 200)
        effective = self._date(raw.get("effective_from"), "effective_from")
        harmonized = self._harmonized(raw, specialty)
        if specialty is not None or raw.get("specialty") is None:
            self._new_version(specialty, version)
        harmonized_codes = _codes_of(harmonized) if harmonized else {}
        competencies = self._competencies(raw.get("competencies"), harmonized_codes)
        if self.problems:
            raise MilestoneFileError(self.problems)
        assert effective is not None
        return MilestoneSetData(specialty, version, title, effective, harmonized, competencies)

    def _unknown_keys(self, raw: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(raw) - allowed):
            self.fail(where, f"unknown field {key!r} (allowed: {', '.join(sorted(allowed))})")

    def _text(self, raw: dict[str, Any], key: str, where: str, limit: int) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(where, "is required and must be text")
            return ""
        if len(value.strip()) > limit:
            self.fail(where, f"is {len(value.strip())} characters long; at most {limit}")
        return value.strip()

    def _date(self, value: Any, where: str) -> date | None:
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        self.fail(where, f"must be a date as YYYY-MM-DD (found {value!r})")
        return None

    def _specialty(self, value: Any) -> Specialty | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail("specialty", "must be an ACGME specialty code or slug, or null")
            return None
        key = value.strip()
        found = Specialty.objects.filter(acgme_code=key).first()
        found = found or Specialty.objects.filter(slug=key).first()
        if found is None:
            self.fail("specialty", f"no specialty has the ACGME code or slug {key!r}")
        return found

    def _harmonized(self, raw: dict[str, Any], specialty: Specialty | None) -> MilestoneSet | None:
        version = raw.get("includes_harmonized")
        if version is None:
            return None
        if raw.get("specialty") is None:
            self.fail("includes_harmonized", "only a specialty's set includes the harmonized set")
            return None
        found = MilestoneSet.objects.filter(specialty=None, version=str(version)).first()
        if found is None:
            known = ", ".join(
                MilestoneSet.objects.filter(specialty=None).values_list("version", flat=True)
            )
            self.fail(
                "includes_harmonized",
                f"no harmonized set of version {version!r} is loaded "
                f"(loaded: {known or 'none'}; load the harmonized file first)",
            )
        return found

    def _new_version(self, specialty: Specialty | None, version: str) -> None:
        if version and MilestoneSet.objects.filter(specialty=specialty, version=version).exists():
            whose = specialty.name if specialty else "the harmonized set"
            self.fail(
                "version",
                f"version {version!r} of {whose} is already loaded; a loaded set is never "
                "changed, so a revised file needs a new version",
            )

    def _competencies(self, value: Any, taken: dict[str, str]) -> tuple[CompetencyData, ...]:
        if not isinstance(value, list) or not value:
            self.fail("competencies", "must be a non-empty list")
            return ()
        seen_competencies: set[str] = set()
        codes = dict(taken)
        out = []
        for i, raw in enumerate(value):
            where = f"competencies[{i}]"
            if not isinstance(raw, dict):
                self.fail(where, "must be an object with code, title and subcompetencies")
                continue
            self._unknown_keys(raw, COMPETENCY_KEYS, where)
            code = self._text(raw, "code", f"{where}.code", 8)
            if code and code not in COMPETENCY_ORDER:
                self.fail(f"{where}.code", f"{code!r} is not one of {', '.join(COMPETENCY_ORDER)}")
            elif code in seen_competencies:
                self.fail(f"{where}.code", f"competency {code} appears twice")
            seen_competencies.add(code)
            title = self._text(raw, "title", f"{where}.title", 200)
            subs = self._subcompetencies(raw.get("subcompetencies"), where, code, codes)
            out.append(CompetencyData(code, title, subs))
        return tuple(out)

    def _subcompetencies(
        self, value: Any, parent: str, competency: str, codes: dict[str, str]
    ) -> tuple[SubcompetencyData, ...]:
        if not isinstance(value, list) or not value:
            self.fail(f"{parent}.subcompetencies", "must be a non-empty list")
            return ()
        out = []
        for i, raw in enumerate(value):
            where = f"{parent}.subcompetencies[{i}]"
            if not isinstance(raw, dict):
                self.fail(where, "must be an object with code, title, description and levels")
                continue
            self._unknown_keys(raw, SUBCOMPETENCY_KEYS, where)
            code = self._code(raw, where, competency, codes)
            title = self._text(raw, "title", f"{where}.title", 200)
            description = raw.get("description", "")
            if not isinstance(description, str):
                self.fail(f"{where}.description", "must be text")
                description = ""
            out.append(
                SubcompetencyData(code, title, description.strip(), self._levels(raw, where))
            )
        return tuple(out)

    def _code(self, raw: dict[str, Any], where: str, competency: str, codes: dict[str, str]) -> str:
        code = self._text(raw, "code", f"{where}.code", 12)
        if not code:
            return ""
        if competency and not re.fullmatch(rf"{re.escape(competency)}\d+", code):
            self.fail(f"{where}.code", f"{code!r} must be {competency} followed by a number")
        elif code in codes:
            self.fail(f"{where}.code", f"{code} is already used by {codes[code]}")
        codes[code] = where if not codes.get(code) else codes[code]
        return code

    def _levels(self, raw: dict[str, Any], where: str) -> tuple[str, ...]:
        levels = raw.get("levels", [])
        ok = isinstance(levels, list) and all(isinstance(t, str) and t.strip() for t in levels)
        if not ok or len(levels) not in (0, LEVEL_COUNT):
            self.fail(f"{where}.levels", f"must be a list of {LEVEL_COUNT} texts, levels 1 to 5")
            return ()
        return tuple(t.strip() for t in levels)


def _codes_of(milestone_set: MilestoneSet) -> dict[str, str]:
    """Codes the harmonized set already uses, so a specialty's file cannot reuse one."""
    rows = Subcompetency.objects.filter(competency__milestone_set=milestone_set)
    return {
        code: f"the harmonized set {milestone_set.version}"
        for code in rows.values_list("code", flat=True)
    }
