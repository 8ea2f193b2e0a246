"""Writes of teaching assignments: a grid cell, a whole file, a copy of the previous block.

Every write checks first and writes all or nothing, inside one transaction with its audit row.
The grid works by week (Monday to Sunday, cut at the block's edges); a file may also give single
days. A cell replaces the assignments of its rotation that lie inside its week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from rounds.assessment.errors import AssessmentError
from rounds.assessment.models import TeachingAssignment
from rounds.core.models import AuditEntry, Program
from rounds.imports import fields as f
from rounds.imports.fields import CellError
from rounds.imports.services import MAX_PROBLEMS, Problem
from rounds.imports.tables import UnreadableFile, read_table
from rounds.people.models import Faculty
from rounds.schedules.models import Block, Rotation, RotationProgram

IMPORT_COLUMNS = ("faculty_email", "rotation", "site", "first_day", "last_day")
REQUIRED_COLUMNS = ("faculty_email", "rotation", "first_day")
MAX_SPAN_DAYS = 62  # an attending span longer than two months is a typing error, not a plan


def _audit(
    *, by: Any, action: str, program: Program, summary: str, changes: dict[str, Any]
) -> None:
    AuditEntry.objects.create(
        actor=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        object_type="teachingassignment",
        object_id=str(program.pk),
        summary=summary[:300],
        changes=changes,
    )


def weeks_of(block: Block) -> list[tuple[date, date]]:
    """The block's weeks, Monday to Sunday, the first and last cut at the block's edges."""
    out = []
    start = block.start
    while start <= block.end:
        end = min(start + timedelta(days=6 - start.weekday()), block.end)
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def rotations_of(program: Program) -> list[Rotation]:
    """The rotations a program uses, excluding vacation (no one attends a vacation)."""
    ids = RotationProgram.objects.filter(program=program).values_list("rotation_id", flat=True)
    return list(
        Rotation.objects.filter(pk__in=ids, is_active=True)
        .exclude(kind=Rotation.Kind.VACATION)
        .select_related("site")
    )


def teaching_cell_set(
    *,
    program: Program,
    rotation: Rotation,
    first_day: date,
    last_day: date,
    faculty: list[Faculty],
    by: Any,
) -> None:
    """Make `faculty` the attendings of `rotation` from `first_day` to `last_day` (a week of
    the grid): assignments lying inside the span are replaced, others are cut around it."""
    if rotation not in rotations_of(program):
        raise AssessmentError(f"{rotation} is not one of {program}'s rotations.")
    if last_day < first_day:
        raise AssessmentError("The last day comes before the first.")
    with transaction.atomic():
        before = _cut_span(program, rotation, first_day, last_day)
        TeachingAssignment.objects.bulk_create(
            TeachingAssignment(
                program=program,
                faculty=member,
                rotation=rotation,
                first_day=first_day,
                last_day=last_day,
                created_by=by if getattr(by, "is_authenticated", False) else None,
            )
            for member in faculty
        )
        _audit(
            by=by,
            action="teaching_set",
            program=program,
            summary=f"Attending on {rotation.name} {first_day}–{last_day}: "
            + (", ".join(m.person.full_name for m in faculty) or "nobody"),
            changes={"before": before, "after": [m.pk for m in faculty]},
        )


def _cut_span(program: Program, rotation: Rotation, first: date, last: date) -> list[int]:
    """Remove the span from the rotation's assignments; returns the faculty who held it."""
    held = []
    rows = TeachingAssignment.objects.select_for_update().filter(
        program=program, rotation=rotation, first_day__lte=last, last_day__gte=first
    )
    for row in rows:
        held.append(row.faculty_id)
        if row.first_day < first and row.last_day > last:
            TeachingAssignment.objects.create(
                program=program,
                faculty_id=row.faculty_id,
                rotation=rotation,
                first_day=last + timedelta(days=1),
                last_day=row.last_day,
                created_by=row.created_by,
            )
            row.last_day = first - timedelta(days=1)
            row.save(update_fields=["last_day"])
        elif row.first_day < first:
            row.last_day = first - timedelta(days=1)
            row.save(update_fields=["last_day"])
        elif row.last_day > last:
            row.first_day = last + timedelta(days=1)
            row.save(update_fields=["first_day"])
        else:
            row.delete()
    return sorted(set(held))


def teaching_copy_previous(*, program: Program, block: Block, by: Any) -> int:
    """Copy the previous block's attendings into `block`, week by week (the previous block's
    first week onto this one's first week, and so on; a longer block repeats its last week).
    Refused when `block` already has assignments, so a copy never overwrites entered work."""
    previous = (
        Block.objects.filter(program=program, start__lt=block.start).order_by("-start").first()
    )
    if previous is None:
        raise AssessmentError(f"{block.label} is the first block; there is nothing to copy.")
    if TeachingAssignment.objects.filter(
        program=program, first_day__lte=block.end, last_day__gte=block.start
    ).exists():
        raise AssessmentError(
            f"{block.label} already has attendings; clear them first or edit the grid."
        )
    old_weeks, new_weeks = weeks_of(previous), weeks_of(block)
    rows = []
    source = TeachingAssignment.objects.filter(
        program=program, first_day__lte=previous.end, last_day__gte=previous.start
    )
    for index, (first, last) in enumerate(new_weeks):
        old_first, old_last = old_weeks[min(index, len(old_weeks) - 1)]
        for row in source:
            if row.first_day <= old_last and row.last_day >= old_first:
                rows.append(
                    TeachingAssignment(
                        program=program,
                        faculty_id=row.faculty_id,
                        rotation_id=row.rotation_id,
                        first_day=first,
                        last_day=last,
                        created_by=by if getattr(by, "is_authenticated", False) else None,
                    )
                )
    unique = {(r.faculty_id, r.rotation_id, r.first_day): r for r in rows}
    if not unique:
        raise AssessmentError(f"{previous.label} has no attendings to copy.")
    with transaction.atomic():
        TeachingAssignment.objects.bulk_create(unique.values())
        _audit(
            by=by,
            action="teaching_copy",
            program=program,
            summary=f"Copied {len(unique)} attending weeks from {previous.label} to {block.label}",
            changes={"from_block": previous.pk, "to_block": block.pk},
        )
    return len(unique)


@dataclass
class TeachingImport:
    filename: str
    problems: list[Problem]
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def teaching_import(*, program: Program, filename: str, data: bytes, by: Any) -> TeachingImport:
    """Import attendings from a CSV or Excel file (columns IMPORT_COLUMNS): every row is
    checked first; any problem (with its row and column) and nothing is written."""
    outcome = TeachingImport(filename, [])
    try:
        table = read_table(filename, data)
    except UnreadableFile as error:
        outcome.problems.append(Problem(filename, None, None, str(error)))
        return outcome
    outcome.problems += _header_problems(filename, table.columns)
    if outcome.problems:
        return outcome
    lookup = _Lookup(program)
    rows: list[TeachingAssignment] = []
    seen: dict[tuple[int, int, date], int] = {}
    for row in table.rows:
        if len(outcome.problems) >= MAX_PROBLEMS:
            outcome.problems.append(Problem(filename, None, None, "too many problems; stopped"))
            break
        errors: dict[str, str] = {}
        planned = lookup.plan(row.values, errors)
        if planned is not None:
            key = (planned.faculty_id, planned.rotation_id, planned.first_day)
            if key in seen:
                errors["first_day"] = f"repeats row {seen[key]}"
            seen[key] = row.number
        for column, message in errors.items():
            outcome.problems.append(Problem(filename, row.number, column or None, message))
        if planned is not None and not errors:
            planned.created_by = by if getattr(by, "is_authenticated", False) else None
            rows.append(planned)
    if not table.rows:
        outcome.problems.append(Problem(filename, None, None, "the file has no data rows"))
    if outcome.problems:
        return outcome
    with transaction.atomic():
        for planned in rows:
            _cut_span(program, planned.rotation, planned.first_day, planned.last_day)
        TeachingAssignment.objects.bulk_create(rows)
        outcome.created = len(rows)
        _audit(
            by=by,
            action="import",
            program=program,
            summary=f"Imported {filename}: {len(rows)} attending spans",
            changes={"rows": len(rows)},
        )
    return outcome


def _header_problems(filename: str, columns: list[str]) -> list[Problem]:
    problems = [
        Problem(filename, 1, name, "required column is missing")
        for name in REQUIRED_COLUMNS
        if name not in columns
    ]
    problems += [
        Problem(
            filename,
            1,
            name or "(blank)",
            f"unknown column; expected some of: {', '.join(IMPORT_COLUMNS)}",
        )
        for name in columns
        if name not in IMPORT_COLUMNS
    ]
    return problems


class _Lookup:
    """Faculty by email and the program's rotations by name (and site, when a name repeats)."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.faculty = {
            fac.person.email.lower(): fac for fac in Faculty.objects.select_related("person")
        }
        self.rotations: dict[str, list[Rotation]] = {}
        for rotation in rotations_of(program):
            self.rotations.setdefault(rotation.name.lower(), []).append(rotation)

    def plan(self, cells: dict[str, str], errors: dict[str, str]) -> TeachingAssignment | None:
        values: dict[str, Any] = {}
        for column, parse in (
            ("faculty_email", f.email),
            ("rotation", f.text(120)),
            ("site", f.text(200)),
            ("first_day", f.iso_date),
            ("last_day", f.iso_date),
        ):
            raw = (cells.get(column) or "").strip()
            if not raw:
                if column in REQUIRED_COLUMNS:
                    errors[column] = "is required"
                values[column] = None
                continue
            try:
                values[column] = parse(raw)
            except CellError as error:
                errors[column] = str(error)
        if errors:
            return None
        faculty = self.faculty.get(values["faculty_email"])
        if faculty is None:
            errors["faculty_email"] = f"no faculty member with the email {values['faculty_email']}"
        rotation = self._rotation(values["rotation"], values["site"], errors)
        first, last = values["first_day"], values["last_day"] or values["first_day"]
        if last < first:
            errors["last_day"] = f"{last} comes before the first day {first}"
        elif (last - first).days >= MAX_SPAN_DAYS:
            errors["last_day"] = f"spans {(last - first).days + 1} days; at most {MAX_SPAN_DAYS}"
        if errors or faculty is None or rotation is None:
            return None
        return TeachingAssignment(
            program=self.program, faculty=faculty, rotation=rotation, first_day=first, last_day=last
        )

    def _rotation(self, name: str, site: str | None, errors: dict[str, str]) -> Rotation | None:
        found = self.rotations.get(name.lower(), [])
        if site:
            found = [r for r in found if r.site.name.lower() == site.lower()]
        if not found:
            where = f" at {site}" if site else ""
            errors["rotation"] = f"{self.program} has no rotation named {name!r}{where}"
            return None
        if len(found) > 1:
            errors["site"] = f"{name!r} is at several sites; name the site"
            return None
        return found[0]
