"""Badge and EHR access per site, from the published rotation schedule.

Each site has two onboarding items, "Badge for SITE" and "EHR access at SITE" (made on first
need). When a rotation schedule is published, every trainee it sends to a site they have not
worked at before gets both, due `LEAD_DAYS` before their first day there (today at the latest).
Publishing again is harmless: a task is never doubled (one per trainee and item), and an open
task whose first day moved gets the new due date. A task done stays done. A task for a site a
new version no longer sends the trainee to stays on their checklist (the coordinator removes it
if the badge is not wanted after all).
"""

from __future__ import annotations

from datetime import date, timedelta

from rounds.core.models import Site
from rounds.lib import today as clock
from rounds.record.models import OnboardingItem, OnboardingTask
from rounds.schedules.models import RotationAssignment, RotationSchedule

LEAD_DAYS = 14
TITLES = ("Badge for {site}", "EHR access at {site}")


def site_items(site: Site) -> list[OnboardingItem]:
    """The site's badge and EHR access items, made the first time a trainee needs them."""
    return [
        OnboardingItem.objects.get_or_create(
            site=site,
            title=title.format(site=site.name)[:160],
            defaults={"kind": OnboardingItem.Kind.ACCESS, "days_before_start": LEAD_DAYS},
        )[0]
        for title in TITLES
    ]


def first_days_at_sites(schedule: RotationSchedule) -> dict[tuple[int, int], date]:
    """(trainee id, site id) -> the trainee's first day at the site in `schedule`."""
    first: dict[tuple[int, int], date] = {}
    rows = schedule.assignments.select_related("block", "rotation")
    for row in rows:
        if row.rotation.is_off:
            continue
        start = row.block.half_range(row.half)[0]
        key = (row.trainee_id, row.rotation.site_id)
        first[key] = min(first.get(key, start), start)
    return first


def site_access_assign(*, schedule: RotationSchedule, day: date | None = None) -> int:
    """Give the schedule's trainees their badge and EHR tasks for sites new to them; returns
    how many tasks were made."""
    day = day or clock.today()
    coming = {k: v for k, v in first_days_at_sites(schedule).items() if v > day}
    if not coming:
        return 0
    been = set(
        RotationAssignment.objects.filter(
            schedule__status=RotationSchedule.Status.PUBLISHED,
            trainee_id__in={t for t, _ in coming},
            block__start__lte=day,
        )
        .exclude(rotation__kind="vacation")
        .values_list("trainee_id", "rotation__site_id")
    )
    sites = {s.pk: s for s in Site.objects.filter(pk__in={s for _, s in coming})}
    items = {pk: site_items(site) for pk, site in sites.items()}
    wanted: dict[tuple[int, int], date] = {}
    for (trainee_id, site_id), first_day in coming.items():
        if (trainee_id, site_id) not in been:
            for item in items[site_id]:
                wanted[(trainee_id, item.pk)] = max(day, first_day - timedelta(days=LEAD_DAYS))
    return _tasks_put(wanted)


def _tasks_put(wanted: dict[tuple[int, int], date]) -> int:
    """Make the missing tasks and move the due dates of open ones, in a few queries."""
    existing = {
        (t.trainee_id, t.item_id): t
        for t in OnboardingTask.objects.filter(
            trainee_id__in={t for t, _ in wanted}, item_id__in={i for _, i in wanted}
        )
    }
    moved = []
    for key, due in wanted.items():
        task = existing.get(key)
        if task is not None and task.done_at is None and task.due_on != due:
            task.due_on = due
            moved.append(task)
    OnboardingTask.objects.bulk_update(moved, ["due_on"])
    new = [
        OnboardingTask(trainee_id=t, item_id=i, due_on=due)
        for (t, i), due in wanted.items()
        if (t, i) not in existing
    ]
    OnboardingTask.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
