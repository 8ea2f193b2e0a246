"""Every role against every assessment page and write.

Anonymous visitors are sent to sign in. Records of other people answer 404 (a page never
confirms they exist); pages of a role one lacks answer 403. Trainees' evaluations of faculty are
read one by one only by their writer; the GME office sees figures, never answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rounds.assessment.generate import requests_generate
from rounds.assessment.models import EvaluationRequest, EvaluatorKind
from rounds.assessment.services import evaluation_submit
from rounds.lib.today import today_is
from tests.assessment_setup import GOOD_ANSWERS, SmallAssessment, build_assessment
from tests.people import USERNAMES, SmallInstitution

K = EvaluatorKind
EVERYONE = list(USERNAMES)
IM_MANAGERS = {"gme": 200, "pd.im": 200, "coord.im": 200}
STAFF = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 200}
ALL_200 = {u: 200 for u in EVERYONE}


class World:
    def __init__(self, small: SmallInstitution) -> None:
        self.a: SmallAssessment = build_assessment(small)
        self.day = self.a.block(1)[1]
        requests_generate(day=self.day)
        self.faculty_request = EvaluationRequest.objects.get(
            evaluator_kind=K.FACULTY_OF_TRAINEE, trainee=small.ana
        )
        self.about_ana = evaluation_submit(
            request=self.faculty_request, posted=GOOD_ANSWERS, by=None
        )
        of_faculty = EvaluationRequest.objects.get(
            evaluator_kind=K.TRAINEE_OF_FACULTY, evaluator=small.ana.person
        )
        self.by_ana = evaluation_submit(
            request=of_faculty, posted={"item-1": "5", "item-2": "yes"}, by=None
        )
        self.pending = EvaluationRequest.objects.get(
            evaluator_kind=K.FACULTY_OF_TRAINEE, trainee=small.ben
        )


Url = Callable[[SmallInstitution, World], str]


def only(ok: dict[str, int]) -> dict[str, int]:
    """These users get `ok`'s status; everyone else is told the record does not exist."""
    return {u: ok.get(u, 404) for u in EVERYONE}


def url(name: str, pk: Callable[[SmallInstitution, World], int] | None = None) -> Url:
    return lambda s, w: reverse(f"assessment:{name}", args=[pk(s, w)] if pk else [])


def IM(s: SmallInstitution, w: World) -> int:
    return s.im.pk


PAGES: list[tuple[str, Url, dict[str, int]]] = [
    ("queue", url("home"), ALL_200),
    ("written", url("written"), ALL_200),
    ("fill", url("fill", lambda s, w: w.pending.pk), only({"faculty": 200})),
    ("faculty's evaluation of Ana", url("evaluation", lambda s, w: w.about_ana.pk),
     only({"faculty": 200, "pd.im": 200, "coord.im": 200, "resident": 200})),
    ("Ana's evaluation of faculty", url("evaluation", lambda s, w: w.by_ana.pk),
     only({"resident": 200})),
    ("about me", url("about_me"),
     only({"faculty": 200, "resident": 200, "resident2": 200, "fellow": 200})),
    ("faculty aggregates", url("faculty", lambda s, w: w.a.faculty.pk),
     only({"faculty": 200, "pd.im": 200, "coord.im": 200})),
    ("burden", url("burden"), STAFF),
    ("IM program", url("program", IM), only(IM_MANAGERS)),
    ("IM settings", url("settings", IM), only(IM_MANAGERS)),
    ("IM attendings", url("teaching", IM), only(IM_MANAGERS)),
    ("IM forms", url("forms", IM), only(IM_MANAGERS)),
    ("IM form builder", url("form", lambda s, w: w.a.forms[K.STAFF].pk), only(IM_MANAGERS)),
]  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_every_role_against_every_page(small: SmallInstitution, client_as, page) -> None:  # type: ignore[no-untyped-def]
    _, url_of, allowed = page
    world = World(small)
    url = url_of(small, world)
    assert Client().get(url).status_code == 302
    assert "/accounts/login/" in Client().get(url)["Location"]
    with today_is(world.day + timedelta(days=8)):  # after the seven-day release delay
        for username in EVERYONE:
            status = client_as(username).get(url).status_code
            assert status == allowed.get(username, 403), username


def test_a_trainee_reads_an_evaluation_only_once_released(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    world = World(small)
    url = reverse("assessment:evaluation", args=[world.about_ana.pk])
    with today_is(world.about_ana.released_on - timedelta(days=1)):
        assert client_as("resident").get(url).status_code == 404
        assert (
            "Faculty Tester"
            not in client_as("resident").get(reverse("assessment:about_me")).content.decode()
        )
    with today_is(world.about_ana.released_on):
        page = client_as("resident").get(url).content.decode()
    assert "Careful, kind." in page and "Faculty Tester" in page


def test_the_gme_office_sees_figures_without_answers(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    World(small)
    burden = client_as("gme").get(reverse("assessment:burden") + "?year=2026").content.decode()
    program = (
        client_as("gme").get(reverse("assessment:program", args=[small.im.pk])).content.decode()
    )
    assert "Internal Medicine Residency" in burden and "Faculty Tester" in burden
    assert "Careful, kind." not in burden + program
    assert "Evaluations of trainees" not in program


Post = tuple[
    str,
    Callable[[SmallInstitution, World], str],
    Callable[[SmallInstitution, World], dict[str, Any]],
]
POSTS: list[Post] = [
    ("grid cell", lambda s, w: reverse("assessment:teaching_cell", args=[s.im.pk]),
     lambda s, w: {"block": w.a.x.im_blocks[3].pk, "rotation": w.a.x.wards.pk,
                   "first_day": w.a.x.im_blocks[3].start.isoformat(),
                   "last_day": w.a.x.im_blocks[3].start.isoformat(), "faculty": ""}),
    ("copy", lambda s, w: reverse("assessment:teaching_copy", args=[s.im.pk]),
     lambda s, w: {"block": w.a.x.im_blocks[5].pk}),
    ("link", lambda s, w: reverse("assessment:link_create", args=[s.im.pk]),
     lambda s, w: {"form": w.a.forms[K.STAFF].pk, "trainee": s.ben.pk, "label": "Nurse"}),
    ("release", lambda s, w: reverse("assessment:release", args=[w.about_ana.pk]), lambda s, w: {}),
    ("new form", lambda s, w: reverse("assessment:forms", args=[s.im.pk]),
     lambda s, w: {"name": "Extra", "evaluator_kind": "peer"}),
]  # fmt: skip
WRITERS = {"link": IM_MANAGERS, "grid cell": IM_MANAGERS, "copy": IM_MANAGERS,
           "new form": IM_MANAGERS, "release": {"pd.im": 200, "coord.im": 200}}  # fmt: skip


@pytest.mark.parametrize("endpoint", POSTS, ids=[p[0] for p in POSTS])
def test_writes_refused_to_everyone_but_the_programs_managers(
    small: SmallInstitution, client_as, endpoint
) -> None:  # type: ignore[no-untyped-def]
    name, url_of, data_of = endpoint
    world = World(small)
    url, data = url_of(small, world), data_of(small, world)
    assert Client().post(url, data).status_code == 302
    for username in EVERYONE:
        status = client_as(username).post(url, data).status_code
        expected = 302 if username in WRITERS[name] else 404
        assert status == expected, username
