"""Reading a procedure list from a CSV file: validated whole before anything is written.

One row per procedure and minimum (docs/case-logs.md):

    specialty,category,code,procedure,role,by_pgy,minimum
    140,Vascular access,central-line,Central venous line,performed,3,5

`specialty` is the ACGME specialty code or the specialty's name. A procedure with several
minimums repeats its row with the same code and name; one with none leaves role, by_pgy and
minimum empty. Every problem found is listed with its line and column, and nothing is loaded
unless there is none.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from rounds.caselogs.models import CaseRole
from rounds.core.models import Specialty

COLUMNS = ["specialty", "category", "code", "procedure", "role", "by_pgy", "minimum"]
CODE_SHAPE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
HIGHEST_PGY = 10


class ProcedureFileError(Exception):
    """The file cannot be loaded; `problems` lists each one with where it is."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class MinimumData:
    role: str
    by_pgy: int
    count: int


@dataclass
class ProcedureData:
    specialty: Specialty
    code: str
    name: str
    category: str
    minimums: list[MinimumData] = field(default_factory=list)


def procedure_file_parse(
    text: str, name: str = "the file", *, skip_absent: bool = False
) -> list[ProcedureData]:
    """The procedures described by `text` (a CSV file's content), or ProcedureFileError.

    `skip_absent` leaves out the rows of specialties this institution does not have (for the
    list shipped with Rounds, which covers several); otherwise each is a problem."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    if header != COLUMNS:
        raise ProcedureFileError(
            [f"{name}, line 1: the columns must be {','.join(COLUMNS)} (found {','.join(header)})"]
        )
    return _Reader(name, skip_absent).read(reader)


class _Reader:
    """Reads every row, noting each problem instead of stopping at the first."""

    def __init__(self, name: str, skip_absent: bool) -> None:
        self.name = name
        self.skip_absent = skip_absent
        self.problems: list[str] = []
        self.specialties: dict[str, Specialty | None] = {}

    def fail(self, line: int, column: str, message: str) -> None:
        self.problems.append(f"{self.name}, line {line}, column {column}: {message}")

    def read(self, rows: csv.DictReader[str]) -> list[ProcedureData]:
        found: dict[tuple[int, str], ProcedureData] = {}
        seen_minimums: set[tuple[int, str, str, int]] = set()
        for row in rows:
            line = rows.line_num
            if None in row or any(v is None for v in row.values()):
                self.fail(
                    line, "-", f"has a different number of cells than the {len(COLUMNS)} columns"
                )
                continue
            cells = {k: (v or "").strip() for k, v in row.items()}
            if not any(cells.values()) or self._absent(cells["specialty"]):
                continue
            procedure = self._procedure(line, cells, found)
            minimum = self._minimum(line, cells)
            if procedure is None or minimum is None:
                continue
            key = (procedure.specialty.pk, procedure.code, minimum.role, minimum.by_pgy)
            if key in seen_minimums:
                self.fail(line, "role", "this minimum (role and by_pgy) is given twice")
                continue
            seen_minimums.add(key)
            procedure.minimums.append(minimum)
        if not found and not self.problems:
            self.problems.append(f"{self.name}: no procedure in the file")
        if self.problems:
            raise ProcedureFileError(self.problems)
        return list(found.values())

    def _absent(self, value: str) -> bool:
        return self.skip_absent and bool(value) and self._find(value) is None

    def _find(self, value: str) -> Specialty | None:
        if value not in self.specialties:
            self.specialties[value] = (
                Specialty.objects.filter(acgme_code=value).first()
                or Specialty.objects.filter(name__iexact=value).first()
                if value
                else None
            )
        return self.specialties[value]

    def _specialty(self, line: int, value: str) -> Specialty | None:
        specialty = self._find(value)
        if specialty is None:
            self.fail(line, "specialty", f"no specialty with the ACGME code or name {value!r}")
        return specialty

    def _procedure(
        self, line: int, cells: dict[str, str], found: dict[tuple[int, str], ProcedureData]
    ) -> ProcedureData | None:
        specialty = self._specialty(line, cells["specialty"])
        code, name, category = cells["code"], cells["procedure"], cells["category"]
        ok = True
        if not CODE_SHAPE.fullmatch(code) or len(code) > 60:
            self.fail(
                line, "code", f"must be lower-case letters, digits and dashes (found {code!r})"
            )
            ok = False
        if not name or len(name) > 120:
            self.fail(line, "procedure", "is required, at most 120 characters")
            ok = False
        if len(category) > 80:
            self.fail(line, "category", "is at most 80 characters")
            ok = False
        if specialty is None or not ok:
            return None
        earlier = found.get((specialty.pk, code))
        if earlier is None:
            found[(specialty.pk, code)] = ProcedureData(specialty, code, name, category)
            return found[(specialty.pk, code)]
        if (earlier.name, earlier.category) != (name, category):
            self.fail(line, "procedure", f"code {code!r} was given another name or category above")
            return None
        return earlier

    def _minimum(self, line: int, cells: dict[str, str]) -> MinimumData | None:
        role, by_pgy, count = cells["role"], cells["by_pgy"], cells["minimum"]
        if not (role or by_pgy or count):
            return None
        ok = True
        if role not in CaseRole.values:
            self.fail(line, "role", f"must be one of {', '.join(CaseRole.values)} (found {role!r})")
            ok = False
        level = self._whole(line, "by_pgy", by_pgy, 1, HIGHEST_PGY)
        number = self._whole(line, "minimum", count, 1, 999)
        if not ok or level is None or number is None:
            return None
        return MinimumData(role, level, number)

    def _whole(self, line: int, column: str, value: str, low: int, high: int) -> int | None:
        if value.isdigit() and low <= int(value) <= high:
            return int(value)
        self.fail(line, column, f"must be a whole number from {low} to {high} (found {value!r})")
        return None
