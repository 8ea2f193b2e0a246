"""The wellness demo: committees, a pulse survey with a shown and a suppressed program, and an
anonymous concern whose printed code opens its thread; the same every time."""

from __future__ import annotations

import re

from django.test import Client

from rounds.concerns.models import Concern
from rounds.wellness.demo import demo_extend, demo_wipe
from rounds.wellness.models import Committee, OptionCount, Resource, Survey
from tests.people import SmallInstitution
from tests.test_wellness_anonymity import add_trainees


def _snapshot() -> list[tuple[int, int, int, int]]:
    return list(
        OptionCount.objects.order_by(
            "period__index", "program_id", "question_id", "option"
        ).values_list("period__index", "program_id", "option", "count")
    )


def test_demo_shows_a_large_program_and_suppresses_a_small_one(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    add_trainees(small.im, 12, "im")
    add_trainees(small.cards, 2, "cards")  # three fellows: their own survey is suppressed
    lines = demo_extend(seed=7)
    assert "Wellness:" in lines[0] and "suppressed" in lines[0]
    assert Resource.objects.filter(phone="988").exists()
    assert Committee.objects.filter(program=small.im).exists()
    first = _snapshot()
    assert first
    gme = client_as("gme")
    pulse = Survey.objects.get(title="Monthly wellness pulse")
    page = gme.get(f"/wellness/surveys/{pulse.pk}/").content.decode()
    assert "Internal Medicine Residency" in page and "Trends" in page
    check_in = Survey.objects.get(program=small.cards)
    hidden = gme.get(f"/wellness/surveys/{check_in.pk}/").content.decode()
    assert "Hidden: fewer than 5 respondents" in hidden
    code = re.search(r"code is ([A-Z2-7-]+)\.", lines[1]).group(1)  # type: ignore[union-attr]
    thread = Client().post("/concerns/return/", {"code": code}).content.decode()
    assert "night float" in thread
    demo_extend(seed=7)
    assert _snapshot() == first
    demo_wipe()
    assert not Survey.objects.exists() and not Concern.objects.exists()
