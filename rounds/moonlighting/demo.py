"""Demo moonlighting for Internal Medicine: an approval behind each resident's logged
moonlighting (the work-hours demo logs some on clinic Saturdays), except that one resident's
approval starts a day after their first such Saturday, so exactly one logged moonlighting shows
as flagged ("no approved moonlighting covers it"); and the demo "resident" has a request waiting
for the program director, one waiting for the GME office, and one declined.

The rows are the demo's own data, written directly (the services refuse dates in the past).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from rounds.core.models import Program
from rounds.lib import today as clock
from rounds.moonlighting.models import MoonlightingDecision, MoonlightingEntry, MoonlightingRequest
from rounds.moonlighting.selectors import UNAPPROVED_RULE
from rounds.people.models import Trainee
from rounds.record.models import Credential, CredentialType
from rounds.workhours.models import MOONLIGHTING_KINDS, Finding, LoggedPeriod
from rounds.workhours.record import academic_year, program_zone
from rounds.workhours.services import findings_refresh

IM = "Internal Medicine Residency"
Status = MoonlightingRequest.Status
Action = MoonlightingDecision.Action


def demo_extend(*, seed: int) -> list[str]:
    im = Program.objects.filter(name=IM).first()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["pd.im", "gme"])}
    if im is None or len(users) < 2:
        return []
    rng = random.Random(seed * 101 + 28)
    residents = list(
        Trainee.objects.filter(program=im, status=Trainee.Status.ACTIVE, pgy__gte=2)
        .select_related("person__user", "program")
        .order_by("pk")
    )
    if not residents:
        return ["moonlighting: no Internal Medicine resident past PGY-1 at this scale"]
    with transaction.atomic():
        flagged = _approvals_for_logged(residents, users, rng)
        asked = _requests_of_the_demo_resident(residents, users)
    return [
        f"moonlighting: approvals behind the logged moonlighting of {IM} residents; "
        f"{flagged} logged moonlighting flagged (no approval covers it).",
        f"moonlighting: {asked} waiting for pd.im, one waiting for gme, one declined "
        "(the demo resident's).",
    ]


def _licence(trainee: Trainee, code: str, rng: random.Random) -> Credential:
    """The trainee's licence of that type, recorded if the record demo gave them none."""
    held = Credential.objects.filter(trainee=trainee, credential_type__code=code).first()
    if held is not None:
        return held
    kind = CredentialType.objects.get_or_create(
        code=code, defaults={"name": code.replace("-", " ").capitalize(), "kind": "licence"}
    )[0]
    today = clock.today()
    return Credential.objects.create(
        trainee=trainee, credential_type=kind, number=f"ML-{rng.randint(100000, 999999)}",
        issuer="State Medical Board", expires_on=today.replace(year=today.year + 2),
    )  # fmt: skip


def _request(
    trainee: Trainee, licence: Credential, start: date, end: date, status: str, **fields: Any
) -> MoonlightingRequest:
    return MoonlightingRequest.objects.create(
        trainee=trainee,
        setting=fields.pop("setting", MoonlightingRequest.Setting.INTERNAL),
        where=fields.pop("where", "Riverside Hospital urgent care"),
        start=start,
        end=end,
        weekly_pattern=fields.pop("weekly_pattern", "Saturdays 09:00–17:00"),
        hours_per_week=fields.pop("hours_per_week", 8),
        licence=licence,
        statement=fields.pop(
            "statement", "Saturday urgent care shifts on clinic weeks, never after a call."
        ),
        status=status,
    )


def _decide(request: MoonlightingRequest, steps: list[tuple[str, Any, str]]) -> None:
    for action, by, note in steps:
        MoonlightingDecision.objects.create(request=request, action=action, note=note, by=by)


def _approvals_for_logged(
    residents: list[Trainee], users: dict[str, Any], rng: random.Random
) -> int:
    """An approval from each resident's first logged moonlighting day to the end of the academic
    year, linked to the entries; one resident's starts a day late. Returns the flags left."""
    today = clock.today()
    by_trainee: dict[int, list[LoggedPeriod]] = {}
    for period in LoggedPeriod.objects.filter(
        trainee__in=residents, kind__in=sorted(MOONLIGHTING_KINDS)
    ).order_by("start"):
        by_trainee.setdefault(period.trainee_id, []).append(period)
    late = rng.choice(sorted(by_trainee)) if by_trainee else None
    for trainee in residents:
        periods = by_trainee.get(trainee.pk)
        if not periods:
            continue
        zone = program_zone(trainee.program)
        first = periods[0].start.astimezone(zone).date()
        start = first + timedelta(days=1) if trainee.pk == late else first
        request = _request(
            trainee, _licence(trainee, "training-licence", rng), start,
            academic_year(today)[1], Status.APPROVED,
        )  # fmt: skip
        _decide(request, [
            (Action.DIRECTOR_APPROVED, users["pd.im"], "Clinic months only, as agreed."),
            (Action.GME_APPROVED, users["gme"], ""),
        ])  # fmt: skip
        MoonlightingEntry.objects.bulk_create(
            MoonlightingEntry(period=p, request=request)
            for p in periods
            if request.covers(p.start.astimezone(zone).date())
        )
        findings_refresh(trainee=trainee, day=first)
    # The approvals were there before the hours were logged: the flags the work-hours demo
    # raised before this ran were never shown, so they are not kept as history.
    Finding.objects.filter(rule=UNAPPROVED_RULE, resolved_at__isnull=False).delete()
    return Finding.objects.filter(rule=UNAPPROVED_RULE, resolved_at__isnull=True).count()


def _requests_of_the_demo_resident(residents: list[Trainee], users: dict[str, Any]) -> int:
    named = [t for t in residents if t.person.user and t.person.user.username == "resident"]
    trainee = (named or residents)[0]
    rng = random.Random(trainee.pk)
    today = clock.today()
    full = _licence(trainee, "full-licence", rng)
    full.expires_on = max(full.expires_on, today + timedelta(days=400))
    full.save(update_fields=["expires_on"])
    month = today.replace(day=1) + timedelta(days=32)
    start = month.replace(day=1)
    _request(
        trainee, full, start, start + timedelta(days=180), Status.AWAITING_DIRECTOR,
        setting=MoonlightingRequest.Setting.EXTERNAL, where="Harbor Telehealth (evenings)",
        weekly_pattern="Two evenings, 18:00–22:00", hours_per_week=8,
    )  # fmt: skip
    waiting = _request(
        trainee, full, start + timedelta(days=30), start + timedelta(days=120),
        Status.AWAITING_GME, setting=MoonlightingRequest.Setting.EXTERNAL,
        where="Bayside Urgent Care", hours_per_week=10,
    )  # fmt: skip
    _decide(waiting, [(Action.DIRECTOR_APPROVED, users["pd.im"], "Fine outside ward months.")])
    declined = _request(
        trainee, full, start, start + timedelta(days=90), Status.DECLINED,
        setting=MoonlightingRequest.Setting.EXTERNAL, where="Lakeside ED nights",
        weekly_pattern="Friday and Saturday nights", hours_per_week=24,
    )  # fmt: skip
    _decide(declined, [
        (Action.DECLINED, users["pd.im"],
         "24 hours a week of nights on top of wards would break the 80-hour limit."),
    ])  # fmt: skip
    return 1


def demo_wipe() -> None:
    MoonlightingEntry.objects.all().delete()
    MoonlightingDecision.objects.all().delete()
    MoonlightingRequest.objects.all().delete()
