"""Emails when a call month is published or a swap is decided: sent once the change commits, to
the people it affects, and to nobody when the change is refused."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from rounds.schedules.calls import call_schedule_publish
from rounds.schedules.consequences import call_publish_preview
from rounds.schedules.models import CallSchedule, SwapProposal
from rounds.schedules.services import ScheduleError, vacation_request
from tests.call_setup import hand_month, shift
from tests.people import USERNAMES, SmallInstitution
from tests.schedules_setup import build_schedules

NY = zoneinfo.ZoneInfo("America/New_York")


def _month(small: SmallInstitution, status: str = "draft") -> tuple[CallSchedule, list]:
    schedule = hand_month(small, status=status)
    days = [(small.ana, 2), (small.ben, 3), (small.ana, 10)]
    return schedule, [shift(schedule, trainee, day) for trainee, day in days]


def test_publishing_a_call_month_tells_each_trainee_on_it_after_commit(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    build_schedules(small)
    schedule, _ = _month(small)
    url = reverse("schedules:call_publish", args=[schedule.pk])
    for username in USERNAMES:
        if username in ("gme", "pd.im", "coord.im"):
            continue
        with django_capture_on_commit_callbacks(execute=True):
            status = client_as(username).post(url).status_code
        assert status == (404 if username == "pd.cards" else 403), username
    assert mail.outbox == []
    seen = {"fingerprint": call_publish_preview(schedule).fingerprint}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_as("coord.im").post(url, seen)
    assert mail.outbox == [], "nothing is sent before the change commits"
    for callback in callbacks:
        callback()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"resident@example.org", "resident2@example.org"}
    ana = by_address["resident@example.org"]
    assert ana.subject == (
        f"Call schedule for {schedule.month:%B %Y} published: Internal Medicine Residency"
    )
    assert "You have 2 shifts that month." in ana.body
    assert reverse("schedules:my_calls") in ana.body
    assert "You have 1 shift that month." in by_address["resident2@example.org"].body


def test_a_replacement_month_tells_exactly_whose_shifts_changed_and_why(  # type: ignore[no-untyped-def]
    small: SmallInstitution, django_capture_on_commit_callbacks
) -> None:
    build_schedules(small)
    old, _ = _month(small, status="published")
    new = CallSchedule.objects.create(
        program=small.im, month=old.month, number=2, problem=old.problem
    )
    for kept in old.shifts.filter(trainee=small.ana):
        kept.pk = None
        kept.schedule = new
        kept.save()
    with pytest.raises(ScheduleError, match="Version 1 is published already: say why"):
        call_schedule_publish(schedule=new, by=small.users["gme"])
    with django_capture_on_commit_callbacks(execute=True):
        told = call_schedule_publish(schedule=new, by=small.users["gme"], reason="Ben is ill")
    assert told == [small.ben.pk], "Ana's shifts are the same in both versions"
    assert [m.to for m in mail.outbox] == [["resident2@example.org"]]
    body = mail.outbox[0].body
    assert "You have no shifts in this version" in body
    assert "It replaces version 1. Reason: Ben is ill" in body
    day = old.month + dt.timedelta(days=3)
    assert f"removed: {day:%a %b} {day.day}, 24h call from 07:00" in body
    old.refresh_from_db()
    assert old.status == "superseded"


def test_a_decided_swap_tells_both_trainees(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    build_schedules(small)
    _, (clash, _, free) = _month(small, status="published")
    # Ben agreed already: the swap waits for the coordinator.
    good = SwapProposal.objects.create(shift=free, to_trainee=small.ben)
    coord = client_as("coord.im")
    url = reverse("schedules:swap_decide", args=[good.pk])
    for username in ("pd.cards", "resident", "resident2", "faculty", "nobody"):
        with django_capture_on_commit_callbacks(execute=True):
            client_as(username).post(url, {"approve": "1"})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        coord.post(url, {"approve": "1"})
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"resident@example.org", "resident2@example.org"}
    when = f"24h call on {free.start:%a %b %-d}"
    assert by_address["resident@example.org"].subject == f"Swap done: {when}"
    assert f"Ben Baker works your {when}." in by_address["resident@example.org"].body
    assert f"You work Ana Alvarez's {when}." in by_address["resident2@example.org"].body
    mail.outbox.clear()
    declined = SwapProposal.objects.create(shift=clash, to_trainee=small.ben)
    with django_capture_on_commit_callbacks(execute=True):
        coord.post(reverse("schedules:swap_decide", args=[declined.pk]), {"approve": "0"})
    assert {m.subject for m in mail.outbox} == {
        f"Swap declined: 24h call on {clash.start:%a %b %-d}"
    }
    assert len(mail.outbox) == 2
    bodies = mail.outbox[0].body + mail.outbox[1].body
    assert "was declined (Your coordinator declined); the shift stays yours." in bodies


def test_a_refused_swap_sends_nothing(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    build_schedules(small)
    _, (clash, _, _) = _month(small, status="published")
    bad = SwapProposal.objects.create(shift=clash, to_trainee=small.ben)  # 48 hours in a row
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("pd.im").post(
            reverse("schedules:swap_decide", args=[bad.pk]), {"approve": "1"}, follow=True
        )
    assert "The swap would break a rule for Ben Baker" in response.content.decode()
    assert mail.outbox == []
    bad.refresh_from_db()
    assert bad.status == "proposed"


def test_an_offer_asks_the_colleague_and_their_yes_goes_to_the_coordinators(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    build_schedules(small)
    _, (clash, _, free) = _month(small, status="published")
    ana = client_as("resident")
    with django_capture_on_commit_callbacks(execute=True):
        ana.post(reverse("schedules:swap_offer", args=[free.pk]), {"to_trainee": small.ben.pk})
    assert [m.to[0] for m in mail.outbox] == ["resident2@example.org"]
    when = f"24h call on {free.day:%a %b} {free.day.day}"
    ben = mail.outbox[0]
    assert ben.subject == f"Swap offered: {when}"
    assert f"Ana Alvarez would like to give you their {when}." in ben.body
    assert "Accept or decline it" in ben.body
    mail.outbox.clear()
    offer = SwapProposal.objects.get(shift=free)
    with django_capture_on_commit_callbacks(execute=True):
        client_as("resident2").post(
            reverse("schedules:swap_reply", args=[offer.pk]), {"action": "accept"}
        )
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"resident@example.org", "coord.im@example.org"}
    coordinator = by_address["coord.im@example.org"].body
    assert f"Ben Baker agreed to take Ana Alvarez's {when}" in coordinator
    assert reverse("schedules:swaps", args=[small.im.pk]) in coordinator
    assert "Your coordinator approves it" in by_address["resident@example.org"].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ana.post(reverse("schedules:swap_offer", args=[clash.pk]), {"to_trainee": small.ben.pk})
    assert len(mail.outbox) == 1
    assert "As it stands it would break a rule: Ben Baker:" in mail.outbox[0].body


def test_a_decided_vacation_tells_the_trainee(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    x = build_schedules(small)
    block = x.im_blocks[5]
    asked = vacation_request(trainee=small.ana, block=block, note="", by=None)
    url = reverse("schedules:vacation_decide", args=[asked.pk])
    for username in ("pd.cards", "resident", "resident2", "faculty", "nobody"):
        with django_capture_on_commit_callbacks(execute=True):
            client_as(username).post(url, {"approve": "1"})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        client_as("coord.im").post(url, {"approve": "1"})
    assert [m.to for m in mail.outbox] == [["resident@example.org"]]
    when = f"Block 6 ({block.start:%b} {block.start.day} – {block.end:%b} {block.end.day})"
    assert mail.outbox[0].subject == f"Vacation approved: {when}"
    assert f"Your vacation request for {when} was approved." in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_as("pd.im").post(url, {"approve": "0"})
    assert mail.outbox[0].subject == f"Vacation declined: {when}"
