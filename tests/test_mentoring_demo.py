"""Mentoring demo data: the demo accounts see it working, and the same seed gives the same rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rounds.core.demo import demo_build
from rounds.mentoring import demo
from rounds.mentoring.models import Coach, CoachingNote, Cycle, Meeting, MentorProfile, Pair

pytestmark = pytest.mark.django_db


def canonical() -> dict[str, Any]:
    return {
        "profiles": sorted(MentorProfile.objects.values_list("person__email", "capacity")),
        "pairs": sorted(
            Pair.objects.values_list("mentee__person__email", "mentor__person__email", "fit")
        ),
        "meetings": Meeting.objects.count(),
        "cycles": sorted(Cycle.objects.values_list("name", "status")),
    }


def test_demo_shows_mentoring_to_the_demo_accounts() -> None:
    demo_build(seed=3, scale=0.25, academic_year=2026)
    lines = demo.demo_extend(seed=3)
    assert lines[0].startswith("mentoring: ") and "pairs in" in lines[0]
    first = canonical()
    assert Cycle.objects.filter(status="published").count() == 1
    assert Cycle.objects.filter(status="open").count() == 1
    assert Coach.objects.exists() and CoachingNote.objects.count() == 1
    pair = Pair.objects.get(mentee__person__user__username="resident")
    assert pair.mentor.person.user.username == "faculty"
    assert pair.explanation.startswith("set by hand")
    resident = Client()
    resident.force_login(pair.mentee.person.user)
    home = resident.get("/mentoring/").content.decode()
    assert "Your mentor" in home and pair.mentor.person.full_name in home
    assert "research mentoring" in home  # the open cycle invites her to sign up
    coord = Client()
    coord.force_login(Cycle.objects.get(status="open").created_by)
    assert "Pairs not met in 90 days" in coord.get("/mentoring/quiet/").content.decode()
    quiet = coord.get("/mentoring/quiet/").content.decode()
    assert quiet.count("<tr>") > 2  # some demo pairs have gone quiet
    # Wipe and rebuild: the same rows.
    demo.demo_wipe()
    assert not Pair.objects.exists() and not MentorProfile.objects.exists()
    demo.demo_extend(seed=3)
    assert canonical() == first
