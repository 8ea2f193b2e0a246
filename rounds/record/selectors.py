"""Reads for the training record. The facts of a letter come from the dated training history
(rounds/people/training.py) as it stands on the letter's day, never from `Trainee.status`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from rounds.core.models import Program
from rounds.leave.selectors import leave_extension_days, letters_state_remediation, remediations_of
from rounds.people.models import Trainee, TrainingEvent
from rounds.people.training import History, history_of, trainees_in_training
from rounds.record.models import (
    Credential,
    CredentialRequirement,
    CredentialType,
    OnboardingTask,
    VerificationLetter,
)


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
    made_up = leave_extension_days(trainee)
    facts: dict[str, Any] = {
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
            {
                "recorded": e.effective_date.isoformat(),
                "to": e.end_date.isoformat(),
                **({"leave_days": made_up[e.pk]} if e.pk in made_up else {}),
            }
            for e in events
            if e.kind == TrainingEvent.Kind.EXTENSION and e.end_date and e.effective_date <= day
        ],
    }
    if letters_state_remediation():
        facts["remediation"] = [
            {
                "kind": r.get_kind_display(),
                "first": r.start.isoformat(),
                "last": r.end.isoformat() if r.end else None,
                "outcome": r.get_outcome_display(),
            }
            for r in remediations_of(trainee)
            if r.start <= day
        ]
    return facts


def letters_of(trainee: Trainee) -> QuerySet[VerificationLetter]:
    return VerificationLetter.objects.filter(trainee=trainee).defer("pdf")


def letters_in(programs: QuerySet[Program]) -> QuerySet[VerificationLetter]:
    return (
        VerificationLetter.objects.filter(trainee__program__in=programs)
        .select_related("trainee__person", "trainee__program")
        .defer("pdf")
    )


# Credentials --------------------------------------------------------------------------------

EXPIRING_SOON_DAYS = 60


@dataclass(frozen=True)
class CredentialGap:
    """A required credential a trainee lacks on a day: never recorded ("missing"), past its
    expiry ("expired"), or expiring within EXPIRING_SOON_DAYS ("expiring")."""

    trainee: Trainee
    credential_type: CredentialType
    status: str
    credential: Credential | None

    @property
    def lapsed(self) -> bool:
        return self.status in ("missing", "expired")

    def days_left(self, day: date) -> int | None:
        return (self.credential.expires_on - day).days if self.credential else None


def latest_credentials(trainee_ids: Iterable[int]) -> dict[tuple[int, int], Credential]:
    """Each trainee's credential of each type with the latest expiry (a renewal supersedes)."""
    latest: dict[tuple[int, int], Credential] = {}
    rows = Credential.objects.filter(trainee_id__in=list(trainee_ids)).select_related(
        "credential_type"
    )
    for credential in rows.order_by("expires_on", "pk"):
        latest[(credential.trainee_id, credential.credential_type_id)] = credential
    return latest


def required_types(program_ids: Iterable[int]) -> dict[int, list[CredentialType]]:
    required: dict[int, list[CredentialType]] = {}
    rows = CredentialRequirement.objects.filter(program_id__in=list(program_ids))
    for row in rows.select_related("credential_type").order_by("credential_type__name"):
        required.setdefault(row.program_id, []).append(row.credential_type)
    return required


def credential_gaps(
    trainees: Sequence[Trainee], day: date, soon: int = EXPIRING_SOON_DAYS
) -> list[CredentialGap]:
    """The required credentials of `trainees` missing, expired or expiring on `day`, the program
    being the one each trainee is in on that day (or will start in). Worst first: expired, then
    missing, then expiring soonest."""
    program_of = {t.pk: history_of(t).program_on(day) for t in trainees}
    required = required_types(program_of.values())
    latest = latest_credentials(program_of)
    gaps = []
    for trainee in trainees:
        for kind in required.get(program_of[trainee.pk], []):
            held = latest.get((trainee.pk, kind.pk))
            status = _status(held, day, soon)
            if status:
                gaps.append(CredentialGap(trainee, kind, status, held))
    order = {"expired": 0, "missing": 1, "expiring": 2}
    return sorted(
        gaps,
        key=lambda g: (
            order[g.status],
            g.credential.expires_on if g.credential else date.min,
            g.trainee.person.last_name,
        ),
    )


def _status(held: Credential | None, day: date, soon: int) -> str | None:
    if held is None:
        return "missing"
    if held.expires_on < day:
        return "expired"
    if held.expires_on <= day + timedelta(days=soon):
        return "expiring"
    return None


def lapsed_credentials(trainees: Sequence[Trainee], day: date) -> dict[int, list[CredentialGap]]:
    """For other screens (the schedule grid, the switchboard): trainee id -> the required
    credentials not valid on `day` (never recorded, or expired before it). A trainee with none
    lapsed is absent. A credential is valid through its expiry date. Pass trainees loaded with
    `training_events` prefetched (as rounds.people.training.trainees_in_training returns them):
    this costs three queries for any number of trainees."""
    out: dict[int, list[CredentialGap]] = {}
    for gap in credential_gaps(trainees, day, soon=0):
        if gap.lapsed:
            out.setdefault(gap.trainee.pk, []).append(gap)
    return out


def lapse_marks(trainees: Sequence[Trainee], first: date, last: date) -> dict[int, str]:
    """For a screen showing the days `first` to `last` (a schedule grid, the on-call list):
    trainee id -> a sentence naming each required credential not valid on some of those days,
    with its date ("BLS expired Nov 3, 2026; ACLS not recorded"). Checked on `last`: a credential
    valid through a day before it lapses within the dates shown. Trainees with none are absent."""
    return {
        pk: "; ".join(_lapse_text(gap, first) for gap in gaps)
        for pk, gaps in lapsed_credentials(trainees, last).items()
    }


def _lapse_text(gap: CredentialGap, first: date) -> str:
    name = gap.credential_type.name
    if gap.credential is None:
        return f"{name} not recorded"
    until = gap.credential.expires_on
    when = f"{until:%b} {until.day}, {until.year}"
    return f"{name} expired {when}" if until < first else f"{name} valid only through {when}"


def credentials_of(trainee: Trainee) -> QuerySet[Credential]:
    return Credential.objects.filter(trainee=trainee).select_related("credential_type")


def trainees_to_credential(programs: Iterable[Program], day: date) -> list[Trainee]:
    """Trainees of `programs` in training on some day from `day` to EXPIRING_SOON_DAYS on:
    those in training now and those arriving soon, who must hold their credentials on day one."""
    return trainees_in_training(list(programs), day, day + timedelta(days=EXPIRING_SOON_DAYS))


# Onboarding ---------------------------------------------------------------------------------


def onboarding_tasks_of(trainee: Trainee) -> QuerySet[OnboardingTask]:
    return OnboardingTask.objects.filter(trainee=trainee).select_related("item").defer("file_data")


@dataclass(frozen=True)
class OnboardingRow:
    trainee: Trainee
    open_tasks: list[OnboardingTask]
    overdue: int
    done: int

    @property
    def total(self) -> int:
        return self.done + len(self.open_tasks)


def overdue_onboarding(trainees: Iterable[Trainee], day: date) -> int:
    """How many of `trainees` have an onboarding task past its due date and not done."""
    return (
        OnboardingTask.objects.filter(
            trainee__in=list(trainees), done_at__isnull=True, due_on__lt=day
        )
        .values("trainee")
        .distinct()
        .count()
    )


def onboarding_missing(programs: Iterable[Program], day: date) -> list[OnboardingRow]:
    """Trainees of `programs` with onboarding still to do: most overdue first, then by the
    earliest due date."""
    tasks = (
        OnboardingTask.objects.filter(trainee__program__in=list(programs))
        .select_related("item", "trainee__person", "trainee__program")
        .defer("file_data")
        .order_by("due_on", "item__title")
    )
    by_trainee: dict[int, list[OnboardingTask]] = {}
    for task in tasks:
        by_trainee.setdefault(task.trainee_id, []).append(task)
    rows = []
    for all_tasks in by_trainee.values():
        open_tasks = [t for t in all_tasks if t.done_at is None]
        if open_tasks:
            overdue = sum(1 for t in open_tasks if t.due_on < day)
            done = len(all_tasks) - len(open_tasks)
            rows.append(OnboardingRow(all_tasks[0].trainee, open_tasks, overdue, done))
    return sorted(rows, key=lambda r: (-r.overdue, r.open_tasks[0].due_on, r.trainee.pk))
