"""Case logs against every role: where the area's entry leads each person, and who may write."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from rounds.caselogs.models import CaseLog
from rounds.caselogs.services import caselog_log
from tests.caselogs_setup import build_case_logs
from tests.people import USERNAMES, SmallInstitution

ClientAs = Callable[[str], Client]


@pytest.mark.parametrize(
    ("username", "status", "lands"),
    [
        ("gme", 200, None),
        ("pd.im", 200, None),
        ("coord.im", 200, None),
        ("pd.cards", 200, None),
        ("resident", 302, "trainee"),
        ("fellow", 302, "trainee"),
        ("faculty", 302, "queue"),
        ("wellness", 403, None),
        ("inclusion", 403, None),
        ("nobody", 403, None),
    ],
)
def test_the_area_leads_each_role_to_its_page(
    small: SmallInstitution, client_as: ClientAs, username: str, status: int, lands: str | None
) -> None:
    response = client_as(username).get(reverse("caselogs:home"))
    assert response.status_code == status
    if lands:
        assert f"/caselogs/{'queue' if lands == 'queue' else 'trainees'}/" in response["Location"]


def test_only_the_trainee_logs_and_only_the_named_supervisor_decides(
    small: SmallInstitution, client_as: ClientAs, settings
) -> None:  # type: ignore[no-untyped-def]
    c = build_case_logs(small, settings)
    entry = caselog_log(trainee=small.ana, by=None, day=c.today, procedure=c.paracentesis,
                        role="performed", supervisor=c.a.faculty)  # fmt: skip
    log = reverse("caselogs:log", args=[small.ana.pk])
    for username in USERNAMES:
        client = client_as(username)
        if username != "resident":
            assert client.post(log, {"day": c.today}).status_code == 404, username
        if username != "faculty":
            for name in ("verify", "return"):
                url = reverse(f"caselogs:{name}", args=[entry.pk])
                assert client.post(url, {"comment": "no"}).status_code == 404, username
    assert CaseLog.objects.get().status == "pending"
    assert Client().post(log)["Location"].startswith(reverse("login"))


def test_a_trainee_sees_no_form_on_a_page_that_is_not_theirs(
    small: SmallInstitution, client_as: ClientAs
) -> None:
    page = client_as("pd.im").get(reverse("caselogs:trainee", args=[small.ana.pk]))
    assert page.context["form"] is None
    assert "Case log of Ana Alvarez" in page.content.decode()
