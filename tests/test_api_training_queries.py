"""The training lists cost the same number of queries whatever the data: counted for each list
and caller, then counted again after adding several times the rows (sessions and check-ins,
another series, requests, case log entries), and the counts must be equal."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rounds.conferences.models import Attendance, Excuse, Series
from rounds.moonlighting.models import MoonlightingRequest
from tests.api_setup import api_client
from tests.api_training_setup import TrainingWorld, ana_logs, build_training_world
from tests.conferences_setup import session_on
from tests.moonlighting_setup import licence
from tests.people import SmallInstitution, _trainee

RANGE = "start=2026-07-01&end=2026-07-31"
LISTS = [
    ("resident", "/api/conference-series/"),
    ("pd.im", "/api/conference-series/"),
    ("resident", f"/api/conference-sessions/?{RANGE}"),
    ("gme", f"/api/conference-sessions/?{RANGE}"),
    ("resident", "/api/conference-attendance/"),
    ("pd.im", "/api/conference-attendance/?program={im}"),
    ("resident", "/api/moonlighting-requests/"),
    ("coord.im", "/api/moonlighting-requests/"),
    ("resident", "/api/case-logs/"),
    ("pd.im", "/api/case-logs/"),
    ("faculty", "/api/case-logs/"),
]


def _more(w: TrainingWorld) -> None:
    """Several times the rows every list reads, and another trainee in the program."""
    s = w.api.small
    _trainee("resident3", s.im, 2, "Dee", "Diaz")
    grand = Series.objects.create(program=s.im, name="Grand rounds", required_rate=50)
    for days_ago in range(1, 7):
        day = w.today - timedelta(days=days_ago)
        for series in (w.series, grand):
            session = session_on(series, day)
            Attendance.objects.create(
                session=session, trainee=s.ana, checked_in_at=session.starts_at
            )
            Excuse.objects.create(session=session, trainee=s.ben, reason="Clinic")
    for trainee in (s.ana, s.ben):
        held = licence(trainee, code=f"licence-{trainee.pk}")
        for n in range(4):
            MoonlightingRequest.objects.create(
                trainee=trainee, setting="internal", where=f"Clinic {n}", hours_per_week=4,
                start=w.today + timedelta(days=40 * n), end=w.today + timedelta(days=40 * n + 30),
                licence=held, statement="Evening clinic.",
            )  # fmt: skip
    ana_logs(w.today, s, w.a, 12)


def _counts(w: TrainingWorld) -> dict[str, tuple[int, int]]:
    """(queries, rows answered) per list and caller."""
    found = {}
    for username, path in LISTS:
        url = path.format(im=w.api.small.im.pk)
        client = api_client(w.api.tokens[username])
        client.get(url)  # warm: the first request of a client fills caches
        with CaptureQueriesContext(connection) as queries:
            answer = client.get(url)
        assert answer.status_code == 200, (username, url, answer.json())
        found[f"{username} {url}"] = (len(queries), answer.json()["count"])
    return found


def test_the_training_lists_cost_the_same_queries_whatever_the_data(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    w = build_training_world(small, settings)
    before = _counts(w)
    _more(w)
    after = _counts(w)
    assert all(after[name][1] > before[name][1] for name in before)  # every list grew
    assert {name: q for name, (q, _) in after.items()} == {
        name: q for name, (q, _) in before.items()
    }
    assert max(q for q, _ in before.values()) <= 25  # and few
