"""A service calendar feed shows only the trainees its maker may see, decided when it is read."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from rounds.engine.rotations.check import Placement
from rounds.people.models import Role, RoleAssignment
from rounds.schedules.models import CalendarFeed
from rounds.schedules.problem import rid, tid
from rounds.schedules.services import schedule_create, schedule_publish
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, build_schedules


def _shared_micu(small: SmallInstitution):  # type: ignore[no-untyped-def]
    """MICU, shared by IM (Ben in blocks 4-5) and cardiology (Cara in block 4)."""
    x = build_schedules(small)
    gme = small.users["gme"]
    cards = schedule_create(
        program=small.cards,
        academic_year=YEAR,
        by=gme,
        reason="first",
        placements=[Placement(tid(small.cara.pk), 4, rid(x.micu.pk))],
    )
    schedule_publish(schedule=cards, by=gme, notify=False)
    return x


def _feed(client: Client, rotation_pk: int) -> bytes:
    client.post(reverse("schedules:feed_new"), {"rotation": rotation_pk})
    feed = CalendarFeed.objects.filter(rotation_id=rotation_pk).latest("pk")
    # Read without signing in, as a calendar app does.
    return Client().get(reverse("schedules:ics", args=[feed.token])).content


def test_a_residents_service_feed_shows_no_other_trainee(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = _shared_micu(small)
    ics = _feed(client_as("resident"), x.micu.pk)
    assert b"BEGIN:VCALENDAR" in ics
    assert b"Ben Baker" not in ics and b"Cara Chen" not in ics


def test_program_staff_see_their_programs_trainees_and_the_gme_office_all(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = _shared_micu(small)
    coordinator = _feed(client_as("coord.im"), x.micu.pk)
    assert b"MICU: Ben Baker" in coordinator and b"Cara Chen" not in coordinator
    office = _feed(client_as("gme"), x.micu.pk)
    assert b"MICU: Ben Baker" in office and b"MICU: Cara Chen" in office


def test_what_a_feed_shows_follows_its_makers_rights_when_read(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = _shared_micu(small)
    coord = client_as("coord.im")
    coord.post(reverse("schedules:feed_new"), {"rotation": x.micu.pk})
    token = CalendarFeed.objects.get(rotation=x.micu).token
    assert b"Ben Baker" in Client().get(reverse("schedules:ics", args=[token])).content
    # Now only a trainee of IM: the same link no longer names anyone else.
    RoleAssignment.objects.filter(user=small.users["coord.im"]).delete()
    RoleAssignment.objects.create(user=small.users["coord.im"], role=Role.TRAINEE, program=small.im)
    assert b"Ben Baker" not in Client().get(reverse("schedules:ics", args=[token])).content
