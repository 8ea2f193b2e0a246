"""The home page's patient shares come from the sites' dated, sourced figures when there are any."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from rounds.languages.models import PopulationFigures
from tests.people import SmallInstitution


def test_site_figures_weighted_by_patients_replace_the_hand_entered_share(
    small: SmallInstitution,
) -> None:
    assert "33.0%" in Client().get(reverse("public:home")).content.decode()
    for site, patients, share in [
        (small.sponsor, 30_000, "40.0"),
        (small.affiliate, 10_000, "20.0"),
    ]:
        PopulationFigures.objects.create(
            site=site,
            patients_per_year=patients,
            non_english_pct=Decimal(share),
            as_of=date(2026, 6, 30),
            source="Hospital registration data",
        )
    page = Client().get(reverse("public:home")).content.decode()
    assert "35.0%" in page  # (40 × 30,000 + 20 × 10,000) / 40,000
    assert "33.0%" not in page
    assert "Hospital registration data" in page
