"""A returned case log entry is edited by its trainee and sent again: it goes back to the
faculty's queue, the edit is audited, and verified entries stay locked."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from rounds.caselogs.models import CaseLog
from rounds.caselogs.selectors import counts_of
from rounds.caselogs.services import (
    CaseLogError,
    caselog_log,
    caselog_resubmit,
    caselog_return,
    caselog_verify,
)
from rounds.core.models import AuditEntry
from tests.caselogs_setup import SmallCaseLogs, build_case_logs
from tests.people import SmallInstitution

ClientAs = Callable[[str], Client]


@pytest.fixture
def c(small: SmallInstitution, settings) -> SmallCaseLogs:  # type: ignore[no-untyped-def]
    return build_case_logs(small, settings)


def _logged(small: SmallInstitution, c: SmallCaseLogs, **fields: object) -> CaseLog:
    values: dict = {"day": c.today, "procedure": c.paracentesis, "role": "performed",
                    "supervisor": c.a.faculty, "site": small.affiliate} | fields  # fmt: skip
    return caselog_log(trainee=small.ana, by=small.users["resident"], **values)


def _returned(small: SmallInstitution, c: SmallCaseLogs, comment: str = "You assisted.") -> CaseLog:
    return caselog_return(entry=_logged(small, c), by=small.users["faculty"], comment=comment)


def _edit_form(small: SmallInstitution, c: SmallCaseLogs, **fields: object) -> dict:
    return {
        "day": c.today.isoformat(), "procedure": "Paracentesis", "role": "assisted",
        "site": small.affiliate.pk, "supervisor": c.a.faculty.pk, "note": "Ascites, tapped.",
        "submit_token": "edit-this-returned-entry-1",
    } | fields  # fmt: skip


def test_the_trainee_edits_a_returned_entry_and_it_goes_back_to_the_queue(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    entry = _returned(small, c)
    ana = client_as("resident")
    own_page = ana.get(reverse("caselogs:trainee", args=[small.ana.pk])).content.decode()
    edit_url = reverse("caselogs:edit", args=[entry.pk])
    assert f'href="{edit_url}"' in own_page
    form_page = ana.get(edit_url)
    assert form_page.status_code == 200
    assert "You assisted." in form_page.content.decode()  # why it came back
    assert form_page.context["form"].initial["role"] == "performed"  # starts from the entry

    first = ana.post(edit_url, _edit_form(small, c))
    again = ana.post(edit_url, _edit_form(small, c))  # a double tap
    assert first.status_code == again.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.role, entry.note) == ("pending", "assisted", "Ascites, tapped.")
    assert entry.decided_at is None and entry.decided_by is None
    assert CaseLog.objects.count() == 1  # edited, not logged again

    audits = AuditEntry.objects.filter(action="caselog_resubmit")
    assert audits.count() == 1
    changes = audits.get().changes
    assert changes["before"]["role"] == "performed" and changes["after"]["role"] == "assisted"
    assert changes["returned_because"] == "You assisted."

    queue = client_as("faculty").get(reverse("caselogs:queue")).content.decode()
    assert "Ana Alvarez" in queue and "Returned earlier with" in queue
    caselog_verify(entry=entry, by=small.users["faculty"])
    verified, _ = counts_of(small.ana)
    assert verified[(c.paracentesis.pk, "assisted")] == 1


def test_a_verified_or_waiting_entry_cannot_be_edited(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    waiting = _logged(small, c)
    ana = client_as("resident")
    assert ana.get(reverse("caselogs:edit", args=[waiting.pk])).status_code == 404
    verified = caselog_verify(entry=waiting, by=small.users["faculty"])
    assert ana.get(reverse("caselogs:edit", args=[verified.pk])).status_code == 404
    with pytest.raises(CaseLogError, match="verified and locked"):
        caselog_resubmit(
            entry=verified, by=small.users["resident"], day=c.today, procedure=c.paracentesis,
            role="observed", supervisor=c.a.faculty,
        )  # fmt: skip
    verified.refresh_from_db()
    assert (verified.status, verified.role) == ("verified", "performed")


def test_only_its_trainee_opens_the_edit_page(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    entry = _returned(small, c)
    url = reverse("caselogs:edit", args=[entry.pk])
    for username in ("gme", "pd.im", "coord.im", "faculty", "resident2", "fellow", "nobody"):
        assert client_as(username).get(url).status_code == 404, username
        assert client_as(username).post(url, _edit_form(small, c)).status_code == 404, username
    entry.refresh_from_db()
    assert entry.status == "returned"


def test_an_edit_is_checked_like_a_new_entry(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    entry = _returned(small, c)
    answer = client_as("resident").post(
        reverse("caselogs:edit", args=[entry.pk]), _edit_form(small, c, note="MRN 12345678")
    )
    assert answer.status_code == 400
    assert "patient identifier" in answer.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.role) == ("returned", "performed")


def test_a_returned_correction_is_sent_again_unless_another_correction_is_open(
    small: SmallInstitution, c: SmallCaseLogs
) -> None:
    original = caselog_verify(entry=_logged(small, c), by=small.users["faculty"])
    resident, faculty = small.users["resident"], small.users["faculty"]
    fix = _logged(small, c, role="assisted", corrects=original)
    caselog_return(entry=fix, by=faculty, comment="Wrong day.")
    other = _logged(small, c, role="observed", corrects=original)
    with pytest.raises(CaseLogError, match="already has a correction"):
        caselog_resubmit(entry=fix, by=resident, day=c.today, procedure=c.paracentesis,
                         role="assisted", supervisor=c.a.faculty)  # fmt: skip
    caselog_return(entry=other, by=faculty, comment="No.")
    sent = caselog_resubmit(entry=fix, by=resident, day=c.today, procedure=c.paracentesis,
                            role="assisted", supervisor=c.a.faculty)  # fmt: skip
    assert (sent.status, sent.corrects_id) == ("pending", original.pk)
