"""`load_demo --force` never touches a database people rely on.

That it rebuilds a development database holding only the demo is tests/test_demo.py's
test_load_demo_twice_is_a_no_op_and_force_rebuilds."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from rounds.core.models import Institution
from rounds.people.models import Person
from tests.people import PASSWORD, SmallInstitution


def test_force_refuses_without_debug_and_changes_nothing(
    small: SmallInstitution, settings: object
) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match=r"runs only in development \(DJANGO_DEBUG=1\)"):
        call_command("load_demo", force=True, stdout=StringIO())
    assert Institution.objects.get() == small.institution
    assert small.users["gme"].__class__.objects.get(username="gme").check_password(PASSWORD)


def test_force_refuses_when_real_people_exist_even_in_debug(
    small: SmallInstitution, settings: object
) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as refused:
        call_command("load_demo", force=True, stdout=StringIO())
    assert str(refused.value).startswith(
        "This database holds 11 people who are not the demo's (their email is not "
        "@demo.rounds.example); load_demo --force would delete them. Nothing was changed."
    )
    assert Person.objects.count() == 11
    assert User.objects.get(username="gme").check_password(PASSWORD)


def test_a_fresh_load_does_not_take_over_an_existing_account(db: None) -> None:
    User.objects.create_user("gme", "dio@hospital.example", "the-real-one")
    with pytest.raises(CommandError, match="usernames gme already belong to accounts"):
        call_command("load_demo", stdout=StringIO())
    assert User.objects.get(username="gme").check_password("the-real-one")
    assert not Institution.objects.exists()
