"""`manage.py onboarding_reminders`: remind incoming trainees of onboarding items due within a
week, within two days, or overdue, and send each program's coordinators a digest (run daily).
Each reminder is sent once per task and threshold (rounds/record/reminders.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rounds.lib import today as clock
from rounds.record.reminders import onboarding_reminders_send


class Command(BaseCommand):
    help = "Send the onboarding reminders and coordinator digests due today (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        day = clock.today()
        trainees, digests = onboarding_reminders_send(day=day)
        self.stdout.write(
            f"{trainees} trainee(s) reminded, {digests} coordinator digest(s) sent "
            f"for {day:%Y-%m-%d}."
        )
