"""Two people act on one swap at the same moment, with real threads on their own connections:
the coordinator and the director both approve, or two colleagues pick up the same open shift.
The swap happens once (one new version of the month), the other is told why, nobody sees an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial

import pytest
from django.urls import reverse

from rounds.people.models import Person, Trainee
from rounds.schedules.models import CallSchedule
from rounds.schedules.swaps import swap_answer, swap_propose
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules
from tests.test_concurrency import Pair, _answered, _fresh, _messages, _signed_in

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 9  # shifts three days apart fill a month without breaking a rule


@pytest.fixture
def together() -> Iterator[Pair]:
    pair = Pair()
    yield pair
    pair.close()


def _versions(month: CallSchedule) -> int:
    return CallSchedule.objects.filter(program=month.program, month=month.month).count()


def test_two_approvals_of_one_swap_publish_once(small: SmallInstitution, together: Pair) -> None:
    build_schedules(small)
    month = hand_month(small, status="published")
    pd, coord = _signed_in(small, "pd.im"), _signed_in(small, "coord.im")
    for i in range(ROUNDS):
        published = CallSchedule.objects.get(program=small.im, status="published")
        offered = shift(published, small.ana, 1 + 3 * i)
        offer = swap_propose(shift=offered, to_trainee=small.ben, by=small.users["resident"])
        swap_answer(proposal=offer, accept=True, by=small.users["resident2"])
        before = _versions(month)
        _fresh(pd, coord)
        url = reverse("schedules:swap_decide", args=[offer.pk])
        answers = _answered(
            together(
                partial(pd.post, url, {"approve": "1"}), partial(coord.post, url, {"approve": "1"})
            )
        )
        said = [" ".join(_messages(a)) for a in answers]
        assert sum("a new version of the month is published" in s for s in said) == 1, said
        assert sum("no longer open" in s for s in said) == 1, said
        assert _versions(month) == before + 1
        offer.refresh_from_db()
        assert offer.status == "approved"


def test_two_colleagues_picking_up_one_open_shift_one_gets_it(
    small: SmallInstitution, together: Pair
) -> None:
    build_schedules(small)
    hand_month(small, status="published")
    small.im.swaps_need_approval = False
    small.im.save()
    ana, ben = _signed_in(small, "resident"), _signed_in(small, "resident2")
    giver = _third_trainee(small)
    for i in range(ROUNDS):
        published = CallSchedule.objects.get(program=small.im, status="published")
        offered = shift(published, giver, 3 * i)
        pooled = swap_propose(shift=offered, by=None)
        _fresh(ana, ben)
        url = reverse("schedules:swap_reply", args=[pooled.pk])
        answers = _answered(
            together(
                partial(ana.post, url, {"action": "pick_up"}),
                partial(ben.post, url, {"action": "pick_up"}),
            )
        )
        said = [" ".join(_messages(a)) for a in answers]
        assert sum("Picked up" in s for s in said) == 1, said
        pooled.refresh_from_db()
        assert pooled.status == "approved"
        now = CallSchedule.objects.get(program=small.im, status="published")
        assert now.shifts.get(day=offered.day).trainee_id == pooled.to_trainee_id


def _third_trainee(small: SmallInstitution) -> Trainee:
    """A colleague of Ana and Ben who gives shifts away (no rotation needed: call is checked
    against hours and dates, not the rotation, in a hand-made month)."""
    person = Person.objects.create(
        kind="trainee", first_name="Dee", last_name="Diaz", email="dee@example.org"
    )
    return Trainee.objects.create(
        person=person,
        program=small.im,
        pgy=2,
        start_date=dt.date(2026, 7, 1),
        expected_end_date=dt.date(2029, 6, 30),
    )
