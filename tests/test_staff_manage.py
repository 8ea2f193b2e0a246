"""The GME office manages institution records in Rounds' own pages, every change audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from rounds.core.models import AuditEntry, Site
from rounds.core.models import Testimonial as PublishedQuote
from tests.people import SmallInstitution

SITE_FIELDS = {
    "name": "Harbor VA Medical Center",
    "slug": "harbor-va",
    "kind": "va",
    "street": "",
    "city": "Portsmouth",
    "state": "VA",
    "postal_code": "",
    "description": "Surgery, IM",
}


def test_gme_office_edits_a_site_and_the_audit_log_says_what_changed(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    url = reverse("staff:managed_edit", args=["sites", small.affiliate.pk])
    version = gme.get(url).context["form"].initial["version"]
    response = gme.post(url, SITE_FIELDS | {"version": version})
    assert response.status_code == 302
    small.affiliate.refresh_from_db()
    assert (small.affiliate.name, small.affiliate.city) == (
        "Harbor VA Medical Center",
        "Portsmouth",
    )
    entry = AuditEntry.objects.get(object_type="site", action="update")
    assert entry.actor == small.users["gme"]
    assert entry.changes["name"] == {"from": "Harbor VA", "to": "Harbor VA Medical Center"}
    log = gme.get(reverse("staff:audit")).content.decode()
    assert "site Harbor VA Medical Center changed" in log


def test_a_second_editor_cannot_silently_overwrite_the_first(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    first, second = client_as("gme"), client_as("gme")
    url = reverse("staff:managed_edit", args=["sites", small.affiliate.pk])
    v1 = first.get(url).context["form"].initial["version"]
    v2 = second.get(url).context["form"].initial["version"]
    assert first.post(url, SITE_FIELDS | {"version": v1}).status_code == 302
    late = second.post(url, SITE_FIELDS | {"city": "Norfolk", "version": v2})
    assert late.status_code == 200
    assert "Someone else saved this record after you opened it" in late.content.decode()
    small.affiliate.refresh_from_db()
    assert small.affiliate.city == "Portsmouth"


def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    response = gme.post(
        reverse("staff:managed_new", args=["sites"]), SITE_FIELDS | {"name": "Riverside Hospital"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Site with this Name already exists."]
    assert Site.objects.count() == 2


def test_gme_office_adds_a_site_of_the_institution(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    response = gme.post(
        reverse("staff:managed_new", args=["sites"]),
        SITE_FIELDS | {"name": "Lakeside Clinic", "slug": "lakeside"},
    )
    assert response.status_code == 302
    site = Site.objects.get(slug="lakeside")
    assert site.institution == small.affiliate.institution


def test_testimonials_are_created_and_deleted_by_the_gme_office(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    gme.post(
        reverse("staff:managed_new", args=["testimonials"]),
        {
            "author_name": "Ana A.",
            "author_role": "PGY-2, IM",
            "program": small.im.pk,
            "quote": "My mentor changed my career.",
            "is_published": "on",
            "order": 1,
        },
    )
    testimonial = PublishedQuote.objects.get()
    assert testimonial.quote == "My mentor changed my career."
    gme.post(reverse("staff:managed_delete", args=["testimonials", testimonial.pk]))
    assert not PublishedQuote.objects.exists()
    assert AuditEntry.objects.filter(object_type="testimonial", action="delete").exists()


def test_program_leadership_edits_only_the_public_text_of_their_program(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    pd = client_as("pd.im")
    url = reverse("staff:program_text", args=[small.im.pk])
    version = pd.get(url).context["form"].initial["version"]
    pd.post(
        url,
        {
            "contact_email": "im@example.org",
            "description": "Three years in the city.",
            "how_to_apply": "Apply through ERAS.",
            "version": version,
            "length_years": 7,
        },
    )
    small.im.refresh_from_db()
    assert small.im.how_to_apply == "Apply through ERAS."
    assert small.im.length_years == 3  # not a field leadership can change
    assert client_as("pd.cards").post(url, {"description": "x"}).status_code == 403


def test_gme_office_updates_the_patient_figures_the_home_page_shows(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    url = reverse("staff:managed_edit", args=["institution", small.institution.pk])
    form = gme.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    gme.post(url, data | {"patients_non_english_pct": "34.5"})
    assert "34.5%" in Client().get(reverse("public:home")).content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(
    small: SmallInstitution, mailoutbox: list[Any]
) -> None:
    client = Client()
    client.post(reverse("password_reset"), {"email": "pd.im@example.org"})
    assert len(mailoutbox) == 1
    link = next(word for word in mailoutbox[0].body.split() if "/accounts/reset/" in word)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a-much-better-password-42",
            "new_password2": "a-much-better-password-42",
        },
        follow=True,
    )
    assert "Password changed" in done.content.decode()
    assert Client().login(username="pd.im", password="a-much-better-password-42")


def test_gme_office_sets_a_programs_sites_and_positions_in_its_page(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    gme = client_as("gme")
    url = reverse("staff:managed_edit", args=["programs", small.im.pk])
    form = gme.get(url).context["form"]
    assert form.initial["positions"] == "10; 10; 10"
    data = {k: v for k, v in form.initial.items() if v is not None and k != "training_sites"}
    data |= {
        "specialty": small.internal_medicine.pk,
        "training_sites": [small.sponsor.pk],
        "primary_site": small.affiliate.pk,
    }
    wrong = gme.post(url, data | {"positions": "12; 12"})
    assert wrong.context["form"].errors["positions"] == [
        "Gives 2 years of positions; the program has 3."
    ]
    gme.post(url, data | {"positions": "12; 12; 11"})
    assert list(small.im.positions.values_list("count", flat=True)) == [12, 12, 11]
    primary = small.im.programsite_set.get(is_primary=True).site
    assert primary == small.affiliate
    assert small.im.sites.count() == 2
