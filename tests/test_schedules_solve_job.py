"""A coordinator solves the year from the browser: a job on the queue, a draft as its result,
locked cells kept on a re-solve, and a clear reason when no schedule exists. The GME office builds
every program's year in one job: one draft per program, shared capacities and locked halves
kept, published years kept as load, cancel."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from rounds.jobs.models import Job
from rounds.schedules.models import (
    CurriculumRequirement,
    Preference,
    Rotation,
    RotationAssignment,
    RotationProgram,
    RotationSchedule,
)
from tests.people import SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules


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
    assert resolved.based_on == draft
    assert resolved.reason.startswith("re-solved around locked cells of version 3: ")

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


def _micu_per_half(
    x: SmallSchedules, schedules: list[RotationSchedule]
) -> Counter[tuple[int, int]]:
    """Trainees on the shared MICU in each (block number, half), every program together."""
    count: Counter[tuple[int, int]] = Counter()
    for a in RotationAssignment.objects.filter(
        schedule__in=schedules, rotation=x.micu
    ).select_related("block"):
        for half in (1, 2) if not a.half else (a.half,):
            count[a.block.number, half] += 1
    return count


@pytest.mark.django_db(transaction=True)
def test_the_gme_office_builds_every_programs_year_in_one_job(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    # IM may split clinic and wards by halves; Ana's block 6 is split and locked in the draft.
    RotationProgram.objects.filter(program=small.im, rotation__in=[x.clinic, x.wards]).update(
        half_blocks=True
    )
    block6 = x.im_blocks[5]
    RotationAssignment.objects.filter(schedule=x.draft, trainee=small.ana, block=block6).delete()
    for half, rotation in ((1, x.clinic), (2, x.wards)):
        RotationAssignment.objects.create(
            schedule=x.draft, trainee=small.ana, block=block6, half=half, rotation=rotation,
            locked=True,
        )  # fmt: skip
    gme = client_as("gme")
    home = gme.get(reverse("schedules:home") + "?year=2026").content.decode()
    assert "Build every program’s year" in home
    response = gme.post(reverse("schedules:solve_all", args=[2026]), {"keep_published": "0"})
    job = Job.objects.get(kind="rotation_solve_all")
    assert response["Location"] == reverse("schedules:job", args=[job.pk])
    _work()
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.message.startswith("2 drafts are ready, one per program")
    page = gme.get(reverse("schedules:job", args=[job.pk])).content.decode()
    assert "Cardiovascular Disease Fellowship" in page and "Internal Medicine Residency" in page
    im = RotationSchedule.objects.get(program=small.im, number=3)
    cards = RotationSchedule.objects.get(program=small.cards, number=1)
    assert im.reason == cards.reason == "Institution-wide solve"
    assert im.is_draft and cards.is_draft
    assert im.based_on == x.draft and cards.based_on is None
    # The locked halves came back where they were, still locked.
    kept = RotationAssignment.objects.filter(schedule=im, trainee=small.ana, block=block6)
    assert sorted((a.half, a.rotation.name, a.locked) for a in kept) == [
        (1, "Clinic", True),
        (2, "Wards", True),
    ]
    # MICU's room for 2 holds across both programs in every half of every block.
    assert max(_micu_per_half(x, [im, cards]).values()) <= 2
    for username, schedule in (("coord.im", im), ("pd.cards", cards)):
        grid = client_as(username).get(reverse("schedules:grid", args=[schedule.pk]))
        assert "Every rule holds" in grid.content.decode(), username
        year = client_as(username).get(
            reverse("schedules:program", args=[schedule.program_id, 2026])
        )
        assert "Institution-wide solve" in year.content.decode()
    assert im.solve_input["load"], "the other program's placements are its load on MICU"


@pytest.mark.django_db(transaction=True)
def test_published_years_are_kept_and_count_as_load(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    # Room for one on MICU: IM's published year uses it in blocks 1, 2, 4 and 5.
    Rotation.objects.filter(pk=x.micu.pk).update(capacity=1)
    CurriculumRequirement.objects.create(program=small.cards, pgy=4, rotation=x.micu, min_blocks=9)
    gme = client_as("gme")
    gme.post(reverse("schedules:solve_all", args=[2026]), {"keep_published": "1"})
    _work()
    job = Job.objects.get(kind="rotation_solve_all")
    assert job.status == "succeeded", job.message
    assert [d["program"] for d in job.result["drafts"]] == ["Cardiovascular Disease Fellowship"]
    assert RotationSchedule.objects.filter(program=small.im).count() == 2  # unchanged
    cards = RotationSchedule.objects.get(program=small.cards)
    assert max(_micu_per_half(x, [x.published, cards]).values()) <= 1
    # Nine blocks of MICU do not fit beside IM's four: the job page says why, no draft appears.
    CurriculumRequirement.objects.filter(program=small.cards).update(min_blocks=10)
    cards.delete()
    gme.post(reverse("schedules:solve_all", args=[2026]), {"keep_published": "1"})
    _work()
    failed = Job.objects.filter(kind="rotation_solve_all").order_by("-pk").first()
    assert failed is not None and failed.status == "succeeded" and "drafts" not in failed.result
    page = gme.get(reverse("schedules:job", args=[failed.pk])).content.decode()
    assert "No schedule exists" in page
    assert (
        "Cardiovascular Disease Fellowship needs 10 blocks of MICU in the year, but its places "
        "allow at most 9 blocks (other programs already fill part of MICU)"
    ) in page
    assert not RotationSchedule.objects.filter(program=small.cards).exists()


@pytest.mark.django_db(transaction=True)
def test_an_institution_solve_can_be_cancelled_and_nothing_is_left_to_build(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    gme = client_as("gme")
    gme.post(reverse("schedules:solve_all", args=[2026]), {"keep_published": "0"})
    job = Job.objects.get(kind="rotation_solve_all")
    gme.post(reverse("schedules:job_cancel", args=[job.pk]))
    _work()
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert not RotationSchedule.objects.filter(reason="Institution-wide solve").exists()
    # Once every program's year is published, keeping them leaves nothing to build.
    cards = RotationSchedule.objects.create(program=small.cards, academic_year=2026, number=1,
                                            status="published")  # fmt: skip
    response = gme.post(
        reverse("schedules:solve_all", args=[2026]), {"keep_published": "1"}, follow=True
    )
    assert (
        "No program is left to build for 2026–2027: every program with blocks, trainees and "
        "rotations has a published year."
    ) in response.content.decode()
    # A year nobody has cut into blocks says so.
    later = gme.post(
        reverse("schedules:solve_all", args=[2030]), {"keep_published": "1"}, follow=True
    )
    assert (
        "No program is left to build for 2030–2031: no program has blocks, active trainees and "
        "rotations for that year."
    ) in later.content.decode()
    assert Job.objects.filter(kind="rotation_solve_all").count() == 1
    assert cards.pk


@pytest.mark.django_db(transaction=True)
def test_a_program_solve_places_halves_and_a_re_solve_keeps_them_locked(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    RotationProgram.objects.filter(program=small.im, rotation__in=[x.clinic, x.wards]).update(
        half_blocks=True
    )
    block7 = x.im_blocks[6]
    for rotation in (x.clinic, x.wards):  # two wishes in one block: halves grant both
        Preference.objects.create(trainee=small.ana, rotation=rotation, block=block7, weight=5)
    coord = client_as("coord.im")
    coord.post(reverse("schedules:solve", args=[small.im.pk, 2026]))
    _work()
    job = Job.objects.get(kind="rotation_solve")
    assert job.status == "succeeded", job.message
    draft = RotationSchedule.objects.get(pk=job.result["schedule"])
    cell = RotationAssignment.objects.filter(schedule=draft, trainee=small.ana, block=block7)
    assert sorted(a.rotation.name for a in cell) == ["Clinic", "Wards"]
    assert {a.half for a in cell} == {1, 2}
    halves = sorted((a.half, a.rotation.name) for a in cell)
    assert (
        "Every rule holds" in coord.get(reverse("schedules:grid", args=[draft.pk])).content.decode()
    )
    # Lock the split block, drop the wishes, and solve again around it.
    draft.refresh_from_db()
    coord.post(
        reverse("schedules:lock", args=[draft.pk]),
        {"trainee": small.ana.pk, "block": block7.pk, "locked": "1", "revision": draft.revision},
    )
    Preference.objects.all().delete()
    coord.post(reverse("schedules:solve", args=[small.im.pk, 2026]), {"based_on": draft.pk})
    _work()
    again = Job.objects.filter(kind="rotation_solve").order_by("-pk").first()
    assert again is not None and again.status == "succeeded", again and again.message
    kept = RotationAssignment.objects.filter(
        schedule_id=again.result["schedule"], trainee=small.ana, block=block7
    )
    assert sorted((a.half, a.rotation.name) for a in kept) == halves
    assert all(a.locked for a in kept)
