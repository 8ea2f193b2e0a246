"""Helpers for the moonlighting tests: licences, a request as the form sends it, a logged
moonlighting period."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rounds.lib.today import today_is
from rounds.moonlighting import services
from rounds.moonlighting.models import MoonlightingRequest
from rounds.people.models import Trainee
from rounds.record.models import Credential, CredentialType
from rounds.workhours.models import LoggedPeriod

NY = ZoneInfo("America/New_York")


def licence(
    trainee: Trainee, code: str = "full-licence", expires: date = date(2028, 6, 30)
) -> Credential:
    kind = CredentialType.objects.get_or_create(
        code=code, defaults={"name": code.replace("-", " ").title(), "kind": "licence"}
    )[0]
    return Credential.objects.create(
        trainee=trainee, credential_type=kind, number=f"L-{trainee.pk}-{code}",
        issuer="State Medical Board", expires_on=expires,
    )  # fmt: skip


def draft(licence: Credential | None, **changes: Any) -> services.RequestDraft:
    fields: dict[str, Any] = {
        "setting": "external", "where": "Harbor Urgent Care", "start": date(2026, 7, 1),
        "end": date(2026, 12, 31), "hours_per_week": 8, "licence": licence,
        "statement": "Weekend urgent care shifts, outside my rotations.",
    }  # fmt: skip
    return services.RequestDraft(**(fields | changes))


def ask(trainee: Trainee, on: date = date(2026, 6, 30), **changes: Any) -> MoonlightingRequest:
    """The trainee asks on `on` with a full licence of their own."""
    user = trainee.person.user
    held = changes.pop("licence", None) or licence(trainee)
    with today_is(on):
        return services.request_submit(trainee=trainee, draft=draft(held, **changes), by=user)


def approve(request: MoonlightingRequest, director: Any, gme: Any) -> MoonlightingRequest:
    services.request_approve(request=request, note="Fine by me.", by=director)
    request.refresh_from_db()
    services.request_approve(request=request, note="", by=gme)
    request.refresh_from_db()
    return request


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), NY).replace(hour=hour)


def moonlight(trainee: Trainee, day: date, hours: int = 8, start_hour: int = 9) -> LoggedPeriod:
    from rounds.workhours.services import period_log

    start = at(day, start_hour)
    return period_log(
        trainee=trainee, kind="moonlighting_external", start=start,
        end=start + timedelta(hours=hours), by=trainee.person.user,
    )  # fmt: skip


def a_request(small: Any) -> MoonlightingRequest:
    """A request of the IM resident Ana waiting for her director (for the access matrix)."""
    return MoonlightingRequest.objects.create(
        trainee=small.ana, setting="internal", where="Riverside urgent care",
        start=date(2026, 7, 1), end=date(2026, 12, 31), hours_per_week=8,
        licence=licence(small.ana), statement="Weekend shifts.",
    )  # fmt: skip
