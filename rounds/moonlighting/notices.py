"""Emails to everyone a moonlighting request involves, the way the rest of Rounds tells people
(rounds/schedules/notices.py): sent after the change commits (`transaction.on_commit`), so nobody
hears of a change that was rolled back, and a mail server that is down never undoes it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail

from rounds.lib.links import absolute_url
from rounds.moonlighting.models import MoonlightingRequest
from rounds.people.models import Role, RoleAssignment

Message = tuple[str, str, str, list[str]]


def _emails(role: str, program_id: int | None = None) -> list[str]:
    found = RoleAssignment.objects.filter(role=role, user__is_active=True)
    if program_id is not None:
        found = found.filter(program_id=program_id)
    return sorted({e for e in found.values_list("user__email", flat=True) if e})


def directors(request: MoonlightingRequest) -> list[str]:
    return _emails(Role.PROGRAM_DIRECTOR, request.trainee.program_id)


def gme_office() -> list[str]:
    return _emails(Role.GME_OFFICE)


def trainee(request: MoonlightingRequest) -> list[str]:
    email = request.trainee.person.email
    return [email] if email else []


def _what(request: MoonlightingRequest) -> str:
    return (
        f"{request.trainee.person.full_name}'s moonlighting at {request.where} "
        f"({request.start:%b %-d, %Y} to {request.end:%b %-d, %Y}, "
        f"{request.hours_per_week} hours a week)"
    )


def send(request: MoonlightingRequest, subject: str, line: str, to: list[str]) -> int:
    """One message to everyone in `to` (each gets their own copy), linking to the request."""
    url = absolute_url("moonlighting:request", request.pk)
    body = f"{_what(request)}: {line}\n\nThe request: {url}\n"
    messages: list[Message] = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in sorted(set(to))
    ]
    return send_mass_mail(messages, fail_silently=True) if messages else 0


def submitted(request: MoonlightingRequest) -> int:
    return send(
        request,
        "Moonlighting request to approve",
        "requested; the program director approves or declines it first, then the GME office.",
        directors(request),
    ) + send(request, "Moonlighting requested", "sent to your program director.", trainee(request))


def director_approved(request: MoonlightingRequest, note: str) -> int:
    said = f" Note: {note}" if note else ""
    return send(
        request,
        "Moonlighting request for the GME office",
        f"approved by the program director; it waits for the GME office.{said}",
        gme_office() + trainee(request),
    )


def approved(request: MoonlightingRequest, note: str) -> int:
    said = f" Note: {note}" if note else ""
    return send(
        request,
        "Moonlighting approved",
        f"approved by the GME office, through {request.end:%b %-d, %Y}. Log it in your work "
        f"hours: it counts towards the 80 hours.{said}",
        trainee(request) + directors(request),
    )


def declined(request: MoonlightingRequest, reason: str, by_step: str) -> int:
    return send(
        request,
        "Moonlighting declined",
        f"declined by the {by_step}. Reason: {reason}",
        trainee(request) + directors(request),
    )


def withdrawn(request: MoonlightingRequest, was: str) -> int:
    to = directors(request) + trainee(request)
    if was == MoonlightingRequest.Status.AWAITING_GME:
        to += gme_office()
    return send(request, "Moonlighting request withdrawn", "withdrawn by the trainee.", to)


def revoked(request: MoonlightingRequest, reason: str) -> int:
    return send(
        request,
        "Moonlighting approval revoked",
        f"approval revoked by the program director from {request.revoked_on:%b %-d, %Y}. "
        f"Reason: {reason}",
        trainee(request) + directors(request) + gme_office(),
    )
