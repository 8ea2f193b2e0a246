"""What each side may and may not learn: other pairs, re-match requests, coaching notes, counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from rounds.lib import today as clock
from rounds.mentoring.models import CoachingNote, CoachingSlot, Meeting, RematchRequest
from rounds.people.models import Trainee
from tests.people import _trainee
from tests.test_mentoring_setup import Mentoring, active_pair, mentoring_fixture, open_slot  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_mentor_sees_only_their_own_pairs(client_as, small, mentoring: Mentoring) -> None:
    ana_pair = active_pair(mentoring.cycle, mentoring.rivera, small.ana)
    ben_pair = active_pair(mentoring.cycle, mentoring.smith, small.ben)
    home = client_as("faculty2").get("/mentoring/").content.decode()
    assert "Ben Baker" in home and "Ana Alvarez" not in home
    assert client_as("faculty2").get(f"/mentoring/pairs/{ana_pair.pk}/").status_code == 404
    assert client_as("resident").get(f"/mentoring/pairs/{ben_pair.pk}/").status_code == 404


def test_rematch_request_is_seen_by_the_coordinator_not_the_other_side(
    client_as, small, mentoring: Mentoring, django_capture_on_commit_callbacks
) -> None:
    pair = active_pair(mentoring.cycle, mentoring.rivera, small.ana)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("resident").post(
            f"/mentoring/pairs/{pair.pk}/rematch/", {"reason": "We never find a time"}, follow=True
        )
    assert "sent privately to the coordinator" in response.content.decode()
    assert RematchRequest.objects.get().side == "mentee"
    # The coordinator is told that a request waits, without who or why.
    [note] = [m for m in mail.outbox if "re-match" in m.subject]
    assert note.to == ["coord.im@example.org"]
    assert "Ana" not in note.body and "We never find a time" not in note.body
    mentor_view = client_as("faculty").get(f"/mentoring/pairs/{pair.pk}/").content.decode()
    assert "We never find a time" not in mentor_view and "You asked on" not in mentor_view
    assert (
        "You asked on" in client_as("resident").get(f"/mentoring/pairs/{pair.pk}/").content.decode()
    )
    assert (
        "We never find a time" in client_as("coord.im").get("/mentoring/rematch/").content.decode()
    )
    assert (
        "We never find a time"
        not in client_as("pd.cards").get("/mentoring/rematch/").content.decode()
    )
    again = client_as("resident").post(f"/mentoring/pairs/{pair.pk}/rematch/", {}, follow=True)
    assert "You have already asked" in again.content.decode()
    assert RematchRequest.objects.count() == 1
    # The coordinator ends the pair; it leaves both home pages.
    client_as("coord.im").post(
        f"/mentoring/rematch/{RematchRequest.objects.get().pk}/resolve/", {"end": "1"}
    )
    pair.refresh_from_db()
    assert pair.status == "ended"


def test_coaching_notes_belong_to_the_trainee_only(client_as, small, mentoring: Mentoring) -> None:
    slot = open_slot(mentoring.coach)
    resident = client_as("resident")
    assert resident.post(f"/mentoring/coaching/slots/{slot.pk}/book/").status_code == 302
    resident.post(
        "/mentoring/coaching/notes/", {"text": "Talked about my fear of nights", "session": slot.pk}
    )
    note = CoachingNote.objects.get()
    assert note.trainee == small.ana
    assert "fear of nights" in resident.get("/mentoring/coaching/notes/").content.decode()
    coach_page = client_as("coach").get("/mentoring/coaching/").content.decode()
    assert "booked by Ana Alvarez" in coach_page and "fear of nights" not in coach_page
    assert client_as("coach").get("/mentoring/coaching/notes/").status_code == 404
    for user in ("pd.im", "coord.im", "gme"):
        assert "fear of nights" not in client_as(user).get("/mentoring/coaching/").content.decode()
    # Another trainee can neither read nor delete it.
    assert (
        "fear of nights"
        not in client_as("resident2").get("/mentoring/coaching/notes/").content.decode()
    )
    assert (
        client_as("resident2").post(f"/mentoring/coaching/notes/{note.pk}/delete/").status_code
        == 404
    )
    assert CoachingNote.objects.filter(pk=note.pk).exists()


def test_a_slot_cannot_be_booked_twice(client_as, mentoring: Mentoring) -> None:
    slot = open_slot(mentoring.coach)
    client_as("resident").post(f"/mentoring/coaching/slots/{slot.pk}/book/")
    second = client_as("resident2").post(f"/mentoring/coaching/slots/{slot.pk}/book/", follow=True)
    assert "Someone booked that session a moment ago" in second.content.decode()
    slot.refresh_from_db()
    assert slot.booked_by.person.first_name == "Ana"


def test_participation_counts_hide_small_groups(client_as, small, mentoring: Mentoring) -> None:
    # IM: 2 + 10 trainees, 6 of them booked a session: shown (6 took part, 6 did not).
    extra = [_trainee(f"im{i}", small.im, 1, f"T{i}", "Im") for i in range(10)]
    start = timezone.now() + timedelta(days=1)
    for i, trainee in enumerate(extra[:6]):
        CoachingSlot.objects.create(
            coach=mentoring.coach,
            starts_at=start + timedelta(hours=i),
            where="x",
            booked_by=trainee,
        )
    # Cardiology: one fellow booked: hidden, and so is the total across programs.
    CoachingSlot.objects.create(
        coach=mentoring.coach, starts_at=start + timedelta(days=2), where="x", booked_by=small.cara
    )
    page = client_as("gme").get("/mentoring/coaching/participation/").content.decode()
    im_row = page.split("Internal Medicine Residency")[1].split("</tr>")[0]
    cards_row = page.split("Cardiovascular Disease Fellowship")[1].split("</tr>")[0]
    assert "<td>12</td>" in im_row and "<td>6</td>" in im_row
    # one active fellow (program size is public), whether she took part is not shown
    assert "hidden (small group)" in cards_row and cards_row.count("<td>1</td>") == 1
    assert "hidden (would reveal a small group)" in page
    assert ">7<" not in page  # the total would give away the one fellow
    # One more IM booking leaves only 5 who did not: the split is still safe (7 / 5).
    CoachingSlot.objects.create(
        coach=mentoring.coach, starts_at=start + timedelta(days=3), where="x", booked_by=extra[6]
    )
    im_row = client_as("pd.im").get("/mentoring/coaching/participation/").content.decode()
    assert "<td>7</td>" in im_row and "Cardiovascular" not in im_row
    # Two more: 9 of 12 took part, so the 3 who did not would show; both are hidden.
    for trainee in extra[7:9]:
        CoachingSlot.objects.create(
            coach=mentoring.coach,
            starts_at=start + timedelta(days=4, hours=trainee.pk),
            where="x",
            booked_by=trainee,
        )
    page = client_as("pd.im").get("/mentoring/coaching/participation/").content.decode()
    assert "hidden (small group)" in page and "<td>9</td>" not in page
    assert Trainee.objects.filter(program=small.im).count() == 12


def test_program_sees_pairs_that_have_not_met_in_90_days(
    client_as, small, mentoring: Mentoring
) -> None:
    quiet = active_pair(mentoring.cycle, mentoring.rivera, small.ana, days_ago=200)
    Meeting.objects.create(pair=quiet, date=clock.today() - timedelta(days=120))
    busy = active_pair(mentoring.cycle, mentoring.smith, small.ben, days_ago=200)
    Meeting.objects.create(pair=busy, date=clock.today() - timedelta(days=10))
    cards = active_pair(None, mentoring.smith, small.cara, days_ago=300)  # type: ignore[arg-type]
    page = client_as("coord.im").get("/mentoring/quiet/").content.decode()
    assert "Ana Alvarez" in page and "Ben Baker" not in page and "Cara Chen" not in page
    assert "120 days ago" in page
    assert "Cara Chen" in client_as("gme").get("/mentoring/quiet/").content.decode()
    assert cards.pk


def test_meetings_and_goals_on_the_pair_page(client_as, small, mentoring: Mentoring) -> None:
    pair = active_pair(mentoring.cycle, mentoring.rivera, small.ana)
    mentor = client_as("faculty")
    future = (clock.today() + timedelta(days=5)).isoformat()
    refused = mentor.post(
        f"/mentoring/pairs/{pair.pk}/meetings/", {"date": future, "minutes": "30"}
    )
    assert refused.status_code == 400
    assert "Log a meeting once it has happened" in refused.content.decode()
    today = clock.today().isoformat()
    mentor.post(
        f"/mentoring/pairs/{pair.pk}/meetings/",
        {"date": today, "minutes": "45", "topics": "Fellowship plans"},
    )
    client_as("resident").post(f"/mentoring/pairs/{pair.pk}/goals/", {"text": "Submit an abstract"})
    page = client_as("resident").get(f"/mentoring/pairs/{pair.pk}/").content.decode()
    assert "Fellowship plans" in page and "45 min" in page and "Submit an abstract" in page
    goal = pair.goals.get()
    mentor.post(f"/mentoring/pairs/{pair.pk}/goals/{goal.pk}/toggle/")
    goal.refresh_from_db()
    assert goal.done
