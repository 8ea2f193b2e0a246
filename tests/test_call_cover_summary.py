"""The call grid's summary and its coverage row tell one story: a day short of its 24h call is a
broken rule, named with its shift and day and counted in the badge, on the full page, in an
edit's answer and on the no-JavaScript path; the badge says every rule holds exactly when no
rule is broken and no day is short."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.schedules.call_checks import ShiftCover
from rounds.schedules.call_grid import call_grid
from rounds.schedules.calls import call_cell_set
from rounds.schedules.models import CallSchedule
from rounds.schedules.services import ScheduleError
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

HTMX = {"HX-Request": "true"}
ALL_HOLD = "Every ACGME work-hour rule holds, and so do coverage and leave"
NEEDED = (3, 5, 7)  # the days (of the month) a 24h call is needed on


def _month(small: SmallInstitution) -> CallSchedule:
    """A hand-made draft needing one 24h call on three days, covered on two of them."""
    build_schedules(small)
    draft = hand_month(small)
    draft.problem = {
        **draft.problem,
        "coverage": [{"shift": "C", "days": list(NEEDED), "min": 1, "max": 1}],
    }
    draft.save(update_fields=["problem"])
    shift(draft, small.ana, 3)
    shift(draft, small.ben, 7)
    return draft


def _when(draft: CallSchedule, n: int) -> str:
    day = draft.month + dt.timedelta(days=n)
    return f"24h call on {day:%a %b} {day.day} has 0; it needs at least 1"


def _rules(html: str) -> str:
    """The summary and findings list (`#call-rules`) of a page or an edit's answer."""
    found = re.search(r'<div id="call-rules".*?</details>|<div id="call-rules".*?</p>', html, re.S)
    assert found, "no rules summary"
    return found.group(0)


def _post(client: Client, draft: CallSchedule, trainee: Any, n: int, code: str, **kw: Any) -> Any:
    draft.refresh_from_db()
    data = {
        "trainee": trainee.pk,
        "day": (draft.month + dt.timedelta(days=n)).isoformat(),
        "shift": code,
        "revision": draft.revision,
    }
    return client.post(reverse("schedules:call_cell", args=[draft.pk]), data, **kw)


def test_a_day_short_is_a_broken_rule_in_the_summary(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    draft = _month(small)
    coord = client_as("coord.im")
    page = coord.get(reverse("schedules:call", args=[draft.pk])).content.decode()
    rules = _rules(page)
    assert ALL_HOLD not in rules
    assert "1 broken rule" in rules and _when(draft, 5) in rules
    day = draft.month + dt.timedelta(days=5)
    assert re.search(rf'<td id="cov-{day:%Y%m%d}" class="broken( weekend)?">', page)
    assert '<span class="cover short">C 0/1' in page

    # Cover it from the grid: the edit's answer says every rule holds, and that day is met.
    answer = _post(coord, draft, small.ana, 5, "C", headers=HTMX).content.decode()
    assert ALL_HOLD in _rules(answer) and _when(draft, 5) not in answer
    assert re.search(rf'<td id="cov-{day:%Y%m%d}" hx-swap-oob="true" class="( weekend)?">', answer)
    assert '<span class="cover met">C 1/1</span>' in answer

    # Take the call of day 3 away: the answer names that day short and counts it.
    answer = _post(coord, draft, small.ana, 3, "", headers=HTMX).content.decode()
    assert "1 broken rule" in _rules(answer) and _when(draft, 3) in _rules(answer)

    # Without JavaScript: a plain post, then the month page says the same.
    response = _post(coord, draft, small.ana, 3, "C", follow=True)
    assert ALL_HOLD in _rules(response.content.decode())
    response = _post(coord, draft, small.ben, 7, "", follow=True)
    rules = _rules(response.content.decode())
    assert "1 broken rule" in rules and _when(draft, 7) in rules


def test_a_rule_with_only_a_maximum_is_not_short_on_an_empty_day(small: SmallInstitution) -> None:
    """'At most one' met by nobody is not a shortfall: the row says so, as the summary does."""
    build_schedules(small)
    draft = hand_month(small)  # coverage: at most one 24h call and one night a day
    grid = call_grid(draft)
    assert grid.broken == 0
    assert {state for c in grid.cover for _, state in c.lines} == {"met"}
    assert ("C 0/≤1", "met") in grid.cover[0].lines


def test_fewer_than_wanted_is_a_bent_wish_not_a_shortfall() -> None:
    day = dt.date(2026, 12, 7)
    under = ShiftCover(day, "D", "Day team", staffed=1, wanted=2)
    assert (under.state, under.broken, under.bent, under.line) == ("under", False, True, "D 1/2")
    assert (
        under.finding is not None
        and under.finding.text == "Day team on Mon Dec 7: 1 staffed, 2 wanted"
    )
    short = ShiftCover(day, "C", "24h call", staffed=0, min=1, max=1, wanted=1)
    assert short.state == "short" and short.finding is not None and short.finding.broken


def test_the_badge_holds_exactly_when_nothing_is_broken_and_no_day_short(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    draft = _month(small)
    coord = client_as("coord.im")
    people = [small.ana, small.ben]
    edit = st.tuples(st.integers(0, 1), st.integers(2, 8), st.sampled_from(["", "C", "N"]))

    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(edit, min_size=1, max_size=5))
    def run(edits: list[tuple[int, int, str]]) -> None:
        with transaction.atomic():
            for who, n, code in edits:
                draft.refresh_from_db()
                # A refused edit changes nothing; the page must still agree with itself.
                with contextlib.suppress(ScheduleError):
                    call_cell_set(
                        schedule=draft,
                        trainee=people[who],
                        day=draft.month + dt.timedelta(days=n),
                        shift=code,
                        locked=False,
                        revision=draft.revision,
                        by=None,
                    )
                html = coord.get(
                    reverse("schedules:call", args=[draft.pk]), headers=HTMX
                ).content.decode()
                says_all_hold = ALL_HOLD in _rules(html)
                broken_listed = 'class="is-broken"' in _rules(html)
                day_short = re.search(r'class="cover (short|over)"', html) is not None
                assert says_all_hold == (not broken_listed and not day_short), edits
                calls = list(draft.shifts.filter(label="24h call").values_list("day", flat=True))
                counts = [calls.count(draft.month + dt.timedelta(days=d)) for d in NEEDED]
                assert day_short == any(n != 1 for n in counts), edits
            transaction.set_rollback(True)

    run()
