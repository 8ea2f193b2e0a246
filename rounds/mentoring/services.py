"""Writes for mentoring and coaching. Each runs in one transaction with its audit row.

Domain errors (MentoringError) carry a sentence a person can act on; views show it as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.utils import timezone

from rounds.core.services import audit_record
from rounds.engine.matching import Problem
from rounds.engine.matching.fit import explain, pair_fit
from rounds.jobs.models import Job
from rounds.jobs.services import job_start
from rounds.lib import today as clock
from rounds.lib.idempotency import AlreadySubmitted, submit_once
from rounds.lib.links import absolute_url
from rounds.mentoring.models import (
    Application,
    Coach,
    CoachingNote,
    CoachingSlot,
    Cycle,
    CycleMentor,
    Goal,
    Meeting,
    MentorProfile,
    Pair,
    RematchRequest,
)
from rounds.mentoring.selectors import matching_problem, mentee_key, mentor_key, mentor_load
from rounds.people.models import Trainee

logger = logging.getLogger(__name__)
MATCH_JOB = "mentoring_match"
_Saved = TypeVar("_Saved", Application, CycleMentor)


class MentoringError(Exception):
    """Something a person asked for that cannot be done; the message says why and what to do."""


# ---------------------------------------------------------------- cycles


def cycle_set_status(*, cycle: Cycle, status: str, by: Any) -> Cycle:
    allowed = {
        Cycle.Status.DRAFT: {Cycle.Status.OPEN},
        Cycle.Status.OPEN: {Cycle.Status.CLOSED, Cycle.Status.DRAFT},
        Cycle.Status.CLOSED: {Cycle.Status.OPEN},
        Cycle.Status.PUBLISHED: set(),
    }
    if cycle.job_id and not cycle.job.is_finished:  # type: ignore[union-attr]
        raise MentoringError("The matcher is running for this cycle; wait for it to finish.")
    if status not in allowed[Cycle.Status(cycle.status)]:
        raise MentoringError(
            f"A cycle that is {cycle.get_status_display().lower()} cannot become "
            f"{Cycle.Status(status).label.lower()}."
        )
    with transaction.atomic():
        before = cycle.status
        cycle.status = status
        cycle.save(update_fields=["status"])
        audit_record(
            by=by,
            action="update",
            instance=cycle,
            summary=f"mentoring cycle {cycle} now {cycle.get_status_display().lower()}",
            changes={"status": {"from": before, "to": status}},
        )
    return cycle


def application_save(
    *, cycle: Cycle, trainee: Trainee, data: dict[str, Any], by: Any, token: str = ""
) -> Application:
    """Sign a trainee up for a cycle, or change their wishes. One sign-up per trainee and cycle
    (a unique constraint); the same form (`token`) sent twice saves once."""
    if cycle.status != Cycle.Status.OPEN:
        raise MentoringError("Sign-up for this cycle is closed; ask your program coordinator.")
    if cycle.signup_closes and clock.today() > cycle.signup_closes:
        raise MentoringError(
            f"Sign-up closed on {cycle.signup_closes:%d %b %Y}; ask your program coordinator."
        )

    def save() -> Application:
        application, created = Application.objects.update_or_create(
            cycle=cycle, trainee=trainee, defaults=data
        )
        audit_record(
            by=by,
            action="create" if created else "update",
            instance=application,
            summary=f"mentee sign-up for {cycle}",
            changes={},
        )
        return application

    with transaction.atomic():
        return _once(token=token, scope="mentoring.apply", by=by, model=Application, write=save)


def application_withdraw(*, application: Application, by: Any) -> None:
    if application.cycle.status != Cycle.Status.OPEN:
        raise MentoringError("Matching has started; ask your program coordinator to withdraw you.")
    with transaction.atomic():
        audit_record(
            by=by,
            action="delete",
            instance=application,
            summary=f"mentee withdrew from {application.cycle}",
            changes={},
        )
        application.delete()


def cycle_mentor_save(
    *,
    cycle: Cycle,
    profile: MentorProfile,
    capacity: int,
    ratings: dict[str, int],
    by: Any,
    token: str = "",
) -> CycleMentor:
    """A mentor joins a cycle, or changes their capacity and ratings; once per form `token`."""
    if cycle.status not in (Cycle.Status.OPEN, Cycle.Status.DRAFT):
        raise MentoringError("This cycle no longer takes mentors; ask its coordinator.")

    def save() -> CycleMentor:
        entry, created = CycleMentor.objects.update_or_create(
            cycle=cycle, profile=profile, defaults={"capacity": capacity, "ratings": ratings}
        )
        audit_record(
            by=by,
            action="create" if created else "update",
            instance=entry,
            summary=f"mentor {profile} in {cycle}: up to {capacity}",
            changes={},
        )
        return entry

    with transaction.atomic():
        return _once(token=token, scope="mentoring.join", by=by, model=CycleMentor, write=save)


def _once(
    *, token: str, scope: str, by: Any, model: type[_Saved], write: Callable[[], _Saved]
) -> _Saved:
    try:
        saved, _first = submit_once(token=token, scope=scope, by=by, model=model, write=write)
    except AlreadySubmitted as error:
        raise MentoringError(error.message) from None
    return saved


def matching_start(*, cycle: Cycle, by: Any) -> Job:
    """Freeze the cycle's input and queue the matcher; the result lands as proposed pairs."""
    if cycle.status == Cycle.Status.PUBLISHED:
        raise MentoringError("This cycle is published; its pairs can no longer be re-matched.")
    if cycle.job_id and not cycle.job.is_finished:  # type: ignore[union-attr]
        raise MentoringError("The matcher is already running for this cycle; wait for it to end.")
    problem = matching_problem(cycle)
    if not problem["mentees"]:
        raise MentoringError("No mentee has signed up yet, so there is nothing to match.")
    if not problem["mentors"]:
        raise MentoringError("No mentor has joined this cycle with room for mentees.")
    Problem.from_json(problem)  # a ProblemError here is a bug in the adapter; fail loudly now
    with transaction.atomic():
        if cycle.status == Cycle.Status.OPEN:
            cycle.status = Cycle.Status.CLOSED
        cycle.problem = problem
        cycle.job = job_start(
            kind=MATCH_JOB,
            title=f"Match mentors for {cycle}",
            started_by=by,
            params={"cycle_id": cycle.pk},
        )
        cycle.save(update_fields=["status", "problem", "job"])
        audit_record(
            by=by,
            action="update",
            instance=cycle,
            summary=f"matcher started for {cycle}",
            changes={"mentees": len(problem["mentees"]), "mentors": len(problem["mentors"])},
        )
    return cycle.job


def matching_store(*, cycle: Cycle, result: dict[str, Any]) -> int:
    """Replace the cycle's matcher-made proposals with `result`'s pairs; hand-made ones stay."""
    applications = {mentee_key(a): a for a in cycle.applications.all()}
    mentors = {mentor_key(m): m.profile_id for m in cycle.mentors.all()}
    with transaction.atomic():
        cycle.pairs.filter(status=Pair.Status.PROPOSED, by_hand=False).delete()
        kept = set(
            cycle.pairs.filter(status=Pair.Status.PROPOSED, by_hand=True).values_list(
                "mentee_id", flat=True
            )
        )
        made = 0
        for row in result["pairs"]:
            application = applications.get(row["mentee"])
            mentor_id = mentors.get(row["mentor"])
            if application is None or mentor_id is None:
                continue  # withdrew while the matcher ran
            trainee_id = application.trainee_id
            if row.get("pinned") or trainee_id in kept:
                continue
            Pair.objects.create(
                cycle=cycle,
                mentor_id=mentor_id,
                mentee_id=trainee_id,
                fit=row["fit"],
                explanation=row["explanation"],
            )
            made += 1
        cycle.result = result
        cycle.save(update_fields=["result"])
    return made


def _explain_by_hand(cycle: Cycle, trainee_id: int, profile: MentorProfile) -> tuple[int, str]:
    problem = Problem.from_json(cycle.problem) if cycle.problem else None
    application = cycle.applications.filter(trainee_id=trainee_id).first()
    if problem is None or application is None:
        return 0, "set by hand"
    mentees = {m.id: m for m in problem.mentees}
    mentors = {m.id: m for m in problem.mentors}
    mentee, mentor = mentees.get(mentee_key(application)), mentors.get(f"m{profile.pk}")
    if mentee is None or mentor is None:
        return 0, "set by hand"
    return pair_fit(problem, mentee, mentor), "set by hand; " + explain(problem, mentee, mentor)


def pair_assign(*, cycle: Cycle, trainee: Trainee, profile: MentorProfile, by: Any) -> Pair:
    """Give a mentee a mentor by hand. Before publication this sets the proposal; after it, it
    starts a new active pair at once (a mentee left unmatched, or one whose pair has ended after
    a re-match request) and tells both people."""
    published = cycle.status == Cycle.Status.PUBLISHED
    if not cycle.applications.filter(trainee=trainee).exists():
        raise MentoringError(f"{trainee.person} has not signed up for this cycle.")
    if profile.person_id == trainee.person_id:
        raise MentoringError("A person cannot mentor themselves.")
    with transaction.atomic():
        mine = cycle.pairs.select_for_update().filter(mentee=trainee)
        current = mine.exclude(status=Pair.Status.ENDED).first()
        if published and current is not None:
            raise MentoringError(
                f"{trainee.person} already has an active mentor in this cycle; end that pair "
                "first (from the re-match requests page)."
            )
        load = mentor_load(cycle)
        taken = load.get(profile.pk, 0) - (1 if current and current.mentor_id == profile.pk else 0)
        entry = cycle.mentors.filter(profile=profile).first()
        capacity = entry.capacity if entry else profile.capacity
        if taken >= capacity:
            raise MentoringError(
                f"{profile} already has {taken} mentee{'s' if taken != 1 else ''}, their "
                f"capacity for this cycle; raise it first or choose another mentor."
            )
        fit, why = _explain_by_hand(cycle, trainee.pk, profile)
        before = str(current.mentor) if current else None
        if current is None:
            current = Pair(cycle=cycle, mentee=trainee)
        if published:
            current.status, current.started_on = Pair.Status.ACTIVE, clock.today()
        current.mentor, current.fit, current.explanation, current.by_hand = profile, fit, why, True
        current.save()
        audit_record(
            by=by,
            action="update",
            instance=current,
            summary=f"mentor for {trainee.person} set by hand to {profile}",
            changes={"mentor": {"from": before, "to": str(profile)}},
        )
        if published:
            made = current
            transaction.on_commit(lambda: _notify_pairs([made]))
    return current


def pair_unassign(*, pair: Pair, by: Any) -> None:
    if pair.status != Pair.Status.PROPOSED:
        raise MentoringError("Only a proposed pair can be removed; end an active pair instead.")
    with transaction.atomic():
        audit_record(by=by, action="delete", instance=pair, summary=f"{pair} removed", changes={})
        pair.delete()


def cycle_publish(*, cycle: Cycle, by: Any) -> int:
    """Make every proposed pair active and tell both sides by email."""
    if cycle.status == Cycle.Status.PUBLISHED:
        raise MentoringError("This cycle is already published.")
    if cycle.job_id and not cycle.job.is_finished:  # type: ignore[union-attr]
        raise MentoringError("The matcher is still running; publish when it has finished.")
    with transaction.atomic():
        locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if locked.status == Cycle.Status.PUBLISHED:
            raise MentoringError("This cycle is already published.")
        pairs = list(proposed(cycle))
        if not pairs:
            raise MentoringError("There are no proposed pairs to publish; run the matcher first.")
        today = clock.today()
        cycle.pairs.filter(status=Pair.Status.PROPOSED).update(
            status=Pair.Status.ACTIVE, started_on=today
        )
        cycle.status, cycle.published_at = Cycle.Status.PUBLISHED, timezone.now()
        cycle.save(update_fields=["status", "published_at"])
        audit_record(
            by=by,
            action="update",
            instance=cycle,
            summary=f"{cycle} published: {len(pairs)} pairs",
            changes={"pairs": len(pairs)},
        )
        transaction.on_commit(lambda: _notify_pairs(pairs))
    return len(pairs)


def proposed(cycle: Cycle) -> list[Pair]:
    return list(
        cycle.pairs.filter(status=Pair.Status.PROPOSED).select_related(
            "mentor__person", "mentee__person"
        )
    )


def _notify_pairs(pairs: list[Pair]) -> None:
    messages = []
    for pair in pairs:
        link = absolute_url("mentoring:pair", pair.pk)
        mentor, mentee = pair.mentor.person, pair.mentee.person
        messages.append(
            (
                "Your mentor for this year",
                f"Dear {mentee.first_name},\n\n{mentor.full_name} will be your mentor.\n"
                f"Why you were matched: {pair.explanation}.\n\nSet your first goals and "
                f"meeting here: {link}\n",
                settings.DEFAULT_FROM_EMAIL,
                [mentee.email],
            )
        )
        messages.append(
            (
                "A new mentee",
                f"Dear {mentor.first_name},\n\n{mentee.full_name} will be your mentee.\n"
                f"Why you were matched: {pair.explanation}.\n\nPlan your first meeting here: "
                f"{link}\n",
                settings.DEFAULT_FROM_EMAIL,
                [mentor.email],
            )
        )
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # the pairs stand; a mail outage must not undo a publication
        logger.exception("could not send mentoring match emails")


# ---------------------------------------------------------------- pairs


def goal_add(*, pair: Pair, text: str, target_date: date | None, by: Any) -> Goal:
    if not text.strip():
        raise MentoringError("Write the goal in a few words.")
    with transaction.atomic():
        goal = Goal.objects.create(pair=pair, text=text.strip()[:300], target_date=target_date)
        audit_record(
            by=by, action="create", instance=goal, summary="mentoring goal added", changes={}
        )
    return goal


def goal_toggle(*, goal: Goal, by: Any) -> Goal:
    with transaction.atomic():
        goal.done = not goal.done
        goal.save(update_fields=["done"])
        audit_record(
            by=by,
            action="update",
            instance=goal,
            summary=f"mentoring goal marked {'done' if goal.done else 'not done'}",
            changes={"done": goal.done},
        )
    return goal


def meeting_log(*, pair: Pair, when: date, minutes: int, topics: str, by: Any) -> Meeting:
    if pair.status != Pair.Status.ACTIVE:
        raise MentoringError("Meetings can be logged only for an active pair.")
    if when > clock.today():
        raise MentoringError("Log a meeting once it has happened; the date is in the future.")
    if pair.started_on and when < pair.started_on:
        raise MentoringError(f"This pair started on {pair.started_on:%d %b %Y}; pick a later date.")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            pair=pair, date=when, minutes=minutes, topics=topics.strip(), logged_by=by
        )
        audit_record(
            by=by, action="create", instance=meeting, summary="mentoring meeting logged", changes={}
        )
    return meeting


def rematch_request(*, pair: Pair, side: str, reason: str, by: Any) -> RematchRequest:
    if RematchRequest.objects.filter(pair=pair, requested_by=by, resolved_at=None).exists():
        raise MentoringError("You have already asked; the coordinator will be in touch privately.")
    with transaction.atomic():
        request = RematchRequest.objects.create(
            pair=pair, side=side, reason=reason.strip(), requested_by=by
        )
        audit_record(
            by=by, action="create", instance=request, summary="re-match requested", changes={}
        )
        transaction.on_commit(lambda: _notify_rematch(pair))
    return request


def _notify_rematch(pair: Pair) -> None:
    """Tell the program's coordinators (else directors) that a request waits; no names or
    reasons in the email, which may be read on a shared screen."""
    from rounds.people.models import Role, RoleAssignment

    program = pair.mentee.program
    for role in (Role.PROGRAM_COORDINATOR, Role.PROGRAM_DIRECTOR):
        emails = sorted(
            set(
                RoleAssignment.objects.filter(program=program, role=role)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        if emails:
            break
    if not emails:
        return
    link = absolute_url("mentoring:rematch_list")
    try:
        send_mail(
            "A private mentoring re-match request",
            f"Someone in a mentoring pair in {program} has asked, privately, to be re-matched.\n"
            f"Read the request (sign-in needed): {link}\n",
            settings.DEFAULT_FROM_EMAIL,
            emails,
        )
    except Exception:  # the request is stored; a mail outage must not lose it
        logger.exception("could not send re-match notification")


def rematch_resolve(*, request: RematchRequest, end_pair: bool, by: Any) -> RematchRequest:
    with transaction.atomic():
        request.resolved_at, request.resolved_by = timezone.now(), by
        request.save(update_fields=["resolved_at", "resolved_by"])
        if end_pair and request.pair.status == Pair.Status.ACTIVE:
            request.pair.status, request.pair.ended_on = Pair.Status.ENDED, clock.today()
            request.pair.save(update_fields=["status", "ended_on"])
        audit_record(
            by=by,
            action="update",
            instance=request,
            summary="re-match request resolved" + ("; pair ended" if end_pair else ""),
            changes={},
        )
    return request


# ---------------------------------------------------------------- coaching


def coach_set_active(*, coach: Coach, active: bool, by: Any) -> Coach:
    with transaction.atomic():
        coach.active = active
        coach.save(update_fields=["active"])
        audit_record(
            by=by,
            action="update",
            instance=coach,
            summary=f"coach {coach} {'reactivated' if active else 'stood down'}",
            changes={"active": active},
        )
    return coach


def slot_offer(
    *, coach: Coach, starts_at: datetime, minutes: int, where: str, by: Any
) -> CoachingSlot:
    if starts_at <= timezone.now():
        raise MentoringError("Offer sessions in the future.")
    if CoachingSlot.objects.filter(coach=coach, starts_at=starts_at).exists():
        raise MentoringError("You already offer a session at that time.")
    with transaction.atomic():
        slot = CoachingSlot.objects.create(
            coach=coach, starts_at=starts_at, minutes=minutes, where=where.strip()
        )
        audit_record(
            by=by, action="create", instance=slot, summary="coaching slot offered", changes={}
        )
    return slot


def slot_withdraw(*, slot: CoachingSlot, by: Any) -> None:
    if slot.booked_by_id:
        raise MentoringError("This session is booked; ask the trainee before you cancel it.")
    with transaction.atomic():
        audit_record(
            by=by, action="delete", instance=slot, summary="coaching slot withdrawn", changes={}
        )
        slot.delete()


def slot_book(*, slot: CoachingSlot, trainee: Trainee, by: Any) -> CoachingSlot:
    """Book a session; the conditional update makes two people racing for one slot safe."""
    if slot.starts_at <= timezone.now():
        raise MentoringError("That session has already started; choose a later one.")
    with transaction.atomic():
        taken = CoachingSlot.objects.filter(pk=slot.pk, booked_by__isnull=True).update(
            booked_by=trainee, booked_at=timezone.now()
        )
        if not taken:
            raise MentoringError("Someone booked that session a moment ago; choose another.")
        slot.refresh_from_db()
        # The audit says a slot was booked, not by whom: coaching is confidential, so the row
        # has no actor (the actor would be the trainee who booked) and no trainee in its text.
        audit_record(
            by=None, action="update", instance=slot, summary="coaching slot booked", changes={}
        )
    return slot


def slot_release(*, slot: CoachingSlot, trainee: Trainee, by: Any) -> None:
    if slot.booked_by_id != trainee.pk:
        raise MentoringError("That session is not booked by you.")
    if slot.starts_at <= timezone.now():
        raise MentoringError("That session has already taken place.")
    with transaction.atomic():
        CoachingSlot.objects.filter(pk=slot.pk).update(booked_by=None, booked_at=None)
        audit_record(  # no actor, as for the booking: it would name the trainee
            by=None,
            action="update",
            instance=slot,
            summary="coaching booking cancelled",
            changes={},
        )


def note_add(*, trainee: Trainee, text: str, session: CoachingSlot | None, by: Any) -> CoachingNote:
    if not text.strip():
        raise MentoringError("The note is empty.")
    if session is not None and session.booked_by_id != trainee.pk:
        raise MentoringError("Notes can be tied only to your own sessions.")
    # No audit row: its summary would tell an auditor that this trainee uses coaching.
    return CoachingNote.objects.create(trainee=trainee, text=text.strip(), session=session)


def note_delete(*, note: CoachingNote) -> None:
    note.delete()
