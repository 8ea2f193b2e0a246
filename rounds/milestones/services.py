"""Writes for milestones and the CCC. Each runs in one transaction with its audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rounds.core.services import audit_record
from rounds.milestones.loader import MilestoneSetData
from rounds.milestones.models import COMPETENCY_ORDER, Competency, MilestoneSet, Subcompetency


def milestone_set_load(
    *, data: MilestoneSetData, by: Any = None, source_name: str = ""
) -> MilestoneSet:
    """Store a parsed set whole (rounds.milestones.loader checked it), or nothing."""
    with transaction.atomic():
        milestone_set = MilestoneSet.objects.create(
            specialty=data.specialty,
            version=data.version,
            title=data.title,
            effective_from=data.effective_from,
            harmonized_set=data.harmonized_set,
            source_name=source_name[:200],
            loaded_by=by if getattr(by, "is_authenticated", False) else None,
        )
        count = 0
        for competency in data.competencies:
            row = Competency.objects.create(
                milestone_set=milestone_set,
                code=competency.code,
                title=competency.title,
                order=COMPETENCY_ORDER.index(competency.code),
            )
            Subcompetency.objects.bulk_create(
                Subcompetency(
                    competency=row,
                    code=sub.code,
                    title=sub.title,
                    description=sub.description,
                    harmonized=data.specialty is None,
                    level_descriptions=list(sub.levels),
                    order=n,
                )
                for n, sub in enumerate(competency.subcompetencies)
            )
            count += len(competency.subcompetencies)
        audit_record(
            by=by,
            action="milestones.load",
            instance=milestone_set,
            summary=f"milestone set {milestone_set} loaded: {count} subcompetencies",
            changes={"source": source_name, "subcompetencies": count},
        )
    return milestone_set
