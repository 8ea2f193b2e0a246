"""`manage.py load_boards [FILE]`: load specialty boards' leave rules (docs/training-record.md).

The file is checked whole first; a file with any problem loads nothing, and every problem is
printed with where it is. Without FILE, the boards shipped with Rounds (rounds/leave/data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rounds.leave.loader import BoardFileError, board_file_parse
from rounds.leave.services import boards_load

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "boards.json"


class Command(BaseCommand):
    help = "Load specialty boards' rules on time away from training from a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(SHIPPED), help="rounds-boards/1 JSON")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: cannot read the file ({error})") from None
        try:
            rules = board_file_parse(text)
        except BoardFileError as error:
            listed = "\n".join(f"  {file}: {p}" for p in error.problems)
            raise CommandError(
                f"{file} was not loaded ({len(error.problems)} problem(s)):\n{listed}"
            ) from None
        new, updated = boards_load(rules=rules, source_name=Path(file).name)
        self.stdout.write(f"{file}: {len(rules)} boards loaded ({new} new, {updated} updated)")
