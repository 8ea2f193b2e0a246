"""Writes to institution data. Each runs in a transaction that also writes its audit entry."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.forms import ModelForm

from rounds.core.models import ApprovedPositions, AuditEntry, Program, ProgramSite, Site
from rounds.lib.idempotency import submit_once


def audit_record(
    *, by: Any, action: str, instance: models.Model, summary: str, changes: dict[str, Any]
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        object_type=instance._meta.model_name or "",
        object_id=str(instance.pk or ""),
        summary=summary[:300],
        changes=changes,
    )


class StaleRecord(Exception):
    """Someone else saved the record between this form's check and its save. Any page that
    saves a form answers 409 with this sentence (rounds/core/middleware.py)."""


def form_save(*, form: ModelForm[Any], by: Any, token: str = "") -> models.Model:
    """Save a validated model form and record who changed which fields, from what, to what.

    A form that guards against stale edits (staff.forms.GuardedModelForm) checked its version
    when it was validated, without a lock; it checks again here, on the row locked until the
    save commits, so two people saving the same record at once are never both told "Saved".
    A form that creates a record and carries a `token` creates it once however often it is sent
    (rounds.lib.idempotency); a later send gets the first record back."""
    created = form.instance.pk is None
    changes = {
        name: {"from": _plain(form.initial.get(name)), "to": _plain(form.cleaned_data.get(name))}
        for name in form.changed_data
    }

    def save() -> models.Model:
        recheck = getattr(form, "recheck_locked", None)
        if recheck is not None and not created:
            recheck()
        instance = form.save()
        verb = "created" if created else "changed"
        audit_record(
            by=by,
            action="create" if created else "update",
            instance=instance,
            summary=f"{instance._meta.verbose_name} {instance} {verb}",
            changes=changes,
        )
        return instance

    with transaction.atomic():
        if not created or not token:
            return save()
        scope = f"form.{form.instance._meta.label_lower}"
        instance, _first = submit_once(
            token=token, scope=scope, by=by, model=type(form.instance), write=save
        )
    return instance


def object_delete(*, instance: models.Model, by: Any) -> None:
    with transaction.atomic():
        audit_record(
            by=by,
            action="delete",
            instance=instance,
            summary=f"{instance._meta.verbose_name} {instance} deleted",
            changes={},
        )
        instance.delete()


def _plain(value: Any) -> Any:
    """A JSON-friendly rendering of a form value for the audit trail."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "__iter__"):
        return [str(item) for item in value]
    return str(value)


def program_sites_set(*, program: Program, sites: list[Site]) -> None:
    """Replace the sites a program trains at; the first is its primary site."""
    ProgramSite.objects.filter(program=program).delete()
    ProgramSite.objects.bulk_create(
        ProgramSite(program=program, site=site, is_primary=index == 0)
        for index, site in enumerate(sites)
    )


def program_positions_set(*, program: Program, counts: list[int]) -> None:
    """Replace the approved positions, one count per program year from the entry PGY."""
    ApprovedPositions.objects.filter(program=program).delete()
    ApprovedPositions.objects.bulk_create(
        ApprovedPositions(program=program, pgy=program.first_pgy + year, count=count)
        for year, count in enumerate(counts)
    )
