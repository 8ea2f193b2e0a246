"""The public site list comes a page at a time, however many sites were imported."""

from __future__ import annotations

from django.test import Client

from rounds.core.models import Site
from tests.people import SmallInstitution


def test_many_sites_come_in_pages_with_the_sponsor_first(small: SmallInstitution) -> None:
    Site.objects.bulk_create(
        Site(institution=small.institution, name=f"Clinic {i:03}", slug=f"clinic-{i:03}",
             kind="clinic")
        for i in range(100)
    )  # fmt: skip
    first = Client().get("/sites/")
    page = first.content.decode()
    assert "1–48 of 102 sites" in page
    assert [s.name for s in first.context["sites"]][:2] == ["Riverside Hospital", "Harbor VA"]
    assert len(first.context["sites"]) == 48
    assert 'href="?page=2" rel="next"' in page
    last = Client().get("/sites/?page=3")
    assert [s.name for s in last.context["sites"]] == [f"Clinic {i:03}" for i in range(94, 100)]
    # A page that does not exist shows the nearest one rather than an error.
    assert Client().get("/sites/?page=abc").context["page"].number == 1
    assert Client().get("/sites/?page=99999").context["page"].number == 3


def test_a_handful_of_sites_is_one_page_with_counts_per_kind(small: SmallInstitution) -> None:
    page = Client().get("/sites/").content.decode()
    assert "2 sites: the sponsoring hospital" in page
    assert 'class="count">1</span>' in page
    assert "Page 1 of" not in page
