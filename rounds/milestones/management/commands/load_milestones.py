"""`manage.py load_milestones FILE...`: load milestone sets from files (docs/milestones.md).

Each file is checked whole first; a file with any problem loads nothing and every problem is
printed with where it is. Files load in the order given, so the harmonized set comes first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rounds.milestones.loader import MilestoneFileError, milestone_file_parse
from rounds.milestones.services import milestone_set_load


class Command(BaseCommand):
    help = "Load milestone sets (competencies, subcompetencies, levels) from JSON files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="rounds-milestones/1 JSON files")

    def handle(self, *args: Any, files: list[str], **options: Any) -> None:
        for name in files:
            path = Path(name)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"{name}: cannot read the file ({exc})") from None
            try:
                data = milestone_file_parse(text)
            except MilestoneFileError as exc:
                listed = "\n".join(f"  {name}: {p}" for p in exc.problems)
                raise CommandError(
                    f"{name} was not loaded ({len(exc.problems)} problem(s)):\n{listed}"
                ) from None
            loaded = milestone_set_load(data=data, source_name=path.name)
            count = sum(len(c.subcompetencies) for c in data.competencies)
            self.stdout.write(f"{name}: loaded {loaded} with {count} subcompetencies")
