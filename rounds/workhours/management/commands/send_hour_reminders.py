"""Email each trainee who has finished weeks with nothing logged.

Run it weekly (for example on Monday morning from cron). `--dry-run` lists who would get one.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rounds.lib import today as clock
from rounds.workhours.reminders import reminders_due, reminders_send


class Command(BaseCommand):
    help = "Email trainees a reminder for each finished week they have not logged."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, do not send.")
        parser.add_argument("--program", help="Only this program (its slug).")
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument(
            "--base-url",
            default=None,
            help="Where links in the email point (default: the ROUNDS_SITE_URL setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as error:
            raise CommandError(
                f"--today: {options['today']!r} is not a date like 2026-11-23"
            ) from error
        due = reminders_due(
            today=today or clock.today(),
            base_url=options["base_url"],
            program_slug=options["program"],
        )
        for reminder in due:
            self.stdout.write(
                f"{reminder.trainee.person.email}: {len(reminder.weeks)} week(s) missing"
            )
        if options["dry_run"]:
            self.stdout.write(f"{len(due)} reminder(s) would be sent (dry run).")
            return
        sent = reminders_send(due)
        self.stdout.write(f"{sent} reminder(s) sent.")
