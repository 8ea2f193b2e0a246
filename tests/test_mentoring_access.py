"""Every role against every mentoring and coaching page.

Anonymous visitors are sent to sign in. Role pages answer 403 to people without the role; records
of others (a cycle, a pair, a coaching notebook) answer 404 so nobody learns they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rounds.mentoring.models import CoachingNote
from tests.people import USERNAMES
from tests.test_mentoring_setup import (
    Mentoring,
    active_pair,
    build_mentoring,
    open_slot,
)

EVERYONE = list(USERNAMES)
STAFF = {"gme", "pd.im", "coord.im", "pd.cards"}
IM_MANAGERS = {"gme", "pd.im", "coord.im"}
TRAINEES = {"resident", "resident2", "fellow"}

# (name, url, {user: expected status}, status for everyone else signed in)
Url = Callable[[Any], str]
PAGES: list[tuple[str, Url, dict[str, int], int]] = [
    ("mentoring home", lambda w: "/mentoring/", dict.fromkeys(EVERYONE, 200), 200),
    (
        "mentor profile",
        lambda w: "/mentoring/profile/",
        dict.fromkeys(["faculty", "faculty2", "coach", "resident", "fellow"], 200),
        404,  # staff accounts and first-year trainees do not mentor
    ),
    ("cycle list", lambda w: "/mentoring/cycles/", dict.fromkeys(STAFF, 200), 403),
    ("new cycle", lambda w: "/mentoring/cycles/new/", dict.fromkeys(STAFF, 200), 403),
    (
        "IM cycle",
        lambda w: f"/mentoring/cycles/{w.cycle.pk}/",
        dict.fromkeys(IM_MANAGERS, 200)
        | dict.fromkeys(["resident", "resident2", "faculty", "faculty2"], 302),
        404,
    ),
    (
        "IM cycle edit",
        lambda w: f"/mentoring/cycles/{w.cycle.pk}/edit/",
        dict.fromkeys(IM_MANAGERS, 200) | {"pd.cards": 404},
        403,
    ),
    (
        "IM cycle job poll",
        lambda w: f"/mentoring/cycles/{w.cycle.pk}/job/",
        dict.fromkeys(IM_MANAGERS, 200) | {"pd.cards": 404},
        403,
    ),
    (
        "IM cycle sign-up",
        lambda w: f"/mentoring/cycles/{w.cycle.pk}/apply/",
        {"resident": 200, "resident2": 200},
        404,
    ),
    (
        "IM cycle as mentor",
        lambda w: f"/mentoring/cycles/{w.cycle.pk}/mentor/",
        {"faculty": 200, "faculty2": 200},
        404,
    ),
    ("a pair", lambda w: f"/mentoring/pairs/{w.pair.pk}/", {"resident": 200, "faculty": 200}, 404),
    ("quiet pairs", lambda w: "/mentoring/quiet/", dict.fromkeys(STAFF, 200), 403),
    ("re-match requests", lambda w: "/mentoring/rematch/", dict.fromkeys(STAFF, 200), 403),
    (
        "coaching",
        lambda w: "/mentoring/coaching/",
        dict.fromkeys(STAFF | TRAINEES | {"coach"}, 200),
        404,
    ),
    ("coaching notes", lambda w: "/mentoring/coaching/notes/", dict.fromkeys(TRAINEES, 200), 404),
    (
        "coaching participation",
        lambda w: "/mentoring/coaching/participation/",
        dict.fromkeys(STAFF, 200),
        403,
    ),
    ("coaches", lambda w: "/mentoring/coaching/coaches/", {"gme": 200}, 403),
]


def signed_in(small: Any) -> dict[str, Client]:
    clients = {}
    for username in EVERYONE:
        clients[username] = Client()
        clients[username].force_login(small.users[username])
    return clients


class World:
    def __init__(self, small: Any) -> None:
        m: Mentoring = build_mentoring(small)
        self.cycle = m.cycle
        self.coach = m.coach
        self.pair = active_pair(m.cycle, m.rivera, small.ana)
        slot = open_slot(m.coach)
        slot.booked_by = small.ana
        slot.save()
        self.note = CoachingNote.objects.create(trainee=small.ana, text="private", session=slot)
        self.free_slot = open_slot(m.coach, days=5)


@pytest.mark.django_db
def test_every_role_against_every_mentoring_page(small) -> None:
    world = World(small)
    clients = signed_in(small)
    failures = []
    for name, url, allowed, otherwise in PAGES:
        path = url(world)
        anonymous = Client().get(path)
        if anonymous.status_code != 302 or "/accounts/login/" not in anonymous["Location"]:
            failures.append(f"{name}: anonymous got {anonymous.status_code}")
        for username, client in clients.items():
            status = client.get(path).status_code
            expected = allowed.get(username, otherwise)
            if status != expected:
                failures.append(f"{name} as {username}: {status}, expected {expected}")
    assert failures == []


POSTS: list[tuple[str, Url, dict[str, str], set[str]]] = [
    (
        "open/close cycle",
        lambda w: f"/mentoring/cycles/{w.cycle.pk}/status/",
        {"status": "closed"},
        IM_MANAGERS,
    ),
    ("publish", lambda w: f"/mentoring/cycles/{w.cycle.pk}/publish/", {}, IM_MANAGERS),
    (
        "add goal",
        lambda w: f"/mentoring/pairs/{w.pair.pk}/goals/",
        {"text": "x"},
        {"resident", "faculty"},
    ),
    (
        "log meeting",
        lambda w: f"/mentoring/pairs/{w.pair.pk}/meetings/",
        {"date": "2020-01-01", "minutes": "30"},
        {"resident", "faculty"},
    ),
    (
        "ask re-match",
        lambda w: f"/mentoring/pairs/{w.pair.pk}/rematch/",
        {},
        {"resident", "faculty"},
    ),
    (
        "stand a coach down",
        lambda w: f"/mentoring/coaching/coaches/{w.coach.pk}/toggle/",
        {},
        {"gme"},
    ),
    (
        "book a coaching slot",
        lambda w: f"/mentoring/coaching/slots/{w.free_slot.pk}/book/",
        {},
        {"resident", "resident2", "fellow"},
    ),
    (
        "withdraw a coach's slot",
        lambda w: f"/mentoring/coaching/slots/{w.free_slot.pk}/withdraw/",
        {},
        {"coach"},
    ),
    (
        "delete a trainee's coaching note",
        lambda w: f"/mentoring/coaching/notes/{w.note.pk}/delete/",
        {},
        {"resident"},
    ),
]


@pytest.mark.django_db
def test_write_endpoints_refuse_everyone_else(small) -> None:
    world = World(small)
    clients = signed_in(small)
    failures = []
    for name, url, data, allowed in POSTS:
        for username, client in clients.items():
            if username in allowed:
                continue
            status = client.post(url(world), data).status_code
            if status not in (403, 404):
                failures.append(f"{name} as {username}: {status}")
        anonymous = Client().post(url(world), data)
        if anonymous.status_code != 302:
            failures.append(f"{name} anonymous: {anonymous.status_code}")
    assert failures == []
    world.cycle.refresh_from_db()
    assert world.cycle.status == "open"
    assert not world.pair.goals.exists() and not world.pair.meetings.exists()
    assert not world.pair.rematch_requests.exists()
    world.coach.refresh_from_db()
    world.free_slot.refresh_from_db()
    assert world.coach.active and world.free_slot.booked_by is None
    assert CoachingNote.objects.filter(pk=world.note.pk).exists()
