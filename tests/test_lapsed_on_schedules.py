"""A trainee whose required credential lapses on the dates a schedule screen shows is marked there,
in words (not only colour), with the credential and its date: on the rotation grid, the call grid
and the on-call list (for staff and operators; colleagues on the list do not see it)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.urls import reverse

from rounds.people.models import Trainee
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules
from tests.test_record_credentials import hold, require

MARK = "Lapsed credential"


def _row(page: str, prefix: str, trainee: Trainee) -> str:
    """The trainee's row of a grid page, up to the end of its name cell."""
    found = re.search(rf'<tr id="{prefix}{trainee.pk}"[^>]*>(.*?)</th>', page, re.S)
    assert found, f"no row for {trainee}"
    return found.group(1)


def _credentials(small: SmallInstitution, first: date) -> None:
    """BLS required in Internal Medicine: Ana's expired before `first`, Ben never recorded one,
    and the new cardiology fellow's program requires none."""
    require(small, "bls")
    hold(small.ana, "bls", first - timedelta(days=10))


def test_the_rotation_grid_marks_a_lapsed_credential_with_its_name_and_date(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x = build_schedules(small)
    first = x.im_blocks[0].start
    _credentials(small, first)
    page = client_as("coord.im").get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    expired = first - timedelta(days=10)
    ana = _row(page, "r", small.ana)
    assert MARK in ana and f'title="BLS expired {expired:%b} {expired.day}, {expired.year}"' in ana
    assert f'<span class="visually-hidden">: BLS expired {expired:%b}' in ana, "heard too"
    assert 'title="BLS not recorded"' in _row(page, "r", small.ben)
    # Renewed through the whole year: the mark goes.
    hold(small.ana, "bls", x.im_blocks[-1].end)
    page = client_as("coord.im").get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    assert MARK not in _row(page, "r", small.ana) and MARK in _row(page, "r", small.ben)


def test_the_call_grid_marks_a_credential_that_lapses_within_the_month(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    month = hand_month(small)
    shift(month, small.ana, 3)
    require(small, "bls")
    mid = month.month + timedelta(days=14)
    hold(small.ana, "bls", mid)  # valid for half the month
    hold(small.ben, "bls", month.month + timedelta(days=400))
    page = client_as("coord.im").get(reverse("schedules:call", args=[month.pk])).content.decode()
    ana = _row(page, "t", small.ana)
    assert MARK in ana and f"BLS valid only through {mid:%b} {mid.day}, {mid.year}" in ana
    assert MARK not in _row(page, "t", small.ben)


def test_the_on_call_list_marks_it_for_staff_and_operators_not_colleagues(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    build_schedules(small)
    month = hand_month(small, status="published")
    anas = shift(month, small.ana, 6)
    require(small, "bls")
    hold(small.ana, "bls", anas.day - timedelta(days=1))
    url = reverse("schedules:on_call") + f"?date={anas.day.isoformat()}"
    page = client_as("coord.im").get(url).content.decode()
    assert "Ana Alvarez" in page and MARK in page and "BLS expired" in page
    colleague = client_as("resident2").get(url).content.decode()
    assert "Ana Alvarez" in colleague and MARK not in colleague
