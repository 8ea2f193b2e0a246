"""Email reminders for weeks not logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mass_mail

from rounds.core.models import Program
from rounds.lib.links import absolute_url, site_url
from rounds.people.models import Trainee
from rounds.people.training import trainees_in_training
from rounds.workhours.selectors import missing_weeks

MAX_LISTED = 6


@dataclass(frozen=True)
class Reminder:
    trainee: Trainee
    weeks: list[date]
    subject: str
    body: str


def reminders_due(
    *, today: date, base_url: str | None = None, program_slug: str | None = None
) -> list[Reminder]:
    """One reminder per trainee in training today with an email address and at least one
    missing week (weeks with no day in training are never missing)."""
    programs = Program.objects.filter(slug=program_slug) if program_slug else None
    trainees = sorted(
        trainees_in_training(programs, today, today),
        key=lambda t: (t.program.name, t.person.last_name),
    )
    found = []
    for trainee in trainees:
        weeks = missing_weeks(trainee, today)
        if not weeks or not trainee.person.email:
            continue
        found.append(reminder_for(trainee, weeks, base_url))
    return found


def reminder_for(trainee: Trainee, weeks: list[date], base_url: str | None = None) -> Reminder:
    """Links point at `base_url`, else at the configured site address (ROUNDS_SITE_URL)."""
    count = len(weeks)
    subject = f"Work hours: {count} week{'s' if count != 1 else ''} not logged yet"
    listed = "\n".join(
        f"  - week of {monday:%a %b %-d}: {_week_link(monday, base_url)}"
        for monday in weeks[-MAX_LISTED:]
    )
    more = f"\n  ... and {count - MAX_LISTED} earlier" if count > MAX_LISTED else ""
    body = (
        f"Hello {trainee.person.first_name},\n\n"
        f"Your work-hour log for {trainee.program.name} is missing {count} "
        f"week{'s' if count != 1 else ''}:\n{listed}{more}\n\n"
        'Most days take one tap: open the week and press "Worked as scheduled". If you did not '
        "work that week, mark it complete.\n\n"
        "Your program needs these logs to show the work-hour rules are kept, and to fix "
        "schedules that break them.\n"
    )
    return Reminder(trainee, weeks, subject, body)


def _week_link(monday: date, base_url: str | None) -> str:
    link = absolute_url("workhours:week", monday.isoformat())
    return link if base_url is None else base_url.rstrip("/") + link.removeprefix(site_url())


def reminders_send(reminders: list[Reminder]) -> int:
    messages = [
        (r.subject, r.body, settings.DEFAULT_FROM_EMAIL, [r.trainee.person.email])
        for r in reminders
    ]
    return send_mass_mail(messages, fail_silently=False) if messages else 0
