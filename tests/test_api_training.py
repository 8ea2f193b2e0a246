"""Conferences, moonlighting and case logs through the API: every role against every new
endpoint (as in test_api_access.py), what each list shows whom, and the writes going through
the pages' services with their refusals, retries and throttle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from rounds.api.services import token_create
from rounds.caselogs.models import CaseLog
from rounds.conferences.models import Attendance, CheckInAttempt
from rounds.core.models import AuditEntry
from rounds.moonlighting.models import MoonlightingRequest
from rounds.workhours.services import PGY1_MOONLIGHTING
from tests.api_setup import api_client
from tests.api_training_setup import TrainingWorld, build_training_world
from tests.moonlighting_setup import licence
from tests.people import USERNAMES, SmallInstitution

USE = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 200,
       "resident": 200, "resident2": 200, "fellow": 200}  # fmt: skip
NO_ROLE_403 = {"wellness": 403, "inclusion": 403, "nobody": 403}
ANA = {"gme": 200, "pd.im": 200, "coord.im": 200, "resident": 200}
IM_STAFF = {"gme": 200, "pd.im": 200, "coord.im": 200}

Url = Callable[[TrainingWorld], str]
ENDPOINTS: list[tuple[str, Url, dict[str, int], int]] = [
    ("series", lambda w: "/api/conference-series/", {**USE, "faculty": 200}, 403),
    ("sessions", lambda w: "/api/conference-sessions/", {**USE, "faculty": 200}, 403),
    ("own attendance", lambda w: "/api/conference-attendance/",
     {"resident": 200, "resident2": 200, "fellow": 200, "gme": 400, "pd.im": 400,
      "coord.im": 400, "pd.cards": 400}, 403),
    ("Ana's attendance", lambda w: f"/api/conference-attendance/?trainee={w.api.small.ana.pk}",
     {**ANA, "pd.cards": 404, "resident2": 404, "fellow": 404}, 403),
    ("IM attendance", lambda w: f"/api/conference-attendance/?program={w.api.small.im.pk}",
     {**IM_STAFF, "pd.cards": 404, "resident": 404, "resident2": 404, "fellow": 404}, 403),
    ("check-in", lambda w: "/api/conference-check-ins/",
     {"resident": 405, "resident2": 405, "fellow": 405}, 403),
    ("moonlighting", lambda w: "/api/moonlighting-requests/", USE, 403),
    ("Ana's moonlighting",
     lambda w: f"/api/moonlighting-requests/?trainee={w.api.small.ana.pk}",
     {**ANA, "pd.cards": 404, "resident2": 404, "fellow": 404}, 403),
    ("case logs", lambda w: "/api/case-logs/", {**USE, "faculty": 200}, 403),
    ("Ana's case logs", lambda w: f"/api/case-logs/?trainee={w.api.small.ana.pk}",
     {**ANA, "pd.cards": 404, "resident2": 404, "fellow": 404, "faculty": 404}, 403),
    ("an entry waiting", lambda w: f"/api/case-logs/{w.waiting.pk}/",
     {**ANA, "faculty": 200, "pd.cards": 404, "resident2": 404, "fellow": 404}, 403),
    ("a verified entry", lambda w: f"/api/case-logs/{w.verified.pk}/",
     {**ANA, "faculty": 404, "pd.cards": 404, "resident2": 404, "fellow": 404}, 403),
]  # fmt: skip


@pytest.fixture
def w(small: SmallInstitution, settings) -> TrainingWorld:  # type: ignore[no-untyped-def]
    return build_training_world(small, settings)


def client(w: TrainingWorld, username: str) -> Any:
    return api_client(w.api.tokens[username])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_every_role_against_every_training_read(w: TrainingWorld, endpoint) -> None:  # type: ignore[no-untyped-def]
    _, url_of, allowed, otherwise = endpoint
    url = url_of(w)
    answers = {name: client(w, name).get(url) for name in USERNAMES}
    got = {name: answer.status_code for name, answer in answers.items()}
    assert got == {name: allowed.get(name, otherwise) for name in USERNAMES}
    for answer in answers.values():
        if answer.status_code >= 400:
            assert answer["Content-Type"] == "application/problem+json"


def _ids(answer: Any, key: str = "id") -> set[Any]:
    assert answer.status_code == 200, answer.json()
    return {row[key] for row in answer.json()["results"]}


def test_each_list_shows_only_what_the_caller_may_see(w: TrainingWorld) -> None:
    s = w.api.small
    week = f"?start={w.today - timedelta(days=7)}&end={w.today}"
    assert _ids(client(w, "resident").get("/api/conference-sessions/" + week)) == {
        session.pk for session in w.series.sessions.all()
    }
    assert _ids(client(w, "fellow").get("/api/conference-sessions/" + week)) == set()
    assert _ids(client(w, "pd.cards").get("/api/conference-series/")) == set()
    assert _ids(client(w, "resident2").get("/api/conference-series/")) == {w.series.pk}
    session = client(w, "pd.im").get("/api/conference-sessions/" + week).json()["results"][0]
    assert "code" not in session  # the code is shown in the room, never sent around

    own = client(w, "resident").get("/api/conference-attendance/").json()["results"]
    assert [(r["trainee"]["id"], r["series_name"]) for r in own] == [(s.ana.pk, "Noon report")]
    program = client(w, "coord.im").get(f"/api/conference-attendance/?program={s.im.pk}")
    assert {r["trainee"]["id"] for r in program.json()["results"]} >= {s.ana.pk}

    requests = "/api/moonlighting-requests/"
    assert _ids(client(w, "resident").get(requests)) == {w.ana_request.pk}
    assert _ids(client(w, "resident2").get(requests)) == set()
    assert _ids(client(w, "pd.cards").get(requests)) == set()
    assert _ids(client(w, "gme").get(requests)) == {w.ana_request.pk}

    entries = {w.waiting.pk, w.verified.pk, w.returned.pk}
    assert _ids(client(w, "resident").get("/api/case-logs/")) == entries
    assert _ids(client(w, "pd.im").get("/api/case-logs/")) == entries
    assert _ids(client(w, "pd.cards").get("/api/case-logs/")) == set()
    assert _ids(client(w, "faculty").get("/api/case-logs/")) == {w.waiting.pk}  # their queue
    verified = client(w, "resident").get("/api/case-logs/?status=verified").json()["results"]
    assert [(r["id"], r["counts"]) for r in verified] == [(w.verified.pk, True)]


# --- conferences: check-in --------------------------------------------------------------------


def check_in(w: TrainingWorld, username: str, code: str) -> Any:
    return client(w, username).post(
        "/api/conference-check-ins/", {"code": code}, content_type="application/json"
    )


def test_a_trainee_checks_in_once_and_a_second_post_gives_the_same_answer(
    w: TrainingWorld,
) -> None:
    code = w.open_session.code.lower()  # typed as read off the screen
    first, second = check_in(w, "resident", code), check_in(w, "resident", code)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert first.json()["session"] == w.open_session.pk
    assert Attendance.objects.filter(trainee=w.api.small.ana).count() == 1
    assert AuditEntry.objects.filter(action="conferences.check_in").count() == 1
    assert AuditEntry.objects.filter(action="api.conferences.check_in").count() == 1
    # Staff and the faculty do not check in; a token without conferences:write neither.
    assert check_in(w, "pd.im", code).status_code == 403
    assert check_in(w, "faculty", code).status_code == 403
    reader = token_create(
        user=w.api.small.users["resident2"], name="r", scopes=["conferences:read"], by=None
    )
    refused = api_client(reader.secret).post(
        "/api/conference-check-ins/", {"code": code}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_wrong_codes_are_refused_then_throttled_like_the_page(w: TrainingWorld, settings) -> None:
    settings.ROUNDS_CHECKIN_ATTEMPTS = 2
    wrong = check_in(w, "resident2", "ZZZZZZ")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "code"
    assert "No session of your program has this code" in wrong.json()["detail"]
    assert check_in(w, "resident2", "YYYYYY").status_code == 400
    # Even the right code waits now: the refused tries were kept, as on the page.
    throttled = check_in(w, "resident2", w.open_session.code)
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == str(settings.ROUNDS_CHECKIN_WINDOW_MINUTES * 60)
    assert "Too many codes" in throttled.json()["detail"]
    assert CheckInAttempt.objects.count() == 2
    assert not Attendance.objects.exists()
    # Another program's code is "no session" to a fellow, as a wrong one is.
    assert check_in(w, "fellow", w.open_session.code).status_code == 400


# --- moonlighting -----------------------------------------------------------------------------


def ask(w: TrainingWorld, username: str, key: str, **changes: Any) -> Any:
    body = {
        "setting": "internal", "where": "Harbor urgent care",
        "start": str(w.today + timedelta(days=10)), "end": str(w.today + timedelta(days=60)),
        "hours_per_week": 8, "licence": w.ana_licence.pk,
        "statement": "Saturday day shifts, outside my rotations.",
    } | changes  # fmt: skip
    return client(w, username).post(
        "/api/moonlighting-requests/", body, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )  # fmt: skip


def test_a_trainee_requests_moonlighting_once_per_key(w: TrainingWorld) -> None:
    first = ask(w, "resident", "moonlight-request-0001")
    again = ask(w, "resident", "moonlight-request-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    made = MoonlightingRequest.objects.get(pk=first.json()["id"])
    assert (made.status, made.where) == ("awaiting_director", "Harbor urgent care")
    assert AuditEntry.objects.filter(action="moonlighting.request").count() == 1
    assert AuditEntry.objects.filter(action="api.moonlighting.request").count() == 1
    # It waits for the director, who sees it through the API too.
    waiting = "/api/moonlighting-requests/?status=awaiting_director"
    assert made.pk in _ids(client(w, "pd.im").get(waiting))
    assert ask(w, "pd.im", "moonlight-request-0002").status_code == 403


def test_moonlighting_is_refused_with_the_rule_named(w: TrainingWorld) -> None:
    s = w.api.small
    ben_licence = licence(s.ben)
    pgy1 = ask(w, "resident2", "moonlight-request-0003", licence=ben_licence.pk)
    assert pgy1.status_code == 400
    error = pgy1.json()["errors"][0]
    assert error["field"] == "start" and PGY1_MOONLIGHTING in error["message"]

    lapsed = licence(s.ana, code="training-licence", expires=w.today - timedelta(days=1))
    answer = ask(w, "resident", "moonlight-request-0004", licence=lapsed.pk)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "licence"
    assert "lapsed on" in answer.json()["errors"][0]["message"]

    not_hers = ask(w, "resident", "moonlight-request-0005", licence=ben_licence.pk)
    assert not_hers.status_code == 400
    assert not_hers.json()["errors"] == [
        {"field": "licence", "message": "Choose one of your own licences."}
    ]
    assert MoonlightingRequest.objects.count() == 1  # only the world's own
    # A refused request does not use up its key: corrected, it goes through.
    assert ask(w, "resident", "moonlight-request-0004").status_code == 201


# --- case logs --------------------------------------------------------------------------------


def log(w: TrainingWorld, username: str, key: str, **changes: Any) -> Any:
    body = {"day": str(w.today), "procedure": "paracentesis", "role": "assisted"} | changes
    return client(w, username).post(
        "/api/case-logs/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_trainee_logs_a_procedure_with_the_schedule_filling_in_the_rest(
    w: TrainingWorld,
) -> None:
    first = log(w, "resident", "case-log-entry-00001")
    again = log(w, "resident", "case-log-entry-00001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    entry = first.json()
    # On MICU at Harbor VA that day, attended by the faculty member: as the form pre-fills.
    assert (entry["site"], entry["supervisor"]) == ("harbor-va", w.a.faculty.pk)
    assert (entry["status"], entry["counts"]) == ("pending", False)
    assert CaseLog.objects.filter(role="assisted").count() == 1
    assert entry["id"] in _ids(client(w, "faculty").get("/api/case-logs/?status=pending"))
    assert log(w, "pd.im", "case-log-entry-00002").status_code == 403


def test_a_case_log_is_refused_as_on_the_page(w: TrainingWorld) -> None:
    before = CaseLog.objects.count()
    identified = log(w, "resident", "case-log-entry-00003", note="MRN 12345678, tapped")
    assert identified.status_code == 400
    assert "patient identifier" in identified.json()["detail"]
    future = log(w, "resident", "case-log-entry-00004", day=str(w.today + timedelta(days=1)))
    assert "in the future" in future.json()["detail"]
    unknown = log(w, "resident", "case-log-entry-00005", procedure="appendectomy")
    assert unknown.json()["errors"][0]["field"] == "procedure"
    stranger = log(w, "resident", "case-log-entry-00006", supervisor=w.a.other.pk + 1000)
    assert stranger.json()["errors"][0]["field"] == "supervisor"
    assert CaseLog.objects.count() == before


def resubmit(w: TrainingWorld, username: str, pk: int, key: str, **changes: Any) -> Any:
    body = {"day": str(w.today - timedelta(days=2)), "procedure": "Paracentesis",
            "role": "assisted", "note": "Large-volume tap."} | changes  # fmt: skip
    return client(w, username).put(
        f"/api/case-logs/{pk}/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_returned_entry_is_edited_and_sent_again_through_the_api(w: TrainingWorld) -> None:
    first = resubmit(w, "resident", w.returned.pk, "resubmit-entry-000001")
    again = resubmit(w, "resident", w.returned.pk, "resubmit-entry-000001")
    assert first.status_code == again.status_code == 200, first.json()
    assert first.json() == again.json()
    assert (first.json()["status"], first.json()["role"]) == ("pending", "assisted")
    assert first.json()["comment"] == "You assisted."  # what the faculty asked, kept
    assert AuditEntry.objects.filter(action="caselog_resubmit").count() == 1
    assert w.returned.pk in _ids(client(w, "faculty").get("/api/case-logs/?status=pending"))
    # Once waiting, it is not edited again; a verified entry is locked.
    waiting = resubmit(w, "resident", w.returned.pk, "resubmit-entry-000002")
    assert waiting.status_code == 400 and "waiting for verification" in waiting.json()["detail"]
    locked = resubmit(w, "resident", w.verified.pk, "resubmit-entry-000003")
    assert locked.status_code == 400 and "locked" in locked.json()["detail"]
    # Staff see the entry but do not edit it; another trainee does not see it.
    assert resubmit(w, "pd.im", w.returned.pk, "resubmit-entry-000004").status_code == 403
    assert resubmit(w, "resident2", w.returned.pk, "resubmit-entry-000005").status_code == 404
