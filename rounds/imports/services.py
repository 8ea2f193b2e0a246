"""Import a whole file or nothing: every row is checked first, then all are written in one
transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction

from rounds.core.models import AuditEntry
from rounds.imports.fields import CellError
from rounds.imports.specs import SPECS, ImportSpec, Plan, RowErrors
from rounds.imports.tables import Table, UnreadableFile, read_table

MAX_PROBLEMS = 200  # past this a file is clearly the wrong one; more lines would not help


@dataclass(frozen=True)
class Problem:
    filename: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.filename]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass
class ImportOutcome:
    kind: str
    filename: str
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filename": self.filename,
            "created": self.created,
            "updated": self.updated,
            "problems": [asdict(p) | {"text": str(p)} for p in self.problems],
        }


ProgressFn = Callable[[float, str], None]


def import_file(
    *, kind: str, filename: str, data: bytes, by: Any, progress: ProgressFn | None = None
) -> ImportOutcome:
    """Check every row of the file; write all of them only if none has a problem."""
    outcome = ImportOutcome(kind, filename)
    if kind not in SPECS:
        outcome.problems.append(Problem(filename, None, None, f"unknown import kind {kind!r}"))
        return outcome
    try:
        table = read_table(filename, data)
    except UnreadableFile as error:
        outcome.problems.append(Problem(filename, None, None, str(error)))
        return outcome
    spec = SPECS[kind]()
    plans = check_rows(spec, table, outcome.problems, progress or _no_progress)
    if outcome.problems:
        return outcome
    with transaction.atomic():
        for plan in plans:
            plan.save()
        outcome.created = sum(plan.created for plan in plans)
        outcome.updated = len(plans) - outcome.created
        AuditEntry.objects.create(
            actor=by if getattr(by, "is_authenticated", False) else None,
            action="import",
            object_type=kind,
            summary=f"Imported {filename}: {outcome.created} new, {outcome.updated} updated",
            changes={"rows": [plan.label for plan in plans]},
        )
    return outcome


def _no_progress(fraction: float, message: str) -> None:
    pass


def check_rows(
    spec: ImportSpec, table: Table, problems: list[Problem], progress: ProgressFn
) -> list[Plan]:
    problems.extend(_header_problems(spec, table))
    if problems:
        return []
    plans: list[Plan] = []
    first_row_of_key: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(table.filename, None, None, "too many problems; stopped"))
            break
        if index % 50 == 0:
            progress(index / max(1, len(table.rows)), f"Checking row {row.number}")

        def report(column: str | None, message: str, number: int = row.number) -> None:
            problems.append(Problem(table.filename, number, column or None, message))

        values = _parse_cells(spec, row.values, report)
        key = str(values.get(spec.key) or "").lower()
        if key in first_row_of_key:
            report(spec.key, f"repeats row {first_row_of_key[key]} ({values[spec.key]})")
            continue
        first_row_of_key[key] = row.number
        if any(p.row == row.number for p in problems):
            continue
        try:
            plans.append(spec.plan(values))
        except RowErrors as invalid:
            for column, message in invalid.errors.items():
                report(column, message)
    if not table.rows:
        problems.append(Problem(table.filename, None, None, "the file has no data rows"))
    return plans


def _header_problems(spec: ImportSpec, table: Table) -> list[Problem]:
    known = {column.name for column in spec.columns}
    found = set(table.columns)
    problems = [
        Problem(table.filename, 1, column.name, "required column is missing")
        for column in spec.columns
        if column.required and column.name not in found
    ]
    problems += [
        Problem(
            table.filename,
            1,
            name or "(blank)",
            f"unknown column; expected some of: {', '.join(sorted(known))}",
        )
        for name in table.columns
        if name not in known
    ]
    return problems


def _parse_cells(
    spec: ImportSpec, cells: dict[str, str], report: Callable[[str | None, str], None]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in spec.columns:
        if column.name not in cells:
            continue
        raw = cells[column.name].strip()
        if not raw:
            if column.required:
                report(column.name, "is required")
            values[column.name] = None
            continue
        try:
            values[column.name] = column.parse(raw)
        except CellError as error:
            report(column.name, str(error))
    return values
