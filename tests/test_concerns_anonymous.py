"""Speaking up: an anonymous concern answered by the GME office, with nothing tying it to the
reporter, and every read by the office in the audit log."""

from __future__ import annotations

import io
import re

from django.core import mail
from django.core.management import call_command
from django.test import Client

from rounds.concerns.models import Concern, ConcernHandler, ConcernMessage
from rounds.core.models import AuditEntry
from tests.people import SmallInstitution


def raise_anonymously(client: Client, body: str = "Attending shouts at interns on nights.") -> str:
    response = client.post(
        "/concerns/",
        {
            "anonymous": "1",
            "category": "mistreatment",
            "subject": "Shouting on nights",
            "body": body,
            "program": "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Keep this code" in page
    match = re.search(r'<p class="code-box" id="code">([A-Z2-7-]+)</p>', page)
    assert match, page
    return match.group(1)


def test_anonymous_concern_stores_no_link_to_the_reporter(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    resident = small.users["resident"]
    audit_before = AuditEntry.objects.count()
    code = raise_anonymously(client_as("resident"))
    concern = Concern.objects.get()
    assert concern.reporter is None and concern.anonymous
    assert concern.code_digest and code not in concern.code_digest  # only a digest is kept
    assert ConcernMessage.objects.get().author is None
    # No audit row for the reporter's act: its exact time could be matched to them.
    assert AuditEntry.objects.count() == audit_before
    assert not AuditEntry.objects.filter(actor=resident).exists()
    # Nothing in the session either.
    assert "concern" not in str(client_as("resident").session.items())


def test_reporter_returns_with_the_code_and_the_office_answers(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    ConcernHandler.objects.create(user=small.users["gme"])
    code = raise_anonymously(client_as("resident"))
    # Handlers are told there is something new by the daily notice, without its content.
    assert not mail.outbox
    call_command("concerns_notify", stdout=io.StringIO())
    assert any("1 with new messages" in m.subject for m in mail.outbox)
    assert all("shouts" not in m.body for m in mail.outbox)
    office = client_as("gme")
    inbox = office.get("/concerns/inbox/").content.decode()
    assert "Shouting on nights" in inbox and "Anonymous" in inbox
    concern = Concern.objects.get()
    case = office.get(f"/concerns/inbox/{concern.reference}/").content.decode()
    assert "Attending shouts at interns" in case and "Anonymous reporter" in case
    assert "Ana" not in case
    office.post(
        f"/concerns/inbox/{concern.reference}/", {"body": "Thank you. Which rotation was it?"}
    )
    # Back without signing in, by typing the code in any form (lower case, spaces).
    visitor = Client()
    typed = code.lower().replace("-", " ")
    response = visitor.post("/concerns/return/", {"code": typed})
    assert response.status_code == 200
    assert "Which rotation was it?" in response.content.decode()
    visitor.post("/concerns/return/", {"code": code, "body": "Cardiology wards, last week."})
    assert ConcernMessage.objects.filter(body__startswith="Cardiology wards").get().author is None
    assert (
        "Cardiology wards" in office.get(f"/concerns/inbox/{concern.reference}/").content.decode()
    )
    assert Concern.objects.get().status == Concern.Status.OPEN


def test_wrong_code_is_refused_with_a_clear_message(small: SmallInstitution) -> None:
    response = Client().post("/concerns/return/", {"code": "AAAAA-BBBBB-CCCCC-DDDDD"})
    assert "No conversation has this code" in response.content.decode()
    assert Client().get("/concerns/t/AAAAA-BBBBB-CCCCC-DDDDD/").status_code == 404  # no such URL


def test_every_read_by_the_office_is_audited(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    ConcernHandler.objects.create(user=small.users["gme"])
    raise_anonymously(client_as("resident"))
    concern = Concern.objects.get()
    office = client_as("gme")
    office.get("/concerns/inbox/")
    office.get(f"/concerns/inbox/{concern.reference}/")
    office.get(f"/concerns/inbox/{concern.reference}/")
    views = AuditEntry.objects.filter(action="concern_view", actor=small.users["gme"])
    assert views.count() == 3
    assert views.filter(object_id=concern.reference).count() == 2


def test_gme_office_without_the_designation_cannot_read(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    raise_anonymously(client_as("resident"))
    concern = Concern.objects.get()
    office = client_as("gme")
    assert office.get("/concerns/inbox/").status_code == 403
    assert office.get(f"/concerns/inbox/{concern.reference}/").status_code == 404
    # The GME office designates a handler on its own page; the change is audited.
    office.post("/concerns/handlers/", {"user": small.users["gme"].pk, "designated": "1"})
    assert office.get("/concerns/inbox/").status_code == 200
    assert AuditEntry.objects.filter(summary__contains="now handles concerns").exists()


def test_named_concern_thread_is_only_the_reporters(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    ConcernHandler.objects.create(user=small.users["gme"])
    resident = client_as("resident")
    response = resident.post(
        "/concerns/",
        {"anonymous": "0", "category": "workload", "subject": "Too many admits", "body": "x"},
    )
    concern = Concern.objects.get()
    assert response["Location"] == f"/concerns/mine/{concern.reference}/"
    assert concern.reporter == small.users["resident"]
    client_as("gme").post(f"/concerns/inbox/{concern.reference}/", {"body": "Let us meet."})
    assert any(small.users["resident"].email in m.to for m in mail.outbox)
    assert "Let us meet." in resident.get(f"/concerns/mine/{concern.reference}/").content.decode()
    assert client_as("resident2").get(f"/concerns/mine/{concern.reference}/").status_code == 404


def test_empty_message_is_refused_and_closed_threads_take_no_more(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    ConcernHandler.objects.create(user=small.users["gme"])
    code = raise_anonymously(client_as("resident"))
    concern = Concern.objects.get()
    client_as("gme").post(f"/concerns/inbox/{concern.reference}/status/", {"status": "closed"})
    page = Client().post("/concerns/return/", {"code": code}).content.decode()
    assert "This conversation is closed." in page
    response = Client().post("/concerns/return/", {"code": code, "body": "One more thing"})
    assert "If something new happened, raise a new concern." in response.content.decode()
    assert ConcernMessage.objects.count() == 1


def test_inbox_filters_by_status_with_counts(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    ConcernHandler.objects.create(user=small.users["gme"])
    raise_anonymously(client_as("resident"))
    raise_anonymously(client_as("resident2"), body="Needle-stick kits missing on 5 West.")
    first = Concern.objects.order_by("pk").first()
    assert first is not None
    office = client_as("gme")
    office.post(f"/concerns/inbox/{first.reference}/status/", {"status": "closed"})
    page = office.get("/concerns/inbox/").content.decode()
    assert "New (1)" in page and "Closed (1)" in page
    new_only = office.get("/concerns/inbox/?status=new").content.decode()
    assert new_only.count("Shouting on nights") == 1
    assert first.reference not in new_only
