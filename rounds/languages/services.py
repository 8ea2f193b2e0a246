"""Writes for language access, each in one transaction with its audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rounds.core.models import InterpretationService, Site
from rounds.core.services import audit_record
from rounds.lib.languages import language_name
from rounds.people.models import Person, SpokenLanguage


class LanguageError(Exception):
    """A language-access request refused, with a sentence a person can act on."""


def spoken_language_set(*, person: Person, language: str, proficiency: str, by: Any) -> None:
    with transaction.atomic():
        row, created = SpokenLanguage.objects.update_or_create(
            person=person, language=language, defaults={"proficiency": proficiency}
        )
        audit_record(
            by=by,
            action="create" if created else "update",
            instance=row,
            summary=f"{person} speaks {language_name(language)} ({row.get_proficiency_display()})",
            changes={"language": language, "proficiency": proficiency},
        )


def spoken_language_remove(*, person: Person, language: str, by: Any) -> None:
    with transaction.atomic():
        row = SpokenLanguage.objects.filter(person=person, language=language).first()
        if row is None:
            raise LanguageError(f"{person} has no {language_name(language)} on record.")
        audit_record(
            by=by,
            action="delete",
            instance=row,
            summary=f"{language_name(language)} removed from {person}'s languages",
            changes={"language": language},
        )
        row.delete()


def interpretation_set(*, site: Site, language: str, modes: list[str], by: Any) -> None:
    """The modes (in person, video, phone) the site's interpreters cover a language in; no
    modes removes the language."""
    unknown = set(modes) - set(InterpretationService.Mode.values)
    if unknown:
        raise LanguageError(f"Unknown interpretation mode: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = InterpretationService.objects.filter(site=site, language=language)
        before = sorted(current.values_list("mode", flat=True))
        current.exclude(mode__in=modes).delete()
        for mode in modes:
            InterpretationService.objects.get_or_create(site=site, language=language, mode=mode)
        audit_record(
            by=by,
            action="update",
            instance=site,
            summary=f"{site}: interpretation in {language_name(language)} set",
            changes={"language": language, "modes": {"from": before, "to": sorted(modes)}},
        )
