"""Every role against every milestones page and endpoint (rounds/milestones/access.py).

Anonymous visitors are sent to sign in. Pages of a role someone does not hold answer 403; a
program's reviews, residents and exports answer 404 to anyone outside it (they do not learn it
exists). CCC members see their program's residents; the director and coordinator their program;
residents only their own signed-off results; the GME office summary figures only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.milestones.models import TraineeReview
from rounds.people.models import Person, Role, RoleAssignment
from tests.milestones_setup import DURING, SmallCommittee, agree_all, build_committee
from tests.people import USERNAMES, SmallInstitution

EVERYONE = [*USERNAMES, "faculty.other"]  # a faculty member of IM who is not on the committee
IM_CCC = {"pd.im": 200, "coord.im": 200, "faculty": 200}
IM_STAFF = {"pd.im": 200, "coord.im": 200}
TRAINEES = {"resident": 200, "resident2": 200, "fellow": 200}


@dataclass
class World:
    small: SmallInstitution
    ccc: SmallCommittee
    own: TraineeReview  # Ana's result of the signed 2025-2026-2 review


@pytest.fixture
def world(small: SmallInstitution, settings) -> World:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = DURING
    other = User.objects.create_user("faculty.other", "fo@example.org", "x")
    Person.objects.create(
        user=other, kind="faculty", first_name="Fay", last_name="Other", email=other.email
    )
    RoleAssignment.objects.create(user=other, role=Role.FACULTY, program=small.im)
    small.users["faculty.other"] = other
    ccc = build_committee(small)
    own = TraineeReview.objects.create(
        review=ccc.earlier, trainee=small.ana, met_on=ccc.earlier.signed_off_at.date()
    )  # type: ignore[union-attr]
    return World(small, ccc, own)


def _client(world: World, username: str) -> Client:
    client = Client()
    client.force_login(world.small.users[username])
    return client


def _ana(world: World, name: str, review: int) -> str:
    """A URL about Ana (the demo resident of the small institution) in one review."""
    return reverse(f"milestones:{name}", args=[review, world.small.ana.pk])


Url = Callable[[World], str]
PAGES: list[tuple[str, Url, dict[str, int]]] = [
    ("home", lambda w: reverse("milestones:home"),
     {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 200, "faculty": 200,
      "faculty.other": 200, "resident": 302, "resident2": 302, "fellow": 302}),
    ("summary", lambda w: reverse("milestones:summary"), {"gme": 200}),
    ("my results", lambda w: reverse("milestones:mine"), TRAINEES),
    ("IM committee", lambda w: reverse("milestones:program", args=[w.small.im.slug]), IM_CCC),
    ("cards committee", lambda w: reverse("milestones:program", args=[w.small.cards.slug]),
     {"pd.cards": 200}),
    ("open review", lambda w: reverse("milestones:review", args=[w.ccc.review.pk]), IM_CCC),
    ("signed review", lambda w: reverse("milestones:review", args=[w.ccc.earlier.pk]), IM_CCC),
    ("resident page", lambda w: _ana(w, "resident", w.ccc.review.pk), IM_CCC),
    ("signed resident page", lambda w: _ana(w, "resident", w.ccc.earlier.pk), IM_CCC),
    ("export", lambda w: reverse("milestones:export", args=[w.ccc.review.pk]), IM_STAFF),
]  # fmt: skip

PAGE_403 = {"home", "summary", "my results"}  # role pages; the others are records (404)


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_every_role_against_every_page(world: World, page) -> None:  # type: ignore[no-untyped-def]
    name, url_of, allowed = page
    url = url_of(world)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    refused = 403 if name in PAGE_403 else 404
    for username in EVERYONE:
        status = _client(world, username).get(url).status_code
        assert status == allowed.get(username, refused), username


def test_the_gme_office_sees_counts_and_no_resident(world: World) -> None:
    page = _client(world, "gme").get(reverse("milestones:summary") + "?period=2025-2026-2")
    text = page.content.decode()
    assert "Internal Medicine Residency" in text and "Alvarez" not in text
    # one resident in that review: the flagged count is too small a group to show
    assert "hidden" in text


def test_a_resident_sees_only_their_own_signed_results(world: World) -> None:
    text = _client(world, "resident").get(reverse("milestones:mine")).content.decode()
    assert "Second half of 2025–2026" in text and "PC1" in text
    other = _client(world, "resident2").get(reverse("milestones:mine")).content.decode()
    assert "No signed-off milestone result yet" in other and "PC1" not in other


def _every_level_agreed(world: World) -> str:
    """The sign-off URL of the open review, once it holds every level (so sign-off can write)."""
    for trainee in (world.small.ana, world.small.ben):
        agree_all(world.ccc.review, trainee, Decimal("2"), world.small.users["pd.im"])
    return reverse("milestones:sign_off", args=[world.ccc.review.pk])


Post = Callable[[World], tuple[str, dict[str, object]]]
POSTS: list[tuple[str, Post, set[str]]] = [
    ("appoint", lambda w: (reverse("milestones:appoint", args=[w.small.im.slug]),
                           {"person": Person.objects.get(user__username="faculty.other").pk}),
     {"pd.im"}),
    ("end seat", lambda w: (reverse("milestones:end_seat", args=[w.ccc.seat.pk]), {}), {"pd.im"}),
    ("open review", lambda w: (reverse("milestones:open_review", args=[w.small.im.slug]),
                               {"period": "2025-2026-1"}), {"pd.im", "coord.im"}),
    ("propose", lambda w: (_ana(w, "propose", w.ccc.review.pk),
                           {f"propose_{w.ccc.subs[0].pk}": "2"}), {"faculty"}),
    ("consensus", lambda w: (_ana(w, "consensus", w.ccc.review.pk),
                             {f"agree_{w.ccc.subs[0].pk}": "2"}), {"faculty", "pd.im", "coord.im"}),
    ("summary", lambda w: (_ana(w, "summary_edit", w.ccc.review.pk),
                           {"summary": "Doing well."}), {"faculty", "pd.im", "coord.im"}),
    ("sign off", lambda w: (_every_level_agreed(w), {}), {"pd.im"}),
    ("correct", lambda w: (_ana(w, "correct", w.ccc.earlier.pk),
                           {"subcompetency": w.ccc.subs[0].pk, "level": "2.5", "reason": "late"}),
     {"pd.im"}),
    ("meeting", lambda w: (_ana(w, "meeting", w.ccc.earlier.pk),
                           {"met_on": DURING}), {"pd.im"}),
    ("acknowledge", lambda w: (reverse("milestones:acknowledge", args=[w.own.pk]),
                               {"comment": "ok"}), {"resident"}),
]  # fmt: skip


@pytest.mark.parametrize("post", POSTS, ids=[p[0] for p in POSTS])
def test_every_role_against_every_write(world: World, post) -> None:  # type: ignore[no-untyped-def]
    _, what, allowed = post
    url, data = what(world)
    assert Client().post(url, data).status_code == 302
    for username in EVERYONE:
        if username in allowed:
            continue
        before = AuditEntry.objects.count()
        status = _client(world, username).post(url, data).status_code
        assert status in (403, 404), username
        assert AuditEntry.objects.count() == before, username
    for username in sorted(allowed):
        before = AuditEntry.objects.count()
        response = _client(world, username).post(url, data)
        assert response.status_code == 302, username
        assert AuditEntry.objects.count() > before, username
        break  # the first allowed user's write is enough; a second would be a no-op


def test_the_director_is_offered_the_programs_faculty_not_yet_seated(world: World) -> None:
    page = _client(world, "pd.im").get(reverse("milestones:program", args=[world.small.im.slug]))
    text = page.content.decode()
    assert '<option value="' in text and "Fay Other" in text
    options = text[
        text.index('name="person"') : text.index("</select>", text.index('name="person"'))
    ]
    assert "Faculty Tester" not in options  # already on the committee
    coordinator = _client(world, "coord.im").get(
        reverse("milestones:program", args=[world.small.im.slug])
    )
    assert 'name="person"' not in coordinator.content.decode()


def test_the_gme_summary_opens_on_the_latest_reviewed_period(world: World) -> None:
    text = _client(world, "gme").get(reverse("milestones:summary")).content.decode()
    assert "First half of 2026–2027. Counts only" in text
