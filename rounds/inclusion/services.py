"""Writes (and audited reads) for inclusion. Each runs in one transaction with its audit row.

Audit rows name who touched whose self-identification and which fields, never the answers: the
audit log is read by more people than the answers are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from rounds.core.services import audit_record
from rounds.inclusion.models import (
    AAMC_CATEGORIES,
    DEFAULT_URIM_CATEGORIES,
    UrimDefinition,
)
from rounds.people.models import Person, SelfIdentification


class InclusionError(Exception):
    """A request the inclusion services refuse, with a sentence a person can act on."""


def urim_definition_get() -> UrimDefinition:
    definition, _ = UrimDefinition.objects.get_or_create(
        pk=1, defaults={"categories": list(DEFAULT_URIM_CATEGORIES)}
    )
    return definition


def urim_definition_set(*, categories: list[str], by: Any, version: str | None = None) -> int:
    """Change which categories count as URiM and re-derive everyone's URiM flag from them.
    `version` is the definition's `updated_at` as the form saw it: checked again on the locked
    row, so of two saves at the same moment one is refused.

    Returns how many self-identifications changed.
    """
    unknown = sorted(set(categories) - set(AAMC_CATEGORIES))
    if unknown:
        raise InclusionError(f"Not an AAMC category: {', '.join(unknown)}.")
    if not categories:
        raise InclusionError("Choose at least one category that counts as URiM.")
    with transaction.atomic():
        urim_definition_get()
        definition = UrimDefinition.objects.select_for_update().get(pk=1)
        if version is not None and definition.updated_at.isoformat() != version:
            raise InclusionError(
                "Someone else changed the definition after you opened this page. Reload it to "
                "see their change, then make yours again."
            )
        before = list(definition.categories)
        definition.categories = [c for c in AAMC_CATEGORIES if c in categories]
        definition.updated_by = by if getattr(by, "is_authenticated", False) else None
        definition.save()
        changed = 0
        for identity in SelfIdentification.objects.all():
            urim = _urim_of(identity.race_ethnicity, definition.categories)
            if identity.urim != urim:
                identity.urim = urim
                identity.save(update_fields=["urim"])
                changed += 1
        audit_record(
            by=by,
            action="update",
            instance=definition,
            summary=f"URiM definition changed; {changed} self-identifications re-derived",
            changes={"categories": {"from": before, "to": definition.categories}},
        )
    return changed


def _urim_of(categories: list[str], urim_categories: list[str]) -> bool | None:
    if not categories:
        return None  # nothing stated: neither URiM nor not
    return any(c in urim_categories for c in categories)


@dataclass(frozen=True)
class IdentityAnswers:
    race_ethnicity: list[str]
    first_generation: bool | None
    disability: bool | None
    lgbtq: bool | None


def identity_read(*, person: Person, by: Any) -> SelfIdentification | None:
    """The person's self-identification, with an audit row saying who looked."""
    with transaction.atomic():
        identity = SelfIdentification.objects.filter(person=person).first()
        audit_record(
            by=by,
            action="read",
            instance=identity or person,
            summary=f"self-identification of {person} read",
            changes={"person_id": person.pk, "found": identity is not None},
        )
    return identity


def identity_set(*, person: Person, answers: IdentityAnswers, by: Any) -> SelfIdentification:
    unknown = sorted(set(answers.race_ethnicity) - set(AAMC_CATEGORIES))
    if unknown:
        raise InclusionError(f"Not an AAMC category: {', '.join(unknown)}.")
    definition = urim_definition_get()
    with transaction.atomic():
        identity = SelfIdentification.objects.filter(person=person).first()
        created = identity is None
        identity = identity or SelfIdentification(person=person)
        identity.race_ethnicity = [c for c in AAMC_CATEGORIES if c in answers.race_ethnicity]
        identity.urim = _urim_of(identity.race_ethnicity, definition.categories)
        identity.first_generation = answers.first_generation
        identity.disability = answers.disability
        identity.lgbtq = answers.lgbtq
        identity.save()
        audit_record(
            by=by,
            action="create" if created else "update",
            instance=identity,
            summary=f"self-identification of {person} {'given' if created else 'changed'}",
            changes={"person_id": person.pk},
        )
    return identity


def identity_withdraw(*, person: Person, by: Any) -> bool:
    """Delete the person's self-identification; False when there was none."""
    with transaction.atomic():
        identity = SelfIdentification.objects.filter(person=person).first()
        if identity is None:
            return False
        audit_record(
            by=by,
            action="delete",
            instance=identity,
            summary=f"self-identification of {person} withdrawn",
            changes={"person_id": person.pk},
        )
        identity.delete()
    return True
