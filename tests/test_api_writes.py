"""Writes through the API: work-hour entries from a time clock (idempotent by the client's
key, the pages' checks) and trainee imports (all or nothing, each problem with its row)."""

from __future__ import annotations

import datetime as dt

import pytest

from rounds.core.models import AuditEntry
from rounds.people.models import Trainee
from rounds.workhours.models import LoggedPeriod
from tests.api_setup import LOGGED_DAY, ApiWorld, api_client, build_api_world, service_token
from tests.call_setup import NY
from tests.people import USERNAMES, SmallInstitution

KEY = "clock-7f3a9c1e2b4d"


@pytest.fixture
def world(small: SmallInstitution) -> ApiWorld:
    return build_api_world(small)


def entry(trainee: Trainee | None = None, day: dt.date = LOGGED_DAY, hour: int = 19) -> dict:
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=NY)
    body = {"kind": "clinical", "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=4)).isoformat()}  # fmt: skip
    return body | ({"trainee": trainee.pk} if trainee else {})


def post(secret: str, body: dict, key: str = KEY):  # type: ignore[no-untyped-def]
    return api_client(secret).post(
        "/api/work-hours/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_who_may_write_whose_hours(world: ApiWorld) -> None:
    """Ana's own token writes her hours; a time clock's service token of her program's staff
    may too; nobody else (another trainee or program: 404, as if she did not exist)."""
    ana = world.small.ana
    expected = {"resident": 201, "gme": 403, "pd.im": 403, "coord.im": 403, "pd.cards": 404,
                "resident2": 404, "fellow": 404, "faculty": 403, "wellness": 403,
                "inclusion": 403, "nobody": 403}  # fmt: skip
    got = {}
    for n, name in enumerate(USERNAMES):
        answer = post(world.tokens[name], entry(ana), key=f"{KEY}-{n:04}")
        got[name] = answer.status_code
        if answer.status_code != 201:
            assert answer["Content-Type"] == "application/problem+json"
    assert got == expected
    clock = service_token("coord.im", world.small, ["hours:write"])
    answer = post(clock, entry(ana, hour=2), key=f"{KEY}-clock")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["source"] == "clock"
    other_program = service_token("pd.cards", world.small, ["hours:write"])
    assert post(other_program, entry(ana, hour=3), key=f"{KEY}-cards").status_code == 404


def test_a_retried_post_does_not_duplicate(world: ApiWorld) -> None:
    ana_token = world.tokens["resident"]
    first = post(ana_token, entry())
    again = post(ana_token, entry())
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert LoggedPeriod.objects.filter(trainee=world.small.ana).count() == 2  # setup's + this
    # The same key from another token is another entry's key, not a clash.
    clock = service_token("coord.im", world.small, ["hours:write"])
    assert post(clock, entry(world.small.ben)).status_code == 201


def test_refused_entries_say_what_and_where(world: ApiWorld) -> None:
    ana_token = world.tokens["resident"]
    overlap = post(ana_token, entry(hour=9), key=f"{KEY}-overlap")
    assert overlap.status_code == 400
    body = overlap.json()
    assert body["errors"][0]["field"] == "start"
    assert "overlaps your clinical work" in body["detail"]
    backwards = entry() | {"end": entry()["start"]}
    assert post(ana_token, backwards, key=f"{KEY}-back").json()["errors"][0]["field"] == "end"
    missing = post(ana_token, {"kind": "clinical"}, key=f"{KEY}-missing").json()
    assert {e["field"] for e in missing["errors"]} == {"start", "end"}
    no_key = post(ana_token, entry(), key="short")
    assert no_key.status_code == 400
    assert no_key.json()["errors"][0]["field"] == "Idempotency-Key"
    assert LoggedPeriod.objects.filter(trainee=world.small.ana).count() == 1


def test_each_write_is_audited_with_its_token(world: ApiWorld) -> None:
    assert post(world.tokens["resident"], entry()).status_code == 201
    row = AuditEntry.objects.get(action="api.workhours.log")
    assert row.actor == world.small.users["resident"]
    assert "API token test" in row.summary
    assert AuditEntry.objects.filter(action="workhours.log").count() == 4  # 3 in setup + this


TRAINEES_CSV = (
    "email,first_name,last_name,program,pgy,start_date,expected_end_date\n"
    "dana@example.org,Dana,Diaz,Internal Medicine Residency,1,2026-07-01,2029-06-30\n"
)


def _upload(secret: str, text: str, name: str = "trainees.csv"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return api_client(secret).post("/api/trainee-imports/", {"file": upload})


def test_trainee_import_is_the_gme_offices_and_all_or_nothing(world: ApiWorld) -> None:
    for name in USERNAMES:
        if name != "gme":
            assert _upload(world.tokens[name], TRAINEES_CSV).status_code == 403, name
    bad = TRAINEES_CSV + "eve@example.org,Eve,,Internal Medicine Residency,1,2026-07-01,x\n"
    refused = _upload(world.tokens["gme"], bad)
    assert refused.status_code == 400
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"row 3, last_name", "row 3, expected_end_date"}
    assert not Trainee.objects.filter(person__email="dana@example.org").exists()
    done = _upload(world.tokens["gme"], TRAINEES_CSV)
    assert (done.status_code, done.json()) == (201, {"created": 1, "updated": 0})
    assert Trainee.objects.filter(person__email="dana@example.org").exists()
    assert AuditEntry.objects.filter(action="api.import").count() == 1
