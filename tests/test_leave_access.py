"""Who sees leave, extends training for it and keeps remediation: decided in rounds/leave/access.py,
tried here with every role of the small institution."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.leave.models import LetterPolicy, Remediation
from rounds.record.pdf import letter_sentences
from rounds.record.selectors import letter_facts
from tests.leave_setup import im_policy, over_abim
from tests.people import USERNAMES, SmallInstitution

STAFF = {"gme", "pd.im", "coord.im", "pd.cards"}
IM_LEADERS = {"gme", "pd.im", "coord.im"}
TRAINEES = {"resident", "resident2", "fellow"}


@pytest.mark.parametrize("username", USERNAMES)
def test_each_role_gets_exactly_its_leave_pages(
    small: SmallInstitution, client_as: Callable[[str], Client], username: str
) -> None:
    im_policy(small)
    over_abim(small)
    client = client_as(username)
    home = client.get(reverse("leave:home")).status_code
    assert home == (200 if username in STAFF else 302 if username in TRAINEES else 403)
    ana = client.get(reverse("leave:trainee", args=[small.ana.pk]))
    assert ana.status_code == (200 if username in IM_LEADERS | {"resident"} else 404)
    extend = client.get(reverse("leave:extend", args=[small.ana.pk])).status_code
    assert extend == (200 if username in IM_LEADERS else 403 if username == "resident" else 404)
    form = {"kind": "remediation", "start": "2026-05-01", "end": "", "outcome": "ongoing"}
    added = client.post(reverse("leave:remediation_add", args=[small.ana.pk]), form).status_code
    assert added == (302 if username in IM_LEADERS else 404)
    if username in IM_LEADERS | {"resident"}:
        assert ("Remediation and probation" in ana.content.decode()) == (username != "resident")


def test_anonymous_visitors_are_sent_to_sign_in(small: SmallInstitution) -> None:
    for url in (reverse("leave:home"), reverse("leave:trainee", args=[small.ana.pk])):
        assert Client().get(url)["Location"].startswith(reverse("login"))


def test_bad_remediation_dates_are_refused_with_the_reason_and_nothing_written(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    url = reverse("leave:remediation_add", args=[small.ana.pk])
    coord = client_as("coord.im")
    cases = {
        "The last day comes before the first": {"start": "2026-05-01", "end": "2026-04-01"},
        "Enter a valid date": {"start": "2026-02-31", "end": ""},
        "the first day is in the future": {"start": "2026-09-01", "end": ""},
    }
    for said, dates in cases.items():
        response = coord.post(url, {"kind": "probation", "outcome": "ongoing", **dates})
        assert response.status_code == 400
        assert said in response.content.decode()
    assert not Remediation.objects.exists()


def test_letters_state_remediation_only_where_the_policy_says_so(
    small: SmallInstitution,
) -> None:
    Remediation.objects.create(
        trainee=small.ana, kind="probation", start=date(2026, 1, 5), end=date(2026, 4, 5),
        outcome="completed",
    )  # fmt: skip
    day = date(2026, 6, 30)
    assert "remediation" not in letter_facts(small.ana, day)
    LetterPolicy.objects.create(state_remediation=True)
    lines = letter_sentences(letter_facts(small.ana, day))
    assert "Probation from January 5, 2026 to April 5, 2026: Completed successfully." in lines


def test_a_letter_says_which_extension_made_up_leave(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    im_policy(small)
    over_abim(small, by=10)
    client_as("coord.im").post(
        reverse("leave:extend", args=[small.ana.pk]), {"days": "10", "reason": "Parental leave"}
    )
    lines = letter_sentences(letter_facts(small.ana, date(2026, 6, 30)))
    assert (
        "Training extended on June 30, 2026 to July 10, 2029 to make up 10 days of leave beyond "
        "the specialty board's allowance." in lines
    )


def test_a_policy_below_the_acgme_six_weeks_is_pointed_out_to_program_staff(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    policy = im_policy(small)
    page = client_as("coord.im").get(reverse("leave:home")).content.decode()
    assert "the ACGME requires at least six weeks" not in page
    policy.parental_days = 28
    policy.save()
    page = client_as("coord.im").get(reverse("leave:home")).content.decode()
    assert "gives 28 days of parental and caregiver and 42 of medical leave" in page
    assert "the ACGME requires at least six weeks" not in (
        client_as("pd.cards").get(reverse("leave:home")).content.decode()
    )


def test_leadership_closes_a_remediation_once_and_a_bad_last_day_is_refused(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    row = Remediation.objects.create(trainee=small.ana, kind="remediation", start=date(2026, 3, 2))
    url = reverse("leave:remediation_close", args=[row.pk])
    coord = client_as("coord.im")
    early = coord.post(url, {"end": "2026-02-01", "outcome": "completed"})
    assert early.status_code == 400
    assert "The last day comes before the first" in early.content.decode()
    assert (
        client_as("resident").post(url, {"end": "2026-06-01", "outcome": "completed"}).status_code
        == 404
    )
    for _ in range(2):  # pressed twice: closed once
        assert coord.post(url, {"end": "2026-06-01", "outcome": "completed"}).status_code == 302
    row.refresh_from_db()
    assert (row.end, row.outcome) == (date(2026, 6, 1), "completed")
    assert AuditEntry.objects.filter(action="leave.remediation_close").count() == 1
