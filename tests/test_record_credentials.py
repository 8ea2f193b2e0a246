"""Credentials: required per program (data), flagged when lapsed, alerted before expiry to the
trainee and the coordinators once per threshold, listed for the coordinator worst first."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.lib.today import today_is
from rounds.people.models import Trainee, TrainingEvent
from rounds.record.models import Credential, CredentialRequirement, CredentialType
from rounds.record.selectors import lapsed_credentials
from rounds.record.services import alert_threshold, credential_record
from tests.people import USERNAMES, SmallInstitution

DAY = date(2026, 6, 30)  # the tests' today


def kind(code: str) -> CredentialType:
    # The types come from a data migration; a transactional test elsewhere may have flushed them.
    return CredentialType.objects.get_or_create(
        code=code, defaults={"name": code.upper(), "kind": "certification"}
    )[0]


def require(small: SmallInstitution, *codes: str) -> None:
    for code in codes:
        CredentialRequirement.objects.create(program=small.im, credential_type=kind(code))


def hold(trainee: Trainee, code: str, expires: date) -> Credential:
    return credential_record(
        trainee=trainee,
        credential_type=kind(code),
        number=f"{code.upper()}-{trainee.pk}",
        issuer="American Heart Association",
        issued_on=date(2024, 6, 1),
        expires_on=expires,
        by=None,
    )


def loaded(*trainees: Trainee) -> list[Trainee]:
    return list(
        Trainee.objects.filter(pk__in=[t.pk for t in trainees])
        .select_related("person", "program")
        .prefetch_related("training_events")
    )


@pytest.mark.django_db
def test_lapsed_means_required_and_missing_or_expired_on_the_day(small: SmallInstitution) -> None:
    require(small, "acls", "bls")
    hold(small.ana, "acls", DAY - timedelta(days=1))
    hold(small.ana, "bls", DAY + timedelta(days=400))
    hold(small.cara, "acls", DAY - timedelta(days=100))  # cardiology requires nothing
    lapsed = lapsed_credentials(loaded(small.ana, small.ben, small.cara), DAY)
    assert {t: sorted(g.credential_type.code for g in gaps) for t, gaps in lapsed.items()} == {
        small.ana.pk: ["acls"],
        small.ben.pk: ["acls", "bls"],
    }
    # Valid through its expiry date; a renewal supersedes the lapsed one.
    hold(small.ana, "acls", DAY)
    assert small.ana.pk not in lapsed_credentials(loaded(small.ana), DAY)
    assert small.ana.pk in lapsed_credentials(loaded(small.ana), DAY + timedelta(days=1))


@pytest.mark.django_db
def test_alerts_go_once_per_threshold_to_trainee_and_coordinator_with_absolute_links(
    small: SmallInstitution, settings: Any
) -> None:
    settings.ROUNDS_SITE_URL = "https://gme.example.org"
    require(small, "acls")
    hold(small.ana, "acls", DAY + timedelta(days=25))
    call_command("credential_alerts", stdout=None)
    assert sorted(m.to[0] for m in mail.outbox) == ["coord.im@example.org", "resident@example.org"]
    to_trainee = next(m for m in mail.outbox if m.to == ["resident@example.org"])
    assert "expires on July 25, 2026" in to_trainee.body
    assert f"https://gme.example.org/record/trainees/{small.ana.pk}/" in to_trainee.body
    to_coordinator = next(m for m in mail.outbox if m.to == ["coord.im@example.org"])
    assert "https://gme.example.org/record/credentials/" in to_coordinator.body
    call_command("credential_alerts", stdout=None)  # again the same day: nothing more
    with today_is(DAY + timedelta(days=1)):
        call_command("credential_alerts", stdout=None)  # 24 days left: still the 30-day alert
    assert len(mail.outbox) == 2
    with today_is(DAY + timedelta(days=18)):
        call_command("credential_alerts", stdout=None)  # 7 days left
    with today_is(DAY + timedelta(days=26)):
        call_command("credential_alerts", stdout=None)  # lapsed
    assert len(mail.outbox) == 6
    assert "expired on July 25, 2026" in mail.outbox[-1].body


@pytest.mark.django_db
def test_no_alert_after_a_renewal_or_after_training_ended(small: SmallInstitution) -> None:
    hold(small.ana, "acls", DAY + timedelta(days=10))
    hold(small.ana, "acls", DAY + timedelta(days=740))
    hold(small.cara, "bls", DAY + timedelta(days=5))
    TrainingEvent.objects.create(
        trainee=small.cara, kind=TrainingEvent.Kind.COMPLETION, effective_date=DAY - timedelta(1)
    )
    call_command("credential_alerts", stdout=None)
    assert mail.outbox == []


@pytest.mark.django_db
def test_coordinator_sees_lapsed_then_missing_then_expiring_for_their_programs_only(
    client_as, small
) -> None:
    require(small, "acls", "bls")
    hold(small.ana, "acls", DAY + timedelta(days=20))
    hold(small.ana, "bls", DAY - timedelta(days=3))
    page = client_as("coord.im").get("/record/credentials/").content.decode()
    expired, missing, expiring = (
        page.index("Expired"),
        page.index("Missing"),
        page.index("in 20 days"),
    )
    assert expired < missing < expiring
    assert "Ben Baker" in page  # incoming on July 1: missing both
    other = client_as("pd.cards").get("/record/credentials/").content.decode()
    assert "Ana Alvarez" not in other and "Every trainee holds" in other


@pytest.mark.django_db
def test_bad_dates_get_a_clear_message_and_nothing_is_written(client_as, small) -> None:
    client = client_as("resident")
    url = f"/record/trainees/{small.ana.pk}/credentials/"
    form = {
        "credential_type": kind("acls").pk,
        "number": "A-1",
        "issuer": "AHA",
        "issued_on": "2026-05-01",
        "expires_on": "2026-04-01",
    }
    page = client.post(url, form)
    assert page.status_code == 400
    assert "must be after the issue date May 1, 2026" in page.content.decode()
    page = client.post(url, form | {"expires_on": "2026-02-30"})
    assert page.status_code == 400 and "Enter a valid date" in page.content.decode()
    assert not Credential.objects.exists()


@pytest.mark.django_db
def test_the_trainee_records_a_credential_once_per_form(client_as, small) -> None:
    form = {
        "credential_type": kind("bls").pk,
        "number": "B-7",
        "issuer": "AHA",
        "expires_on": "2028-06-01",
        "submit_token": "c" * 24,
    }
    client = client_as("resident")
    url = f"/record/trainees/{small.ana.pk}/credentials/"
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Credential.objects.count() == 1
    assert "B-7" in client.get(f"/record/trainees/{small.ana.pk}/").content.decode()


@pytest.mark.django_db
def test_every_role_against_the_credential_pages(small: SmallInstitution) -> None:
    staff = {"gme", "pd.im", "coord.im", "pd.cards"}
    failures = []
    url = f"/record/trainees/{small.ana.pk}/credentials/"
    may_add = {"gme", "pd.im", "coord.im", "resident"}
    for username in USERNAMES:
        client = Client()
        client.force_login(small.users[username])
        status = client.get("/record/credentials/").status_code
        if status != (200 if username in staff else 403):
            failures.append(f"list as {username}: {status}")
        status = client.post(url, {"credential_type": "", "number": ""}).status_code
        if status != (400 if username in may_add else 404):
            failures.append(f"add as {username}: {status}")
    for path in ("/record/credentials/", url):
        assert Client().get(path).status_code == 302
    assert failures == []
    assert not Credential.objects.exists()


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    # The state the fixture built is reset inside the test (mails, credentials and alerts).
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    expires_in=st.integers(min_value=-10, max_value=90),
    run_days=st.lists(st.integers(min_value=0, max_value=100), max_size=8),
)
def test_whatever_days_the_command_runs_each_threshold_is_mailed_at_most_once(
    small: SmallInstitution, expires_in: int, run_days: list[int]
) -> None:
    """Run on any days, in order, any number of times (a day twice, days missed): the trainee
    gets exactly one mail per threshold reached on a day it ran, never two."""
    mail.outbox = []
    Credential.objects.all().delete()
    credential = hold(small.ana, "acls", DAY + timedelta(days=expires_in))
    for offset in sorted(run_days):
        with today_is(DAY + timedelta(days=offset)):
            call_command("credential_alerts", stdout=None)
    to_trainee = [m for m in mail.outbox if m.to == ["resident@example.org"]]
    thresholds = list(credential.alerts.values_list("threshold_days", flat=True))
    assert len(to_trainee) == len(thresholds) == len(set(thresholds))
    reached = {alert_threshold(expires_in - d) for d in run_days} - {None}
    assert set(thresholds) == reached
