from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rounds.imports.services import import_file
from rounds.imports.specs import SPECS


class Command(BaseCommand):
    help = "Import sites, programs or trainees from a CSV or Excel file: all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(SPECS))
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, kind: str, file: Path, **options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read ({error.strerror})") from None
        outcome = import_file(kind=kind, filename=file.name, data=data, by=None)
        if not outcome.ok:
            for problem in outcome.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"nothing imported: {len(outcome.problems)} problem(s)")
        self.stdout.write(
            f"Imported {file.name}: {outcome.created} new, {outcome.updated} updated {kind}."
        )
