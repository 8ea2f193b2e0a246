"""Close an academic year and open the next: promotions, completions, matched interns, blocks.

`--dry-run` lists every change and its fingerprint and writes nothing. The real run computes
the list again and does exactly that, in one transaction; give it `--expect FINGERPRINT` from
the dry run to be sure nothing changed in between.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rounds.core.demo import academic_year_start
from rounds.lib import today as clock
from rounds.people.rollover import (
    InternFile,
    RolloverError,
    RolloverPlan,
    rollover_plan,
    rollover_run,
)


class Command(BaseCommand):
    help = "Roll the academic year over (previewed with --dry-run, all-or-nothing)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, help="The year to close (its July); default: now.")
        parser.add_argument("--interns", help="Matched interns: a trainee import file (CSV/XLSX).")
        parser.add_argument("--dry-run", action="store_true", help="List the changes only.")
        parser.add_argument("--expect", help="The dry run's fingerprint; refuse if it differs.")
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as error:
            raise CommandError(f"--today: {options['today']!r} is not a date") from error
        today = today or clock.today()
        year = options["year"] or academic_year_start(today)
        interns = None
        if options["interns"]:
            path = Path(options["interns"])
            try:
                interns = InternFile(path.name, path.read_bytes())
            except OSError as error:
                raise CommandError(f"--interns: cannot read {path}: {error.strerror}") from error
        plan = rollover_plan(year=year, interns=interns)
        self.write_plan(plan)
        if options["dry_run"]:
            self.stdout.write(f"Dry run: nothing changed. Fingerprint {plan.fingerprint}.")
            return
        try:
            rollover_run(
                year=year, expected=options["expect"] or plan.fingerprint, by=None, today=today,
                interns=interns,
            )  # fmt: skip
        except RolloverError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Rolled over {plan.label}: done as listed."))

    def write_plan(self, plan: RolloverPlan) -> None:
        self.stdout.write(f"Year rollover of {plan.label}: {len(plan.changes)} changes")
        for change in plan.changes:
            self.stdout.write(f"  {change.text}")
        for problem in plan.problems:
            self.stderr.write(f"  problem: {problem}")
