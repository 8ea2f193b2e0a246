"""Call months: trainees ask for days, propose swaps; a swap is checked against every rule
(overlaps, ACGME work hours) before the coordinator can approve it."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from rounds.lib.today import today
from rounds.schedules.calls import call_schedule_build
from rounds.schedules.models import CallAssignment, CallRequest, CallSchedule, SwapProposal
from rounds.schedules.services import ScheduleError
from tests.call_setup import hand_month, shift
from tests.people import USERNAMES, SmallInstitution
from tests.schedules_setup import build_schedules

NY = zoneinfo.ZoneInfo("America/New_York")
EVERYONE = list(USERNAMES)


def _month(small: SmallInstitution) -> tuple[CallSchedule, CallAssignment, CallAssignment]:
    """A published month: Ana on 24h call on the 3rd and 11th, Ben on the 4th."""
    schedule = hand_month(small, status="published")
    anas = shift(schedule, small.ana, 2)
    shift(schedule, small.ben, 3)  # Ben is on call the day after Ana's
    free = shift(schedule, small.ana, 10)
    return schedule, anas, free


def test_a_swap_that_breaks_a_rule_cannot_be_accepted_and_a_clean_one_moves_the_shift(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    schedule, clash, free = _month(small)
    ana = client_as("resident")
    page = ana.get(reverse("schedules:my_calls")).content.decode()
    assert "24h call" in page and "Swap or trade" in page
    # The partner filter: Ben would work 48 hours straight, so he is not offered for the 3rd.
    page = ana.get(reverse("schedules:swap_shift", args=[clash.pk])).content.decode()
    assert "Ben Baker" not in page.split('id="trade-h"')[0]
    assert "Ben Baker" in ana.get(reverse("schedules:swap_shift", args=[free.pk])).content.decode()
    ana.post(reverse("schedules:swap_offer", args=[clash.pk]), {"to_trainee": small.ben.pk})
    bad = SwapProposal.objects.get(shift=clash)
    assert bad.findings and bad.status == "asked"
    ben = client_as("resident2")
    response = ben.post(reverse("schedules:swap_reply", args=[bad.pk]), {"action": "accept"},
                        follow=True)  # fmt: skip
    assert "The swap would break a rule for Ben Baker" in response.content.decode()
    clash.refresh_from_db()
    assert clash.trainee == small.ana
    ana.post(reverse("schedules:swap_offer", args=[free.pk]), {"to_trainee": small.ben.pk})
    good = SwapProposal.objects.get(shift=free)
    assert good.findings == []
    coord = client_as("coord.im")
    queue = reverse("schedules:swaps", args=[small.im.pk])
    # The coordinator cannot approve before Ben said yes.
    response = coord.post(reverse("schedules:swap_decide", args=[good.pk]), {"approve": "1"},
                          follow=True)  # fmt: skip
    assert "No colleague has agreed to this swap yet" in response.content.decode()
    ben.post(reverse("schedules:swap_reply", args=[good.pk]), {"action": "accept"})
    assert "Ben Baker takes Ana Alvarez" in coord.get(queue).content.decode()
    coord.post(reverse("schedules:swap_decide", args=[good.pk]), {"approve": "1"})
    free.refresh_from_db()
    good.refresh_from_db()
    schedule.refresh_from_db()
    # The published version never changes: the approval publishes version 2 with the shift moved.
    assert free.trainee == small.ana and schedule.status == "superseded"
    assert good.status == "approved"
    now = CallSchedule.objects.get(program=small.im, month=schedule.month, status="published")
    assert now.number == 2 and now.based_on == schedule
    when = f"{free.day:%a %b} {free.day.day}"
    assert now.reason == f"Swap approved: Ben Baker takes Ana Alvarez's 24h call on {when}"
    assert now.shifts.get(day=free.day).trainee == small.ben
    assert now.shifts.count() == schedule.shifts.count()
    # The refused offer follows its shift into the new version, still waiting for Ben.
    bad.refresh_from_db()
    assert bad.status == "asked" and bad.shift.schedule == now
    # Someone else's shift cannot be offered; a cardiology director cannot decide IM swaps;
    # only the colleague asked may answer.
    assert (
        client_as("resident2")
        .post(reverse("schedules:swap_offer", args=[clash.pk]), {"to_trainee": small.ana.pk})
        .status_code
        == 404
    )
    assert (
        client_as("pd.cards")
        .post(reverse("schedules:swap_decide", args=[bad.pk]), {"approve": "1"})
        .status_code
        == 404
    )
    assert (
        ana.post(reverse("schedules:swap_reply", args=[bad.pk]), {"action": "accept"}).status_code
        == 404
    )


def test_requests_are_saved_and_too_few_people_is_said_plainly(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    day = today() + dt.timedelta(days=20)
    client_as("resident").post(
        reverse("schedules:call_request"),
        {"day": day.isoformat(), "kind": "off", "note": "wedding"},
    )
    assert CallRequest.objects.get(trainee=small.ana, day=day).note == "wedding"
    page = client_as("coord.im").get(reverse("schedules:calls", args=[small.im.pk]))
    assert "Ana Alvarez — Day off" in page.content.decode()
    with pytest.raises(ScheduleError, match="on inpatient rotations in"):
        call_schedule_build(program=small.im, month=dt.date(2026, 7, 1), by=None)


def test_every_role_against_the_call_pages(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    schedule, _, _ = _month(small)
    pages = {
        reverse("schedules:calls", args=[small.im.pk]): {"gme": 200, "pd.im": 200,
                                                         "coord.im": 200, "pd.cards": 404},
        reverse("schedules:call", args=[schedule.pk]): {"gme": 200, "pd.im": 200,
                                                        "coord.im": 200, "pd.cards": 404},
        reverse("schedules:my_calls"): {"resident": 200, "resident2": 200, "fellow": 200},
    }  # fmt: skip
    for url, allowed in pages.items():
        assert "/accounts/login/" in Client().get(url)["Location"]
        for username in EVERYONE:
            assert client_as(username).get(url).status_code == allowed.get(username, 403), (
                url,
                username,
            )
    for url in [reverse("schedules:call_publish", args=[schedule.pk]),
                reverse("schedules:call_build", args=[small.im.pk])]:  # fmt: skip
        assert client_as("pd.cards").post(url, {"month": "2026-12"}).status_code == 404
        assert client_as("resident").post(url, {"month": "2026-12"}).status_code == 403


def test_the_months_shift_types_are_read_as_the_engine_reads_them(
    small: SmallInstitution, client_as
) -> None:
    schedule = hand_month(small)
    schedule.problem["shifts"] = [
        {"id": "C", "name": "24h call", "start": "7:00", "length": 1440, "kind": "in_house_call"},
        {"id": "X", "start": "19:30", "length": 90},  # no name: the engine calls it by its id
    ]
    schedule.save()
    page = client_as("coord.im").get(reverse("schedules:call", args=[schedule.pk]))
    legend = page.content.decode()
    assert "<strong>C</strong> 24h call 07:00–07:00" in legend
    assert "<strong>X</strong> X 19:30–21:00" in legend
