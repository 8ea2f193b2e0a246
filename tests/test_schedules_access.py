"""Every role against every schedule page and endpoint.

Anonymous visitors are sent to sign in; people without the role get 403; program staff of another
program get 404 for this program's schedules (they do not learn they exist).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from rounds.jobs.models import Job
from tests.people import USERNAMES, SmallInstitution
from tests.schedules_setup import YEAR, SmallSchedules, build_schedules

EVERYONE = list(USERNAMES)
IM_STAFF = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 404}
STAFF = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 200}
TRAINEES = {"resident": 200, "resident2": 200, "fellow": 200}
CLINICAL = {**STAFF, **TRAINEES, "faculty": 200}

Url = Callable[[SmallInstitution, SmallSchedules], str]
PAGES: list[tuple[str, Url, dict[str, int]]] = [
    ("home", lambda s, x: reverse("schedules:home"),
     {**STAFF, "resident": 302, "resident2": 302, "fellow": 302, "faculty": 302}),
    ("IM year", lambda s, x: reverse("schedules:program", args=[s.im.pk, YEAR]), IM_STAFF),
    ("IM draft grid", lambda s, x: reverse("schedules:grid", args=[x.draft.pk]), IM_STAFF),
    ("IM published grid", lambda s, x: reverse("schedules:grid", args=[x.published.pk]), IM_STAFF),
    ("publish preview", lambda s, x: reverse("schedules:publish_preview", args=[x.draft.pk]),
     IM_STAFF),
    ("compare", lambda s, x: reverse("schedules:compare", args=[x.draft.pk, x.published.pk]),
     IM_STAFF),
    ("Excel export", lambda s, x: reverse("schedules:export", args=[x.draft.pk]), IM_STAFF),
    ("IM solve job", lambda s, x: reverse("schedules:job", args=[Job.objects.create(
        kind="rotation_solve", title="t", params={"program": s.im.pk, "academic_year": YEAR}
    ).pk]), IM_STAFF),
    ("institution solve job", lambda s, x: reverse("schedules:job", args=[Job.objects.create(
        kind="rotation_solve_all", title="t", params={"academic_year": YEAR}
    ).pk]), {"gme": 200, "pd.im": 404, "coord.im": 404, "pd.cards": 404}),
    ("my schedule", lambda s, x: reverse("schedules:mine") + f"?year={YEAR}", TRAINEES),
    ("site view", lambda s, x: reverse("schedules:site", args=[s.affiliate.slug]), STAFF),
    ("on call now", lambda s, x: reverse("schedules:on_call"), CLINICAL),
    ("calendar links", lambda s, x: reverse("schedules:feeds"), CLINICAL),
]  # fmt: skip


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_every_role_against_every_page(small: SmallInstitution, client_as, page) -> None:  # type: ignore[no-untyped-def]
    _, url_of, allowed = page
    url = url_of(small, build_schedules(small))
    assert Client().get(url).status_code == 302
    assert "/accounts/login/" in Client().get(url)["Location"]
    for username in EVERYONE:
        status = client_as(username).get(url).status_code
        assert status == allowed.get(username, 403), username


POSTS: list[tuple[str, Url, dict[str, str]]] = [
    ("cell", lambda s, x: reverse("schedules:cell", args=[x.draft.pk]), {}),
    ("lock", lambda s, x: reverse("schedules:lock", args=[x.draft.pk]), {}),
    ("publish", lambda s, x: reverse("schedules:publish", args=[x.draft.pk]), {}),
    ("new version", lambda s, x: reverse("schedules:new_version", args=[x.published.pk]),
     {"reason": "x"}),
    ("solve", lambda s, x: reverse("schedules:solve", args=[s.im.pk, YEAR]), {}),
    ("blocks", lambda s, x: reverse("schedules:blocks_new", args=[s.im.pk, YEAR + 1]), {}),
    ("import", lambda s, x: reverse("schedules:import", args=[x.draft.pk]), {}),
    ("bulk vacation decisions",
     lambda s, x: reverse("schedules:vacations_decide", args=[s.im.pk, YEAR]), {"approve": "1"}),
]  # fmt: skip


@pytest.mark.parametrize("endpoint", POSTS, ids=[p[0] for p in POSTS])
def test_writes_refused_to_everyone_but_the_programs_staff(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, endpoint
) -> None:
    _, url_of, data = endpoint
    x = build_schedules(small)
    url = url_of(small, x)
    revision = x.draft.revision
    assert Client().post(url, data).status_code == 302
    for username in ["pd.cards", "resident", "fellow", "faculty", "wellness", "nobody"]:
        status = client_as(username).post(url, data).status_code
        assert status == (404 if username == "pd.cards" else 403), username
    x.draft.refresh_from_db()
    assert x.draft.revision == revision and x.draft.is_draft
    assert Job.objects.filter(kind="rotation_solve").count() == 0


def test_only_the_gme_office_builds_every_programs_year(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    url = reverse("schedules:solve_all", args=[YEAR])
    data = {"keep_published": "0"}
    assert "/accounts/login/" in Client().post(url, data)["Location"]
    for username in EVERYONE:
        if username != "gme":
            assert client_as(username).post(url, data).status_code == 403, username
    assert not Job.objects.filter(kind="rotation_solve_all").exists()
    assert client_as("gme").post(url, data).status_code == 302
    job = Job.objects.get(kind="rotation_solve_all")
    # Its cancel button is the GME office's too; program staff do not learn it exists.
    cancel = reverse("schedules:job_cancel", args=[job.pk])
    for username in EVERYONE:
        expected = {"gme": 302, "pd.im": 404, "coord.im": 404, "pd.cards": 404}
        if username != "gme":
            assert client_as(username).post(cancel).status_code == expected.get(username, 403)
    job.refresh_from_db()
    assert not job.cancel_requested
    assert client_as("gme").post(cancel).status_code == 302
    job.refresh_from_db()
    assert job.cancel_requested


def test_calendar_link_of_someone_else_cannot_be_revoked(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    from rounds.schedules.models import CalendarFeed

    feed = CalendarFeed.objects.create(trainee=small.ana, created_by=small.users["resident"])
    url = reverse("schedules:feed_revoke", args=[feed.pk])
    assert client_as("resident2").post(url).status_code == 404
    assert client_as("nobody").post(url).status_code == 403
    feed.refresh_from_db()
    assert feed.revoked_at is None
