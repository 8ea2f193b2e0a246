"""`manage.py hours_overlaps`: list stored hours entries and leave spans of one trainee that
overlap (rounds/workhours/overlaps.py). Migration workhours.0002 refuses to add its constraints
while any exist; fix them in the trainees' hours logs, then migrate again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rounds.workhours.models import WINDOW_KINDS, LeaveSpan, LoggedPeriod
from rounds.workhours.overlaps import overlaps_found


class Command(BaseCommand):
    help = "List overlapping work-hour entries and leave spans, per trainee."

    def handle(self, *args: Any, **options: Any) -> None:
        lines = overlaps_found(
            period_model=LoggedPeriod, leave_model=LeaveSpan, window_kinds=WINDOW_KINDS
        )
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(f"{len(lines)} overlapping pair(s).")
