"""`manage.py credential_alerts`: send today's credential expiry alerts (run daily, e.g. cron).

Each credential is alerted at 60, 30 and 7 days before expiry and once when it has lapsed, to
the trainee and the program's coordinators. Running it twice a day sends nothing more; after a
missed day it catches up with the tightest alert due.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rounds.lib import today as clock
from rounds.record.services import credential_alerts_send


class Command(BaseCommand):
    help = "Send the credential expiry alerts due today (idempotent per day)."

    def handle(self, *args: Any, **options: Any) -> None:
        day = clock.today()
        sent = credential_alerts_send(day=day)
        self.stdout.write(f"{sent} credential alert(s) sent for {day:%Y-%m-%d}.")
