"""`manage.py onboarding_assign`: give every incoming trainee their program's and the
institution's onboarding items (run daily, and after a match import). Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rounds.lib import today as clock
from rounds.record.services import onboarding_assign


class Command(BaseCommand):
    help = "Assign onboarding checklists to incoming trainees (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        made = onboarding_assign(day=clock.today())
        self.stdout.write(f"{made} onboarding item(s) assigned.")
