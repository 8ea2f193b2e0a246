"""Onboarding reminders: the daily nudge to incoming trainees, and the coordinators' digest.

An open onboarding task is reminded when it reaches a threshold of days left before its due
date: a week, two days, and once overdue. Each (task, threshold) is sent once, recorded as an
`OnboardingReminder` in the same transaction as the mail, so running the command twice a day
sends nothing more, a missed day catches up with the tightest threshold reached (never all of
them at once), and a mail that fails rolls its reminders back for the next run.

Each trainee gets one mail listing their tasks reminded today; each program's coordinators get
one digest listing, per trainee, those same tasks (nothing new, no digest).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from rounds.lib.links import absolute_url
from rounds.people.models import Trainee
from rounds.people.training import history_of, history_prefetch
from rounds.record.models import OnboardingReminder, OnboardingTask
from rounds.record.services import coordinator_emails

logger = logging.getLogger(__name__)

# Days left before the due date; -1: overdue (the day after it was due, or any day since).
REMINDER_THRESHOLDS = (7, 2, -1)


def reminder_threshold(days_left: int) -> int | None:
    """The tightest threshold reached: 5 days left -> the 7-day reminder; 3 days late -> -1."""
    reached = [t for t in REMINDER_THRESHOLDS if days_left <= t]
    return min(reached) if reached else None


@dataclass(frozen=True)
class Reminded:
    task: OnboardingTask
    threshold: int

    def words(self, day: date) -> str:
        title, due = self.task.item.title, self.task.due_on
        if self.threshold < 0:
            return f"{title}: overdue since {due:%B %-d, %Y}"
        return f"{title}: due {due:%B %-d, %Y} (in {(due - day).days} day(s))"


def onboarding_reminders_send(*, day: date) -> tuple[int, int]:
    """Send the reminders reached on `day`; returns (trainees reminded, digests sent)."""
    horizon = day + timedelta(days=max(REMINDER_THRESHOLDS))
    tasks = (
        OnboardingTask.objects.filter(done_at__isnull=True, due_on__lte=horizon)
        .select_related("item", "trainee__person", "trainee__program")
        .prefetch_related("reminders", *history_prefetch("trainee__"))
        .order_by("trainee_id", "due_on", "pk")
    )
    due: dict[int, list[Reminded]] = defaultdict(list)
    trainees: dict[int, Trainee] = {}
    for task in tasks:
        threshold = reminder_threshold((task.due_on - day).days)
        sent = {r.threshold_days for r in task.reminders.all()}
        if threshold is None or threshold in sent or _left_training(task.trainee, day):
            continue
        due[task.trainee_id].append(Reminded(task, threshold))
        trainees[task.trainee_id] = task.trainee
    reminded: dict[int, list[tuple[Trainee, list[Reminded]]]] = defaultdict(list)
    for trainee_id, items in due.items():
        trainee = trainees[trainee_id]
        if _remind_one(trainee, items, day):
            reminded[trainee.program_id].append((trainee, items))
    digests = sum(_digest(rows, day) for rows in reminded.values())
    return sum(len(rows) for rows in reminded.values()), digests


def _left_training(trainee: Trainee, day: date) -> bool:
    return history_of(trainee).last_day < day


def _remind_one(trainee: Trainee, items: list[Reminded], day: date) -> bool:
    try:
        with transaction.atomic():
            OnboardingReminder.objects.bulk_create(
                OnboardingReminder(task=r.task, threshold_days=r.threshold, sent_on=day)
                for r in items
            )
            lines = "\n".join(f"- {r.words(day)}" for r in items)
            send_mail(
                "Onboarding: items due soon or overdue",
                f"Dear {trainee.person.first_name},\n\nBefore you start, please complete:\n"
                f"{lines}\n\nYour checklist: {absolute_url('record:onboarding')}\n",
                settings.DEFAULT_FROM_EMAIL,
                [trainee.person.email],
            )
    except IntegrityError:
        return False  # another run sent these a moment ago
    except Exception:
        logger.exception("could not send onboarding reminders to trainee %s", trainee.pk)
        return False
    return True


def _digest(rows: list[tuple[Trainee, list[Reminded]]], day: date) -> int:
    program = rows[0][0].program
    coordinators = coordinator_emails(program)
    if not coordinators:
        return 0
    parts = []
    for trainee, items in sorted(rows, key=lambda r: r[0].person.last_name):
        listed = "\n".join(f"  - {r.words(day)}" for r in items)
        parts.append(f"{trainee.person.full_name}\n{listed}")
    body = "\n\n".join(parts)
    try:
        send_mail(
            f"Onboarding digest, {program.name}: {len(rows)} trainee(s) reminded",
            f"Reminded today:\n\n{body}\n\nWho is missing what: "
            f"{absolute_url('record:onboarding')}\n",
            settings.DEFAULT_FROM_EMAIL,
            coordinators,
        )
    except Exception:
        logger.exception("could not send the onboarding digest of program %s", program.pk)
        return 0
    return 1
