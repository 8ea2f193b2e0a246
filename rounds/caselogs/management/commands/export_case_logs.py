"""`manage.py export_case_logs PROGRAM -o FILE.csv`: every case log entry of a program's
trainees, in the documented columns (docs/case-logs.md), safe to open in a spreadsheet.

PROGRAM is the program's id, slug or exact name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from rounds.caselogs.selectors import EXPORT_COLUMNS, export_rows
from rounds.core.models import Program
from rounds.lib.exports import SafeCsvWriter


class Command(BaseCommand):
    help = "Export a program's case log entries as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="the program's id, slug or name")
        parser.add_argument("-o", "--output", required=True, help="the CSV file to write")

    def handle(self, *args: Any, program: str, output: str, **options: Any) -> None:
        match = Q(slug=program) | Q(name=program)
        if program.isdigit():
            match |= Q(pk=int(program))
        found = Program.objects.filter(match).first()
        if found is None:
            raise CommandError(f"No program with the id, slug or name {program!r}.")
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent} is not a folder; nothing was written.")
        rows = export_rows(found)
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = SafeCsvWriter(stream)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(rows)
        self.stdout.write(f"{path}: {len(rows)} entries of {found.name}")
