"""A mentee cycle from sign-up to published matches, as the coordinator and both sides see it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from rounds.lib.today import today
from rounds.mentoring.models import Application, Cycle, CycleMentor, Pair
from tests.test_mentoring_setup import Mentoring, mentoring_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_trainee_signs_up_with_a_hard_wish_and_ratings(
    client_as, small, mentoring: Mentoring
) -> None:
    client = client_as("resident")
    page = client.get(f"/mentoring/cycles/{mentoring.cycle.pk}/apply/")
    assert page.status_code == 200
    assert "Sam Smith" in page.content.decode() and "Faculty Tester" in page.content.decode()
    response = client.post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/apply/",
        {
            "interests": "Global health, research",
            "career_paths": ["academic medicine"],
            "need_identities": ["URiM"],
            "language": "Spanish",
            "language_strength": "prefer",
            "rank_1": str(mentoring.rivera.pk),
            f"rate_{mentoring.smith.pk}": "0",
        },
    )
    assert response.status_code == 302
    app = Application.objects.get(trainee=small.ana)
    assert app.interests == ["global health", "research"]
    assert {"kind": "identity", "value": "URiM", "strength": "must"} in app.wishes
    assert app.ranking == [mentoring.rivera.pk]
    assert app.ratings == {str(mentoring.smith.pk): 0}


def test_contradictory_wishes_are_refused_with_a_reason(client_as, mentoring: Mentoring) -> None:
    response = client_as("resident").post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/apply/",
        {
            "rank_1": str(mentoring.smith.pk),
            f"rate_{mentoring.smith.pk}": "0",
            "language_strength": "prefer",
        },
    )
    assert response.status_code == 200
    assert "is among your choices and also marked “please not”" in response.content.decode()
    assert not Application.objects.exists()


def test_closed_cycle_takes_no_sign_up(client_as, mentoring: Mentoring) -> None:
    Cycle.objects.filter(pk=mentoring.cycle.pk).update(status=Cycle.Status.CLOSED)
    response = client_as("resident").post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/apply/", {"language_strength": "prefer"}
    )
    assert "Sign-up has closed" in response.content.decode()
    assert not Application.objects.exists()


def test_mentor_states_capacity_and_preferences(client_as, small, mentoring: Mentoring) -> None:
    app = Application.objects.create(cycle=mentoring.cycle, trainee=small.ben)
    response = client_as("faculty2").post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/mentor/", {"capacity": "3", f"rate_{app.pk}": "5"}
    )
    assert response.status_code == 302
    entry = CycleMentor.objects.get(cycle=mentoring.cycle, profile=mentoring.smith)
    assert entry.capacity == 3 and entry.ratings == {str(app.pk): 5}


@pytest.mark.django_db(transaction=True)
def test_coordinator_runs_adjusts_and_publishes(client_as, small, mentoring: Mentoring) -> None:
    Application.objects.create(
        cycle=mentoring.cycle,
        trainee=small.ana,
        interests=["global health"],
        wishes=[{"kind": "identity", "value": "URiM", "strength": "must"}],
    )
    Application.objects.create(cycle=mentoring.cycle, trainee=small.ben, interests=["ultrasound"])
    coord = client_as("coord.im")
    assert coord.post(f"/mentoring/cycles/{mentoring.cycle.pk}/run/").status_code == 302
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.1")
    page = coord.get(f"/mentoring/cycles/{mentoring.cycle.pk}/").content.decode()
    assert "2 pairs proposed (2 new), 0 mentees without a mentor" in page
    assert "mentee asked for a URiM mentor" in page
    assert "shared interest in global health" in page
    assert "both speak Spanish" not in page  # Ana did not say she speaks Spanish
    ben_pair = Pair.objects.get(mentee=small.ben)
    assert (
        ben_pair.mentor == mentoring.smith
        and "shared interest in ultrasound" in ben_pair.explanation
    )

    # By hand: Rivera is full (capacity 1, taken by Ana), so giving her Ben is refused.
    refused = coord.post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/assign/",
        {"mentee": small.ben.pk, "mentor": mentoring.rivera.pk},
    )
    assert refused.status_code == 400
    assert "already has 1 mentee, their capacity for this cycle" in refused.content.decode()
    assert Pair.objects.get(mentee=small.ben).mentor == mentoring.smith

    mail.outbox.clear()
    assert coord.post(f"/mentoring/cycles/{mentoring.cycle.pk}/publish/").status_code == 302
    mentoring.cycle.refresh_from_db()
    assert mentoring.cycle.status == Cycle.Status.PUBLISHED
    assert Pair.objects.filter(status=Pair.Status.ACTIVE).count() == 2
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        [
            "resident@example.org",
            "resident2@example.org",
            "faculty@example.org",
            "faculty2@example.org",
        ]
    )
    assert any(
        "Why you were matched: mentee asked for a URiM mentor" in m.body for m in mail.outbox
    )
    # The mentee now sees her mentor on her home page.
    home = client_as("resident").get("/mentoring/").content.decode()
    assert "Your mentor" in home and "Faculty Tester" in home


def test_hand_pair_survives_a_rerun_and_is_marked(client_as, small, mentoring: Mentoring) -> None:
    Application.objects.create(cycle=mentoring.cycle, trainee=small.ben)
    coord = client_as("coord.im")
    response = coord.post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/assign/",
        {"mentee": small.ben.pk, "mentor": mentoring.rivera.pk},
    )
    assert response.status_code == 302
    pair = Pair.objects.get(mentee=small.ben)
    assert pair.by_hand and pair.explanation.startswith("set by hand")
    page = coord.get(f"/mentoring/cycles/{mentoring.cycle.pk}/").content.decode()
    assert "by hand" in page


def test_run_without_mentees_says_so(client_as, mentoring: Mentoring) -> None:
    response = client_as("coord.im").post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/run/", follow=True
    )
    assert "No mentee has signed up yet, so there is nothing to match." in response.content.decode()


def test_coordinator_creates_and_opens_a_cycle(client_as, small) -> None:
    coord = client_as("coord.im")
    response = coord.post(
        "/mentoring/cycles/new/", {"name": "Interns 2027", "program": small.im.pk, "mode": "auto"}
    )
    cycle = Cycle.objects.get(name="Interns 2027")
    assert response.status_code == 302 and cycle.status == Cycle.Status.DRAFT
    coord.post(f"/mentoring/cycles/{cycle.pk}/status/", {"status": "open"})
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    # A program coordinator cannot open an institution-wide cycle or one for another program.
    refused = coord.post(
        "/mentoring/cycles/new/", {"name": "Cards", "program": small.cards.pk, "mode": "auto"}
    )
    assert refused.status_code == 200 and not Cycle.objects.filter(name="Cards").exists()


def test_faculty_offers_to_mentor_and_first_years_cannot(client_as, small) -> None:
    from rounds.mentoring.models import MentorProfile

    response = client_as("faculty").post(
        "/mentoring/profile/",
        {
            "specialty": small.internal_medicine.pk,
            "clinical_interests": "Global health, ultrasound",
            "career_paths": ["academic medicine"],
            "identities": ["first generation"],
            "capacity": "3",
            "accepting": "on",
        },
    )
    assert response.status_code == 302
    profile = MentorProfile.objects.get(person__user__username="faculty")
    assert profile.clinical_interests == ["global health", "ultrasound"]
    assert profile.identities == ["first generation"] and profile.capacity == 3
    # A second save from a page opened before the first is refused, not silently applied.
    stale = client_as("faculty").post(
        "/mentoring/profile/", {"capacity": "1", "accepting": "on", "version": "old"}
    )
    assert "Someone else saved this record after you opened it" in stale.content.decode()
    assert MentorProfile.objects.get(pk=profile.pk).capacity == 3
    assert client_as("resident2").get("/mentoring/profile/").status_code == 404


def test_coach_offers_a_session_and_past_times_are_refused(client_as, mentoring: Mentoring) -> None:
    from datetime import timedelta

    from django.utils import timezone

    coach = client_as("coach")
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = coach.post(
        "/mentoring/coaching/slots/",
        {"starts_at": past, "minutes": "45", "where": "Room 2"},
        follow=True,
    )
    assert "Offer sessions in the future." in refused.content.decode()
    soon = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    coach.post(
        "/mentoring/coaching/slots/", {"starts_at": soon, "minutes": "45", "where": "Room 2"}
    )
    assert mentoring.coach.slots.count() == 1
    page = client_as("resident").get("/mentoring/coaching/").content.decode()
    assert "Cora Coach" in page and "Room 2" in page


def test_a_published_cycle_cannot_be_reopened(client_as, mentoring: Mentoring) -> None:
    Cycle.objects.filter(pk=mentoring.cycle.pk).update(status=Cycle.Status.PUBLISHED)
    response = client_as("coord.im").post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/status/", {"status": "open"}, follow=True
    )
    assert "A cycle that is published cannot become open for sign-up." in response.content.decode()


def test_after_a_rematch_the_coordinator_pairs_again_by_hand(
    client_as, small, mentoring: Mentoring, django_capture_on_commit_callbacks
) -> None:
    from tests.test_mentoring_setup import active_pair

    Application.objects.create(cycle=mentoring.cycle, trainee=small.ana)
    Cycle.objects.filter(pk=mentoring.cycle.pk).update(status=Cycle.Status.PUBLISHED)
    old = active_pair(mentoring.cycle, mentoring.rivera, small.ana)
    coord = client_as("coord.im")
    url = f"/mentoring/cycles/{mentoring.cycle.pk}/assign/"
    busy = coord.post(url, {"mentee": small.ana.pk, "mentor": mentoring.smith.pk})
    # While her pair is active she is not offered for pairing, and nothing changes.
    assert busy.status_code == 400
    assert Pair.objects.get(mentee=small.ana).mentor == mentoring.rivera
    old.status = Pair.Status.ENDED
    old.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = coord.post(
            url, {"mentee": small.ana.pk, "mentor": mentoring.smith.pk}, follow=True
        )
    assert "Sam Smith is now the mentor of Ana Alvarez." in response.content.decode()
    new = Pair.objects.get(mentee=small.ana, status=Pair.Status.ACTIVE)
    assert new.mentor == mentoring.smith and new.pk != old.pk
    assert sorted(m.to[0] for m in mail.outbox) == ["faculty2@example.org", "resident@example.org"]


def test_institution_wide_cycle_is_for_every_program(client_as, small) -> None:
    gme = client_as("gme")
    gme.post("/mentoring/cycles/new/", {"name": "Peer mentoring", "program": "", "mode": "optimal"})
    cycle = Cycle.objects.get(name="Peer mentoring")
    assert cycle.program is None and cycle.scope == "All programs"
    gme.post(f"/mentoring/cycles/{cycle.pk}/status/", {"status": "open"})
    # A cardiology fellow and an IM resident may both sign up; program staff do not manage it.
    assert "Peer mentoring" in client_as("fellow").get("/mentoring/").content.decode()
    assert client_as("resident").get(f"/mentoring/cycles/{cycle.pk}/apply/").status_code == 200
    assert client_as("coord.im").get(f"/mentoring/cycles/{cycle.pk}/edit/").status_code == 404
    assert "Peer mentoring" not in client_as("coord.im").get("/mentoring/cycles/").content.decode()
    assert "Peer mentoring" in gme.get("/mentoring/").content.decode()


def test_gme_office_designates_a_coach(client_as, small) -> None:
    from rounds.mentoring.models import Coach

    gme = client_as("gme")
    faculty = small.users["faculty"].person
    response = gme.post(
        "/mentoring/coaching/coaches/",
        {"person": faculty.pk, "trained_on": "2025-05-01", "training": "ACGME coaching course"},
        follow=True,
    )
    assert "Faculty Tester is now a coach and can offer sessions." in response.content.decode()
    coach = Coach.objects.get(person=faculty)
    assert "Sessions you offer" in client_as("faculty").get("/mentoring/coaching/").content.decode()
    gme.post(f"/mentoring/coaching/coaches/{coach.pk}/toggle/")
    coach.refresh_from_db()
    assert not coach.active
    assert client_as("faculty").get("/mentoring/coaching/").status_code == 404


def test_sign_up_after_the_closing_date_is_refused(client_as, mentoring: Mentoring) -> None:
    from datetime import timedelta

    Cycle.objects.filter(pk=mentoring.cycle.pk).update(signup_closes=today() - timedelta(days=1))
    assert "IM mentoring 2026" not in client_as("resident").get("/mentoring/").content.decode()
    response = client_as("resident").post(
        f"/mentoring/cycles/{mentoring.cycle.pk}/apply/", {"language_strength": "prefer"}
    )
    assert "Sign-up has closed" in response.content.decode()
    assert not Application.objects.exists()
