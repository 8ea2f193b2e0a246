"""Every role, and anonymous visitors, against every page of the training record.

Anonymous visitors are sent to sign in (the public verification page aside). A record of
someone else answers 404, so nobody learns whose records exist; a staff page answers 403 to a
role without it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rounds.record.services import letter_issue
from tests.people import USERNAMES, SmallInstitution

EVERYONE = list(USERNAMES)
IM_MANAGERS = {"gme", "pd.im", "coord.im"}
STAFF = IM_MANAGERS | {"pd.cards"}

Url = Callable[[Any], str]
# (name, url, {user: expected status}, status for everyone else signed in, anonymous status)
PAGES: list[tuple[str, Url, dict[str, int], int, int]] = [
    (
        "record home",
        lambda w: "/record/",
        dict.fromkeys(STAFF, 200) | dict.fromkeys(["resident", "resident2", "fellow"], 302),
        403,
        302,
    ),
    (
        "Ana's record",
        lambda w: f"/record/trainees/{w.ana.pk}/",
        dict.fromkeys([*IM_MANAGERS, "resident"], 200),
        404,
        302,
    ),
    (
        "Ana's letter PDF",
        lambda w: f"/record/letters/{w.letter.pk}/pdf/",
        dict.fromkeys([*IM_MANAGERS, "resident"], 200),
        404,
        302,
    ),
    ("verify with the code", lambda w: f"/verify/{w.code}/", {}, 200, 200),
    ("verify with another code", lambda w: "/verify/ABCD-EFGH/", {}, 404, 404),
]
POST_SIGN = {"pd.im": 200, "coord.im": 403, "gme": 403, "resident": 403}


class World:
    def __init__(self, small: SmallInstitution) -> None:
        self.ana = small.ana
        self.letter, self.code = letter_issue(trainee=small.ana, by=small.users["pd.im"])


def signed_in(small: SmallInstitution) -> dict[str, Client]:
    clients = {}
    for username in EVERYONE:
        clients[username] = Client()
        clients[username].force_login(small.users[username])
    return clients


@pytest.mark.django_db
def test_every_role_against_every_record_page(small: SmallInstitution) -> None:
    world = World(small)
    clients = signed_in(small)
    failures = []
    for name, url, allowed, otherwise, anonymous_status in PAGES:
        path = url(world)
        anonymous = Client().get(path)
        if anonymous.status_code != anonymous_status:
            failures.append(f"{name}: anonymous got {anonymous.status_code}")
        if anonymous_status == 302 and "/accounts/login/" not in anonymous["Location"]:
            failures.append(f"{name}: anonymous not sent to sign in")
        for username, client in clients.items():
            status = client.get(path).status_code
            expected = allowed.get(username, otherwise)
            if status != expected:
                failures.append(f"{name} as {username}: {status}, expected {expected}")
    assert failures == []


@pytest.mark.django_db
def test_only_the_trainees_program_director_signs(small: SmallInstitution) -> None:
    path = f"/record/trainees/{small.ana.pk}/letters/sign/"
    clients = signed_in(small)
    failures = []
    for username, client in clients.items():
        status = client.post(path).status_code
        expected = POST_SIGN.get(username, 404)
        if status != expected:
            failures.append(f"sign as {username}: {status}, expected {expected}")
    anonymous = Client().post(path)
    assert anonymous.status_code == 302
    assert failures == []


@pytest.mark.django_db
def test_a_trainee_on_record_home_lands_on_their_own_record(client_as, small) -> None:
    page = client_as("resident").get("/record/", follow=True)
    assert page.redirect_chain[-1][0] == f"/record/trainees/{small.ana.pk}/"
    assert "Ana Alvarez" in page.content.decode()


@pytest.mark.django_db
def test_staff_find_only_their_programs_trainees(client_as, small) -> None:
    page = client_as("pd.im").get("/record/?q=Chen").content.decode()
    assert "Cara Chen" not in page and "No trainee of your programs has that name" in page
    assert "Cara Chen" in client_as("gme").get("/record/?q=Chen").content.decode()
    assert "Cara Chen" in client_as("pd.cards").get("/record/?q=Chen").content.decode()
