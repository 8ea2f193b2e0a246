"""Public pages come from the cache for anonymous visitors, never with anything personal in them,
and an edit to what they show is there on the next request."""

from __future__ import annotations

import pytest
from django.test import Client

from rounds.core.models import Site
from tests.people import SmallInstitution

pytestmark = pytest.mark.django_db


def test_a_renamed_program_shows_at_once(small: SmallInstitution) -> None:
    visitor = Client()
    assert "Internal Medicine Residency" in visitor.get("/programs/").text
    small.im.name = "Internal Medicine Residency (Categorical)"
    small.im.save()
    assert "Internal Medicine Residency (Categorical)" in visitor.get("/programs/").text


def test_a_change_written_without_save_shows_at_once(small: SmallInstitution) -> None:
    visitor = Client()
    assert "Harbor VA" in visitor.get("/sites/").text
    Site.objects.filter(slug="harbor-va").update(name="Harbor Veterans Hospital")
    assert "Harbor Veterans Hospital" in visitor.get("/sites/").text


def test_a_signed_in_person_never_gets_the_anonymous_copy(client_as, small) -> None:  # type: ignore[no-untyped-def]
    assert "Sign in" in Client().get("/").text
    page = client_as("resident").get("/").text
    assert "Sign out" in page


def test_a_signed_in_persons_page_is_never_served_to_others(client_as, small) -> None:  # type: ignore[no-untyped-def]
    assert "Sign out" in client_as("resident").get("/programs/").text
    page = Client().get("/programs/").text
    assert "Sign out" not in page
    assert "csrfmiddlewaretoken" not in page
