"""Anonymous channels leak no time, order or link: what an observer of emails, URLs, references,
the audit log and the database would see."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from rounds.concerns.models import Concern, ConcernHandler
from rounds.core.models import AuditEntry
from rounds.lib.today import today
from rounds.mentoring.models import Coach, CoachingSlot
from rounds.wellness.models import Respondent, ResponseCount
from tests.people import SmallInstitution
from tests.test_concerns_anonymous import raise_anonymously


def test_concern_references_are_random_not_sequential(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        raise_anonymously(client_as("resident"))
    references = list(Concern.objects.order_by("pk").values_list("reference", flat=True))
    assert all(re.fullmatch(r"C-[A-Z2-9]{4}-[A-Z2-9]{4}", r) for r in references)
    assert len(set(references)) == 4
    # 8 random characters from 32: nothing counts up from one concern to the next.
    assert not any(re.search(r"C-0+\d", r) for r in references)


def test_handlers_get_one_daily_notice_with_a_date_and_no_time(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    ConcernHandler.objects.create(user=small.users["gme"])
    raise_anonymously(client_as("resident"))
    raise_anonymously(client_as("resident2"))
    assert mail.outbox == []  # nothing at the moment a reporter writes
    call_command("concerns_notify", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert "2 with new messages" in notice.subject
    assert f"{today():%d %B %Y}" in notice.subject
    text = notice.subject + notice.body
    assert not re.search(r"\d{1,2}:\d{2}", text)  # no clock time anywhere
    call_command("concerns_notify", stdout=io.StringIO())
    assert len(mail.outbox) == 1  # nothing new, nothing sent


def test_the_return_code_never_appears_in_a_url(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    code = raise_anonymously(client_as("resident"))
    page = client_as("resident").post(
        "/concerns/",
        {"anonymous": "1", "category": "other", "subject": "s", "body": "b", "program": ""},
    )
    links = re.findall(r'(?:href|action)="([^"]*)"', page.content.decode())
    visitor = Client()
    thread = visitor.post("/concerns/return/", {"code": code})
    assert "Location" not in thread  # rendered, not redirected to a URL holding the code
    links += re.findall(r'(?:href|action)="([^"]*)"', thread.content.decode())
    reply = visitor.post("/concerns/return/", {"code": code, "body": "More detail."})
    assert "Location" not in reply and "More detail." in reply.content.decode()
    plain = code.replace("-", "")
    assert not any(code in link or plain in link.replace("-", "") for link in links)
    assert visitor.get(f"/concerns/t/{code}/").status_code == 404


def test_concern_audit_rows_name_the_reference_not_the_row_id(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    ConcernHandler.objects.create(user=small.users["gme"])
    raise_anonymously(client_as("resident"))
    concern = Concern.objects.get()
    client_as("gme").get(f"/concerns/inbox/{concern.reference}/")
    row = AuditEntry.objects.get(action="concern_view", object_id=concern.reference)
    assert row.object_type == "concern"
    assert client_as("gme").get(f"/concerns/inbox/{concern.pk}/").status_code == 404


def test_a_confidential_booking_is_not_named_in_the_audit_log(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    coach = Coach.objects.create(person=small.users["faculty"].person, trained_on=date(2024, 1, 1))
    slot = CoachingSlot.objects.create(
        coach=coach, starts_at=timezone.now() + timedelta(days=3), where="Room 4"
    )
    resident = client_as("resident")
    assert resident.post(f"/mentoring/coaching/slots/{slot.pk}/book/").status_code == 302
    assert resident.post(f"/mentoring/coaching/slots/{slot.pk}/release/").status_code == 302
    rows = AuditEntry.objects.filter(object_type="coachingslot", object_id=str(slot.pk))
    assert rows.filter(summary__contains="booked").exists()
    assert rows.filter(summary__contains="cancelled").exists()
    assert not rows.exclude(action="create").filter(actor=small.users["resident"]).exists()
    for row in rows:
        assert "Ana" not in row.summary and "Alvarez" not in str(row.changes)
    # What the GME office reads on its audit page does not name her either.
    page = client_as("gme").get("/staff/audit/").content.decode()
    assert "coaching slot booked" in page
    assert "resident" not in re.sub(r"\s+", " ", page).split("coaching slot booked")[0][-300:]


@pytest.mark.django_db(transaction=True)
def test_answer_counts_and_the_answered_flag_are_written_apart(small: SmallInstitution) -> None:
    from rounds.wellness.bank import bank_install
    from rounds.wellness.models import Question

    bank_install(Question)  # the bank's data migration is flushed in transactional tests
    from tests.test_wellness_anonymity import IN_PERIOD, answer_all, new_survey

    survey = new_survey(None, small.users["gme"])
    answer_all(survey, [small.ana], option=4)
    flag = Respondent.objects.get()
    count = ResponseCount.objects.get()
    assert count.count == 1
    # No column dates, orders or names a count.
    names = {f.name for f in ResponseCount._meta.get_fields()}
    assert not names & {"created_at", "updated_at", "person", "respondent"}
    if connection.vendor == "postgresql":
        # The transaction that wrote the flag is not the one that wrote the counts.
        with connection.cursor() as cursor:
            cursor.execute("SELECT xmin::text FROM wellness_respondent WHERE id = %s", [flag.pk])
            flag_xid = cursor.fetchone()[0]
            cursor.execute(
                "SELECT xmin::text FROM wellness_responsecount WHERE id = %s", [count.pk]
            )
            count_xid = cursor.fetchone()[0]
        assert flag_xid != count_xid
    assert IN_PERIOD
