"""The leave demo: boards loaded, a trainee past the ABIM allowance with the extension waiting for
the coordinator, and one on remediation that only program leadership sees."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from rounds.core.demo import demo_build
from rounds.leave import demo
from rounds.leave.models import Board, LeavePolicy, Remediation
from rounds.leave.selectors import standings
from rounds.lib import today as clock
from rounds.people.training import trainees_in_training

pytestmark = pytest.mark.django_db


def test_demo_shows_a_trainee_past_the_allowance_and_one_on_remediation() -> None:
    demo_build(seed=3, scale=0.25, academic_year=2026)
    lines = demo.demo_extend(seed=3)
    assert Board.objects.count() == 5
    assert LeavePolicy.objects.filter(program__name="Internal Medicine Residency").exists()
    assert "14 days past the ABIM allowance" in lines[1], lines
    today = clock.today()
    flagged = [s for s in standings(trainees_in_training(None, today, today), today) if s.flagged]
    over = next(s for s in flagged if s.board and s.board.code == "abim")
    coord = Client()
    coord.force_login(User.objects.get(username="coord.im"))
    listing = coord.get(reverse("leave:home")).content.decode()
    assert over.trainee.person.full_name in listing and "14 days over" in listing
    remediated = Remediation.objects.get().trainee
    page = coord.get(reverse("leave:trainee", args=[remediated.pk])).content.decode()
    assert "Remediation and probation" in page and "Ongoing" in page
    demo.demo_wipe()
    assert not Board.objects.exists() and not Remediation.objects.exists()
