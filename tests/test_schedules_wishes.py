"""A trainee states rotation wishes for the coming year on their own schedule page: one form,
weights bounded, read by the solver's problem."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from rounds.core.demo import academic_year_start
from rounds.schedules.models import Preference, Rotation, RotationProgram
from rounds.schedules.problem import build_problem, rid, tid
from rounds.schedules.services import blocks_create
from tests.people import USERNAMES, SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules

MID_YEAR = "2026-12-07"  # today in these tests: wishes are for the year that starts next July
NEXT = academic_year_start(date.fromisoformat(MID_YEAR)) + 1
URL = reverse("schedules:wishes")


@pytest.fixture(autouse=True)
def mid_year(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = MID_YEAR


@pytest.fixture
def x(small: SmallInstitution) -> SmallSchedules:
    built = build_schedules(small)
    blocks_create(program=small.im, academic_year=NEXT, by=small.users["gme"])
    return built


def _form(x: SmallSchedules, **weights: tuple[int, str]) -> dict[str, object]:
    """Weights by rotation attribute name, e.g. micu=(5, "") or wards=(-3, block pk)."""
    data: dict[str, object] = {}
    for name in ("wards", "micu", "clinic"):
        weight, block = weights.get(name, (0, ""))
        rotation = getattr(x, name)
        data[f"wish-w{rotation.pk}"] = weight
        data[f"wish-b{rotation.pk}"] = block
    return data


def test_only_trainees_state_wishes_and_only_their_own(  # type: ignore[no-untyped-def]
    small: SmallInstitution, x: SmallSchedules, client_as
) -> None:
    data = _form(x, micu=(5, ""))
    assert "/accounts/login/" in Client().post(URL, data)["Location"]
    for username in USERNAMES:
        status = client_as(username).post(URL, data).status_code
        expected = 302 if username in ("resident", "resident2", "fellow") else 403
        assert status == expected, username
        assert client_as(username).get(URL).status_code == (405 if expected == 302 else 403)
    wishes = {(p.trainee_id, p.rotation_id, p.weight) for p in Preference.objects.all()}
    # Each trainee's wish lands on their own record; MICU takes cardiology fellows too.
    assert (small.ana.pk, x.micu.pk, 5) in wishes and (small.ben.pk, x.micu.pk, 5) in wishes
    assert {t for t, _, _ in wishes} == {small.ana.pk, small.ben.pk, small.cara.pk}


def test_wishes_are_shown_saved_and_read_by_the_solver(  # type: ignore[no-untyped-def]
    small: SmallInstitution, x: SmallSchedules, client_as
) -> None:
    ana = client_as("resident")
    page = ana.get(reverse("schedules:mine")).content.decode()
    assert f"Wishes for {NEXT}–{NEXT + 1}" in page
    assert "Clinic" in page and "Save wishes" in page
    block4 = next(b for b in x.im_blocks if b.number == 4)
    nxt4 = small.im.blocks.get(academic_year=NEXT, number=4)
    # An older wish for this year's block 4 stays: the form is about the coming year.
    Preference.objects.create(trainee=small.ana, rotation=x.wards, block=block4, weight=2)
    response = ana.post(URL, _form(x, micu=(8, ""), clinic=(-4, str(nxt4.pk))), follow=True)
    assert "2 wishes saved" in response.content.decode()
    mine = {
        (p.rotation_id, p.block_id, p.weight) for p in Preference.objects.filter(trainee=small.ana)
    }
    assert mine == {(x.micu.pk, None, 8), (x.clinic.pk, nxt4.pk, -4), (x.wards.pk, block4.pk, 2)}
    page = ana.get(reverse("schedules:mine")).content.decode()
    assert 'value="8"' in page and 'value="-4"' in page
    problem = build_problem([small.im], NEXT)
    wished = {
        (p["trainee"], p["rotation"], p["block"], p["weight"]) for p in problem["preferences"]
    }
    assert (tid(small.ana.pk), rid(x.micu.pk), None, 8) in wished
    assert (tid(small.ana.pk), rid(x.clinic.pk), 4, -4) in wished
    # Saving again replaces the coming year's wishes; 0 means no wish.
    ana.post(URL, _form(x, micu=(0, ""), wards=(3, "")))
    mine = {
        (p.rotation_id, p.block_id, p.weight) for p in Preference.objects.filter(trainee=small.ana)
    }
    assert mine == {(x.wards.pk, None, 3), (x.wards.pk, block4.pk, 2)}


def test_weights_are_bounded_and_nothing_is_saved_when_refused(  # type: ignore[no-untyped-def]
    small: SmallInstitution, x: SmallSchedules, client_as
) -> None:
    ana = client_as("resident")
    too_big = ana.post(URL, _form(x, micu=(11, "")))
    assert too_big.status_code == 400
    assert "less than or equal to 10" in too_big.content.decode()
    research = Rotation.objects.create(name="Research", service="Research", site=small.sponsor)
    RotationProgram.objects.create(rotation=research, program=small.im)
    data = {**_form(x, micu=(10, ""), wards=(-10, ""), clinic=(10, "")), f"wish-w{research.pk}": -2}
    too_many = ana.post(URL, data)
    assert too_many.status_code == 400
    assert "Your wishes weigh 32 in all; the most is 30." in too_many.content.decode()
    assert not Preference.objects.exists()
    data[f"wish-w{research.pk}"] = 0
    assert ana.post(URL, data).status_code == 302
    assert Preference.objects.filter(trainee=small.ana).count() == 3


def test_a_rotation_the_trainee_cannot_go_to_is_not_offered(  # type: ignore[no-untyped-def]
    small: SmallInstitution, x: SmallSchedules, client_as
) -> None:
    ben = client_as("resident2")  # PGY-1; the clinic takes PGY-2 and up
    assert "Clinic" not in ben.get(reverse("schedules:mine")).content.decode().split("wishes-h")[1]
    ben.post(URL, _form(x, clinic=(9, ""), wards=(2, "")))
    assert {(p.rotation_id, p.weight) for p in Preference.objects.filter(trainee=small.ben)} == {
        (x.wards.pk, 2)
    }
    other_year = small.im.blocks.exclude(academic_year=NEXT).first()
    assert other_year is not None
    response = ben.post(URL, _form(x, wards=(2, str(other_year.pk))))
    assert response.status_code == 400, "a block of another year is not a choice"
