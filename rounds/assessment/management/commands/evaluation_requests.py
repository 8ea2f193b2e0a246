"""`manage.py evaluation_requests [--day YYYY-MM-DD] [--lookback 7]`: the daily evaluation job.

Makes the requests due from the published schedules (rounds/assessment/generate.py), withdraws
open requests about trainees who left training, expires overdue ones and sends one reminder
email per evaluator with requests waiting. Running it twice on a day makes nothing new; a
missed day is caught up by the next run (the window looks back `--lookback` days).
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from rounds.assessment.generate import requests_generate
from rounds.assessment.services import reminders_send, requests_expire, requests_withdraw_left
from rounds.lib.today import today


class Command(BaseCommand):
    help = "Make the evaluation requests due from the schedules; remind, expire, withdraw."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--day", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
        parser.add_argument("--lookback", type=int, default=7, help="days the window covers")
        parser.add_argument("--no-email", action="store_true", help="skip the reminder emails")

    def handle(
        self, *args: Any, day: date | None, lookback: int, no_email: bool, **options: Any
    ) -> None:
        day = day or today()
        if lookback < 1:
            raise CommandError("--lookback must be at least 1 day.")
        try:
            result = requests_generate(day=day, lookback_days=lookback)
        except IntegrityError:
            raise CommandError(
                "Another run of evaluation_requests wrote the same requests at the same time; "
                "this run wrote nothing. Run it again to check nothing is missing."
            ) from None
        for line in result.lines():
            self.stdout.write(f"{day}: {line}")
        withdrawn = requests_withdraw_left(day=day)
        expired = requests_expire(day=day)
        emails = 0 if no_email else reminders_send(day=day)
        self.stdout.write(
            f"{day}: {withdrawn} withdrawn (trainee left training), {expired} expired, "
            f"{emails} reminder emails"
        )
