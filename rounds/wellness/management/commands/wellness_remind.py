"""Run daily (cron or a scheduler): opens each recurring survey's current round, queues its
opening notice once, and its one scheduled reminder when it is a week (or --days) from closing;
then deletes the "has answered" flags of rounds that have closed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rounds.lib import today as clock
from rounds.wellness.services import respondents_forget_closed, survey_reminders_due


class Command(BaseCommand):
    help = "Announce newly opened survey rounds and remind before they close (run daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = survey_reminders_due(today=clock.today(), days_left=options["days"])
        self.stdout.write(f"Queued {len(jobs)} notice(s) for open survey rounds.")
        forgotten = respondents_forget_closed(today=clock.today())
        self.stdout.write(f"Forgot {forgotten} answered flag(s) of closed rounds.")
