"""Every role against every wellness and speaking-up page and endpoint.

Anonymous visitors are sent to sign in (except the public support directory and the page where
an anonymous reporter types their code); others get the page, 403 for a role page, or 404 for
a concern that is not theirs to read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from rounds.concerns.models import Concern, ConcernHandler
from rounds.lib.today import today
from rounds.wellness.models import Committee, CommitteeMember, Question, Survey
from rounds.wellness.services import survey_create
from tests.people import USERNAMES, SmallInstitution


@pytest.fixture(autouse=True)
def question_bank(db: None) -> None:
    # The bank comes from a data migration, which a transactional test's flush removes.
    from rounds.wellness.bank import bank_install

    bank_install(Question)


EVERYONE = set(USERNAMES)
# "resident" chairs the IM wellness committee in this world.
RESULTS_IM = {"gme", "wellness", "pd.im", "coord.im", "resident"}
RESULTS_ANY = RESULTS_IM | {"pd.cards"}
RUN_IM = {"gme", "wellness", "resident"}


@dataclass
class World:
    small: SmallInstitution
    committee: Committee
    im_survey: Survey
    all_survey: Survey
    concern: Concern
    named: Concern


@pytest.fixture
def world(small: SmallInstitution) -> World:
    committee = Committee.objects.create(name="IM Wellness", program=small.im)
    CommitteeMember.objects.create(committee=committee, person=small.ana.person, is_chair=True)
    questions = [Question.objects.get(code="burnout-single-item")]
    surveys = [
        survey_create(
            title=f"Pulse {i}",
            program=program,
            questions=questions,
            recurrence="monthly",
            starts_on=today().replace(day=1),
            by=None,
        )
        for i, program in enumerate([small.im, None])
    ]
    ConcernHandler.objects.create(user=small.users["gme"])
    concern = Concern.objects.create(category="safety", subject="s", raised_on=today())
    named = Concern.objects.create(
        category="workload",
        subject="n",
        anonymous=False,
        reporter=small.users["resident"],
        raised_on=today(),
    )
    return World(small, committee, surveys[0], surveys[1], concern, named)


@dataclass
class Endpoint:
    name: str
    url: Callable[[World], str]
    allowed: set[str]
    refused: int = 403
    method: str = "get"
    ok: int = 200
    public: bool = False


ENDPOINTS = [
    Endpoint("support", lambda w: "/wellness/support/", EVERYONE, public=True),
    Endpoint("new resource", lambda w: "/wellness/support/new/", {"gme"}),
    Endpoint("wellness home", lambda w: "/wellness/", EVERYONE),
    Endpoint("survey list", lambda w: "/wellness/surveys/", RESULTS_ANY),
    Endpoint("IM survey results", lambda w: f"/wellness/surveys/{w.im_survey.pk}/", RESULTS_IM),
    Endpoint(
        "institution survey results",
        lambda w: f"/wellness/surveys/{w.all_survey.pk}/",
        RESULTS_ANY,
    ),
    Endpoint("new survey", lambda w: "/wellness/surveys/new/", RUN_IM),
    Endpoint("new question", lambda w: "/wellness/surveys/questions/new/", RUN_IM),
    Endpoint(
        "answer IM survey",
        lambda w: f"/wellness/surveys/{w.im_survey.pk}/answer/",
        {"resident", "resident2"},
    ),
    Endpoint(
        "answer institution survey",
        lambda w: f"/wellness/surveys/{w.all_survey.pk}/answer/",
        {"resident", "resident2", "fellow"},
    ),
    Endpoint(
        "remind IM survey",
        lambda w: f"/wellness/surveys/{w.im_survey.pk}/remind/",
        RUN_IM,
        method="post",
        ok=302,
    ),
    Endpoint(
        "stop IM survey",
        lambda w: f"/wellness/surveys/{w.im_survey.pk}/stop/",
        RUN_IM,
        method="post",
        ok=302,
    ),
    Endpoint("new committee", lambda w: "/wellness/committees/new/", {"gme"}),
    Endpoint("edit committee", lambda w: f"/wellness/committees/{w.committee.pk}/edit/", {"gme"}),
    Endpoint(
        "IM committee",
        lambda w: f"/wellness/committees/{w.committee.pk}/",
        {"gme", "wellness", "pd.im", "coord.im", "resident"},
    ),
    Endpoint(
        "record a meeting",
        lambda w: f"/wellness/committees/{w.committee.pk}/gatherings/new/",
        {"gme", "resident"},
    ),
    Endpoint(
        "new initiative",
        lambda w: f"/wellness/committees/{w.committee.pk}/initiatives/new/",
        {"gme", "resident"},
    ),
    Endpoint(
        "add a member",
        lambda w: f"/wellness/committees/{w.committee.pk}/members/",
        {"gme", "resident"},
        method="post",
        ok=302,
    ),
    Endpoint("speak up", lambda w: "/concerns/", EVERYONE),
    Endpoint("return by code", lambda w: "/concerns/return/", EVERYONE, public=True),
    Endpoint("concern inbox", lambda w: "/concerns/inbox/", {"gme"}),
    Endpoint(
        "a concern", lambda w: f"/concerns/inbox/{w.concern.reference}/", {"gme"}, refused=404
    ),
    Endpoint(
        "set concern status",
        lambda w: f"/concerns/inbox/{w.concern.reference}/status/",
        {"gme"},
        refused=404,
        method="post",
        ok=302,
    ),
    Endpoint("concern handlers", lambda w: "/concerns/handlers/", {"gme"}),
    Endpoint(
        "my named concern",
        lambda w: f"/concerns/mine/{w.named.reference}/",
        {"resident"},
        refused=404,
    ),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_every_role(world: World, endpoint: Endpoint) -> None:
    url = endpoint.url(world)
    anonymous = getattr(Client(), endpoint.method)(url)
    if endpoint.public:
        assert anonymous.status_code == 200
    else:
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/accounts/login/")
    for username in sorted(EVERYONE):
        client = Client()
        client.force_login(world.small.users[username])
        response = getattr(client, endpoint.method)(url)
        expected = endpoint.ok if username in endpoint.allowed else endpoint.refused
        assert response.status_code == expected, f"{username} on {endpoint.name}"
