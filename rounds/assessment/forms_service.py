"""Writes of evaluation forms: the builder edits a draft version; publishing freezes it.

A published version is never changed, because answers point at the version they answered; a
change to a form in use is a new draft copied from the last published version. Requests made
after a version is published use it; requests made before keep theirs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rounds.assessment.errors import AssessmentError
from rounds.assessment.models import EvaluationForm, EvaluatorKind, FormItem, FormVersion
from rounds.core.models import Program
from rounds.core.services import audit_record
from rounds.schedules.models import Rotation

MILESTONE_SCALE = (Decimal("1"), Decimal("5"), Decimal("0.5"))  # levels 1-5 and in-between


def form_create(
    *,
    program: Program,
    name: str,
    evaluator_kind: str,
    rotation: Rotation | None = None,
    by: Any,
) -> EvaluationForm:
    if evaluator_kind not in EvaluatorKind.values:
        raise AssessmentError(f"{evaluator_kind!r} is not a kind of evaluator.")
    if not name.strip():
        raise AssessmentError("A form needs a name.")
    with transaction.atomic():
        form = EvaluationForm.objects.create(
            program=program,
            name=name.strip()[:120],
            evaluator_kind=evaluator_kind,
            rotation=rotation,
        )
        FormVersion.objects.create(form=form, number=1, created_by=_user(by))
        audit_record(
            by=by, action="form_create", instance=form, summary=f"New form {form}", changes={}
        )
    return form


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def draft_of(form: EvaluationForm, *, by: Any) -> FormVersion:
    """The form's draft version, made from the last published one when there is none."""
    with transaction.atomic():
        EvaluationForm.objects.select_for_update().filter(pk=form.pk).first()
        latest = form.versions.order_by("-number").first()
        if latest is not None and latest.is_draft:
            return latest
        number = (latest.number if latest else 0) + 1
        draft = FormVersion.objects.create(form=form, number=number, created_by=_user(by))
        if latest is not None:
            FormItem.objects.bulk_create(_copy(item, draft) for item in latest.items.all())
        return draft


def _copy(item: FormItem, version: FormVersion) -> FormItem:
    item.pk = None
    item.id = None
    item.version = version
    return item


def item_add(
    *,
    version: FormVersion,
    kind: str,
    text: str,
    by: Any,
    required: bool = True,
    subcompetency_id: int | None = None,
    scale: tuple[Decimal, Decimal, Decimal] | None = None,
    low_label: str = "",
    high_label: str = "",
    allow_not_assessable: bool = False,
) -> FormItem:
    if not version.is_draft:
        raise AssessmentError(
            f"Version {version.number} is published and answered against; edit a new draft."
        )
    if kind not in FormItem.Kind.values:
        raise AssessmentError(f"{kind!r} is not a kind of item.")
    if not text.strip():
        raise AssessmentError("An item needs its question.")
    if subcompetency_id is not None:
        kind, scale, allow_not_assessable = FormItem.Kind.RATING, MILESTONE_SCALE, True
    low, high, step = scale or (Decimal("1"), Decimal("5"), Decimal("1"))
    if not (low < high and step > 0 and (high - low) % step == 0):
        raise AssessmentError(f"A scale from {low} to {high} in steps of {step} does not work.")
    with transaction.atomic():
        FormVersion.objects.select_for_update().filter(pk=version.pk).first()
        position = (version.items.aggregate(top=Max("position"))["top"] or 0) + 1
        return FormItem.objects.create(
            version=version,
            position=position,
            kind=kind,
            text=text.strip()[:300],
            required=required,
            subcompetency_id=subcompetency_id,
            scale_min=low,
            scale_max=high,
            scale_step=step,
            low_label=low_label[:80],
            high_label=high_label[:80],
            allow_not_assessable=allow_not_assessable,
        )


def item_remove(*, item: FormItem, by: Any) -> None:
    if not item.version.is_draft:
        raise AssessmentError("A published version is never changed; edit a new draft.")
    item.delete()


def version_publish(*, version: FormVersion, by: Any) -> FormVersion:
    with transaction.atomic():
        locked = FormVersion.objects.select_for_update().get(pk=version.pk)
        if not locked.is_draft:
            raise AssessmentError(f"Version {locked.number} is already published.")
        if not locked.items.exists():
            raise AssessmentError("A form with no items cannot be published.")
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at"])
        audit_record(
            by=by,
            action="form_publish",
            instance=locked,
            summary=f"Published {locked}",
            changes={"items": locked.items.count()},
        )
    return locked
