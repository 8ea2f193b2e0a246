"""A call cell's edit link works however it is opened: through the htmx panel over the grid, as a
link opened directly (a new tab, a bookmark), after a reload, or without JavaScript. The edit
saves, or the page says why not; it is never lost silently."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from rounds.schedules.models import CallSchedule
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

HTMX = {"HX-Request": "true"}


def _month(small: SmallInstitution, status: str = "draft") -> CallSchedule:
    build_schedules(small)
    month = hand_month(small, status=status)
    shift(month, small.ana, 3)
    return month


def _open(client: Client, month: CallSchedule, day: dt.date, **headers: str) -> str:
    url = reverse("schedules:call_cell", args=[month.pk])
    response = client.get(url, {"trainee": month.program.trainees.get(
        person__first_name="Ben").pk, "day": day.isoformat()}, headers=headers)  # fmt: skip
    assert response.status_code == 200
    return response.content.decode()


def test_a_cell_link_opened_directly_is_a_page_whose_form_posts_plainly(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    month = _month(small)
    coord = client_as("coord.im")
    day = month.month + dt.timedelta(days=9)
    page = _open(coord, month, day)
    assert "<html" in page and f"Ben Baker, {day:%A, %B} {day.day}" in page
    # htmx runs on this page too: a form aimed at a grid the page does not have would be
    # dropped by htmx without a word. It posts as a plain form instead.
    assert "hx-post" not in page and 'hx-target="#call-grid"' not in page
    assert f'action="{reverse("schedules:call_cell", args=[month.pk])}"' in page
    panel = _open(coord, month, day, **HTMX)
    assert "<html" not in panel and 'hx-post="' in panel, "over the grid it is still a panel"
    response = coord.post(
        reverse("schedules:call_cell", args=[month.pk]),
        {"trainee": small.ben.pk, "day": day.isoformat(), "shift": "C",
         "revision": month.revision},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0].endswith(f"#t{small.ben.pk}")
    assert f"Ben Baker on {day:%a %b} {day.day}: off → 24h call" in response.content.decode()
    assert month.shifts.get(trainee=small.ben, day=day).label == "24h call"


def test_a_reloaded_cell_page_saves_against_the_fresh_revision_and_an_old_one_says_why(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    month = _month(small)
    coord, pd = client_as("coord.im"), client_as("pd.im")
    day = month.month + dt.timedelta(days=12)
    url = reverse("schedules:call_cell", args=[month.pk])
    loaded = month.revision
    assert f'name="revision" value="{loaded}"' in _open(coord, month, day)
    # Someone else saves in between; the page loaded before it is refused, with the reason.
    pd.post(url, {"trainee": small.ben.pk, "day": day.isoformat(), "shift": "D",
                  "revision": loaded})  # fmt: skip
    post = {"trainee": small.ben.pk, "day": day.isoformat(), "shift": "N", "revision": loaded}
    page = coord.post(url, post, follow=True).content.decode()
    assert "Someone else changed this draft after you loaded it" in page
    assert month.shifts.get(trainee=small.ben, day=day).label == "Day team"
    # The reload shows the fresh revision, and the same edit now saves.
    reloaded = _open(coord, month, day)
    assert f'name="revision" value="{loaded + 1}"' in reloaded
    page = coord.post(url, {**post, "revision": loaded + 1}, follow=True).content.decode()
    assert f"Ben Baker on {day:%a %b} {day.day}: Day team → Night float" in page
    assert month.shifts.get(trainee=small.ben, day=day).label == "Night float"


def test_a_cell_link_of_a_published_month_says_why_it_cannot_change(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    month = _month(small, status="published")
    coord = client_as("coord.im")
    day = month.month + dt.timedelta(days=3)
    page = _open(coord, month, day)
    assert "Version 1 is published, so its cells cannot change" in page
    assert "Make a change" in page and "<form" not in page.split('id="main"')[1].split("</main>")[0]
    response = coord.post(
        reverse("schedules:call_cell", args=[month.pk]),
        {"trainee": small.ben.pk, "day": day.isoformat(), "shift": "C",
         "revision": month.revision},
        follow=True,
    )  # fmt: skip
    assert "Version 1 is published and cannot change" in response.content.decode()
    assert not month.shifts.filter(trainee=small.ben, day=day).exists()
