"""The coordinator's workflow: blocks, hand edits re-checked, locks, publish, versions."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from django.core import mail
from django.urls import reverse

from rounds.schedules.consequences import rotation_publish_preview
from rounds.schedules.models import Block, RotationAssignment, RotationProgram, RotationSchedule
from rounds.schedules.services import (
    ScheduleError,
    StaleEdit,
    assignment_set,
    blocks_create,
    schedule_publish,
)
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, build_schedules


def test_thirteen_four_week_blocks_cover_the_year_and_months_are_calendar_months(
    small: SmallInstitution,
) -> None:
    blocks = blocks_create(program=small.im, academic_year=2030, by=small.users["gme"])
    assert [b.number for b in blocks] == list(range(1, 14))
    assert blocks[0].start == dt.date(2030, 7, 1) and blocks[-1].end == dt.date(2031, 6, 30)
    assert all(b.start == a.end + dt.timedelta(days=1) for a, b in pairwise(blocks))
    months = blocks_create(
        program=small.cards, academic_year=2030, scheme=Block.Scheme.MONTH, by=small.users["gme"]
    )
    assert len(months) == 12 and months[7].start == dt.date(2031, 2, 1)
    assert months[7].end == dt.date(2031, 2, 28)
    with pytest.raises(ScheduleError, match="already has blocks"):
        blocks_create(program=small.im, academic_year=2030, by=small.users["gme"])
    first, second = blocks[0].half_range(1), blocks[0].half_range(2)
    assert first[1] + dt.timedelta(days=1) == second[0] and second[1] == blocks[0].end


def _post_cell(client, schedule, trainee, block, rotation, revision):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("schedules:cell", args=[schedule.pk]),
        {"trainee": trainee.pk, "block": block.pk, "rotation": rotation.pk, "revision": revision},
        HTTP_HX_REQUEST="true",
    )


def test_moving_a_resident_by_hand_shows_the_broken_rules_in_place(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    page = coord.get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    assert "Every rule holds" in page
    # Ben (PGY-1) to Clinic (PGY-2+ only), in block 4 where he was on MICU.
    block4 = x.im_blocks[3]
    response = _post_cell(coord, x.draft, small.ben, block4, x.clinic, x.draft.revision)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ben Baker (PGY-1, Internal Medicine Residency) may not rotate on Clinic" in html
    assert "Ben Baker has 1 block of ICU rotations; PGY-1 needs 2 to 4" in html
    cell = RotationAssignment.objects.get(schedule=x.draft, trainee=small.ben, block=block4)
    assert cell.rotation == x.clinic
    # A cardiology fellow already on MICU in block 1 (published), Ana too: Ben makes three.
    cards = RotationSchedule.objects.create(
        program=small.cards, academic_year=YEAR, number=1, status="published"
    )
    RotationAssignment.objects.create(
        schedule=cards, trainee=small.cara, block=x.cards_blocks[0], rotation=x.micu
    )
    x.draft.refresh_from_db()
    html = _post_cell(coord, x.draft, small.ben, x.im_blocks[0], x.micu, x.draft.revision)
    text = html.content.decode()
    assert "MICU has 3 trainees in block 1; room for 2" in text
    assert "Wards has 0 from Internal Medicine Residency in block 1; it needs 1" in text


def test_a_coordinator_splits_a_block_in_halves_by_hand(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    block12 = x.im_blocks[11]
    split = {"trainee": small.ana.pk, "block": block12.pk, "revision": x.draft.revision}
    # Neither rotation is taken by halves yet: refused, saying where to allow it.
    refused = coord.post(
        reverse("schedules:cell", args=[x.draft.pk]),
        {**split, "rotation": f"split:{x.clinic.pk}:{x.wards.pk}"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Clinic is not taken for half a block in Internal Medicine Residency" in refused
    assert "Half a block each" not in refused
    RotationProgram.objects.filter(program=small.im, rotation__in=[x.clinic, x.wards]).update(
        half_blocks=True
    )
    page = coord.get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    assert f'value="split:{x.clinic.pk}:{x.wards.pk}">Clinic / Wards</option>' in page
    done = coord.post(
        reverse("schedules:cell", args=[x.draft.pk]),
        {**split, "rotation": f"split:{x.clinic.pk}:{x.wards.pk}"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Ana Alvarez, block 12: Clinic / Wards" in done and ">Clinic/Wards</button>" in done
    cell = RotationAssignment.objects.filter(schedule=x.draft, trainee=small.ana, block=block12)
    assert sorted((a.half, a.rotation.name) for a in cell) == [(1, "Clinic"), (2, "Wards")]
    # Locking a split cell locks both halves.
    x.draft.refresh_from_db()
    coord.post(
        reverse("schedules:lock", args=[x.draft.pk]),
        {"trainee": small.ana.pk, "block": block12.pk, "locked": "1",
         "revision": x.draft.revision},
    )  # fmt: skip
    assert all(a.locked for a in cell.all())
    bogus = coord.post(
        reverse("schedules:cell", args=[x.draft.pk]),
        {**split, "rotation": "split:x:1"},
    )
    assert bogus.status_code == 404


def test_two_coordinators_never_overwrite_each_other(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    seen = x.draft.revision  # both opened the grid at this revision
    pd, coord = client_as("pd.im"), client_as("coord.im")
    block = x.im_blocks[5]
    assert _post_cell(pd, x.draft, small.ana, block, x.micu, seen).status_code == 200
    late = _post_cell(coord, x.draft, small.ana, block, x.clinic, seen)
    assert "Someone else changed this draft after you loaded it" in late.content.decode()
    cell = RotationAssignment.objects.get(schedule=x.draft, trainee=small.ana, block=block)
    assert cell.rotation == x.micu


def test_locked_cells_refuse_edits_and_published_versions_never_change(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    block = x.im_blocks[0]
    coord.post(
        reverse("schedules:lock", args=[x.draft.pk]),
        {"trainee": small.ana.pk, "block": block.pk, "locked": "1", "revision": x.draft.revision},
        HTTP_HX_REQUEST="true",
    )
    x.draft.refresh_from_db()
    html = _post_cell(coord, x.draft, small.ana, block, x.wards, x.draft.revision).content.decode()
    assert "Ana Alvarez in Block 1 is locked. Unlock the cell to change it." in html
    with pytest.raises(ScheduleError, match="published and cannot change"):
        assignment_set(
            schedule=x.published,
            trainee=small.ana,
            block=block,
            rotation=x.wards,
            revision=x.published.revision,
            by=small.users["gme"],
        )
    with pytest.raises(StaleEdit):
        assignment_set(
            schedule=x.draft,
            trainee=small.ana,
            block=x.im_blocks[4],
            rotation=x.wards,
            revision=0,
            by=small.users["gme"],
        )


def test_publishing_a_change_needs_a_reason_and_tells_only_those_affected(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    x = build_schedules(small)
    assignment_set(
        schedule=x.draft,
        trainee=small.ben,
        block=x.im_blocks[6],
        rotation=x.micu,
        revision=x.draft.revision,
        by=small.users["coord.im"],
    )
    x.draft.reason = ""
    x.draft.save()
    with pytest.raises(ScheduleError, match="say why it changes"):
        schedule_publish(schedule=x.draft, by=small.users["coord.im"])
    coord = client_as("coord.im")
    with_reason = {
        "reason": "Ben covers MICU in block 7",
        "fingerprint": rotation_publish_preview(x.draft).fingerprint,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = coord.post(reverse("schedules:publish", args=[x.draft.pk]), with_reason)
    assert response.status_code == 302
    x.draft.refresh_from_db()
    x.published.refresh_from_db()
    assert x.draft.status == "published" and x.published.status == "superseded"
    assert [m.to for m in mail.outbox] == [[small.ben.person.email]]
    assert "Ben covers MICU in block 7" in mail.outbox[0].body
    compare = coord.get(reverse("schedules:compare", args=[x.published.pk, x.draft.pk]))
    assert "1 cell differs" in compare.content.decode()
    # A change to a published version is a new draft, with its reason.
    response = coord.post(reverse("schedules:new_version", args=[x.draft.pk]), {"reason": ""})
    assert RotationSchedule.objects.filter(program=small.im).count() == 2
    response = coord.post(
        reverse("schedules:new_version", args=[x.draft.pk]), {"reason": "Ana's leave"}, follow=True
    )
    assert "Draft version 3 started from version 2." in response.content.decode()


def test_a_trainee_asks_for_vacation_and_the_coordinator_approves(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    from rounds.schedules.models import VacationRequest

    x = build_schedules(small)
    ben = client_as("resident2")
    block = x.im_blocks[10]
    ben.post(reverse("schedules:vacation_new"), {"block": block.pk, "note": "family"})
    again = ben.post(reverse("schedules:vacation_new"), {"block": block.pk}, follow=True)
    assert "You already asked for Block 11 (requested)." in again.content.decode()
    request = VacationRequest.objects.get(trainee=small.ben, block=block)
    # Another program's coordinator cannot decide it; a trainee cannot either.
    url = reverse("schedules:vacation_decide", args=[request.pk])
    assert client_as("pd.cards").post(url, {"approve": "1"}).status_code == 404
    assert client_as("resident").post(url, {"approve": "1"}).status_code == 403
    page = client_as("coord.im").get(reverse("schedules:program", args=[small.im.pk, YEAR]))
    assert "1 vacation request waits for your decision" in page.content.decode()
    client_as("coord.im").post(url, {"approve": "1"})
    request.refresh_from_db()
    assert request.status == "approved"
    # The approved vacation is now a rule: Ben on wards in block 11 breaks it.
    grid = client_as("coord.im").get(reverse("schedules:grid", args=[x.draft.pk]))
    assert "Ben Baker has approved vacation in block 11" in grid.content.decode()
