"""People pages that work: trainees searched by name and edited by their program's staff (every
change audited, dates only as training events), name pickers that offer only people who can hold
the role, a program form without a slug, and a person's own phone and pager."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from rounds.core.models import AuditEntry, Program
from rounds.people.models import Person
from rounds.staff.forms import STALE
from tests.people import SmallInstitution


def test_staff_find_a_trainee_by_part_of_a_name_and_htmx_gets_only_rows(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    url = reverse("staff:trainees")
    page = client_as("coord.im").get(url, {"q": "alv"}).content.decode()
    assert "Ana Alvarez" in page and "Ben Baker" not in page
    rows = client_as("gme").get(url, {"q": "chen"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Cara Chen" in rows and "<html" not in rows and "Ana Alvarez" not in rows
    # IM's coordinator does not find Cardiology's fellow, however she is searched.
    assert "Cara Chen" not in client_as("coord.im").get(url, {"q": "cara"}).content.decode()
    assert "No trainee matches" in client_as("coord.im").get(url, {"q": "zz"}).content.decode()


def test_program_staff_edit_a_trainee_and_every_change_is_audited(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    url = reverse("staff:trainee_edit", args=[small.ana.pk])
    coord = client_as("coord.im")
    form = coord.get(url).context["form"]
    assert "start_date" not in form.fields and "expected_end_date" not in form.fields
    data = {k: v or "" for k, v in form.initial.items()}
    response = coord.post(url, data | {"last_name": "Alvarez-Ruiz", "pager": "4471"})
    assert response.status_code == 302
    small.ana.person.refresh_from_db()
    assert (small.ana.person.last_name, small.ana.person.pager) == ("Alvarez-Ruiz", "4471")
    entry = AuditEntry.objects.get(object_type="person", action="update")
    assert entry.changes["last_name"] == {"from": "Alvarez", "to": "Alvarez-Ruiz"}
    assert entry.actor == small.users["coord.im"]
    # Saved again from the page loaded before: refused, not overwritten.
    stale = coord.post(url, data | {"last_name": "Other"})
    assert STALE in stale.content.decode().replace("&#x27;", "'") and stale.status_code == 200
    # Another program's director, the trainee herself and others cannot.
    assert client_as("pd.cards").get(url).status_code == 404
    for username in ("resident", "faculty", "nobody"):
        assert client_as(username).get(url).status_code == 403


def test_pickers_search_only_people_who_can_hold_the_role(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    pick = reverse("people:pick")
    gme = client_as("gme")
    found = gme.get(pick, {"role": "director", "name": "director", "director__q": "tester"})
    text = found.content.decode()
    assert "Faculty Tester" in text  # faculty may direct a program
    assert "Coord.Im Tester" not in text and "Gme Tester" not in text  # staff may not
    coordinators = gme.get(
        pick, {"role": "coordinator", "name": "coordinator", "coordinator__q": "coord"}
    ).content.decode()
    assert "Coord.Im Tester" in coordinators and "Faculty Tester" not in coordinators
    nobody = gme.get(pick, {"role": "director", "name": "director", "director__q": "ana"})
    assert "No faculty member with that name." in nobody.content.decode()
    assert gme.get(pick, {"role": "owner", "name": "x"}).status_code == 404
    for username in ("resident", "faculty", "nobody"):
        assert client_as(username).get(pick, {"role": "director", "name": "d"}).status_code == 403


def test_the_program_form_asks_no_slug_and_refuses_a_director_who_is_not_faculty(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    new = reverse("staff:managed_new", args=["programs"])
    page = gme.get(new).content.decode()
    assert 'name="slug"' not in page and 'name="director__q"' in page
    faculty = Person.objects.get(user__username="faculty")
    staff = Person.objects.get(user__username="coord.im")
    data = {
        "name": "Internal Medicine Residency at Harbor", "specialty": small.internal_medicine.pk,
        "kind": "residency", "accreditation": "continued", "length_years": 3, "first_pgy": 1,
        "weekly_hours_limit": 80, "training_sites": [small.sponsor.pk],
        "swaps_need_approval": "on", "coordinator": staff.pk,
    }  # fmt: skip
    wrong = gme.post(new, data | {"director": staff.pk})
    assert "director" in wrong.context["form"].errors
    gme.post(new, data | {"director": faculty.pk})
    made = Program.objects.get(name="Internal Medicine Residency at Harbor")
    assert made.slug == "internal-medicine-residency-at-harbor"
    assert (made.director, made.coordinator) == (faculty, staff)
    gme.post(new, data | {"name": "Internal Medicine Residency at  Harbor"})
    again = Program.objects.get(name="Internal Medicine Residency at  Harbor")
    assert again.slug == "internal-medicine-residency-at-harbor-2"


def test_a_person_sets_their_own_numbers_and_who_sees_them(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    url = reverse("people:contact")
    ana = client_as("resident")
    bad = ana.post(url, {"phone": "call me", "pager": ""})
    assert "Digits, spaces and + ( ) - . x only" in bad.content.decode()
    ana.post(url, {"phone": "+1 212 555 0147", "pager": "4471", "share_contact": "on"})
    small.ana.person.refresh_from_db()
    assert small.ana.person.share_contact and small.ana.person.pager == "4471"
    assert AuditEntry.objects.filter(object_type="person", actor=small.users["resident"]).exists()
