"""The moonlighting demo: approved, pending and declined requests, and exactly one logged
moonlighting no approval covers, flagged."""

from __future__ import annotations

from django.urls import reverse

from rounds.moonlighting import demo
from rounds.moonlighting.models import MoonlightingEntry, MoonlightingRequest
from rounds.moonlighting.selectors import UNAPPROVED_RULE
from rounds.workhours import demo as hours_demo
from rounds.workhours.models import Finding, LoggedPeriod


def test_the_demo_shows_each_state_and_one_flag(small, client_as) -> None:
    hours_demo.demo_extend(seed=7)
    assert LoggedPeriod.objects.filter(kind="moonlighting_internal").exists()
    lines = demo.demo_extend(seed=7)
    assert any("1 logged moonlighting flagged" in line for line in lines), lines
    states = set(MoonlightingRequest.objects.values_list("status", flat=True))
    assert {"approved", "awaiting_director", "awaiting_gme", "declined"} <= states
    flags = Finding.objects.filter(rule=UNAPPROVED_RULE)
    assert flags.count() == 1 and flags.get().resolved_at is None
    assert MoonlightingEntry.objects.exists()
    page = client_as("pd.im").get(reverse("moonlighting:home")).content.decode()
    assert "Waiting for your decision" in page and "Lakeside ED nights" in page
    demo.demo_wipe()
    assert not MoonlightingRequest.objects.exists()
