"""Language access: qualified-bilingual certifications, site language demand and patient
population figures, each dated and sourced. Interpreter coverage is
rounds.core.InterpretationService (the public language figure counts it)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

pct_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Certification(models.Model):
    """A qualified-bilingual assessment a trainee passed; only unexpired ones count."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="language_certifications"
    )
    language = models.CharField(max_length=3, help_text="ISO 639-3 code (ase = ASL).")
    assessment = models.CharField(
        max_length=120, help_text="The assessment passed, e.g. ALTA Clinician Language Test."
    )
    assessed_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person__last_name", "language", "-expires_on"]

    def __str__(self) -> str:
        return f"{self.person}: {self.language} until {self.expires_on}"

    def is_current(self, on: date) -> bool:
        return self.assessed_on <= on <= self.expires_on


class LanguageDemand(models.Model):
    """How much a site's patients need one language, as of a date, from a named source."""

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="language_demand")
    language = models.CharField(max_length=3, help_text="ISO 639-3 code (ase = ASL).")
    share_pct = models.DecimalField(
        "share of visits (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=pct_validators,
    )
    visits_per_year = models.PositiveIntegerField(null=True, blank=True)
    as_of = models.DateField()
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["site__name", "-as_of", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "language", "as_of"], name="unique_language_demand"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.language} as of {self.as_of}"


class PopulationFigures(models.Model):
    """A site's patient population, as of a date, from a named source; the newest one counts."""

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="population")
    patients_per_year = models.PositiveIntegerField(
        null=True, blank=True, help_text="Weights the site in the institution's figures."
    )
    underserved_pct = models.DecimalField(
        "from underserved communities (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=pct_validators,
    )
    minority_pct = models.DecimalField(
        "identifying with a racial or ethnic minority group (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=pct_validators,
    )
    non_english_pct = models.DecimalField(
        "primary language not English (%)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=pct_validators,
    )
    as_of = models.DateField()
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["site__name", "-as_of"]
        verbose_name_plural = "population figures"

    def __str__(self) -> str:
        return f"{self.site} population as of {self.as_of}"
