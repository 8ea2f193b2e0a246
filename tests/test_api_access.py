"""Every role against every API endpoint, with a token of every user.

The same rules as the pages: people without the role get 403; records of another program or
another trainee are 404 (they do not learn they exist); what a list shows is narrowed to what
the caller may see.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api_setup import ApiWorld, api_client, build_api_world
from tests.people import USERNAMES, SmallInstitution

ALL = dict.fromkeys(USERNAMES, 200)
STAFF = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 200}
TRAINEES = {"resident": 200, "resident2": 200, "fellow": 200}
IM_READERS = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 404,
              "resident": 200, "resident2": 200, "fellow": 404}  # fmt: skip
ANA_READERS = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 404,
               "resident": 200, "resident2": 404, "fellow": 404}  # fmt: skip
NO_ROLE_403 = {"faculty": 403, "wellness": 403, "inclusion": 403, "nobody": 403}

Url = Callable[[ApiWorld], str]
ENDPOINTS: list[tuple[str, Url, dict[str, int], int]] = [
    ("programs", lambda w: "/api/programs/", ALL, 404),
    ("sites", lambda w: "/api/sites/", ALL, 404),
    ("people", lambda w: "/api/people/", ALL, 404),
    ("trainees", lambda w: "/api/trainees/", ALL, 404),
    ("ana", lambda w: f"/api/trainees/{w.small.ana.pk}/", ANA_READERS, 404),
    ("rotations", lambda w: "/api/rotation-schedules/", {**STAFF, **TRAINEES}, 403),
    ("IM rotations", lambda w: f"/api/rotation-schedules/?program={w.small.im.pk}",
     {**IM_READERS, **NO_ROLE_403}, 404),
    ("calls", lambda w: "/api/call-schedules/", {**STAFF, **TRAINEES}, 403),
    ("IM calls", lambda w: f"/api/call-schedules/?program={w.small.im.pk}",
     {**IM_READERS, **NO_ROLE_403}, 404),
    ("on call", lambda w: "/api/on-call/", {**STAFF, **TRAINEES, "faculty": 200}, 403),
    ("hours", lambda w: "/api/work-hours/", {**STAFF, **TRAINEES}, 403),
    ("ana's hours", lambda w: f"/api/work-hours/?trainee={w.small.ana.pk}",
     {**ANA_READERS, **NO_ROLE_403}, 404),
]  # fmt: skip


@pytest.fixture
def world(small: SmallInstitution) -> ApiWorld:
    return build_api_world(small)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_every_role_against_every_read(world: ApiWorld, endpoint) -> None:  # type: ignore[no-untyped-def]
    _, url_of, allowed, otherwise = endpoint
    url = url_of(world)
    answers = {name: api_client(world.tokens[name]).get(url) for name in USERNAMES}
    got = {name: answer.status_code for name, answer in answers.items()}
    assert got == {name: allowed.get(name, otherwise) for name in USERNAMES}
    for answer in answers.values():
        if answer.status_code >= 400:
            assert answer["Content-Type"] == "application/problem+json"
            assert answer.json()["status"] == answer.status_code


def _names(answer) -> set[str]:  # type: ignore[no-untyped-def]
    return {row["trainee"]["name"] for row in answer.json()["results"]}


def test_lists_show_only_what_the_caller_may_see(world: ApiWorld) -> None:
    def trainees(name: str) -> set[str]:
        rows = api_client(world.tokens[name]).get("/api/trainees/").json()["results"]
        return {r["person"]["first_name"] for r in rows}

    assert trainees("gme") == {"Ana", "Ben", "Cara"}
    assert trainees("pd.im") == trainees("coord.im") == {"Ana", "Ben"}
    assert trainees("pd.cards") == {"Cara"}
    assert trainees("resident") == {"Ana"}
    assert trainees("faculty") == trainees("nobody") == set()

    rotations = "/api/rotation-schedules/?start=2026-07-01&end=2027-06-30"
    assert _names(api_client(world.tokens["pd.im"]).get(rotations)) == {"Ana Alvarez", "Ben Baker"}
    assert _names(api_client(world.tokens["resident"]).get(rotations)) == {"Ana Alvarez"}
    assert _names(api_client(world.tokens["pd.cards"]).get(rotations)) == set()

    calls = "/api/call-schedules/?start=2026-07-01&end=2026-07-31"
    assert _names(api_client(world.tokens["coord.im"]).get(calls)) == {"Ana Alvarez", "Ben Baker"}
    assert _names(api_client(world.tokens["resident2"]).get(calls)) == {"Ben Baker"}

    hours = "/api/work-hours/?start=2026-06-01&end=2026-06-30"

    def entries(name: str) -> set[int]:
        return {r["trainee"] for r in api_client(world.tokens[name]).get(hours).json()["results"]}

    s = world.small
    assert entries("gme") == {s.ana.pk, s.ben.pk, s.cara.pk}
    assert entries("pd.im") == {s.ana.pk, s.ben.pk}
    assert entries("pd.cards") == {s.cara.pk}
    assert entries("resident") == {s.ana.pk}


def test_a_trainee_token_cannot_read_another_trainees_hours(world: ApiWorld) -> None:
    ben = world.small.ben
    answer = api_client(world.tokens["resident"]).get(f"/api/work-hours/?trainee={ben.pk}")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["detail"] == "No such trainee."
    # Nor by asking for his program's hours: only her own rows come back.
    im = world.small.im.pk
    rows = (
        api_client(world.tokens["resident"])
        .get(f"/api/work-hours/?program={im}&start=2026-06-01&end=2026-06-30")
        .json()["results"]
    )
    assert {r["trainee"] for r in rows} == {world.small.ana.pk}


def test_who_is_on_call_at_a_given_time(world: ApiWorld) -> None:
    at = world.ana_call.start.isoformat()
    client = api_client(world.tokens["faculty"])
    answer = client.get("/api/on-call/", {"at": at, "site": world.small.sponsor.slug})
    assert [s["trainee"]["name"] for s in answer.json()["shifts"]] == ["Ana Alvarez"]
    other_site = client.get("/api/on-call/", {"at": at, "site": world.small.affiliate.slug})
    assert other_site.json()["shifts"] == []
    by_service = client.get("/api/on-call/", {"at": at, "service": "general MEDICINE"})
    assert len(by_service.json()["shifts"]) == 1
    assert client.get("/api/on-call/", {"at": at, "service": "Cardiology"}).json()["shifts"] == []
    unknown = client.get("/api/on-call/", {"site": "nowhere"})
    assert unknown.status_code == 404
    assert "nowhere" in unknown.json()["detail"]
