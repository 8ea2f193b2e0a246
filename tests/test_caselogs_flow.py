"""A resident logs a procedure on a phone, its supervising faculty verifies it, and it counts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from rounds.caselogs.models import CaseLog
from rounds.caselogs.selectors import counts_of, program_standings
from rounds.caselogs.services import CaseLogError, caselog_log, caselog_verify
from rounds.core.models import AuditEntry
from rounds.staff.todos import todos_for
from tests.caselogs_setup import SmallCaseLogs, build_case_logs
from tests.people import SmallInstitution

ClientAs = Callable[[str], Client]


@pytest.fixture
def c(small: SmallInstitution, settings) -> SmallCaseLogs:  # type: ignore[no-untyped-def]
    return build_case_logs(small, settings)


def _post(client: Client, small: SmallInstitution, c: SmallCaseLogs, **fields: object):  # type: ignore[no-untyped-def]
    data = {
        "day": c.today.isoformat(),
        "procedure": "Paracentesis",
        "role": "performed",
        "site": small.affiliate.pk,
        "supervisor": c.a.faculty.pk,
        "note": "",
        "submit_token": "token-for-this-one-form-123",
    } | fields
    return client.post(reverse("caselogs:log", args=[small.ana.pk]), data)


def test_the_form_is_pre_filled_from_the_schedule_of_the_day(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs, settings
) -> None:
    page = client_as("resident").get(reverse("caselogs:trainee", args=[small.ana.pk]))
    form = page.context["form"]
    assert form.initial["day"] == c.today
    assert form.initial["site"] == small.affiliate  # MICU is at Harbor VA
    assert form.initial["supervisor"] == c.a.faculty  # who attends MICU in block 1
    html = page.content.decode()
    assert "On MICU that day" in html
    assert '<option value="Paracentesis">' in html  # the searchable list
    assert "No patient identifiers" in html
    # Another day: clinic in block 3 is at Riverside, where nobody is assigned to attend.
    day = c.a.x.im_blocks[2].start
    settings.ROUNDS_TODAY = (day + timedelta(days=3)).isoformat()
    with_day = client_as("resident").get(
        reverse("caselogs:trainee", args=[small.ana.pk]), {"day": day.isoformat()}
    )
    assert with_day.context["form"].initial["site"] == small.sponsor
    assert with_day.context["form"].initial["supervisor"] is None


def test_a_double_submit_logs_once_and_the_supervisor_sees_it_in_the_queue(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    ana = client_as("resident")
    first, second = _post(ana, small, c), _post(ana, small, c)
    assert first.status_code == second.status_code == 302
    entry = CaseLog.objects.get()
    assert (entry.procedure, entry.role, entry.site) == (
        c.paracentesis,
        "performed",
        small.affiliate,
    )
    assert AuditEntry.objects.filter(action="caselog_log").count() == 1
    queue = client_as("faculty").get(reverse("caselogs:queue")).content.decode()
    assert "Ana Alvarez" in queue and "Paracentesis" in queue
    todo = [t for t in todos_for(small.users["faculty"]) if "procedure log" in t.label]
    assert todo[0].count == 1 and todo[0].url == reverse("caselogs:queue")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"note": "pt MRN 00482913, tolerated well"}, "patient identifier"),
        ({"note": "DOB 3/4/1956"}, "patient identifier"),
        ({"day": "2099-01-01"}, "is in the future"),
        ({"day": "2024-01-02"}, "outside your training dates"),
        ({"procedure": "Heart transplant"}, "Choose a procedure from your program"),
    ],
)
def test_bad_entries_are_refused_with_a_reason_and_nothing_is_written(
    small: SmallInstitution,
    c: SmallCaseLogs,
    client_as: ClientAs,
    fields: dict[str, str],
    message: str,
) -> None:
    response = _post(client_as("resident"), small, c, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CaseLog.objects.exists()


def test_a_verified_entry_is_locked_and_corrected_by_a_new_audited_entry(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    _post(client_as("resident"), small, c)
    entry = CaseLog.objects.get()
    faculty = client_as("faculty")
    assert faculty.post(reverse("caselogs:verify", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "verified" and entry.decided_by == small.users["faculty"]
    again = faculty.post(reverse("caselogs:verify", args=[entry.pk]), follow=True)
    assert "already verified" in again.content.decode()
    # Ana meant assisted: a correction names the entry; the old one counts until it is verified.
    page = client_as("resident").get(
        reverse("caselogs:trainee", args=[small.ana.pk]), {"corrects": entry.pk}
    )
    assert page.context["form"].initial["procedure"] == "Paracentesis"
    _post(client_as("resident"), small, c, role="assisted", corrects=entry.pk,
          submit_token="another-token-for-the-fix")  # fmt: skip
    fix = CaseLog.objects.get(corrects=entry)
    assert AuditEntry.objects.filter(action="caselog_correct", object_id=str(fix.pk)).exists()
    assert counts_of(small.ana)[0] == {(c.paracentesis.pk, "performed"): 1}
    faculty.post(reverse("caselogs:verify", args=[fix.pk]))
    assert counts_of(small.ana)[0] == {(c.paracentesis.pk, "assisted"): 1}
    entry.refresh_from_db()
    assert entry.status == "verified" and entry.role == "performed"  # history kept as it was


def test_returned_with_a_comment_does_not_count(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    _post(client_as("resident"), small, c)
    entry = CaseLog.objects.get()
    faculty = client_as("faculty")
    empty = faculty.post(reverse("caselogs:return", args=[entry.pk]), {"comment": " "}, follow=True)
    assert "Say why the entry goes back" in empty.content.decode()
    faculty.post(reverse("caselogs:return", args=[entry.pk]), {"comment": "I was not there."})
    entry.refresh_from_db()
    assert (entry.status, entry.comment) == ("returned", "I was not there.")
    assert counts_of(small.ana) == ({}, {})
    page = client_as("resident").get(reverse("caselogs:trainee", args=[small.ana.pk]))
    assert "I was not there." in page.content.decode()
    returned = [t for t in todos_for(small.users["resident"]) if "returned" in t.label]
    assert returned[0].count == 1


def test_only_the_named_supervisor_decides(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    entry = caselog_log(
        trainee=small.ana,
        by=small.users["resident"],
        day=c.today,
        procedure=c.paracentesis,
        role="performed",
        supervisor=c.a.other,
    )
    for username in ("faculty", "pd.im", "gme", "resident"):
        response = client_as(username).post(reverse("caselogs:verify", args=[entry.pk]))
        assert response.status_code == 404, username
    with pytest.raises(CaseLogError, match="supervising faculty named on the entry"):
        caselog_verify(entry=entry, by=small.users["pd.im"])


def test_progress_and_the_program_page_put_who_is_behind_first(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs
) -> None:
    for n in range(5):
        day = c.today - timedelta(days=n)
        entry = caselog_log(
            trainee=small.ana,
            by=None,
            day=day,
            procedure=c.central_line,
            role="performed",
            supervisor=c.a.faculty,
        )
        caselog_verify(entry=entry, by=None)
    page = client_as("resident").get(reverse("caselogs:trainee", args=[small.ana.pk]))
    central = next(r for r in page.context["progress"] if r.procedure == c.central_line)
    performed = next(m for m in central.minimums if m.minimum.role == "performed")
    observed = next(m for m in central.minimums if m.minimum.role == "observed")
    assert (performed.verified, performed.minimum.count, performed.met) == (5, 5, True)
    assert observed.verified == 5  # performing counts towards observing
    html = page.content.decode()
    assert 'aria-label="5 verified and 0 waiting, of 5"' in html
    standings = program_standings(small.im, c.today)
    assert [s.trainee for s in standings] == [small.ana, small.ben]  # Ana, PGY-2, owes more
    program = client_as("coord.im").get(reverse("caselogs:program", args=[small.im.pk]))
    assert program.status_code == 200
    assert "due this year" in program.content.decode()


def test_the_export_is_documented_and_formula_safe(
    small: SmallInstitution, c: SmallCaseLogs, client_as: ClientAs, tmp_path: Path
) -> None:
    caselog_log(trainee=small.ana, by=None, day=c.today, procedure=c.paracentesis,
                role="performed", supervisor=c.a.faculty, note="=HYPERLINK(1)")  # fmt: skip
    response = client_as("coord.im").get(reverse("caselogs:export", args=[small.im.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    docs = (Path(__file__).parents[1] / "docs" / "case-logs.md").read_text()
    assert all(f"`{column}`" in docs for column in rows[0])
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["procedure_code"] == "paracentesis" and record["status"] == "pending"
    assert record["note"] == "'=HYPERLINK(1)" and record["counts"] == "no"
    out = tmp_path / "im.csv"
    call_command("export_case_logs", "im", "-o", str(out))
    assert out.read_text(encoding="utf-8").replace("\r\n", "\n") == response.content.decode(
    ).replace("\r\n", "\n")  # fmt: skip
