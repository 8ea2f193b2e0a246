"""The assessment app through the API: teaching assignments read and written in batches (all
or nothing, once per Idempotency-Key, only with `teaching:write`), evaluation requests read as
a queue or a program's list, and the attendings on the on-call endpoint. Every role tries
every new endpoint, as in test_api_access.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from rounds.api.models import ApiToken
from rounds.api.services import token_create
from rounds.assessment.generate import requests_generate
from rounds.assessment.models import EvaluationRequest, EvaluatorKind, TeachingAssignment
from rounds.core.models import AuditEntry
from rounds.people.models import Person, Role, RoleAssignment
from tests.api_setup import ApiWorld, api_client, build_api_world
from tests.assessment_setup import SmallAssessment, build_assessment
from tests.people import USERNAMES, SmallInstitution, _user

K = EvaluatorKind
STAFF = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 200}
OTHERS_403 = {"wellness": 403, "inclusion": 403, "nobody": 403}
TRAINEES_403 = {"resident": 403, "resident2": 403, "fellow": 403}


class World:
    def __init__(self, small: SmallInstitution) -> None:
        self.api: ApiWorld = build_api_world(small)
        self.a: SmallAssessment = build_assessment(small, self.api.schedules)
        self.small = small
        requests_generate(day=self.a.block(1)[1])

    def client(self, username: str) -> Any:
        return api_client(self.api.tokens[username])

    def batch(self, email: str = "faculty@example.org", week: int = 0) -> dict[str, Any]:
        """One week of block 5 on MICU for `email` (Omar attends the day before)."""
        start = self.a.x.im_blocks[4].start + timedelta(days=7 * week)
        return {
            "program": self.small.im.pk,
            "assignments": [
                {"faculty_email": "omar@example.org", "rotation": "MICU",
                 "first_day": str(start - timedelta(days=1))},
                {"faculty_email": email, "rotation": "micu", "first_day": str(start),
                 "last_day": str(start + timedelta(days=6))},
            ],
        }  # fmt: skip


def post(client: Any, body: dict[str, Any], key: str) -> Any:
    return client.post(
        "/api/teaching-assignments/", body, content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )  # fmt: skip


@pytest.fixture
def world(small: SmallInstitution) -> World:
    return World(small)


Url = Callable[[World], str]
READS: list[tuple[str, Url, dict[str, int], int]] = [
    ("teaching", lambda w: "/api/teaching-assignments/?start=2026-07-01&end=2027-06-30",
     {**STAFF, "faculty": 200}, 403),
    ("IM teaching", lambda w: f"/api/teaching-assignments/?program={w.small.im.pk}",
     {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 404, "faculty": 200,
      **OTHERS_403, **TRAINEES_403}, 404),
    ("my requests", lambda w: "/api/evaluation-requests/", dict.fromkeys(USERNAMES, 200), 404),
    ("IM requests", lambda w: f"/api/evaluation-requests/?program={w.small.im.pk}",
     {"pd.im": 200, "coord.im": 200}, 404),
]  # fmt: skip


@pytest.mark.parametrize("endpoint", READS, ids=[e[0] for e in READS])
def test_every_role_against_the_assessment_reads(world: World, endpoint) -> None:  # type: ignore[no-untyped-def]
    _, url_of, allowed, otherwise = endpoint
    answers = {name: world.client(name).get(url_of(world)) for name in USERNAMES}
    assert {n: a.status_code for n, a in answers.items()} == {
        name: allowed.get(name, otherwise) for name in USERNAMES
    }
    for answer in answers.values():
        if answer.status_code >= 400:
            assert answer["Content-Type"] == "application/problem+json"


def test_every_role_against_the_teaching_write(world: World) -> None:
    got = {
        name: post(
            world.client(name), world.batch(), f"role-{name.replace('.', '-')}-key-0001"
        ).status_code
        for name in USERNAMES
    }
    assert got == {
        **{n: 403 for n in USERNAMES},
        "gme": 201, "pd.im": 201, "coord.im": 201, "pd.cards": 404,
    }  # fmt: skip


def test_teaching_lists_show_what_each_caller_may_see(world: World) -> None:
    def faculty_seen(name: str) -> set[str]:
        url = "/api/teaching-assignments/?start=2026-07-01&end=2027-06-30&page_size=500"
        rows = world.client(name).get(url).json()["results"]
        return {row["faculty_name"] for row in rows}

    assert faculty_seen("pd.im") == faculty_seen("gme") == {"Faculty Tester", "Omar Other"}
    assert faculty_seen("faculty") == {"Faculty Tester"}  # her own rows only
    assert faculty_seen("pd.cards") == set()


def test_a_batch_with_a_bad_row_writes_nothing_and_names_the_row(world: World) -> None:
    before = TeachingAssignment.objects.count()
    body = world.batch(email="nobody-here@example.org")
    answer = post(world.client("coord.im"), body, "bad-batch-key-00001")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["errors"] == [
        {"field": "assignments.1.faculty_email",
         "message": "no faculty member with the email nobody-here@example.org"},
    ]  # fmt: skip
    assert TeachingAssignment.objects.count() == before
    # The refusal wrote nothing, not even its key: the corrected batch goes with the same key.
    fixed = post(world.client("coord.im"), world.batch(), "bad-batch-key-00001")
    assert fixed.status_code == 201 and fixed.json() == {"created": 2}


def test_a_retried_batch_writes_once(world: World) -> None:
    client = world.client("pd.im")
    first = post(client, world.batch(), "retry-batch-key-0001")
    count = TeachingAssignment.objects.count()
    again = post(client, world.batch(week=1), "retry-batch-key-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json() == {"created": 2}
    assert TeachingAssignment.objects.count() == count
    assert AuditEntry.objects.filter(action="api.teaching.import").count() == 1
    start = world.a.x.im_blocks[4].start
    micu = TeachingAssignment.objects.filter(
        rotation=world.a.x.micu, first_day__lte=start, last_day__gte=start
    )
    assert [row.faculty.person.email for row in micu] == ["faculty@example.org"]


def test_writing_teaching_needs_the_teaching_write_scope(world: World) -> None:
    secret = token_create(
        user=world.small.users["pd.im"], name="reader", scopes=["read", "hours:write"], by=None
    ).secret
    answer = post(api_client(secret), world.batch(), "no-scope-key-000001")
    assert answer.status_code == 403
    assert "scopes" in answer.json()["detail"]
    with_scope = token_create(
        user=world.small.users["pd.im"], name="clock", scopes=["teaching:write"], by=None
    ).secret
    assert post(api_client(with_scope), world.batch(), "scope-key-00000001").status_code == 201


def test_evaluation_requests_a_queue_and_a_programs_list(world: World) -> None:
    mine = world.client("resident").get("/api/evaluation-requests/").json()["results"]
    ana = world.small.ana.person
    assert mine and {r["evaluator"] for r in mine} == {ana.full_name}
    assert {r["id"] for r in mine} == set(
        EvaluationRequest.objects.filter(evaluator=ana).values_list("pk", flat=True)
    )
    # Her own requests about faculty name her to herself; the program's list does not.
    of_faculty = [r for r in mine if r["evaluator_kind"] == K.TRAINEE_OF_FACULTY]
    assert of_faculty and of_faculty[0]["evaluator"] == ana.full_name
    url = f"/api/evaluation-requests/?program={world.small.im.pk}&page_size=500"
    listed = world.client("coord.im").get(url).json()["results"]
    assert {r["id"] for r in listed} == set(
        EvaluationRequest.objects.filter(program=world.small.im).values_list("pk", flat=True)
    )
    anonymous = [r for r in listed if r["evaluator_kind"] == K.TRAINEE_OF_FACULTY]
    assert anonymous and {r["evaluator"] for r in anonymous} == {"A trainee"}
    assert not {"answers", "draft", "narrative"} & set(listed[0])
    pending = world.client("faculty").get("/api/evaluation-requests/?status=pending").json()
    assert pending["results"] and {r["status"] for r in pending["results"]} == {"pending"}


def test_on_call_lists_each_services_attendings_with_numbers_as_allowed(world: World) -> None:
    fay = world.a.faculty.person
    fay.phone, fay.pager, fay.share_contact = "+1 212 555 0100", "4411", False
    fay.save()
    at = world.api.ana_call.start.isoformat()

    def services(name: str) -> list[dict[str, Any]]:
        answer = world.client(name).get("/api/on-call/", {"at": at})
        assert answer.status_code == 200
        return answer.json()["services"]

    [medicine] = services("pd.im")
    assert (medicine["site"], medicine["service"]) == (world.small.sponsor.slug, "General medicine")
    assert medicine["attendings"] == [
        {"name": "Faculty Tester", "phone": "+1 212 555 0100", "pager": "4411",
         "numbers_hidden": False},
    ]  # fmt: skip
    assert [t["name"] for t in medicine["trainees"]] == ["Ana Alvarez"]
    assert medicine["trainees"][0]["shift"] == world.api.ana_call.pk
    # A trainee colleague: the attending keeps her numbers to herself.
    assert services("resident2")[0]["attendings"] == [
        {"name": "Faculty Tester", "phone": "", "pager": "", "numbers_hidden": True}
    ]
    assert services("faculty")[0]["attendings"][0]["phone"] == "+1 212 555 0100"  # her own


def test_the_switchboard_polls_on_call_and_sees_every_number(world: World) -> None:
    """As on the switchboard page: an operator account (a paging system's service token) reads
    who is on call with everyone's numbers, and nothing else of the API's schedules."""
    user, _person = _user("operator", Person.Kind.STAFF, "Olga", "Operator")
    RoleAssignment.objects.create(user=user, role=Role.SWITCHBOARD)
    fay = world.a.faculty.person
    fay.phone, fay.share_contact = "+1 212 555 0100", False
    fay.save()
    pager = token_create(
        user=user, name="Paging", scopes=["schedules:read"], kind=ApiToken.Kind.SERVICE, by=None
    )
    client = api_client(pager.secret)
    answer = client.get("/api/on-call/", {"at": world.api.ana_call.start.isoformat()})
    assert answer.status_code == 200
    assert answer.json()["services"][0]["attendings"][0]["phone"] == "+1 212 555 0100"
    assert client.get("/api/call-schedules/").status_code == 403
