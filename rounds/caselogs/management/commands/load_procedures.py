"""`manage.py load_procedures [FILE...]`: load procedure lists and minimums (docs/case-logs.md).

Without a file, loads the list that ships with Rounds (rounds/caselogs/data/procedures.csv),
for those of its specialties the institution has.
Every file is checked whole before anything is written, and all files load in one transaction:
a problem anywhere loads nothing, and each problem is printed with its file, line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from rounds.caselogs.loader import ProcedureData, ProcedureFileError, procedure_file_parse
from rounds.caselogs.services import procedures_load

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "procedures.csv"


class Command(BaseCommand):
    help = "Load procedures per specialty, with their minimums, from CSV files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help=f"CSV files (default: {SHIPPED.name})")

    def handle(self, *args: Any, files: list[str], **options: Any) -> None:
        paths = [Path(name) for name in files] or [SHIPPED]
        parsed: list[ProcedureData] = []
        problems: list[str] = []
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(f"{path}: cannot read the file ({exc})")
                continue
            try:
                parsed += procedure_file_parse(text, name=str(path), skip_absent=not files)
            except ProcedureFileError as exc:
                problems += exc.problems
        if problems:
            listed = "\n".join(f"  {p}" for p in problems)
            raise CommandError(f"Nothing was loaded ({len(problems)} problem(s)):\n{listed}")
        with transaction.atomic():
            procedures, minimums = procedures_load(data=parsed)
        self.stdout.write(f"loaded {procedures} procedures with {minimums} minimums")
