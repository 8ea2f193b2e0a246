"""A coordinator solves the year from the browser: a job on the queue, a draft as its result,
locked cells kept on a re-solve, and a clear reason when no schedule exists."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from rounds.jobs.models import Job
from rounds.schedules.models import CurriculumRequirement, RotationAssignment, RotationSchedule
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def _work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")


@pytest.mark.django_db(transaction=True)
def test_solve_in_the_browser_then_lock_and_re_solve(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    response = coord.post(reverse("schedules:solve", args=[small.im.pk, 2026]))
    job = Job.objects.get(kind="rotation_solve")
    assert response["Location"] == reverse("schedules:job", args=[job.pk])
    _work()
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    page = coord.get(reverse("schedules:job", args=[job.pk])).content.decode()
    assert "Draft version 3 is ready." in page and "Open the draft" in page
    draft = RotationSchedule.objects.get(pk=job.result["schedule"])
    grid = coord.get(reverse("schedules:grid", args=[draft.pk])).content.decode()
    assert "Every rule holds" in grid
    # Lock Ben on MICU in block 9, then re-solve around it.
    block9 = x.im_blocks[8]
    RotationAssignment.objects.filter(schedule=draft, trainee=small.ben, block=block9).delete()
    RotationAssignment.objects.create(
        schedule=draft, trainee=small.ben, block=block9, rotation=x.micu, locked=True
    )
    coord.post(reverse("schedules:solve", args=[small.im.pk, 2026]), {"based_on": draft.pk})
    _work()
    again = Job.objects.filter(kind="rotation_solve").order_by("-pk").first()
    assert again is not None and again.status == "succeeded", again and again.message
    resolved = RotationSchedule.objects.get(pk=again.result["schedule"])
    cell = RotationAssignment.objects.get(schedule=resolved, trainee=small.ben, block=block9)
    assert cell.rotation == x.micu and cell.locked
    assert resolved.based_on == draft and resolved.reason == "re-solved around locked cells"

    # Ask for more ICU than MICU can hold: the job says why, and no draft appears.
    CurriculumRequirement.objects.filter(program=small.im).update(min_blocks=9, max_blocks=None)
    coord.post(reverse("schedules:solve", args=[small.im.pk, 2026]))
    _work()
    failed = Job.objects.filter(kind="rotation_solve").order_by("-pk").first()
    assert failed is not None and "schedule" not in failed.result
    page = coord.get(reverse("schedules:job", args=[failed.pk])).content.decode()
    assert "No schedule exists" in page
    assert "These rules cannot all hold together; relax one of them:" in page
    assert "Internal Medicine Residency PGY-1: at least 9 blocks of ICU rotations" in page
    assert "Wards needs at least 1 from Internal Medicine Residency in block 13" in page
