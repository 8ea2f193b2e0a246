"""Reads for the training record. The facts of a letter come from the dated training history
(rounds/people/training.py) as it stands on the letter's day, never from `Trainee.status`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from rounds.core.models import Program
from rounds.people.models import Trainee, TrainingEvent
from rounds.people.training import History, history_of
from rounds.record.models import VerificationLetter


def letter_kind(history: History, day: date) -> str:
    """A certificate of completion once the history records completion on or before `day`;
    otherwise a verification of the training so far (or up to a withdrawal)."""
    if history.finished and history.finished[0] == "graduated" and history.finished[1] <= day:
        return VerificationLetter.Kind.COMPLETION
    return VerificationLetter.Kind.VERIFICATION


def letter_facts(trainee: Trainee, day: date) -> dict[str, Any]:
    """What a letter dated `day` states: who, which program and its accreditation, the dates,
    leave and extensions, and the standing on that day. Dates are ISO strings (JSON)."""
    history = history_of(trainee)
    program = Program.objects.select_related("specialty").get(pk=history.program_on(day))
    events = list(trainee.training_events.all())
    last_day = min(history.last_day, day) if history.start <= day else None
    return {
        "name": trainee.person.full_name,
        "program": program.name,
        "specialty": program.specialty.name,
        "acgme_number": program.acgme_number,
        "accreditation": program.get_accreditation_display(),
        "start": history.start.isoformat(),
        "through": last_day.isoformat() if last_day else None,
        "expected_end": history.expected_end.isoformat(),
        "standing": history.status_label_on(day),
        "completed": letter_kind(history, day) == VerificationLetter.Kind.COMPLETION,
        "pgy_levels": sorted({level for since, level in history.levels if since <= day}),
        "leaves": [
            {"first": a.isoformat(), "last": b.isoformat(), "days": (b - a).days + 1}
            for a, b in sorted(history.leaves)
            if a <= day
        ],
        "extensions": [
            {"recorded": e.effective_date.isoformat(), "to": e.end_date.isoformat()}
            for e in events
            if e.kind == TrainingEvent.Kind.EXTENSION and e.end_date and e.effective_date <= day
        ],
    }


def letters_of(trainee: Trainee) -> QuerySet[VerificationLetter]:
    return VerificationLetter.objects.filter(trainee=trainee).defer("pdf")


def letters_in(programs: QuerySet[Program]) -> QuerySet[VerificationLetter]:
    return (
        VerificationLetter.objects.filter(trainee__program__in=programs)
        .select_related("trainee__person", "trainee__program")
        .defer("pdf")
    )
