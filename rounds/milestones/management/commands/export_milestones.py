"""`manage.py export_milestones PROGRAM_SLUG --period 2026-2027-1 -o FILE.csv`: the committee's
levels for the ACGME milestone upload, one row per resident and subcompetency (the format is in
docs/milestones.md; the CCC review page has the same export as a button)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rounds.core.models import Program
from rounds.lib.exports import SafeCsvWriter
from rounds.milestones.models import CommitteeReview
from rounds.milestones.periods import PeriodError, period_parse
from rounds.milestones.selectors import EXPORT_COLUMNS, export_rows


class Command(BaseCommand):
    help = "Write a program's CCC levels for one period as CSV for the ACGME milestone upload."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("program", help="the program's slug, e.g. internal-medicine-residency")
        parser.add_argument("--period", required=True, help="e.g. 2026-2027-1 (first half)")
        parser.add_argument("-o", "--output", required=True, help="the CSV file to write")

    def handle(self, *args: Any, program: str, period: str, output: str, **options: Any) -> None:
        found = Program.objects.filter(slug=program).first()
        if found is None:
            raise CommandError(f"No program has the slug {program!r}.")
        try:
            code = period_parse(period).code
        except PeriodError as error:
            raise CommandError(str(error)) from None
        review = CommitteeReview.objects.filter(program=found, period=code).first()
        if review is None:
            raise CommandError(f"{found} has no CCC review for {code}; nothing was written.")
        if not review.is_signed_off:
            self.stderr.write(
                f"Note: the {code} review is not signed off yet; levels may still change."
            )
        rows = export_rows(review)
        with Path(output).open("w", newline="", encoding="utf-8") as stream:
            writer = SafeCsvWriter(stream)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(rows)
        residents = len({row[0] for row in rows})
        self.stdout.write(f"{output}: {len(rows)} rows ({residents} residents) for {found}, {code}")
