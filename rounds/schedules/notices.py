"""Emails to the people a schedule change affects. Called after the change commits
(`transaction.on_commit`), so nobody hears of a change that was rolled back; a mail server that is
down never undoes the change either (`fail_silently`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mass_mail

from rounds.lib.links import absolute_url
from rounds.people.models import Role, RoleAssignment, Trainee
from rounds.schedules.models import CallSchedule, SwapProposal, VacationRequest

if TYPE_CHECKING:
    from rounds.core.models import Program
    from rounds.schedules.calls import ShiftChanges

Message = tuple[str, str, str, list[str]]


def _send(messages: list[Message]) -> int:
    return send_mass_mail(messages, fail_silently=True) if messages else 0


def call_published(
    schedule: CallSchedule, changes: dict[int, ShiftChanges], replaces: int | None = None
) -> int:
    """Each trainee whose shifts the version changes hears what changed and how many they have
    now; when it replaces a published version, why."""
    url = absolute_url("schedules:my_calls")
    subject = f"Call schedule for {schedule.month:%B %Y} published: {schedule.program}"
    why = f"It replaces version {replaces}. Reason: {schedule.reason}\n\n" if replaces else ""
    out: list[Message] = []
    for trainee in Trainee.objects.filter(pk__in=list(changes)).select_related("person"):
        if not trainee.person.email:
            continue
        change = changes[trainee.pk]
        count = change.count
        what = (
            f"You have {count} shift{'s' if count != 1 else ''} that month."
            if count
            else "You have no shifts in this version; an earlier version had some."
        )
        lines = ""
        if replaces:
            lines = "Your shifts changed:\n" + "".join(
                [f"  added: {t}\n" for t in change.added]
                + [f"  removed: {t}\n" for t in change.removed]
            )
            lines += "\n"
        body = (
            f"Dear {trainee.person.first_name},\n\nVersion {schedule.number} of the "
            f"{schedule.program} call schedule for {schedule.month:%B %Y} was published. "
            f"{what}\n\n{why}{lines}See your shifts, propose swaps: {url}\n"
        )
        out.append((subject, body, settings.DEFAULT_FROM_EMAIL, [trainee.person.email]))
    return _send(out)


def swap_proposed(proposal: SwapProposal) -> int:
    """The colleague asked to take the shift and the program's coordinators (who decide) hear;
    a rule the swap would break is named, so nobody is surprised by a refusal."""
    shift = proposal.shift
    giver = shift.trainee.person
    taker = proposal.to_trainee.person
    program = shift.schedule.program
    when = f"{shift.label} on {shift.day:%a %b} {shift.day.day}"
    subject = f"Swap proposed: {when}"
    problem = (
        f"\nIt would break a rule for {taker.full_name}: {proposal.findings[0]}\n"
        if proposal.findings
        else "\nEvery rule holds for it.\n"
    )
    out: list[Message] = []
    if taker.email:
        body = (
            f"Dear {taker.first_name},\n\n{giver.full_name} proposes that you take their "
            f"{when}. Your coordinator decides; you will hear the decision.{problem}\n"
            f"Your shifts: {absolute_url('schedules:my_calls')}\n"
        )
        out.append((subject, body, settings.DEFAULT_FROM_EMAIL, [taker.email]))
    url = absolute_url("schedules:call", shift.schedule_id)
    for email in _coordinator_emails(program):
        body = (
            f"{giver.full_name} proposes that {taker.full_name} takes their {when} "
            f"({program}).{problem}\nApprove or decline it: {url}\n"
        )
        out.append((subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    return _send(out)


def _coordinator_emails(program: Program) -> list[str]:
    """The program's coordinators; a program without one, its directors."""
    for role in (Role.PROGRAM_COORDINATOR, Role.PROGRAM_DIRECTOR):
        emails = sorted(
            {
                a.user.email
                for a in RoleAssignment.objects.filter(
                    program=program, role=role, user__is_active=True
                ).select_related("user")
                if a.user.email
            }
        )
        if emails:
            return emails
    return []


def vacation_decided(request: VacationRequest) -> int:
    """The trainee who asked for the block hears the decision."""
    person = request.trainee.person
    if not person.email:
        return 0
    block = request.block
    approved = request.status == VacationRequest.Status.APPROVED
    verdict = "approved" if approved else "declined"
    when = f"{block.label} ({block.start:%b} {block.start.day} – {block.end:%b} {block.end.day})"
    then = (
        "The next rotation schedule places you on vacation then."
        if approved
        else "Ask your coordinator if you would like another block."
    )
    link = absolute_url("schedules:mine", query=f"year={block.academic_year}")
    body = (
        f"Dear {person.first_name},\n\nYour vacation request for {when} was {verdict}. {then}"
        f"\n\nYour schedule: {link}\n"
    )
    subject = f"Vacation {verdict}: {when}"
    return _send([(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])])


def swap_decided(proposal: SwapProposal, giver_id: int) -> int:
    """The trainee who offered the shift and the colleague it was offered to both hear."""
    shift = proposal.shift
    giver = Trainee.objects.select_related("person").get(pk=giver_id)
    taker = proposal.to_trainee
    when = f"{shift.label} on {shift.day:%a %b} {shift.day.day}"
    approved = proposal.status == SwapProposal.Status.APPROVED
    verdict = "approved" if approved else "declined"
    subject = f"Swap {verdict}: {when}"
    url = absolute_url("schedules:my_calls")
    if approved:
        lines = {
            giver: f"Your swap was approved: {taker.person.full_name} works {when} instead of you.",
            taker: f"The swap was approved: you work {when} instead of {giver.person.full_name}.",
        }
    else:
        lines = {
            giver: f"Your offer of {when} to {taker.person.full_name} was declined; the shift "
            "stays yours.",
            taker: f"{giver.person.full_name}'s offer of {when} to you was declined; it stays "
            f"{giver.person.first_name}'s shift.",
        }
    out: list[Message] = [
        (
            subject,
            f"Dear {trainee.person.first_name},\n\n{line}\n\nYour shifts: {url}\n",
            settings.DEFAULT_FROM_EMAIL,
            [trainee.person.email],
        )
        for trainee, line in lines.items()
        if trainee.person.email
    ]
    return _send(out)
