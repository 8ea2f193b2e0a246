"""Voluntary self-identification: set, read (audited), withdraw, set again; URiM as defined."""

from __future__ import annotations

from django.urls import reverse

from rounds.core.models import AuditEntry
from rounds.inclusion.services import urim_definition_set
from rounds.people.models import SelfIdentification
from tests.people import SmallInstitution


def _answers(**extra: object) -> dict[str, object]:
    return {
        "race_ethnicity": ["Hispanic, Latino, or of Spanish Origin", "White"],
        "first_generation": "yes",
        "disability": "",
        "lgbtq": "no",
    } | extra


def test_trainee_sets_sees_withdraws_and_sets_again(small: SmallInstitution, client_as) -> None:
    client = client_as("resident")
    page = client.get(reverse("inclusion:me"))
    assert b"Voluntary" in page.content
    assert b"You have not given a self-identification" in page.content

    response = client.post(reverse("inclusion:me"), _answers(), follow=True)
    assert b"Only you, the inclusion office and the GME office" in response.content
    identity = SelfIdentification.objects.get(person=small.ana.person)
    assert identity.race_ethnicity == ["Hispanic, Latino, or of Spanish Origin", "White"]
    assert identity.urim is True  # Hispanic counts under the default definition
    assert identity.first_generation is True and identity.lgbtq is False
    assert identity.disability is None  # "prefer not to say" stays unanswered
    assert b"Delete my self-identification" in response.content

    response = client.post(reverse("inclusion:withdraw"), follow=True)
    assert b"Your self-identification is deleted" in response.content
    assert not SelfIdentification.objects.filter(person=small.ana.person).exists()

    client.post(reverse("inclusion:me"), _answers(race_ethnicity=["Asian"]))
    identity = SelfIdentification.objects.get(person=small.ana.person)
    assert identity.race_ethnicity == ["Asian"] and identity.urim is False


def test_nothing_is_required(small: SmallInstitution, client_as) -> None:
    client = client_as("resident")
    response = client.post(reverse("inclusion:me"), {}, follow=True)
    assert response.status_code == 200
    identity = SelfIdentification.objects.get(person=small.ana.person)
    assert identity.race_ethnicity == [] and identity.urim is None


def test_no_page_shows_one_persons_answers_to_anyone_else(
    small: SmallInstitution, client_as
) -> None:
    client_as("resident").post(reverse("inclusion:me"), _answers())
    for username in ("inclusion", "gme", "pd.im"):
        response = client_as(username).get(f"/inclusion/people/{small.ana.person.pk}/")
        assert response.status_code == 404
        assert b"Hispanic" not in response.content
    own = client_as("resident").get(reverse("inclusion:me"))
    assert b"Hispanic, Latino, or of Spanish Origin" in own.content
    read = AuditEntry.objects.filter(action="read", actor=small.users["resident"]).get()
    assert "Ana Alvarez" in read.summary
    every_entry = " ".join(f"{e.summary} {e.changes}" for e in AuditEntry.objects.all())
    assert "Hispanic" not in every_entry and "first_generation" not in every_entry


def test_changing_the_urim_definition_re_derives_everyone(small: SmallInstitution) -> None:
    SelfIdentification.objects.create(
        person=small.ana.person, race_ethnicity=["Middle Eastern or North African"], urim=False
    )
    SelfIdentification.objects.create(
        person=small.ben.person, race_ethnicity=["Black or African American"], urim=True
    )
    changed = urim_definition_set(
        categories=["Black or African American", "Middle Eastern or North African"],
        by=small.users["inclusion"],
    )
    assert changed == 1
    assert SelfIdentification.objects.get(person=small.ana.person).urim is True


def test_definition_page_refuses_empty_and_stale_saves(small: SmallInstitution, client_as) -> None:
    from rounds.inclusion.services import urim_definition_get

    url = reverse("inclusion:definition")
    seen = urim_definition_get().updated_at.isoformat()
    response = client_as("inclusion").post(url, {"categories": [], "version": seen})
    assert b"This field is required" in response.content
    response = client_as("gme").post(url, {"categories": ["Asian"], "version": seen}, follow=True)
    assert b"Saved the URiM definition" in response.content
    # The inclusion office still has the page it opened before the GME office saved.
    response = client_as("inclusion").post(url, {"categories": ["White"], "version": seen})
    assert b"Someone else changed the definition" in response.content
    assert urim_definition_get().categories == ["Asian"]


def test_a_user_without_a_person_record_is_told_so(small: SmallInstitution, client_as) -> None:
    from django.contrib.auth.models import User

    User.objects.create_user("orphan", "o@example.org", "x")
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username="orphan"))
    response = client.get(reverse("inclusion:me"))
    assert b"not linked to a person record" in response.content
