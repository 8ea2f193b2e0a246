"""Writes: board rules loaded from a file, a program's policy, an extension that makes up leave
beyond the board's allowance, and remediation records. Each in one transaction, audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from rounds.core.models import Program
from rounds.core.services import audit_record
from rounds.leave.loader import BoardRule
from rounds.leave.models import Board, LeaveExtension, LeavePolicy, Remediation
from rounds.leave.selectors import standings
from rounds.lib import today as clock
from rounds.lib.idempotency import submit_once
from rounds.people.models import Trainee
from rounds.people.services import TrainingError, trainee_extend
from rounds.people.training import history_prefetch


class LeaveError(Exception):
    """A write refused; the message says what to change."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def boards_load(*, rules: list[BoardRule], source_name: str, by: Any = None) -> tuple[int, int]:
    """Create or update each board by its code, all in one transaction. Returns (new, updated)."""
    new = updated = 0
    with transaction.atomic():
        for rule in rules:
            values = {k: v for k, v in rule.__dict__.items() if k != "code"}
            board, created = Board.objects.update_or_create(code=rule.code, defaults=values)
            new, updated = new + created, updated + (not created)
            audit_record(
                by=by,
                action="leave.board_load",
                instance=board,
                summary=f"Board rules of {board.name} loaded from {source_name}",
                changes={k: str(v) for k, v in values.items()},
            )
    return new, updated


def policy_set(
    *, program: Program, board: Board | None, by: Any = None, **days: int
) -> LeavePolicy:
    with transaction.atomic():
        policy, _ = LeavePolicy.objects.update_or_create(
            program=program, defaults={"board": board, **days}
        )
        audit_record(
            by=by,
            action="leave.policy",
            instance=policy,
            summary=f"Leave policy of {program.name} set",
            changes={"board": board.code if board else None, **days},
        )
    return policy


def leave_extension_confirm(
    *, trainee: Trainee, days: int, reason: str, by: Any, token: str = ""
) -> LeaveExtension:
    """Extend `trainee`'s training by the days of leave beyond their board's allowance, as the
    preview showed them (`days`): a dated EXTENSION in the training history, so schedules follow.
    Refused when the leave changed since the preview; a double submit extends once."""
    if not reason.strip():
        raise LeaveError("Say why training is extended (it goes in the record and the audit log).")

    def write() -> LeaveExtension:
        with transaction.atomic():
            locked = (
                Trainee.objects.select_for_update()
                .select_related("person", "program")
                .prefetch_related(*history_prefetch())
                .get(pk=trainee.pk)
            )
            today = clock.today()
            (standing,) = standings([locked], today)
            if not standing.flagged:
                raise LeaveError(
                    f"{locked.person.full_name}'s leave is within the board's allowance now; "
                    "nothing to extend."
                )
            if standing.days_to_add != days:
                raise LeaveError(
                    f"The leave changed since the preview: {standing.days_to_add} days to make up "
                    f"now, not {days}. Look at the preview again."
                )
            try:
                event = trainee_extend(
                    trainee=locked,
                    new_end=standing.new_end,
                    decided_on=today,
                    reason=reason.strip()[:300],
                    by=by,
                )
            except TrainingError as error:
                raise LeaveError(str(error)) from None
            made = LeaveExtension.objects.create(
                trainee=locked, event=event, days=days, board=standing.board, recorded_by=_user(by)
            )
            audit_record(
                by=by,
                action="leave.extension",
                instance=made,
                summary=f"Training of {locked.person.full_name} extended by {days} days of leave "
                f"beyond the {standing.board} allowance",
                changes={"days": days, "to": standing.new_end.isoformat(), "reason": reason},
            )
        return made

    made, _ = submit_once(
        token=token, scope=f"leave.extension.{trainee.pk}", by=by, model=LeaveExtension, write=write
    )
    return made


def remediation_record(
    *,
    trainee: Trainee,
    kind: str,
    start: date,
    end: date | None,
    outcome: str,
    by: Any,
    token: str = "",
) -> Remediation:
    if kind not in Remediation.Kind.values:
        raise LeaveError("Choose remediation or probation.")
    if outcome not in Remediation.Outcome.values:
        raise LeaveError("Choose an outcome.")
    if end is not None and end < start:
        raise LeaveError("The last day comes before the first; check the dates.")
    if start > clock.today():
        raise LeaveError(
            "A remediation is recorded once it has started; the first day is in the future."
        )
    if outcome != Remediation.Outcome.ONGOING and end is None:
        raise LeaveError("An outcome other than ongoing needs the last day.")

    def write() -> Remediation:
        with transaction.atomic():
            made = Remediation.objects.create(
                trainee=trainee, kind=kind, start=start, end=end, outcome=outcome,
                recorded_by=_user(by),
            )  # fmt: skip
            audit_record(
                by=by,
                action="leave.remediation",
                instance=made,
                summary=f"{made.get_kind_display()} of {trainee.person.full_name} recorded",
                changes={
                    "kind": kind,
                    "start": start.isoformat(),
                    "end": end.isoformat() if end else None,
                    "outcome": outcome,
                },
            )
        return made

    made, _ = submit_once(
        token=token, scope=f"leave.remediation.{trainee.pk}", by=by, model=Remediation, write=write
    )
    return made


def remediation_close(*, remediation: Remediation, end: date, outcome: str, by: Any) -> Remediation:
    """Give an ongoing remediation its last day and outcome (once: a closed one stays closed)."""
    if outcome not in Remediation.Outcome.values or outcome == Remediation.Outcome.ONGOING:
        raise LeaveError("Choose how it ended.")
    with transaction.atomic():
        row = Remediation.objects.select_for_update().get(pk=remediation.pk)
        if row.outcome != Remediation.Outcome.ONGOING:
            return row  # closed already (the button pressed twice)
        if end < row.start:
            raise LeaveError("The last day comes before the first; check the dates.")
        row.end, row.outcome = end, outcome
        row.save(update_fields=["end", "outcome"])
        audit_record(
            by=by,
            action="leave.remediation_close",
            instance=row,
            summary=f"{row.get_kind_display()} of trainee {row.trainee_id} closed: "
            f"{row.get_outcome_display()}",
            changes={"end": end.isoformat(), "outcome": outcome},
        )
    return row
