"""History.days_in answers as a day-by-day walk over program_on would, for any history.

days_in cuts periods at program changes instead of asking program_on for every day (the
schedule pages ask it for every trainee and block); this pins the two to the same answer.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rounds.people.training import History

START = date(2026, 7, 1)
day = st.integers(min_value=-60, max_value=800).map(lambda n: START + timedelta(days=n))
changes = st.lists(st.tuples(day, st.integers(1, 3)), min_size=1, max_size=4).map(
    lambda c: tuple(sorted(c, key=lambda x: x[0]))
)
leaves = st.lists(st.tuples(day, st.integers(0, 40)), max_size=3).map(
    lambda ls: tuple((a, a + timedelta(days=n)) for a, n in ls)
)


def walked(history: History, first: date, last: date, program: int | None) -> list[date]:
    days = []
    for a, b in history.spans():
        d = max(a, first)
        while d <= min(b, last):
            if program is None or history.program_on(d) == program:
                days.append(d)
            d += timedelta(days=1)
    return days


@given(
    programs=changes,
    leaves=leaves,
    length=st.integers(0, 1100),
    first=day,
    span=st.integers(0, 120),
    program=st.one_of(st.none(), st.integers(1, 3)),
)
def test_days_in_matches_a_day_by_day_walk(
    programs: tuple[tuple[date, int], ...],
    leaves: tuple[tuple[date, date], ...],
    length: int,
    first: date,
    span: int,
    program: int | None,
) -> None:
    history = History(
        trainee_id=1,
        start=START,
        expected_end=START + timedelta(days=length),
        finished=None,
        leaves=leaves,
        levels=((START, 1),),
        programs=programs,
    )
    last = first + timedelta(days=span)
    expected = walked(history, first, last, program)
    assert history.days_in(first, last, program) == expected
    assert history.in_training_during(first, last, program) == bool(expected)
