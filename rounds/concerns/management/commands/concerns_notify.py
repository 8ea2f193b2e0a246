"""Run daily (cron or a scheduler): one email to the concern handlers saying how many concerns
have new messages since the last run. Never sent at the moment a reporter writes, so no email's
time says when someone raised or wrote on a concern."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rounds.concerns.services import concern_notices_send
from rounds.lib import today as clock


class Command(BaseCommand):
    help = "Tell concern handlers, once a day, how many concerns have new messages."

    def handle(self, *args: Any, **options: Any) -> None:
        n = concern_notices_send(today=clock.today())
        self.stdout.write(f"Notified handlers of {n} concern(s) with new messages.")
