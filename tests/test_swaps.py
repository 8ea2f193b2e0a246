"""Swaps as residents do them: a trade is asked of the colleague, who accepts, and the
coordinator approves; a give-away to the open pool goes to the first eligible colleague; a program
that does not ask for approval lets an agreed swap happen at once; the partner filter lists only
colleagues for whom every rule holds; everyone involved is told; the to-do lists show what waits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from rounds.schedules.models import CallSchedule, SwapProposal
from rounds.schedules.services import ScheduleError
from rounds.schedules.swap_selectors import asked_count, to_approve_count
from rounds.schedules.swaps import (
    swap_answer,
    swap_decide,
    swap_partners,
    swap_pick_up,
    swap_propose,
    swap_withdraw,
)
from tests.call_setup import call_pool, hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def _published(small: SmallInstitution) -> CallSchedule:
    build_schedules(small)
    return hand_month(small, status="published")


def _when(s) -> str:  # type: ignore[no-untyped-def]
    return f"{s.label} on {s.day:%a %b} {s.day.day}"


def test_a_trade_the_colleague_accepts_and_the_coordinator_approves_moves_both_shifts(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    month = _published(small)
    anas = shift(month, small.ana, 5)
    bens = shift(month, small.ben, 12)
    ana, ben, coord = client_as("resident"), client_as("resident2"), client_as("coord.im")
    page = ana.get(reverse("schedules:swap_shift", args=[anas.pk])).content.decode()
    assert f"{bens.day:%a %b} {bens.day.day} 24h call — Ben Baker" in page.replace("&#x27;", "'")
    with django_capture_on_commit_callbacks(execute=True):
        ana.post(reverse("schedules:swap_offer", args=[anas.pk]), {"in_return": bens.pk})
    trade = SwapProposal.objects.get(shift=anas)
    assert (trade.kind, trade.status, trade.to_trainee) == ("trade", "asked", small.ben)
    assert [m.to for m in mail.outbox] == [["resident2@example.org"]]
    assert f"would like to trade their {_when(anas)} for your {_when(bens)}" in mail.outbox[0].body
    # Ben sees it first on his landing page and his call page.
    assert asked_count(small.ben) == 1
    mine = ben.get(reverse("schedules:my_calls")).content.decode()
    assert "Asked of you" in mine and "offers a trade" in mine
    with django_capture_on_commit_callbacks(execute=True):
        ben.post(reverse("schedules:swap_reply", args=[trade.pk]), {"action": "accept"})
    trade.refresh_from_db()
    assert trade.status == "proposed" and to_approve_count([small.im.pk]) == 1
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        coord.post(reverse("schedules:swap_decide", args=[trade.pk]), {"approve": "1"})
    now = CallSchedule.objects.get(program=small.im, month=month.month, status="published")
    assert now.shifts.get(day=anas.day).trainee == small.ben
    assert now.shifts.get(day=bens.day).trainee == small.ana
    assert now.reason.startswith("Trade approved: Ben Baker takes Ana Alvarez's 24h call")
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert f"You work Ben Baker's {_when(bens)} in return." in bodies["resident@example.org"]
    assert f"They work your {_when(bens)} in return." in bodies["resident2@example.org"]
    trade.refresh_from_db()
    assert trade.status == "approved" and to_approve_count([small.im.pk]) == 0
    # Approved twice (a second tab): refused, the month is not published again.
    with pytest.raises(ScheduleError, match="no longer open"):
        swap_decide(proposal=trade, approve=True, by=small.users["pd.im"])
    assert CallSchedule.objects.filter(program=small.im, month=month.month).count() == 2


def test_a_declined_offer_leaves_the_shift_and_tells_the_one_who_offered(  # type: ignore[no-untyped-def]
    small: SmallInstitution, django_capture_on_commit_callbacks
) -> None:
    month = _published(small)
    anas = shift(month, small.ana, 5)
    offer = swap_propose(shift=anas, to_trainee=small.ben, by=small.users["resident"])
    with django_capture_on_commit_callbacks(execute=True):
        swap_answer(proposal=offer, accept=False, by=small.users["resident2"])
    offer.refresh_from_db()
    assert offer.status == "declined" and offer.outcome == "Ben Baker declined"
    assert [m.to for m in mail.outbox] == [["resident@example.org"], ["resident2@example.org"]]
    assert "was declined (Ben Baker declined); the shift stays yours." in mail.outbox[0].body
    assert CallSchedule.objects.filter(program=small.im, month=month.month).count() == 1
    # A shift offered once cannot be offered twice at the same time; withdrawn, it can again.
    again = swap_propose(shift=anas, to_trainee=small.ben, by=small.users["resident"])
    with pytest.raises(ScheduleError, match="is already offered; withdraw that offer first"):
        swap_propose(shift=anas, by=small.users["resident"])
    swap_withdraw(proposal=again, by=small.users["resident"])
    assert swap_propose(shift=anas, by=small.users["resident"]).status == "open"


def test_the_open_pool_goes_to_the_first_eligible_colleague_at_once_without_approval(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    month = _published(small)
    small.im.swaps_need_approval = False
    small.im.save()
    bens_day_before = shift(month, small.ben, 4)
    anas = shift(month, small.ana, 5)
    with django_capture_on_commit_callbacks(execute=True):
        client_as("resident").post(reverse("schedules:swap_offer", args=[anas.pk]), {"pool": "1"})
    pooled = SwapProposal.objects.get(shift=anas)
    assert pooled.status == "open" and pooled.to_trainee is None
    # Ben would work 48 hours straight: the pool is not offered to him, a pick-up is refused.
    assert (
        "Open shifts you could pick up"
        not in client_as("resident2").get(reverse("schedules:my_calls")).content.decode()
    )
    with pytest.raises(ScheduleError, match="would break a rule for Ben Baker"):
        swap_pick_up(proposal=pooled, trainee=small.ben, by=small.users["resident2"])
    bens_day_before.delete()
    ben = client_as("resident2")
    assert (
        "Open shifts you could pick up" in ben.get(reverse("schedules:my_calls")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        ben.post(reverse("schedules:swap_reply", args=[pooled.pk]), {"action": "pick_up"})
    pooled.refresh_from_db()
    assert pooled.status == "approved" and pooled.to_trainee == small.ben
    now = CallSchedule.objects.get(program=small.im, month=month.month, status="published")
    assert now.shifts.get(day=anas.day).trainee == small.ben
    with pytest.raises(ScheduleError, match="Someone else took this shift already"):
        swap_pick_up(proposal=pooled, trainee=small.ben, by=small.users["resident2"])


def test_the_partner_filter_lists_only_colleagues_for_whom_every_rule_holds(
    small: SmallInstitution,
) -> None:
    x = build_schedules(small)
    extra = call_pool(small, x, extra=3)
    month = hand_month(small, status="published")
    anas = shift(month, small.ana, 5)
    shift(month, extra[0], 4)  # 24h the day before: taking Ana's would be 48 hours straight
    partners = {t.pk for t in swap_partners(anas)}
    assert small.ana.pk not in partners and extra[0].pk not in partners
    assert {small.ben.pk, extra[1].pk, extra[2].pk} <= partners
    assert small.cara.pk not in partners  # another program


def test_only_the_people_involved_may_act(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    month = _published(small)
    anas = shift(month, small.ana, 5)
    offer = swap_propose(shift=anas, to_trainee=small.ben, by=small.users["resident"])
    reply = reverse("schedules:swap_reply", args=[offer.pk])
    # Ana cannot accept her own offer, Cara (another program) cannot pick it up, Ben cannot
    # withdraw it; staff and strangers are not trainees here.
    assert client_as("resident").post(reply, {"action": "accept"}).status_code == 404
    assert client_as("fellow").post(reply, {"action": "pick_up"}).status_code == 404
    assert client_as("resident2").post(reply, {"action": "withdraw"}).status_code == 404
    for username in ("faculty", "nobody", "wellness", "inclusion"):
        assert client_as(username).post(reply, {"action": "accept"}).status_code in (403, 404)
    assert (
        client_as("resident2").get(reverse("schedules:swap_shift", args=[anas.pk])).status_code
        == 404
    )
    queue = reverse("schedules:swaps", args=[small.im.pk])
    for username, code in (("coord.im", 200), ("pd.im", 200), ("gme", 200), ("pd.cards", 404)):
        assert client_as(username).get(queue).status_code == code, username
    for username in ("resident", "resident2", "faculty", "nobody"):
        assert client_as(username).get(queue).status_code in (302, 403, 404), username
    offer.refresh_from_db()
    assert offer.status == "asked"


def test_the_focused_check_finds_what_the_whole_month_check_finds(
    small: SmallInstitution,
) -> None:
    """The partner filter checks only the people a swap touches; for them it must find exactly
    what the month's full check finds, whatever the move."""
    from rounds.schedules.call_checks import call_findings
    from rounds.schedules.swaps import MonthData

    x = build_schedules(small)
    extra = call_pool(small, x, extra=3)
    month = hand_month(small, status="published")
    people = [small.ana, small.ben, *extra]
    shifts = [shift(month, t, day) for t, day in zip(people * 3, range(1, 16), strict=False)]
    shift(month, small.ana, 2, "N")  # an overlap, so some moves break rules
    data = MonthData(month)
    compared = broken = 0
    for s in shifts:
        for taker in people:
            moves = {s.pk: taker.pk}
            focused = data.findings(moves).get(taker.pk, [])
            assert focused == call_findings(month, moves).get(taker.pk, []), (s, taker)
            compared, broken = compared + 1, broken + bool(focused)
    assert compared == 75 and 0 < broken < compared
