"""Badge and EHR access per site from the rotation schedule: each trainee gets both before their
first day at a site new to them, once, however often the schedule is published."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rounds.record.models import OnboardingTask
from rounds.record.services import onboarding_assign
from rounds.record.site_access import site_access_assign
from rounds.schedules.services import schedule_publish
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def _tasks() -> list[tuple[str, str, date]]:
    rows = OnboardingTask.objects.select_related("item", "trainee__person")
    return sorted((t.trainee.person.first_name, t.item.title, t.due_on) for t in rows)


@pytest.mark.django_db
def test_publishing_gives_each_trainee_badge_and_ehr_before_each_new_site(
    small: SmallInstitution,
) -> None:
    x = build_schedules(small)  # published on June 30: Ana MICU (Harbor VA) in blocks 1-2
    b3, b4 = x.im_blocks[2].start, x.im_blocks[3].start
    today, lead = date(2026, 6, 30), timedelta(days=14)
    # Ana: MICU at Harbor VA from July 1 (due today: too close for two weeks), clinic at
    # Riverside from block 3. Ben: wards at Riverside from July 1, MICU at Harbor VA in block 4.
    assert _tasks() == [
        ("Ana", "Badge for Harbor VA", today),
        ("Ana", "Badge for Riverside Hospital", b3 - lead),
        ("Ana", "EHR access at Harbor VA", today),
        ("Ana", "EHR access at Riverside Hospital", b3 - lead),
        ("Ben", "Badge for Harbor VA", b4 - lead),
        ("Ben", "Badge for Riverside Hospital", today),
        ("Ben", "EHR access at Harbor VA", b4 - lead),
        ("Ben", "EHR access at Riverside Hospital", today),
    ]
    # Publishing the next version (same placements) and running again change nothing.
    schedule_publish(schedule=x.draft, by=small.users["gme"], reason="swap", notify=False)
    site_access_assign(schedule=x.draft)
    assert len(_tasks()) == 8
    # The institution's checklist is not given the site items.
    assert onboarding_assign(day=date(2026, 6, 1)) == 0


@pytest.mark.django_db
def test_a_new_version_moves_the_due_date_of_open_tasks_and_leaves_done_ones(
    small: SmallInstitution,
) -> None:
    from django.utils import timezone

    from rounds.engine.rotations.check import Placement
    from rounds.schedules.problem import rid, tid
    from rounds.schedules.services import schedule_create

    x = build_schedules(small)
    badge = OnboardingTask.objects.get(trainee=small.ben, item__title="Badge for Harbor VA")
    ehr = OnboardingTask.objects.get(trainee=small.ben, item__title="EHR access at Harbor VA")
    ehr.done_at = timezone.now()
    ehr.save()
    # Version 2 sends Ben to MICU from block 6 instead of block 4.
    placements = [
        Placement(tid(t.pk), b, rid(rotation.pk))
        for b in range(1, 14)
        for t, rotation in (
            (small.ana, x.micu if b <= 2 else x.clinic if b == 3 else x.wards),
            (small.ben, x.micu if b in (6, 7) else x.wards),
        )
    ]
    later = schedule_create(program=small.im, academic_year=2026, by=small.users["gme"],
                            reason="Ben's ICU later", placements=placements)  # fmt: skip
    schedule_publish(schedule=later, by=small.users["gme"], reason="Ben's ICU later", notify=False)
    badge.refresh_from_db()
    ehr_due = ehr.due_on
    ehr.refresh_from_db()
    assert badge.due_on == x.im_blocks[5].start - timedelta(days=14)
    assert ehr.due_on == ehr_due  # done: left as it was
