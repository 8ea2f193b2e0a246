"""Every role against every inclusion and language-access page.

Anonymous visitors are sent to sign in; signed-in people without the role are refused (403);
records of other people are 404. Self-identification of a trainee is never shown to program staff.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from rounds.imports.models import UploadedFile
from rounds.inclusion.imports import JOB_KIND
from rounds.inclusion.models import RecruitmentCycle
from rounds.jobs.models import Job
from rounds.languages.models import Certification
from rounds.people.models import SelfIdentification
from tests.people import USERNAMES, SmallInstitution

EVERYONE = list(USERNAMES)
INCLUSION = {"gme", "inclusion"}
STAFF = {"gme", "pd.im", "coord.im", "pd.cards"}
SIGNED_IN = set(EVERYONE)


def _cycle(s: SmallInstitution) -> RecruitmentCycle:
    return RecruitmentCycle.objects.get_or_create(program=s.im, season=2026)[0]


def _upload(s: SmallInstitution, username: str) -> int:
    upload = UploadedFile.objects.create(
        name="apps.csv", content=b"aamc_id,stage\n1,applied\n", uploaded_by=s.users[username]
    )
    return upload.pk


def _cert(s: SmallInstitution) -> int:
    return Certification.objects.create(
        person=s.ana.person,
        language="spa",
        assessment="ALTA",
        assessed_on=date(2026, 1, 1),
        expires_on=date(2028, 1, 1),
    ).pk


# (name, url, who may open it, status for a signed-in person who may not)
Page = tuple[str, Callable[[SmallInstitution], str], set[str], int | dict[str, int]]


def _refusal(refused: int | dict[str, int], username: str) -> int:
    return refused if isinstance(refused, int) else refused.get(username, refused["*"])


GET_PAGES: list[Page] = [
    ("inclusion home", lambda s: reverse("inclusion:home"), INCLUSION, 403),
    ("own self-identification", lambda s: reverse("inclusion:me"), SIGNED_IN, 403),
    ("URiM definition", lambda s: reverse("inclusion:definition"), INCLUSION, 403),
    ("inclusion export", lambda s: reverse("inclusion:export"), INCLUSION, 403),
    ("recruitment seasons", lambda s: reverse("inclusion:cycles"), INCLUSION, 403),
    ("a funnel", lambda s: reverse("inclusion:cycle", args=[_cycle(s).pk]), INCLUSION, 403),
    (
        "a funnel export",
        lambda s: reverse("inclusion:cycle_export", args=[_cycle(s).pk]),
        INCLUSION,
        403,
    ),
    (
        "column mapping of the inclusion office's upload",
        lambda s: reverse(
            "inclusion:map", args=["applicants", _upload(s, "inclusion"), _cycle(s).pk]
        ),
        {"inclusion"},
        {"gme": 404, "*": 403},  # the GME office may map, but not someone else's upload
    ),
    (
        "the inclusion office's import job",
        lambda s: reverse(
            "inclusion:job",
            args=[Job.objects.create(kind=JOB_KIND, title="t", started_by=s.users["inclusion"]).pk],
        ),
        {"inclusion"},
        404,
    ),
    ("advancement", lambda s: reverse("inclusion:advancement"), INCLUSION, 403),
    ("record milestones", lambda s: reverse("inclusion:advancement_record"), STAFF, 403),
    ("own languages", lambda s: reverse("languages:me"), SIGNED_IN, 403),
    ("certifications", lambda s: reverse("languages:certifications"), STAFF, 403),
    ("sites", lambda s: reverse("languages:site_index"), STAFF | INCLUSION, 403),
    (
        "a site",
        lambda s: reverse("languages:concordance", args=["riverside"]),
        STAFF | INCLUSION,
        403,
    ),
    ("planning", lambda s: reverse("languages:planning"), STAFF | INCLUSION, 403),
]

# POST-only endpoints: (name, url, who may use it, refusal status)
POST_ENDPOINTS: list[Page] = [
    ("withdraw own", lambda s: reverse("inclusion:withdraw"), SIGNED_IN, 403),
    ("upload to a cycle", lambda s: reverse("inclusion:upload", args=[_cycle(s).pk]),
     INCLUSION, 403),
    ("delete a certification", lambda s: reverse("languages:cert_delete", args=[_cert(s)]),
     {"gme", "pd.im", "coord.im"}, {"pd.cards": 404, "*": 403}),
    ("site population", lambda s: reverse("languages:population", args=["riverside"]),
     {"gme"}, 403),
    ("site interpretation", lambda s: reverse("languages:interpretation", args=["riverside"]),
     {"gme"}, 403),
    ("demand upload", lambda s: reverse("languages:demand_upload"), {"gme"}, 403),
    ("remove own language", lambda s: reverse("languages:remove", args=["spa"]), SIGNED_IN, 403),
]  # fmt: skip


@pytest.mark.parametrize("page", GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_every_role_against_every_page(small: SmallInstitution, page: Page) -> None:
    name, url, allowed, refused = page
    assert Client().get(url(small)).status_code == 302, "anonymous goes to sign in"
    for username in EVERYONE:
        client = Client()
        client.force_login(small.users[username])
        status = client.get(url(small)).status_code
        expected = 200 if username in allowed else _refusal(refused, username)
        assert status == expected, f"{username} on {name}: {status}, expected {expected}"


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS, ids=[p[0] for p in POST_ENDPOINTS])
def test_every_role_against_every_post_endpoint(small: SmallInstitution, endpoint: Page) -> None:
    name, url, allowed, refused = endpoint
    assert Client().post(url(small)).status_code == 302, "anonymous goes to sign in"
    for username in EVERYONE:
        client = Client()
        client.force_login(small.users[username])
        status = client.post(url(small)).status_code
        expected = 302 if username in allowed else _refusal(refused, username)
        assert status == expected, f"{username} on {name}: {status}, expected {expected}"


def test_program_director_cannot_see_a_trainees_demographics(
    small: SmallInstitution, client_as
) -> None:
    SelfIdentification.objects.create(
        person=small.ana.person, race_ethnicity=["Black or African American"], urim=True
    )
    for username in ("pd.im", "coord.im"):
        client = client_as(username)
        response = client.get(f"/inclusion/people/{small.ana.person.pk}/")
        assert response.status_code == 404
        record = client.get(reverse("staff:trainee", args=[small.ana.pk]))
        assert record.status_code == 200
        assert b"Black or African American" not in record.content
        assert b"URiM" not in record.content


def test_a_trainee_cannot_open_another_trainees_mapping_upload(
    small: SmallInstitution, client_as
) -> None:
    url = reverse("inclusion:map", args=["applicants", _upload(small, "gme"), _cycle(small).pk])
    assert client_as("inclusion").get(url).status_code == 404
    assert client_as("gme").get(url).status_code == 200
