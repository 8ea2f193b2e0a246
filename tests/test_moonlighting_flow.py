"""Moonlighting: a trainee asks, the director then the GME office decide, everyone hears; PGY-1 and
lapsed licences are refused with the rule; approved moonlighting is logged against its approval,
and moonlighting no approval covers is flagged in work hours."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from rounds.lib.today import today_is
from rounds.moonlighting import services
from rounds.moonlighting.models import MoonlightingEntry, MoonlightingRequest
from rounds.moonlighting.selectors import UNAPPROVED_RULE, approved_on
from rounds.staff.todos import todos_for
from rounds.workhours.models import Finding, LoggedPeriod
from tests.moonlighting_setup import approve, ask, at, licence, moonlight

Status = MoonlightingRequest.Status


def _error(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(services.MoonlightingError) as caught:
        call()
    return caught.value.message


def test_two_steps_approve_and_everyone_hears(small, django_capture_on_commit_callbacks) -> None:
    users = small.users
    heard = django_capture_on_commit_callbacks
    with heard(execute=True):
        request = ask(small.ana)
    assert request.status == Status.AWAITING_DIRECTOR
    assert [m.to for m in mail.outbox] == [["pd.im@example.org"], ["resident@example.org"]]
    assert [t.label for t in todos_for(users["pd.im"]) if "moonlighting" in t.label] == [
        "moonlighting request to approve"
    ]
    assert all("moonlighting" not in t.label for t in todos_for(users["gme"]))
    mail.outbox.clear()
    with heard(execute=True):
        services.request_approve(request=request, note="Fine by me.", by=users["pd.im"])
    request.refresh_from_db()
    assert request.status == Status.AWAITING_GME
    assert sorted(m.to[0] for m in mail.outbox) == ["gme@example.org", "resident@example.org"]
    assert "Fine by me." in mail.outbox[0].body
    assert [t.label for t in todos_for(users["gme"]) if "moonlighting" in t.label] == [
        "moonlighting request to approve for the GME office"
    ]
    mail.outbox.clear()
    with heard(execute=True):
        services.request_approve(request=request, note="", by=users["gme"])
    request.refresh_from_db()
    assert request.status == Status.APPROVED
    assert sorted(m.to[0] for m in mail.outbox) == ["pd.im@example.org", "resident@example.org"]
    assert approved_on(small.ana, date(2026, 9, 1)) == request
    assert approved_on(small.ana, date(2027, 1, 1)) is None  # expired at its end date
    assert request.standing_on(date(2027, 1, 1)) == "Expired"
    assert [d.action for d in request.decisions.all()] == ["director_approved", "gme_approved"]


def test_pgy1_is_refused_with_the_rule_and_nothing_is_written(small, client_as) -> None:
    form = client_as("resident2").get(reverse("moonlighting:new")).content.decode()
    assert "You are PGY-1 today: PGY-1 residents may not moonlight" in form
    message = _error(lambda: ask(small.ben))
    assert "PGY-1 residents may not moonlight (ACGME Common Program Requirements)." in message
    assert not MoonlightingRequest.objects.exists() and not mail.outbox


def test_a_lapsed_or_missing_licence_is_refused_with_what_is_missing(small) -> None:
    lapsed = licence(small.ana, expires=date(2026, 5, 1))
    assert "lapsed on May 1, 2026" in _error(lambda: ask(small.ana, licence=lapsed))
    short = licence(small.ana, expires=date(2026, 9, 30))
    message = _error(lambda: ask(small.ana, licence=short))
    assert "expires on September 30, 2026, before the moonlighting would end" in message
    training = licence(small.ana, code="training-licence")
    message = _error(lambda: ask(small.ana, licence=training))
    assert "External moonlighting needs a full, unrestricted medical licence" in message
    assert ask(small.ana, licence=training, setting="internal").status == Status.AWAITING_DIRECTOR
    with today_is(date(2026, 6, 30)):
        missing = services.RequestDraft(
            setting="external", where="Clinic", start=date(2026, 7, 1), end=date(2026, 8, 1),
            hours_per_week=8, licence=None, statement="Weekend clinic shifts, fine.",
        )  # fmt: skip
        message = _error(
            lambda: services.request_submit(
                trainee=small.ana, draft=missing, by=small.users["resident"]
            )
        )
    assert "full, unrestricted medical licence, and none is chosen" in message


def test_bad_dates_and_hours_get_clear_messages(small, client_as) -> None:
    held = licence(small.ana)
    client = client_as("resident")
    form = {
        "setting": "external", "where": "Harbor Urgent Care", "start": "2026-09-01",
        "end": "2026-08-01", "hours_per_week": "8", "licence": str(held.pk),
        "statement": "Weekend urgent care shifts.",
    }  # fmt: skip
    page = client.post(reverse("moonlighting:new"), form)
    assert page.status_code == 400
    assert "The last day (August 1, 2026) is before the first day (September 1, 2026)." in (
        page.content.decode()
    )
    page = client.post(reverse("moonlighting:new"), form | {"start": "2026-06-01"})
    assert "The first day (June 1, 2026) has passed" in page.content.decode()
    page = client.post(reverse("moonlighting:new"), form | {"end": "2030-01-01"})
    assert "One request covers at most a year" in page.content.decode()
    page = client.post(reverse("moonlighting:new"), form | {"start": "not a day"})
    assert page.status_code == 400 and "Enter a valid date." in page.content.decode()
    page = client.post(
        reverse("moonlighting:new"), form | {"end": "2026-12-01", "max_hours_per_week": "4"}
    )
    assert "at least the expected hours (8)" in page.content.decode()
    assert not MoonlightingRequest.objects.exists()


def test_the_form_sent_twice_makes_one_request_and_a_double_approve_is_harmless(
    small, client_as
) -> None:
    held = licence(small.ana)
    form = {
        "setting": "external", "where": "Harbor Urgent Care", "start": "2026-07-01",
        "end": "2026-12-31", "hours_per_week": "8", "licence": str(held.pk),
        "statement": "Weekend urgent care shifts.", "submit_token": "t" * 24,
    }  # fmt: skip
    client = client_as("resident")
    first = client.post(reverse("moonlighting:new"), form)
    second = client.post(reverse("moonlighting:new"), form)
    assert first.status_code == second.status_code == 302
    request = MoonlightingRequest.objects.get()
    director = client_as("pd.im")
    act = reverse("moonlighting:act", args=[request.pk, "approve"])
    token = {"submit_token": "d" * 24, "note": "Fine."}
    assert director.post(act, token).status_code == 302
    assert director.post(act, token).status_code == 302
    assert request.decisions.count() == 1
    again = director.post(act, {"submit_token": "e" * 24})  # a stale page, a new token
    assert again.status_code == 400
    assert "This request is not waiting for your decision." in again.content.decode()


def test_decline_needs_a_reason_withdraw_and_revoke(
    small, client_as, django_capture_on_commit_callbacks
) -> None:
    request = ask(small.ana)
    director = client_as("pd.im")
    decline = reverse("moonlighting:act", args=[request.pk, "decline"])
    page = director.post(decline, {"note": "no"})
    assert page.status_code == 400 and "Write the reason for declining" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = director.post(decline, {"note": "Your ward months are too heavy."})
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.DECLINED
    assert "Your ward months are too heavy." in mail.outbox[-1].body
    # Withdraw: the trainee only, while it waits.
    other = ask(small.ana, where="Riverside night clinic")
    withdraw = reverse("moonlighting:act", args=[other.pk, "withdraw"])
    assert director.post(withdraw).status_code == 400
    assert client_as("resident").post(withdraw).status_code == 302
    other.refresh_from_db()
    assert other.status == Status.WITHDRAWN
    # Revoke: the director, an approval in force; it still covers the days before.
    third = approve(ask(small.ana, where="Harbor ED"), small.users["pd.im"], small.users["gme"])
    with today_is(date(2026, 9, 15)), django_capture_on_commit_callbacks(execute=True):
        services.request_revoke(
            request=third, reason="Too many hours on wards.", by=small.users["pd.im"]
        )
    third.refresh_from_db()
    assert third.status == Status.REVOKED and third.revoked_on == date(2026, 9, 15)
    assert approved_on(small.ana, date(2026, 9, 15)) == third
    assert approved_on(small.ana, date(2026, 9, 16)) is None
    assert "revoked" in mail.outbox[-1].subject


def test_coordinator_and_others_decide_nothing(small, client_as) -> None:
    request = ask(small.ana)
    approve_url = reverse("moonlighting:act", args=[request.pk, "approve"])
    assert client_as("coord.im").post(approve_url).status_code == 400
    assert client_as("gme").post(approve_url).status_code == 400  # the director goes first
    assert client_as("pd.cards").post(approve_url).status_code == 404
    assert client_as("fellow").post(approve_url).status_code == 404
    request.refresh_from_db()
    assert request.status == Status.AWAITING_DIRECTOR


def test_logged_moonlighting_without_approval_is_flagged_and_an_approval_clears_it(
    small, client_as
) -> None:
    period = moonlight(small.ana, date(2026, 8, 8))
    flag = Finding.objects.get(trainee=small.ana, rule=UNAPPROVED_RULE)
    assert flag.severity == "warning" and flag.resolved_at is None
    assert "logged on Sat Aug 8, 2026 (09:00–17:00): no approved moonlighting covers it" in (
        flag.detail
    )
    week = client_as("resident").get(reverse("workhours:week", args=["2026-08-03"]))
    assert "no approved moonlighting covers it" in week.content.decode()
    with today_is(date(2026, 8, 20)):
        program = client_as("pd.im").get(reverse("workhours:program_hours", args=[small.im.pk]))
    assert "Moonlighting without approval" in program.content.decode()
    assert "Sat Aug 8, 2026" in program.content.decode()
    # Approved later (the GME office's step after the day): the flag is resolved, kept.
    request = ask(small.ana)
    services.request_approve(request=request, by=small.users["pd.im"])
    request.refresh_from_db()
    with today_is(date(2026, 8, 20)):
        services.request_approve(request=request, by=small.users["gme"])
    flag.refresh_from_db()
    assert flag.resolved_at is not None
    assert period.pk and approved_on(small.ana, date(2026, 8, 8)) == request


def test_the_hours_form_offers_the_approval_and_links_the_entry(small, client_as) -> None:
    request = approve(ask(small.ana), small.users["pd.im"], small.users["gme"])
    client = client_as("resident")
    with today_is(date(2026, 8, 20)):
        page = client.get(reverse("workhours:entry_new")).content.decode()
        assert f'value="moonlighting:{request.pk}"' in page
        assert "Moonlighting at Harbor Urgent Care (approved Jul 1 – Dec 31)" in page
        form = {
            "kind": f"moonlighting:{request.pk}", "day": "2026-08-15",
            "start_time": "09:00", "end_time": "17:00",
        }  # fmt: skip
        assert client.post(reverse("workhours:entry_new"), form).status_code == 302
        period = LoggedPeriod.objects.get(trainee=small.ana)
        assert period.kind == "moonlighting_external"
        assert MoonlightingEntry.objects.get(period=period).request == request
        assert not Finding.objects.filter(rule=UNAPPROVED_RULE).exists()
        # A day outside the approval: refused, nothing written.
        outside = client.post(reverse("workhours:entry_new"), form | {"day": "2026-06-20"})
        assert outside.status_code == 200
        assert "covers Jul 1 to Dec 31; this entry is on Jun 20" in outside.content.decode()
        assert LoggedPeriod.objects.count() == 1
        # Editing the entry keeps its approval chosen.
        edit = client.get(reverse("workhours:entry_edit", args=[period.pk])).content.decode()
        assert f'value="moonlighting:{request.pk}" selected' in edit
    page = client_as("resident").get(reverse("moonlighting:request", args=[request.pk]))
    assert "Hours logged against it" in page.content.decode()


def test_pages_show_the_lists_to_each_role(small, client_as) -> None:
    request = ask(small.ana)
    director = client_as("pd.im").get(reverse("moonlighting:home")).content.decode()
    assert "Waiting for your decision" in director and "Ana Alvarez" in director
    coordinator = client_as("coord.im").get(reverse("moonlighting:home")).content.decode()
    assert "Waiting for your decision" not in coordinator and "Ana Alvarez" in coordinator
    assert (
        "Ana Alvarez"
        not in client_as("pd.cards").get(reverse("moonlighting:home")).content.decode()
    )
    mine = client_as("resident").get(reverse("moonlighting:request", args=[request.pk]))
    assert "Withdraw the request" in mine.content.decode()
    assert client_as("resident").get(reverse("moonlighting:new")).status_code == 200
    assert client_as("pd.im").get(reverse("moonlighting:new")).status_code == 403
    night = at(date(2026, 8, 8), 19)
    assert night.hour == 19 and timedelta(hours=12)
