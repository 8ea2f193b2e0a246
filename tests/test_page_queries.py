"""The pages of the load profile (bench/_locustfile.py) run a bounded number of SQL queries.

An N+1 (a query per row) multiplies a page's cost under load; these bounds catch one the day it
comes back. Each bound is the count today with a little room; the grid pages must also cost the
same with more trainees on them. `python -m bench page_cost` prints the figures on the demo.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rounds.schedules.models import CallSchedule
from tests.call_setup import call_pool, hand_month
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, SmallSchedules, build_schedules

pytestmark = pytest.mark.django_db


@pytest.fixture
def x(small: SmallInstitution) -> SmallSchedules:
    return build_schedules(small)


def queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        # Followed as a browser would: /hours/ sends the trainee on to this week's page.
        response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return len(captured)


# Counts today: 9, 6, 6, 2 (rendered; a cached copy runs none).
PUBLIC = {"/": 10, "/programs/": 8, "/programs/im/": 8, "/sites/": 4}


@pytest.mark.parametrize("url", list(PUBLIC))
def test_public_page_queries_are_bounded(small: SmallInstitution, url: str) -> None:
    assert queries(Client(), url) <= PUBLIC[url]


@pytest.mark.parametrize("url", list(PUBLIC))
def test_public_page_from_the_cache_runs_no_query(small: SmallInstitution, url: str) -> None:
    client = Client()
    queries(client, url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(captured) == 0


# /hours/ (followed to this week) is the costliest: its entries, findings and what-ifs.
# Counts today: 13, 10, 28, 16.
# /staff/start/ lands on the trainee's page, led by their to-dos (rounds/staff/todos.py): 24
# (with the evaluations waiting for them and case log entries returned to them, counted, and
# the faculty record looked up for procedure logs to verify).
RESIDENT = {"/schedules/me/": 15, "/schedules/calls/me/": 12, "/hours/": 30, "/staff/start/": 24}


@pytest.mark.parametrize("url", list(RESIDENT))
def test_resident_page_queries_are_bounded(client_as, x: SmallSchedules, url: str) -> None:  # type: ignore[no-untyped-def]
    assert queries(client_as("resident"), url) <= RESIDENT[url]


def coordinator_pages(small: SmallInstitution, x: SmallSchedules) -> dict[str, int]:
    month = CallSchedule.objects.filter(program=small.im).first() or hand_month(small)
    return {
        # Counts today: 12, 24, 23, 14, 37 (the call month reads the published leave once, and
        # the trainees' logged leave from training with their dates; the dashboard leads with
        # the to-dos, about twenty queries whatever the number of trainees, with the leave
        # flags counted by the database in four, see the test below).
        f"/schedules/programs/{small.im.pk}/{YEAR}/": 14,
        f"/schedules/versions/{x.published.pk}/": 25,
        f"/schedules/versions/{x.draft.pk}/": 24,
        f"/schedules/calls/{month.pk}/": 15,
        "/staff/start/": 38,
    }


def test_coordinator_page_queries_are_bounded(client_as, small, x) -> None:  # type: ignore[no-untyped-def]
    client = client_as("coord.im")
    counts = {url: queries(client, url) for url in coordinator_pages(small, x)}
    over = {url: n for url, n in counts.items() if n > coordinator_pages(small, x)[url]}
    assert not over, f"more queries than the bound: {over}"


def test_grid_pages_cost_the_same_with_more_trainees(client_as, small, x) -> None:  # type: ignore[no-untyped-def]
    client = client_as("coord.im")
    pages = list(coordinator_pages(small, x))
    before = {url: queries(client, url) for url in pages}
    call_pool(small, x, extra=5)
    after = {url: queries(client, url) for url in pages}
    assert after == before
