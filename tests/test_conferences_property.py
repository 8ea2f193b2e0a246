"""For any schedule, sessions, check-ins and excuses: every session that concerns a trainee is
exactly one of attended, excused or missed, and the rate is attended / expected."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from rounds.conferences.selectors import (
    Placement,
    SessionFact,
    Shift,
    TraineeFacts,
    automatic_excuse,
    tally,
)

NY = ZoneInfo("America/New_York")
FIRST = dt.date(2026, 9, 1)
SITES = (1, 2, 3)

days = st.integers(min_value=0, max_value=27).map(lambda n: FIRST + dt.timedelta(days=n))


@st.composite
def sessions(draw: st.DrawFn) -> list[SessionFact]:
    found = []
    for pk in range(1, draw(st.integers(0, 12)) + 1):
        day = draw(days)
        hour = draw(st.integers(7, 18))
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=NY)
        site = draw(st.sampled_from((None, *SITES)))
        found.append(SessionFact(pk, 1, day, start, start + dt.timedelta(hours=1), site))
    return found


@st.composite
def schedules(draw: st.DrawFn) -> TraineeFacts:
    facts = TraineeFacts(7)
    facts.out_of_training = set(draw(st.lists(days, max_size=3)))
    facts.leave_days = set(draw(st.lists(days, max_size=4)))
    for _ in range(draw(st.integers(0, 3))):
        first = draw(days)
        last = first + dt.timedelta(days=draw(st.integers(0, 13)))
        site = draw(st.sampled_from(SITES))
        kind = draw(st.sampled_from(("clinical", "night_float", "vacation", "ambulatory")))
        facts.placements.append(Placement(first, last, site, f"Site {site}", kind))
    for _ in range(draw(st.integers(0, 6))):
        start = dt.datetime.combine(draw(days), dt.time(draw(st.integers(0, 23))), tzinfo=NY)
        site = draw(st.sampled_from(SITES))
        hours = draw(st.integers(1, 28))
        facts.shifts.append(Shift(start, start + dt.timedelta(hours=hours), site, f"Site {site}"))
    return facts


@settings(max_examples=300, deadline=None)
@given(
    facts=schedules(),
    held=sessions(),
    checked_in=st.sets(st.integers(1, 12)),
    excused=st.dictionaries(st.integers(1, 12), st.just("Family emergency")),
)
def test_every_session_is_exactly_one_outcome_and_the_rate_adds_up(
    facts: TraineeFacts,
    held: list[SessionFact],
    checked_in: set[int],
    excused: dict[int, str],
) -> None:
    result = tally(facts, held, 70, checked_in, excused)
    assert [o.session_id for o in result.outcomes] == [s.pk for s in held]
    assert all(o.state in ("attended", "excused", "missed") for o in result.outcomes)
    assert result.attended + result.excused + result.missed == len(held)
    for session, outcome in zip(held, result.outcomes, strict=True):
        if session.pk in checked_in:
            assert outcome.state == "attended"  # a check-in is never overruled
        elif session.pk in excused or automatic_excuse(facts, session):
            assert outcome.state == "excused" and outcome.reason
        else:
            assert outcome.state == "missed"
    assert result.expected == result.attended + result.missed
    if result.expected:
        assert result.rate == result.attended / result.expected
        assert result.below == (result.attended * 100 < 70 * result.expected)
    else:
        assert result.rate is None and not result.below
