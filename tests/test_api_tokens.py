"""API tokens: made by the command or the GME office's page, stored as a digest, scoped,
counted, revoked, rate-limited; errors as problem details; schedules with ETags."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from rounds.api.models import ApiToken
from rounds.api.services import digest_of, token_create
from rounds.core.models import AuditEntry
from tests.api_setup import ApiWorld, api_client, build_api_world
from tests.people import USERNAMES, SmallInstitution


def _command(*args: str) -> str:
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_prints_a_token_that_works_and_is_stored_as_a_digest(
    small: SmallInstitution,
) -> None:
    secret = _command("pd.im", "--scope", "read")
    token = ApiToken.objects.get()
    assert token.digest == digest_of(secret) and secret not in str(token.__dict__)
    assert token.scopes == [
        "caselogs:read", "conferences:read", "evaluations:read", "hours:read",
        "moonlighting:read", "people:read", "schedules:read",
    ]  # fmt: skip
    answer = api_client(secret).get("/api/trainees/")
    assert answer.status_code == 200
    assert {r["person"]["first_name"] for r in answer.json()["results"]} == {"Ana", "Ben"}
    token.refresh_from_db()
    assert token.use_count == 1 and token.last_used_at is not None
    with pytest.raises(CommandError, match="Unknown scope 'everything'"):
        _command("pd.im", "--scope", "everything")
    with pytest.raises(CommandError, match="No account named"):
        _command("nosuchuser")


def test_scope_narrows_what_roles_allow(small: SmallInstitution) -> None:
    secret = _command("pd.im", "--scope", "schedules:read")
    client = api_client(secret)
    assert client.get("/api/rotation-schedules/").status_code == 200
    refused = client.get("/api/work-hours/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This token's scopes do not include this request."


def test_missing_wrong_and_revoked_tokens_are_401_problems(small: SmallInstitution) -> None:
    nothing = Client().get("/api/programs/")
    assert nothing.status_code == 401
    assert nothing["Content-Type"] == "application/problem+json"
    assert nothing["WWW-Authenticate"].startswith("Bearer")
    assert set(nothing.json()) == {"type", "title", "status", "detail"}
    assert api_client("rnd_not-a-token").get("/api/programs/").status_code == 401
    made = token_create(user=small.users["gme"], name="x", scopes=["read"], by=None)
    assert api_client(made.secret).get("/api/programs/").status_code == 200
    Client().force_login(small.users["gme"])
    gme = Client()
    gme.force_login(small.users["gme"])
    assert gme.post(f"/api/tokens/{made.token.pk}/revoke/").status_code == 302
    revoked = api_client(made.secret).get("/api/programs/")
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "This token is unknown, revoked or expired."
    assert AuditEntry.objects.filter(action="api.token_revoke").count() == 1


def test_unknown_addresses_and_methods_are_problems(small: SmallInstitution) -> None:
    secret = _command("gme")
    missing = api_client(secret).get("/api/no-such-thing/")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/problem+json")
    wrong = api_client(secret).delete("/api/programs/")
    assert (wrong.status_code, wrong.json()["type"]) == (405, "/api/problems/method-not-allowed")
    bad = api_client(secret).get("/api/call-schedules/?start=2026-07-10&end=2026-07-01")
    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"field": "end", "message": "The end is before the start."}]


def test_a_server_error_is_a_500_problem(small: SmallInstitution, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rounds.api import views

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(views.oncall, "shifts_at", broken)
    answer = api_client(_command("faculty")).get("/api/on-call/")
    assert answer.status_code == 500
    assert answer.json()["title"] == "Server error"
    assert "boom" not in answer.content.decode()


def test_each_token_has_its_own_rate_limit(small: SmallInstitution, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_API_RATE_PER_MINUTE = 3
    first, second = _command("gme"), _command("pd.im")
    answers = [api_client(first).get("/api/sites/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = api_client(first).get("/api/sites/")
    assert limited.json()["status"] == 429 and int(limited["Retry-After"]) >= 1
    assert api_client(second).get("/api/sites/").status_code == 200
    own_rate = token_create(
        user=small.users["gme"], name="pager", scopes=["read"], rate_per_minute=10, by=None
    )
    assert all(api_client(own_rate.secret).get("/api/sites/").status_code == 200 for _ in range(10))


def test_schedules_answer_304_when_nothing_changed(small: SmallInstitution) -> None:
    world: ApiWorld = build_api_world(small)
    client = api_client(world.tokens["pd.im"])
    url = "/api/call-schedules/?start=2026-07-01&end=2026-07-31"
    first = client.get(url)
    tag = first["ETag"]
    assert first.status_code == 200 and tag
    again = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert (again.status_code, again.content) == (304, b"")
    world.ana_call.label = "Night float"
    world.ana_call.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    rotations = client.get("/api/rotation-schedules/")
    assert (
        client.get("/api/rotation-schedules/", HTTP_IF_NONE_MATCH=rotations["ETag"]).status_code
        == 304
    )


def test_the_gme_office_makes_tokens_on_a_page_others_cannot(small: SmallInstitution) -> None:
    for name in USERNAMES:
        client = Client()
        client.force_login(small.users[name])
        assert client.get("/api/tokens/").status_code == (200 if name == "gme" else 403), name
    gme = Client()
    gme.force_login(small.users["gme"])
    form = {"username": "coord.im", "name": "IM time clock", "kind": "service",
            "scopes": ["hours:write"], "submit_token": "form-token-0123456789"}  # fmt: skip
    page = gme.post("/api/tokens/", form)
    secret = page.context["made"].secret
    assert secret in page.content.decode()
    assert gme.post("/api/tokens/", form).context["made"] is None  # a double submit: one token
    token = ApiToken.objects.get()
    assert (token.kind, token.scopes, token.user.username) == (
        "service",
        ["hours:write"],
        "coord.im",
    )
    assert token.digest == digest_of(secret)
    listed = gme.get("/api/tokens/").content.decode()
    assert "IM time clock" in listed and secret not in listed
    unknown = gme.post("/api/tokens/", form | {"username": "ghost", "submit_token": "x" * 20})
    assert "No active account named &#x27;ghost&#x27;" in unknown.content.decode()


def test_schema_and_docs_are_served_without_a_cdn(small: SmallInstitution) -> None:
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/on-call/" in paths and "/api/work-hours/" in paths
    docs = Client().get("/api/docs/").content.decode()
    assert "swagger-ui-bundle.js" in docs and "http" not in docs.split("<body>")[1]
    assert "<script>" not in docs and "<style>" not in docs


def test_refusals_before_any_view_are_problems_too(small: SmallInstitution) -> None:
    """A NUL character, a body that cannot be parsed and ids past what a database holds: the
    schema fuzzer sends them all; each is a 400/404 problem, never a server error or HTML."""
    client = api_client(_command("gme", "--scope", "all"))
    answers = [
        client.get("/api/sites/", {"q\x00": "x"}),
        client.get("/api/trainees/", {"program": str(2**80)}),
        client.get(f"/api/trainees/{2**80}/"),
        client.post(
            "/api/trainee-imports/", b"--x\r\n", content_type="multipart/form-data; boundary="
        ),
    ]
    assert [a.status_code for a in answers] == [400, 400, 404, 400]
    assert {a["Content-Type"] for a in answers} == {"application/problem+json"}
    assert "NUL character" in answers[0].json()["detail"]
