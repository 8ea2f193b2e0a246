"""Emails to the people a schedule change affects. Called after the change commits
(`transaction.on_commit`), so nobody hears of a change that was rolled back; a mail server that is
down never undoes the change either (`fail_silently`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mass_mail

from rounds.lib.links import absolute_url
from rounds.people.models import Role, RoleAssignment, Trainee
from rounds.schedules.models import (
    CallAssignment,
    CallSchedule,
    SwapProposal,
    VacationRequest,
)

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


def _when(shift: CallAssignment) -> str:
    return f"{shift.label} on {shift.day:%a %b} {shift.day.day}"


def _what(proposal: SwapProposal) -> str:
    """The swap in words, from the offering trainee's side."""
    what = f"their {_when(proposal.shift)}"
    if proposal.in_return is not None:
        what += f" for your {_when(proposal.in_return)}"
    return what


def swap_asked(proposal: SwapProposal) -> int:
    """An offer to a named colleague: they are asked to accept or decline. An offer to the open
    pool: every colleague in training that day hears that it is there to pick up. A rule the
    swap would break is named, so nobody is surprised by a refusal."""
    shift = proposal.shift
    giver = shift.trainee.person
    subject = f"Swap offered: {_when(shift)}"
    problem = (
        f"\nAs it stands it would break a rule: {proposal.findings[0]}\n"
        if proposal.findings
        else ""
    )
    url = absolute_url("schedules:my_calls")
    if proposal.to_trainee is not None:
        taker = proposal.to_trainee.person
        verb = "trade" if proposal.in_return is not None else "give you"
        body = (
            f"Dear {taker.first_name},\n\n{giver.full_name} would like to {verb} "
            f"{_what(proposal)}. Accept or decline it on your call page.{problem}\n{url}\n"
        )
        return _send([(subject, body, settings.DEFAULT_FROM_EMAIL, [taker.email])])
    from rounds.people.training import trainees_in_training

    colleagues = trainees_in_training([shift.schedule.program], shift.day, shift.day)
    return _send(
        [
            (
                f"Shift open to pick up: {_when(shift)}",
                f"Dear {t.person.first_name},\n\n{giver.full_name} gives away their "
                f"{_when(shift)}. The first colleague for whom every rule holds may pick it "
                f"up: {url}\n",
                settings.DEFAULT_FROM_EMAIL,
                [t.person.email],
            )
            for t in colleagues
            if t.pk != shift.trainee_id and t.person.email
        ]
    )


def swap_agreed(proposal: SwapProposal) -> int:
    """The colleague agreed and the program's coordinators decide: they hear it, with the link
    to their queue; the trainee who offered hears that it now waits for the coordinator."""
    shift = proposal.shift
    program = shift.schedule.program
    assert proposal.to_trainee is not None
    giver, taker = shift.trainee.person, proposal.to_trainee.person
    subject = f"Swap to approve: {_when(shift)}"
    url = absolute_url("schedules:swaps", program.pk)
    out: list[Message] = [
        (
            subject,
            f"{taker.full_name} agreed to take {giver.full_name}'s {_when(shift)}"
            + (f" for their {_when(proposal.in_return)}" if proposal.in_return else "")
            + f" ({program}). Every rule holds for it.\nApprove or decline it: {url}\n",
            settings.DEFAULT_FROM_EMAIL,
            [email],
        )
        for email in _coordinator_emails(program)
    ]
    if giver.email:
        body = (
            f"Dear {giver.first_name},\n\n{taker.full_name} agreed to your swap of "
            f"{_when(shift)}. Your coordinator approves it; you will hear.\n"
        )
        out.append((subject, body, settings.DEFAULT_FROM_EMAIL, [giver.email]))
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


def swap_decided(proposal: SwapProposal) -> int:
    """A swap done, declined or withdrawn: both trainees hear (the colleague only once one is
    named), with who ended it."""
    shift = proposal.shift
    giver = shift.trainee
    taker = proposal.to_trainee
    approved = proposal.status == SwapProposal.Status.APPROVED
    verdict = "done" if approved else proposal.get_status_display().lower()
    subject = f"Swap {verdict}: {_when(shift)}"
    url = absolute_url("schedules:my_calls")
    lines: dict[Trainee, str] = {}
    if approved and taker is not None:
        lines[giver] = f"{taker.person.full_name} works your {_when(shift)}."
        lines[taker] = f"You work {giver.person.full_name}'s {_when(shift)}."
        if proposal.in_return is not None:
            back = _when(proposal.in_return)
            lines[giver] += f" You work {taker.person.full_name}'s {back} in return."
            lines[taker] += f" They work your {back} in return."
    else:
        why = f" ({proposal.outcome})" if proposal.outcome else ""
        lines[giver] = f"Your offer of {_when(shift)} was {verdict}{why}; the shift stays yours."
        if taker is not None:
            lines[taker] = (
                f"{giver.person.full_name}'s offer of {_when(shift)} was {verdict}{why}; "
                "nothing changes for you."
            )
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
