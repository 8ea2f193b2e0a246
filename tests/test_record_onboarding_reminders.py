"""Onboarding reminders: a week before, two days before and once overdue, each once per task;
the trainee gets one mail, the coordinators one digest; a second run sends nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from rounds.record.models import OnboardingItem, OnboardingReminder, OnboardingTask
from rounds.record.services import onboarding_assign
from tests.people import SmallInstitution


@pytest.fixture
def tasks(small: SmallInstitution) -> dict[str, OnboardingTask]:
    licence = OnboardingItem.objects.create(
        program=small.im, title="Training licence copy", kind="document", days_before_start=7
    )
    hipaa = OnboardingItem.objects.create(
        program=None, title="HIPAA module", kind="module", days_before_start=0
    )
    onboarding_assign(day=date(2026, 6, 1))  # Ben starts on July 1
    return {
        "licence": OnboardingTask.objects.get(item=licence),  # due June 24
        "hipaa": OnboardingTask.objects.get(item=hipaa),  # due July 1
    }


def _run(settings, day: str) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = day
    call_command("onboarding_reminders", stdout=None)


@pytest.mark.django_db
def test_each_threshold_is_sent_once_to_the_trainee_and_in_one_digest(
    small: SmallInstitution, tasks: dict[str, OnboardingTask], settings
) -> None:  # type: ignore[no-untyped-def]
    _run(settings, "2026-06-10")  # 14 days before the licence: nothing yet
    assert mail.outbox == []
    _run(settings, "2026-06-18")  # 6 days left: the week's reminder
    _run(settings, "2026-06-18")  # again the same day: nothing more
    assert [m.to for m in mail.outbox] == [["resident2@example.org"], ["coord.im@example.org"]]
    assert "Training licence copy: due June 24, 2026 (in 6 day(s))" in mail.outbox[0].body
    assert "Ben Baker" in mail.outbox[1].body and "Onboarding digest" in mail.outbox[1].subject
    mail.outbox.clear()
    _run(settings, "2026-06-30")  # licence overdue; HIPAA 1 day left (the 7-day one skipped)
    body = mail.outbox[0].body
    assert "Training licence copy: overdue since June 24, 2026" in body
    assert "HIPAA module: due July 1, 2026 (in 1 day(s))" in body
    assert sorted(
        OnboardingReminder.objects.values_list("task__item__title", "threshold_days")
    ) == [
        ("HIPAA module", 2),
        ("Training licence copy", -1),
        ("Training licence copy", 7),
    ]


@pytest.mark.django_db
def test_done_items_are_not_reminded(
    small: SmallInstitution, tasks: dict[str, OnboardingTask], settings
) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    OnboardingTask.objects.update(done_at=timezone.now())
    _run(settings, "2026-06-30")
    assert mail.outbox == [] and not OnboardingReminder.objects.exists()
