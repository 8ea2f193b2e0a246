"""Every role against every work-hour page and endpoint, and ids that belong to someone else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from rounds.lib.today import today
from rounds.workhours.models import Finding, LeaveSpan, LoggedPeriod, ViolationReview
from tests.people import USERNAMES, SmallInstitution

EVERYONE = list(USERNAMES)
TRAINEES = {"resident", "resident2", "fellow"}
IM_STAFF = {"gme", "pd.im", "coord.im"}
NY = ZoneInfo("America/New_York")


@pytest.fixture
def logged(small: SmallInstitution) -> dict[str, int]:
    """One entry, one leave span and one finding for Ana (IM, user "resident")."""
    start = datetime.combine(today() - timedelta(days=8), datetime.min.time(), NY)
    period = LoggedPeriod.objects.create(
        trainee=small.ana, kind="clinical", start=start.replace(hour=7), end=start.replace(hour=19)
    )
    leave = LeaveSpan.objects.create(
        trainee=small.ana,
        start=start.date() - timedelta(days=3),
        end=start.date() - timedelta(days=2),
    )
    finding = Finding.objects.create(
        trainee=small.ana,
        severity="violation",
        rule="max-continuous-hours",
        start="2026-09-01T07:00",
        end="2026-09-02T12:00",
        starts_on=start.date(),
        detail="29h00 of continuous work",
        key="k",
    )
    return {"period": period.pk, "leave": leave.pk, "finding": finding.pk}


def _week(s: SmallInstitution, ids: dict[str, int]) -> str:
    return reverse(
        "workhours:week",
        args=[(today() - timedelta(days=today().weekday())).isoformat()],
    )


# (name, url, allowed, status for others who are signed in)
Page = tuple[str, Callable[[SmallInstitution, dict[str, int]], str], set[str], int]
GET_PAGES: list[Page] = [
    ("own week", _week, TRAINEES, 403),
    ("log time form", lambda s, i: reverse("workhours:entry_new"), TRAINEES, 403),
    ("leave form", lambda s, i: reverse("workhours:leave_new"), TRAINEES, 403),
    ("IM program", lambda s, i: reverse("workhours:program_hours", args=[s.im.pk]), IM_STAFF, 403),
    ("Ana's log", lambda s, i: reverse("workhours:trainee", args=[s.ana.pk]), IM_STAFF, 403),
    ("a finding", lambda s, i: reverse("workhours:finding", args=[i["finding"]]), IM_STAFF, 403),
    ("institution", lambda s, i: reverse("workhours:institution"), {"gme"}, 403),
    ("printable report", lambda s, i: reverse("workhours:institution_print"), {"gme"}, 403),
    ("CSV export", lambda s, i: reverse("workhours:institution_csv"), {"gme"}, 403),
]


def _expected_refusal(username: str, name: str, default: int) -> int:
    # Program staff of another program get 404 on IM records; trainees are no staff at all.
    if username == "pd.cards" and name in {"IM program", "Ana's log", "a finding"}:
        return 404
    return default


@pytest.mark.parametrize("name,url,allowed,refused", GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_every_role_against_every_page(
    small: SmallInstitution, logged: dict[str, int], client_as, name, url, allowed, refused
) -> None:
    target = url(small, logged)
    assert Client().get(target).status_code == 302  # anonymous: sign in first
    for username in EVERYONE:
        status = client_as(username).get(target).status_code
        expected = 200 if username in allowed else _expected_refusal(username, name, refused)
        assert status == expected, f"{username} on {name}: {status}"


def test_hours_home_sends_each_role_to_their_page(small, client_as) -> None:
    expected = {
        "gme": reverse("workhours:institution"),
        "pd.im": reverse("workhours:program_hours", args=[small.im.pk]),
        "coord.im": reverse("workhours:program_hours", args=[small.im.pk]),
        "pd.cards": reverse("workhours:program_hours", args=[small.cards.pk]),
    }
    for username in EVERYONE:
        response = client_as(username).get(reverse("workhours:home"))
        if username in expected:
            assert response.url == expected[username]
        elif username in TRAINEES:
            assert "/hours/week/" in response.url
        else:
            assert response.status_code == 403, username
    assert Client().get(reverse("workhours:home")).status_code == 302


def test_a_trainee_cannot_read_or_change_another_trainees_log(small, logged, client_as) -> None:
    ben = client_as("resident2")
    edit = reverse("workhours:entry_edit", args=[logged["period"]])
    assert ben.get(edit).status_code == 404
    form = {"kind": "education", "day": "2026-01-05", "start_time": "08:00", "end_time": "09:00"}
    assert ben.post(edit, form).status_code == 404
    assert ben.post(reverse("workhours:entry_remove", args=[logged["period"]])).status_code == 404
    assert ben.post(reverse("workhours:leave_remove", args=[logged["leave"]])).status_code == 404
    assert client_as("fellow").get(edit).status_code == 404
    assert LoggedPeriod.objects.get(pk=logged["period"]).kind == "clinical"
    assert LeaveSpan.objects.filter(pk=logged["leave"]).exists()
    # Ana's week page only ever shows Ana's entries, whoever asks.
    assert "07:00–19:00" not in ben.get(_week(small, logged)).content.decode()


def test_staff_cannot_use_the_trainee_endpoints(small, logged, client_as) -> None:
    for username in ("gme", "pd.im", "faculty"):
        client = client_as(username)
        remove = reverse("workhours:entry_remove", args=[logged["period"]])
        assert client.post(remove).status_code == 403, username
    assert LoggedPeriod.objects.filter(pk=logged["period"]).exists()


def test_only_directors_and_gme_record_reviews(small, logged, client_as) -> None:
    url = reverse("workhours:finding", args=[logged["finding"]])
    form = {"outcome": "exception", "reason": "Stayed with a crashing patient; approved."}
    statuses = {u: client_as(u).post(url, form).status_code for u in EVERYONE}
    assert statuses["pd.im"] == 302 and statuses["gme"] == 302
    assert statuses["coord.im"] == 403 and statuses["pd.cards"] == 404
    assert all(statuses[u] == 403 for u in ("faculty", "wellness", "nobody", "resident"))
    assert Client().post(url, form).status_code == 302
    assert ViolationReview.objects.count() == 2
    for endpoint in (
        "workhours:as_scheduled",
        "workhours:week_as_scheduled",
        "workhours:week_confirm",
    ):
        target = reverse(endpoint, args=[today().isoformat()])
        assert client_as("pd.im").post(target).status_code == 403
        assert Client().post(target).status_code == 302
