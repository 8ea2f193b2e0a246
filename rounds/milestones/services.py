"""Writes for milestones and the CCC. Each runs in one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from rounds.core.models import Program
from rounds.core.services import audit_record
from rounds.lib.today import today
from rounds.milestones.loader import MilestoneSetData
from rounds.milestones.models import (
    COMPETENCY_ORDER,
    CommitteeMember,
    CommitteeReview,
    Competency,
    ConsensusRating,
    LevelProposal,
    MilestoneSet,
    ReviewComment,
    Subcompetency,
    TraineeReview,
)
from rounds.milestones.periods import Period, period_parse
from rounds.people.models import Person, Trainee
from rounds.people.training import history_of


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


# ---------------------------------------------------------------------------------------------
# The Clinical Competency Committee
# ---------------------------------------------------------------------------------------------


class ReviewError(Exception):
    """A CCC write that cannot be made; the message says why and what to do instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def member_appoint(
    *, program: Program, person: Person, by: Any, is_chair: bool = False
) -> CommitteeMember:
    if person.kind != Person.Kind.FACULTY:
        raise ReviewError(f"{person} is not faculty; the committee's members are faculty.")
    with transaction.atomic():
        Program.objects.select_for_update().filter(pk=program.pk).first()
        if CommitteeMember.objects.filter(program=program, person=person, ended_on=None).exists():
            raise ReviewError(f"{person} already sits on the committee.")
        seat = CommitteeMember.objects.create(
            program=program,
            person=person,
            is_chair=is_chair,
            appointed_on=today(),
            appointed_by=_user(by),
        )
        audit_record(
            by=by,
            action="ccc.appoint",
            instance=seat,
            summary=f"{person} appointed to the CCC of {program}"
            + (" as chair" if is_chair else ""),
            changes={"person": person.pk, "chair": is_chair},
        )
    return seat


def member_end(*, seat: CommitteeMember, by: Any) -> None:
    with transaction.atomic():
        locked = CommitteeMember.objects.select_for_update().get(pk=seat.pk)
        if locked.ended_on is not None:
            return
        locked.ended_on = today()
        locked.save(update_fields=["ended_on"])
        audit_record(
            by=by,
            action="ccc.end_seat",
            instance=locked,
            summary=f"{locked.person} left the CCC of {locked.program}",
            changes={"ended_on": str(locked.ended_on)},
        )


def review_open(*, program: Program, period: Period, by: Any) -> CommitteeReview:
    """The program's review for `period`, opened now (or the one already open)."""
    from rounds.milestones.selectors import milestone_set_for

    if period.start > today():
        raise ReviewError(f"{period.label} has not started yet; a review opens once it has.")
    milestone_set = milestone_set_for(program, period.end)
    if milestone_set is None:
        raise ReviewError(
            f"No milestone set is loaded for {program.specialty}: load one with "
            "manage.py load_milestones (docs/milestones.md)."
        )
    with transaction.atomic():
        review, created = CommitteeReview.objects.get_or_create(
            program=program,
            period=period.code,
            defaults={"milestone_set": milestone_set, "opened_by": _user(by)},
        )
        if created:
            audit_record(
                by=by,
                action="ccc.open",
                instance=review,
                summary=f"CCC review {period.code} of {program} opened with {milestone_set}",
                changes={"set": milestone_set.pk},
            )
    return review


def _locked_open(review: CommitteeReview) -> CommitteeReview:
    """The review row, locked until the transaction ends, refusing if it is signed off."""
    locked = CommitteeReview.objects.select_for_update().get(pk=review.pk)
    if locked.is_signed_off:
        raise ReviewError(
            f"The {locked.period} review was signed off on {locked.signed_off_at:%Y-%m-%d}; its "
            "levels are read-only. The program director can record a correction with a reason."
        )
    return locked


def _check_resident(review: CommitteeReview, trainee: Trainee) -> None:
    period = period_parse(review.period)
    if not history_of(trainee).in_training_during(period.start, period.end, review.program_id):
        raise ReviewError(
            f"{trainee.person} was not in training in {review.program} during {period.label}."
        )


def proposals_save(
    *,
    review: CommitteeReview,
    trainee: Trainee,
    seat: CommitteeMember,
    levels: Mapping[Subcompetency, Decimal | None],
    by: Any,
) -> int:
    """Set the member's proposals for these subcompetencies; returns how many changed."""
    if seat.program_id != review.program_id or seat.ended_on is not None:
        raise ReviewError("Only a sitting member of this program's committee proposes levels.")
    _check_resident(review, trainee)
    changed = {}
    with transaction.atomic():
        _locked_open(review)
        existing = {
            p.subcompetency_id: p
            for p in LevelProposal.objects.select_for_update().filter(
                review=review, trainee=trainee, member=seat
            )
        }
        for sub, level in levels.items():
            before = existing.get(sub.pk)
            if before is not None and before.level == level:
                continue
            if before is None:
                LevelProposal.objects.create(
                    review=review, trainee=trainee, subcompetency=sub, member=seat, level=level
                )
            else:
                before.level = level
                before.save(update_fields=["level", "updated_at"])
            changed[sub.code] = {
                "from": _plain(before.level if before else ""),
                "to": _plain(level),
            }
        if changed:
            audit_record(
                by=by,
                action="ccc.propose",
                instance=review,
                summary=f"{seat.person} proposed levels for {trainee.person} ({len(changed)})",
                changes={"trainee": trainee.pk, "levels": changed},
            )
    return len(changed)


def consensus_save(
    *,
    review: CommitteeReview,
    trainee: Trainee,
    levels: Mapping[Subcompetency, Decimal | None],
    seen: Mapping[int, int | None],
    by: Any,
) -> int:
    """Record the committee's levels where they differ from the current ones; returns how many
    were recorded. `seen` is the consensus row id each subcompetency showed when the form was
    drawn: if someone recorded another level since, nothing is written and the message says so."""
    _check_resident(review, trainee)
    with transaction.atomic():
        _locked_open(review)
        current = _current_consensus(review, trainee)
        moved = [
            sub.code
            for sub in levels
            if sub.pk in seen
            and (current[sub.pk].pk if sub.pk in current else None) != seen[sub.pk]
        ]
        if moved:
            raise ReviewError(
                f"Someone recorded the consensus on {', '.join(sorted(moved))} while you were "
                "editing; nothing was saved. Look at their levels and record yours again."
            )
        recorded = _append_consensus(review, trainee, levels, current, by, reason="")
        if recorded:
            audit_record(
                by=by,
                action="ccc.consensus",
                instance=review,
                summary=f"consensus recorded for {trainee.person} ({len(recorded)} levels)",
                changes={"trainee": trainee.pk, "levels": recorded},
            )
    return len(recorded)


def consensus_correct(
    *,
    review: CommitteeReview,
    trainee: Trainee,
    subcompetency: Subcompetency,
    level: Decimal | None,
    reason: str,
    by: Any,
) -> ConsensusRating:
    """After sign-off: a new consensus row with its reason; the signed one stays."""
    reason = reason.strip()
    if not reason:
        raise ReviewError("A correction after sign-off needs a reason.")
    with transaction.atomic():
        locked = CommitteeReview.objects.select_for_update().get(pk=review.pk)
        if not locked.is_signed_off:
            raise ReviewError("The review is not signed off yet: record the consensus instead.")
        current = _current_consensus(review, trainee)
        recorded = _append_consensus(review, trainee, {subcompetency: level}, current, by, reason)
        if not recorded:
            raise ReviewError(f"{subcompetency.code} is already at that level; nothing to correct.")
        audit_record(
            by=by,
            action="ccc.correct",
            instance=review,
            summary=f"correction of {subcompetency.code} for {trainee.person} after sign-off",
            changes={"trainee": trainee.pk, "levels": recorded, "reason": reason[:300]},
        )
    return ConsensusRating.objects.filter(review=review, trainee=trainee).latest("pk")


def _current_consensus(review: CommitteeReview, trainee: Trainee) -> dict[int, ConsensusRating]:
    rows = ConsensusRating.objects.filter(review=review, trainee=trainee).order_by("pk")
    return {r.subcompetency_id: r for r in rows}


def _append_consensus(
    review: CommitteeReview,
    trainee: Trainee,
    levels: Mapping[Subcompetency, Decimal | None],
    current: Mapping[int, ConsensusRating],
    by: Any,
    reason: str,
) -> dict[str, dict[str, str]]:
    recorded = {}
    for sub, level in levels.items():
        before = current.get(sub.pk)
        if before is not None and before.level == level:
            continue
        ConsensusRating.objects.create(
            review=review,
            trainee=trainee,
            subcompetency=sub,
            level=level,
            recorded_by=_user(by),
            correction_reason=reason[:300],
        )
        recorded[sub.code] = {"from": _plain(before.level if before else ""), "to": _plain(level)}
    return recorded


def review_sign_off(*, review: CommitteeReview, by: Any) -> CommitteeReview:
    """The program director signs the review off once every resident has a consensus on every
    subcompetency ("not yet assessable" counts); then its levels are read-only."""
    from rounds.milestones.selectors import agreed_levels, review_residents, set_subcompetencies

    with transaction.atomic():
        locked = _locked_open(review)
        subs = set_subcompetencies(locked.milestone_set)
        consensus = agreed_levels(locked)
        missing = [
            t.person.full_name
            for t, _ in review_residents(locked)
            if any((t.pk, s.pk) not in consensus for s in subs)
        ]
        if missing:
            shown = ", ".join(missing[:5]) + (
                f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            )
            raise ReviewError(
                f"{len(missing)} resident(s) still lack a consensus on some subcompetency "
                f'({shown}); record one (or "not yet assessable") before signing off.'
            )
        locked.signed_off_at = timezone.now()
        locked.signed_off_by = _user(by)
        locked.save(update_fields=["signed_off_at", "signed_off_by"])
        audit_record(
            by=by,
            action="ccc.sign_off",
            instance=locked,
            summary=f"CCC review {locked.period} of {locked.program} signed off",
            changes={},
        )
    return locked


def _trainee_review(review: CommitteeReview, trainee: Trainee) -> TraineeReview:
    found, _ = TraineeReview.objects.select_for_update().get_or_create(
        review=review, trainee=trainee
    )
    return found


def summary_save(*, review: CommitteeReview, trainee: Trainee, text: str, by: Any) -> TraineeReview:
    """The committee's narrative for the resident (strengths, what next), before sign-off."""
    _check_resident(review, trainee)
    with transaction.atomic():
        _locked_open(review)
        tr = _trainee_review(review, trainee)
        if tr.summary == text.strip():
            return tr
        before, tr.summary = tr.summary, text.strip()
        tr.save(update_fields=["summary"])
        audit_record(
            by=by,
            action="ccc.summary",
            instance=tr,
            summary=f"committee summary for {trainee.person} ({review.period})",
            changes={"from": before, "to": tr.summary},
        )
    return tr


def meeting_record(
    *, review: CommitteeReview, trainee: Trainee, met_on: date, note: str, by: Any
) -> TraineeReview:
    """The program director met the resident with the signed-off result (and may note what was
    said: kept as a comment, never replaced)."""
    if not review.is_signed_off:
        raise ReviewError("Meet the resident once the review is signed off.")
    if met_on > today():
        raise ReviewError(f"The meeting date {met_on:%Y-%m-%d} is in the future.")
    _check_resident(review, trainee)
    with transaction.atomic():
        tr = _trainee_review(review, trainee)
        changes: dict[str, Any] = {"met_on": {"from": _plain(tr.met_on), "to": str(met_on)}}
        tr.met_on, tr.met_by = met_on, _user(by)
        tr.save(update_fields=["met_on", "met_by"])
        if note.strip():
            ReviewComment.objects.create(
                trainee_review=tr,
                author=_user(by),
                author_role="Program director",
                text=note.strip(),
            )
            changes["note"] = note.strip()[:200]
        audit_record(
            by=by,
            action="ccc.meeting",
            instance=tr,
            summary=f"semiannual review meeting with {trainee.person} on {met_on:%Y-%m-%d}",
            changes=changes,
        )
    return tr


def acknowledge(*, trainee_review: TraineeReview, comment: str, by: Any) -> TraineeReview:
    """The resident acknowledges the result (once) and may comment (as often as they like)."""
    with transaction.atomic():
        tr = (
            TraineeReview.objects.select_for_update()
            .select_related("review")
            .get(pk=trainee_review.pk)
        )
        if tr.met_on is None:
            raise ReviewError(
                "Your program director has not recorded your review meeting yet; you can "
                "acknowledge the result after it."
            )
        if tr.acknowledged_at is None:
            tr.acknowledged_at = timezone.now()
            tr.save(update_fields=["acknowledged_at"])
            audit_record(
                by=by,
                action="ccc.acknowledge",
                instance=tr,
                summary=f"{tr.review.period} result acknowledged by the resident",
                changes={},
            )
        elif not comment.strip():
            raise ReviewError("You have already acknowledged this result; add a comment instead.")
        if comment.strip():
            ReviewComment.objects.create(
                trainee_review=tr, author=_user(by), author_role="Resident", text=comment.strip()
            )
            audit_record(
                by=by,
                action="ccc.comment",
                instance=tr,
                summary=f"resident's comment on the {tr.review.period} result",
                changes={"text": comment.strip()[:200]},
            )
    return tr


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _plain(value: Any) -> str:
    return "" if value is None else str(value)
