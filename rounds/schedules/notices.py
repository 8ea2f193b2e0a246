"""Emails to the people a schedule change affects. Called after the change commits
(`transaction.on_commit`), so nobody hears of a change that was rolled back; a mail server that is
down never undoes the change either (`fail_silently`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse

from rounds.people.models import Trainee
from rounds.schedules.models import CallAssignment, CallSchedule, SwapProposal

Message = tuple[str, str, str, list[str]]


def _send(messages: list[Message]) -> int:
    return send_mass_mail(messages, fail_silently=True) if messages else 0


def call_published(schedule: CallSchedule, trainee_ids: list[int]) -> int:
    """Each trainee with shifts in the month hears how many they have and where to see them."""
    url = reverse("schedules:my_calls")
    counts: dict[int, int] = {}
    for trainee_id in CallAssignment.objects.filter(schedule=schedule).values_list(
        "trainee_id", flat=True
    ):
        counts[trainee_id] = counts.get(trainee_id, 0) + 1
    subject = f"Call schedule for {schedule.month:%B %Y} published: {schedule.program}"
    out: list[Message] = []
    for trainee in Trainee.objects.filter(pk__in=trainee_ids).select_related("person"):
        if not trainee.person.email:
            continue
        count = counts.get(trainee.pk, 0)
        what = (
            f"You have {count} shift{'s' if count != 1 else ''} that month."
            if count
            else "You have no shifts in this version; an earlier version had some."
        )
        body = (
            f"Dear {trainee.person.first_name},\n\nVersion {schedule.number} of the "
            f"{schedule.program} call schedule for {schedule.month:%B %Y} was published. "
            f"{what}\n\nSee your shifts, propose swaps: {url}\n"
        )
        out.append((subject, body, settings.DEFAULT_FROM_EMAIL, [trainee.person.email]))
    return _send(out)


def swap_decided(proposal: SwapProposal, giver_id: int) -> int:
    """The trainee who offered the shift and the colleague it was offered to both hear."""
    shift = proposal.shift
    giver = Trainee.objects.select_related("person").get(pk=giver_id)
    taker = proposal.to_trainee
    when = f"{shift.label} on {shift.start:%a %b %-d}"
    approved = proposal.status == SwapProposal.Status.APPROVED
    verdict = "approved" if approved else "declined"
    subject = f"Swap {verdict}: {when}"
    url = reverse("schedules:my_calls")
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
