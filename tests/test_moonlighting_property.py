"""For any requests in any state and any logged moonlighting: a logged period is flagged exactly
when one of the days it touches is covered by no approval (an approval covers its dates; a
revoked one up to the day it was revoked; declined, withdrawn and waiting ones cover nothing)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.moonlighting.models import MoonlightingRequest
from rounds.moonlighting.selectors import UNAPPROVED_RULE
from rounds.workhours.models import Finding, LoggedPeriod
from tests.moonlighting_setup import licence, moonlight

BASE = date(2026, 7, 6)  # a past Monday: logs must be in the past
DAYS = 28
STATES = ["approved", "revoked", "declined", "withdrawn", "awaiting_director", "awaiting_gme"]

requests = st.lists(
    st.tuples(
        st.integers(0, DAYS - 1),  # first day
        st.integers(0, 10),  # length - 1
        st.sampled_from(STATES),
        st.integers(-1, 12),  # revoked after this many days
    ),
    max_size=3,
)
# Distinct days; a night period (20:00 to 04:00) touches the next day too.
logs = st.dictionaries(st.integers(0, DAYS - 2), st.booleans(), max_size=5)


def covered(spec: list[tuple[int, int, str, int]]) -> set[date]:
    """The oracle, written from the rule, not from the code."""
    days: set[date] = set()
    for first, length, state, revoked_after in spec:
        start, end = BASE + timedelta(days=first), BASE + timedelta(days=first + length)
        if state == "revoked":
            end = min(end, start + timedelta(days=revoked_after))
        elif state != "approved":
            continue
        days |= {start + timedelta(days=n) for n in range((end - start).days + 1)}
    return days


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spec=requests, logged=logs)
def test_flagged_iff_no_approval_covers_a_day(small, spec, logged) -> None:
    for model in (Finding, LoggedPeriod, MoonlightingRequest):
        model.objects.all().delete()
    held = licence(small.ana)
    for first, length, state, revoked_after in spec:
        start = BASE + timedelta(days=first)
        MoonlightingRequest.objects.create(
            trainee=small.ana, setting="external", where="Clinic", start=start,
            end=start + timedelta(days=length), hours_per_week=8, licence=held,
            statement="Weekend shifts.", status=state,
            revoked_on=start + timedelta(days=revoked_after) if state == "revoked" else None,
        )  # fmt: skip
    expected = set()
    approved = covered(spec)
    for offset, night in sorted(logged.items()):
        day = BASE + timedelta(days=offset)
        touched = {day, day + timedelta(days=1)} if night else {day}
        period = moonlight(small.ana, day, hours=8, start_hour=20 if night else 9)
        if not touched <= approved:
            expected.add(period.start)
    flagged = Finding.objects.filter(trainee=small.ana, rule=UNAPPROVED_RULE, resolved_at=None)
    starts = {p.start for p in LoggedPeriod.objects.all() if _flag_of(p, flagged)}
    assert starts == expected


def _flag_of(period: LoggedPeriod, flagged) -> bool:  # type: ignore[no-untyped-def]
    from tests.moonlighting_setup import NY

    return any(f.start == f"{period.start.astimezone(NY):%Y-%m-%dT%H:%M}" for f in flagged)
