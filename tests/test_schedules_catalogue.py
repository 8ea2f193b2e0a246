"""A rotation cell takes only rotations of the program's own catalogue."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from rounds.schedules.models import RotationAssignment
from rounds.schedules.services import ScheduleError, assignment_set
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def test_a_program_director_cannot_place_a_trainee_on_another_programs_rotation(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    x = build_schedules(small)
    block = x.im_blocks[5]
    before = list(
        RotationAssignment.objects.filter(schedule=x.draft, trainee=small.ana, block=block)
        .values_list("rotation__name", flat=True)
    )  # fmt: skip
    pd = client_as("pd.im")
    response = pd.post(
        reverse("schedules:cell", args=[x.draft.pk]),
        {"trainee": small.ana.pk, "block": block.pk, "rotation": x.cath.pk,
         "revision": x.draft.revision},
    )  # fmt: skip
    assert response.status_code == 302
    page = pd.get(response["Location"]).content.decode()
    assert (
        "Cath lab is not one of Internal Medicine Residency&#x27;s rotations; "
        "add it on the program&#x27;s setup page first." in page
    )
    after = RotationAssignment.objects.filter(schedule=x.draft, trainee=small.ana, block=block)
    assert list(after.values_list("rotation__name", flat=True)) == before


def test_the_service_refuses_it_too_even_as_half_a_block(small: SmallInstitution) -> None:
    x = build_schedules(small)
    with pytest.raises(ScheduleError, match="Cath lab is not one of Internal Medicine"):
        assignment_set(
            schedule=x.draft,
            trainee=small.ben,
            block=x.im_blocks[0],
            rotation=x.wards,
            second=x.cath,
            revision=x.draft.revision,
            by=small.users["gme"],
        )
    placed = assignment_set(
        schedule=x.draft,
        trainee=small.ben,
        block=x.im_blocks[0],
        rotation=x.micu,
        revision=x.draft.revision,
        by=small.users["gme"],
    )
    assert placed.rotation == x.micu
