"""The program year's vacation requests as a coordinator works them: those waiting first,
decided several at once (each trainee told once), requests for blocks that have started apart."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from rounds.schedules.models import VacationRequest
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, build_schedules

MID_YEAR = "2026-12-07"  # blocks 1-6 have started


def _page(client, small: SmallInstitution) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("schedules:program", args=[small.im.pk, YEAR])).content.decode()


def test_the_coordinator_approves_several_requests_at_once(
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    asked = [
        VacationRequest.objects.create(trainee=small.ana, block=x.im_blocks[9], note="wedding"),
        VacationRequest.objects.create(trainee=small.ben, block=x.im_blocks[10]),
        VacationRequest.objects.create(trainee=small.ben, block=x.im_blocks[11]),
    ]
    coord = client_as("coord.im")
    page = _page(coord, small)
    assert "3 vacation requests wait for your decision" in page
    url = reverse("schedules:vacations_decide", args=[small.im.pk, YEAR])
    ticked = {"request": [asked[0].pk, asked[1].pk], "approve": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = coord.post(url, ticked, follow=True)
    assert "2 requests approved; each trainee is told." in response.content.decode()
    assert [VacationRequest.objects.get(pk=a.pk).status for a in asked] == [
        "approved",
        "approved",
        "requested",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [small.ana.person.email, small.ben.person.email]
    )
    assert "1 vacation request waits for your decision" in _page(coord, small)
    # The same form again (a double submit) decides nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        again = coord.post(url, ticked, follow=True)
    assert "0 requests approved" in again.content.decode() and len(mail.outbox) == 2


def test_only_the_programs_staff_decide_and_only_their_programs_requests(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    asked = VacationRequest.objects.create(trainee=small.ben, block=x.im_blocks[10])
    url = reverse("schedules:vacations_decide", args=[small.im.pk, YEAR])
    assert client_as("pd.cards").post(url, {"request": asked.pk, "approve": "1"}).status_code == 404
    assert client_as("resident").post(url, {"request": asked.pk, "approve": "1"}).status_code == 403
    # Cardiology's year cannot decide an IM request either.
    cards = reverse("schedules:vacations_decide", args=[small.cards.pk, YEAR])
    client_as("gme").post(cards, {"request": asked.pk, "approve": "1"})
    asked.refresh_from_db()
    assert asked.status == "requested"
    nothing = client_as("coord.im").post(url, {"approve": "1"}, follow=True)
    assert "Tick the requests to decide first." in nothing.content.decode()
    bogus = {"request": ["x", "99999999999999999999999", "-1"], "approve": "1"}
    refused = client_as("coord.im").post(url, bogus, follow=True)
    assert "Tick the requests to decide first." in refused.content.decode()


def test_requests_for_started_blocks_are_apart_not_pending_work(
    small: SmallInstitution, client_as, settings
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    settings.ROUNDS_TODAY = MID_YEAR
    VacationRequest.objects.create(trainee=small.ana, block=x.im_blocks[1])  # block 2: started
    VacationRequest.objects.create(trainee=small.ben, block=x.im_blocks[8])  # block 9: ahead
    page = _page(client_as("coord.im"), small)
    assert "1 vacation request waits for your decision" in page
    waiting, _, rest = page.partition("for blocks that have started, never decided")
    assert "1 request" in waiting[-40:]
    assert "Ana Alvarez: Block 2" in rest and "Ana Alvarez" not in waiting.split("vac-h")[-1]
