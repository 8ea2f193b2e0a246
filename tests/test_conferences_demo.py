"""The conferences demo: series with held sessions and check-ins, excuses from the schedule,
and one session open for check-in now; the same seed gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rounds.conferences import selectors
from rounds.conferences.demo import demo_extend, demo_wipe
from rounds.conferences.models import Attendance, Series, Session
from rounds.lib.today import today_is
from tests.conferences_setup import TODAY
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


@pytest.fixture(autouse=True)
def pinned_day() -> Iterator[None]:
    with today_is(TODAY):
        yield


def _snapshot() -> list[tuple[object, ...]]:
    return list(Session.objects.order_by("day", "start_time").values_list("day", "code", "topic"))


def test_the_demo_shows_attendance_excuses_and_a_session_now(small: SmallInstitution) -> None:
    build_schedules(small)  # Ben rotates at Harbor VA in blocks 4 and 5
    lines = demo_extend(seed=7)
    assert "3 series" in lines[0]
    assert Attendance.objects.exists()
    moment = selectors.now()
    open_now = [s for s in Session.objects.all() if selectors.is_open_for_check_in(s, moment)]
    assert len(open_now) == 1 and open_now[0].presenter.user.username == "faculty"  # type: ignore[union-attr]
    series = list(Series.objects.filter(program=small.im))
    rows = selectors.series_rows(series, *selectors.year_bounds(TODAY))
    reasons = {o.reason for r in rows for o in r.tally.outcomes if o.state == "excused"}
    assert "On a rotation at Harbor VA" in reasons
    first = _snapshot()
    demo_wipe()
    assert not Session.objects.exists()
    demo_extend(seed=7)
    assert _snapshot() == first
