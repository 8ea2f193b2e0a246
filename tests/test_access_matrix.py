"""Every role against every staff page: who gets in, who is refused, and how.

Anonymous visitors are sent to sign in; signed-in people without the role get 403 on role pages
and 404 on records of others (so nobody learns which records exist).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from rounds.conferences.models import Session
from rounds.jobs.models import Job
from tests.caselogs_setup import a_returned_entry
from tests.conferences_setup import noon_report, session_on
from tests.moonlighting_setup import a_request
from tests.people import USERNAMES, SmallInstitution

EVERYONE = list(USERNAMES)
PROGRAM_STAFF = {"gme", "pd.im", "coord.im", "pd.cards"}
GME = {"gme"}
IM_STAFF = {"gme", "pd.im", "coord.im"}
TRAINEES = {"resident", "resident2", "fellow"}


def a_session(s: SmallInstitution) -> Session:
    """An IM noon report next week, presented by the faculty member."""
    import datetime as dt

    from rounds.lib.today import today

    found = Session.objects.filter(series__program=s.im).first()
    if found is not None:
        return found
    day = today() + dt.timedelta(days=7)
    return session_on(noon_report(s), day, presenter=s.users["faculty"].person)


# (name, url, who may open it, status for a signed-in person who may not)
Page = tuple[str, Callable[[SmallInstitution], str], set[str], int]
PAGES: list[Page] = [
    ("staff home", lambda s: reverse("staff:home"), PROGRAM_STAFF, 403),
    ("trainee list", lambda s: reverse("staff:trainees"), PROGRAM_STAFF, 403),
    (
        "an IM trainee's record",
        lambda s: reverse("staff:trainee", args=[s.ana.pk]),
        {"gme", "pd.im", "coord.im", "resident"},
        404,
    ),
    (
        "IM public page editor",
        lambda s: reverse("staff:program_text", args=[s.im.pk]),
        {"gme", "pd.im", "coord.im"},
        403,
    ),
    (
        "an IM trainee's leave",
        lambda s: reverse("leave:trainee", args=[s.ana.pk]),
        {"gme", "pd.im", "coord.im", "resident"},
        404,
    ),
    ("import", lambda s: reverse("staff:import"), GME, 403),
    ("failed jobs", lambda s: reverse("staff:jobs_failed"), PROGRAM_STAFF, 403),
    (
        "a name picker",
        lambda s: reverse("people:pick") + "?role=director&name=director&director__q=t",
        PROGRAM_STAFF,
        403,
    ),
    ("my phone and pager", lambda s: reverse("people:contact"), set(EVERYONE), 403),
    ("audit log", lambda s: reverse("staff:audit"), GME, 403),
    *[
        (f"manage {kind}", lambda s, k=kind: reverse("staff:managed_list", args=[k]), GME, 403)
        for kind in ("institution", "programs", "sites", "specialties", "testimonials")
    ],
    ("new site", lambda s: reverse("staff:managed_new", args=["sites"]), GME, 403),
    (
        "edit a program",
        lambda s: reverse("staff:managed_edit", args=["programs", s.im.pk]),
        GME,
        403,
    ),
    (
        "conferences",
        lambda s: reverse("conferences:home"),
        PROGRAM_STAFF | TRAINEES | {"faculty"},
        403,
    ),
    ("IM conferences", lambda s: reverse("conferences:program", args=[s.im.pk]), IM_STAFF, 403),
    (
        "an IM conference series",
        lambda s: reverse("conferences:series", args=[noon_report(s).pk]),
        IM_STAFF,
        404,
    ),
    (
        "an IM conference session",
        lambda s: reverse("conferences:session", args=[a_session(s).pk]),
        IM_STAFF | {"faculty"},
        404,
    ),
    (
        "its check-in code",
        lambda s: reverse("conferences:code", args=[a_session(s).pk]),
        IM_STAFF | {"faculty"},
        404,
    ),
    ("conference check-in", lambda s: reverse("conferences:check_in"), TRAINEES, 403),
    (
        "Ana's conference attendance",
        lambda s: reverse("conferences:trainee", args=[s.ana.pk]),
        IM_STAFF | {"resident"},
        404,
    ),
    (
        "the GME office's job",
        lambda s: reverse(
            "staff:job",
            args=[Job.objects.create(kind="import", title="t", started_by=s.users["gme"]).pk],
        ),
        GME,
        404,
    ),
    (
        "moonlighting requests",
        lambda s: reverse("moonlighting:home"),
        PROGRAM_STAFF | TRAINEES,
        403,
    ),
    ("request moonlighting", lambda s: reverse("moonlighting:new"), TRAINEES, 403),
    (
        "an IM trainee's moonlighting request",
        lambda s: reverse("moonlighting:request", args=[a_request(s).pk]),
        {"gme", "pd.im", "coord.im", "resident"},
        404,
    ),
    (
        "Ana's case log",
        lambda s: reverse("caselogs:trainee", args=[s.ana.pk]),
        {"gme", "pd.im", "coord.im", "resident"},
        404,
    ),
    (
        "edit a returned case log entry of Ana's",
        lambda s: reverse("caselogs:edit", args=[a_returned_entry(s).pk]),
        {"resident"},
        404,
    ),
    ("case log entries to verify", lambda s: reverse("caselogs:queue"), {"faculty"}, 403),
    *[
        (
            f"IM case logs {name}",
            lambda s, n=name: reverse(f"caselogs:{n}", args=[s.im.pk]),
            {"gme", "pd.im", "coord.im"},
            403,
        )
        for name in ("program", "export")
    ],
]


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_anonymous_visitors_are_sent_to_sign_in(small: SmallInstitution, page: Page) -> None:
    _, url, _, _ = page
    response = Client().get(url(small))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", EVERYONE)
@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_each_role_gets_exactly_its_pages(
    small: SmallInstitution, client_as: Callable[[str], Client], page: Page, username: str
) -> None:
    _, url, allowed, refusal = page
    response = client_as(username).get(url(small))
    assert response.status_code == (200 if username in allowed else refusal)


def test_a_trainee_cannot_find_another_trainees_record_by_number(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    ana = client_as("resident")
    assert ana.get(reverse("staff:trainee", args=[small.ben.pk])).status_code == 404
    assert ana.get(reverse("staff:trainee", args=[small.cara.pk])).status_code == 404
    own = ana.get(reverse("staff:me"), follow=True)
    assert "Ana Alvarez" in own.content.decode()


def test_program_staff_see_only_their_programs_trainees(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    page = client_as("pd.cards").get(reverse("staff:trainees")).content.decode()
    assert "Cara Chen" in page
    assert "Ana Alvarez" not in page and "Ben Baker" not in page
    everyone = client_as("gme").get(reverse("staff:trainees")).content.decode()
    assert all(name in everyone for name in ("Ana Alvarez", "Ben Baker", "Cara Chen"))


def test_sign_in_lands_each_person_where_they_work(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    start = reverse("staff:start")
    assert client_as("pd.im").get(start)["Location"] == reverse("staff:home")
    assert client_as("resident").get(start)["Location"] == reverse("staff:me")
    for username in ("wellness", "faculty", "inclusion"):  # the work waiting for them first
        assert client_as(username).get(start)["Location"] == reverse("staff:me")
    assert client_as("nobody").get(start)["Location"] == reverse("public:home")


def test_public_home_is_open_to_everyone(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    assert Client().get(reverse("public:home")).status_code == 200
    for username in EVERYONE:
        assert client_as(username).get(reverse("public:home")).status_code == 200


def test_a_refused_page_explains_itself_in_the_site_layout(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    response = client_as("resident").get(reverse("staff:home"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not part of your role" in page
    assert "Your roles do not include this page." in page


def test_the_work_bar_shows_each_person_the_areas_their_roles_open(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    def work_links(username: str) -> list[str]:
        response = client_as(username).get(reverse("public:home"))
        return [link.label for link in response.context["work_links"]]

    assert work_links("gme") == [
        "Dashboard",
        "Schedules",
        "Hours",
        "Evaluations",
        "Milestones",
        "Training record",
        "Case logs",
        "Conferences",
        "Mentoring",
        "Wellness",
        "Inclusion",
    ]
    assert work_links("resident") == [
        "My record",
        "Schedules",
        "Hours",
        "Evaluations",
        "Milestones",
        "Training record",
        "Case logs",
        "Conferences",
        "Mentoring",
        "Wellness",
    ]
    assert work_links("inclusion") == ["Mentoring", "Wellness", "Inclusion"]
    assert Client().get(reverse("public:home")).context["work_links"] == []


def test_every_link_in_the_work_bar_opens_for_its_holder(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    for username in EVERYONE:
        client = client_as(username)
        for link in client.get(reverse("public:home")).context["work_links"]:
            status = client.get(link.url, follow=True).status_code
            assert status == 200, f"{username}: {link.label} gave {status}"
