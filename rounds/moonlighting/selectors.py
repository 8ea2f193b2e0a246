"""Reads for moonlighting. `approval_on` is the one place that decides whether moonlighting is
approved on a day; the work-hours findings and the logging form both ask it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from rounds.engine.workhours import Finding as EngineFinding
from rounds.moonlighting.access import requests_visible_to
from rounds.moonlighting.models import MoonlightingEntry, MoonlightingRequest
from rounds.people.access import user_roles
from rounds.people.models import Role, Trainee
from rounds.record.models import Credential, CredentialType
from rounds.workhours.models import MOONLIGHTING_KINDS, Finding, LoggedPeriod
from rounds.workhours.record import program_zone

if TYPE_CHECKING:
    from rounds.people.access import AnyUser

# The work-hours finding for moonlighting logged on a day no approval covers (a warning).
UNAPPROVED_RULE = "moonlighting-unapproved"
UNAPPROVED_WORDS = "no approved moonlighting covers it"
# Approvals offered in the hours form: those covering any of the last this-many days.
OFFER_DAYS = 60

Status = MoonlightingRequest.Status
COVERING = (Status.APPROVED, Status.REVOKED)


# --- approved on a day ------------------------------------------------------------------------


def approvals_of(
    trainee_ids: Iterable[int], first: date, last: date
) -> dict[int, list[MoonlightingRequest]]:
    """Per trainee, the requests that were approved at some time and reach into first..last
    (one query for any number of trainees)."""
    found: dict[int, list[MoonlightingRequest]] = {}
    rows = MoonlightingRequest.objects.filter(
        trainee_id__in=list(trainee_ids), status__in=COVERING, start__lte=last, end__gte=first
    ).order_by("start", "pk")
    for row in rows:
        found.setdefault(row.trainee_id, []).append(row)
    return found


def approval_on(approvals: Sequence[MoonlightingRequest], day: date) -> MoonlightingRequest | None:
    """The approval that covers `day`, or None: moonlighting is approved on a day exactly when
    one of the trainee's requests covers it (MoonlightingRequest.covers)."""
    return next((a for a in approvals if a.covers(day)), None)


def approved_on(trainee: Trainee, day: date) -> MoonlightingRequest | None:
    return approval_on(approvals_of([trainee.pk], day, day).get(trainee.pk, []), day)


def days_touched(start: datetime, end: datetime, zone: ZoneInfo) -> list[date]:
    """The local days a period [start, end) has time on: a night shift touches two."""
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def uncovered_day(
    period: LoggedPeriod, approvals: Sequence[MoonlightingRequest], zone: ZoneInfo
) -> date | None:
    """The first day of a logged moonlighting period no approval covers, or None."""
    days = days_touched(period.start, period.end, zone)
    return next((d for d in days if approval_on(approvals, d) is None), None)


def unapproved_moonlighting(trainee: Trainee, first: date, last: date) -> list[EngineFinding]:
    """Warnings for the moonlighting `trainee` logged between `first` and `last` (local days the
    periods start on) that no approval covers; stored with the checker's findings."""
    zone = program_zone(trainee.program)
    lo = datetime.combine(first, datetime.min.time(), zone)
    hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    periods = list(
        LoggedPeriod.objects.filter(
            trainee=trainee, kind__in=sorted(MOONLIGHTING_KINDS), start__gte=lo, start__lt=hi
        )
    )
    if not periods:
        return []
    approvals = approvals_of([trainee.pk], first, last + timedelta(days=2)).get(trainee.pk, [])
    out = []
    for period in periods:
        day = uncovered_day(period, approvals, zone)
        if day is not None:
            out.append(_unapproved_finding(period, day, zone))
    return out


def _unapproved_finding(period: LoggedPeriod, day: date, zone: ZoneInfo) -> EngineFinding:
    start, end = period.start.astimezone(zone), period.end.astimezone(zone)
    detail = (
        f"{period.get_kind_display()} logged on {day:%a %b} {day.day}, {day.year} "
        f"({start:%H:%M}–{end:%H:%M}): {UNAPPROVED_WORDS}. Request approval, or correct the log."
    )
    return EngineFinding(
        UNAPPROVED_RULE, start.strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M"), detail
    )


def unapproved_flags(trainees: Iterable[Trainee], first: date, last: date) -> QuerySet[Finding]:
    """The open unapproved-moonlighting findings of `trainees` (the program compliance page)."""
    return Finding.objects.filter(
        trainee__in=list(trainees),
        rule=UNAPPROVED_RULE,
        resolved_at__isnull=True,
        starts_on__range=(first, last),
    ).select_related("trainee__person")


# --- the hours form ---------------------------------------------------------------------------

CHOICE_PREFIX = "moonlighting:"


def approvals_to_offer(trainee: Trainee, today: date) -> list[MoonlightingRequest]:
    """Approvals the trainee may log moonlighting against: covering a day of the last
    OFFER_DAYS days up to today."""
    found = approvals_of([trainee.pk], today - timedelta(days=OFFER_DAYS), today)
    return [a for a in found.get(trainee.pk, []) if a.last_covered_day() is not None]


def approval_choice(approval: MoonlightingRequest) -> tuple[str, str]:
    last = approval.last_covered_day() or approval.end
    return (
        f"{CHOICE_PREFIX}{approval.pk}",
        f"Moonlighting at {approval.where} (approved {approval.start:%b %-d} – {last:%b %-d})",
    )


def approval_from_choice(value: str, trainee: Trainee) -> MoonlightingRequest | None:
    """The trainee's approval a form choice names ("moonlighting:<id>"), or None."""
    if not value.startswith(CHOICE_PREFIX):
        return None
    raw = value.removeprefix(CHOICE_PREFIX)
    if not raw.isdigit() or len(raw) > 18:  # an id, never a number the database cannot hold
        return None
    return MoonlightingRequest.objects.filter(
        pk=int(raw), trainee=trainee, status__in=COVERING
    ).first()


def entry_approval(period: LoggedPeriod) -> MoonlightingRequest | None:
    entry = MoonlightingEntry.objects.filter(period=period).select_related("request").first()
    return entry.request if entry else None


# --- pages and to-do lists --------------------------------------------------------------------


def requests_for(user: AnyUser) -> QuerySet[MoonlightingRequest]:
    return (
        MoonlightingRequest.objects.filter(requests_visible_to(user))
        .select_related("trainee__person", "trainee__program", "licence__credential_type")
        .order_by("-created_at", "-pk")
    )


def waiting_for(user: AnyUser) -> Q:
    """Requests waiting for `user`'s step: a director's programs', the GME office's."""
    roles = user_roles(user)
    directed = [pid for pid, held in roles.by_program.items() if Role.PROGRAM_DIRECTOR in held]
    waiting = Q(status=Status.AWAITING_DIRECTOR, trainee__program__in=directed)
    if roles.is_gme_office:
        waiting |= Q(status=Status.AWAITING_GME)
    return waiting


def requests_awaiting(user: AnyUser) -> list[tuple[str, str, int]]:
    """(step, where, count) for the to-do list: per program for a director, one line for the
    GME office."""
    roles = user_roles(user)
    directed = [pid for pid, held in roles.by_program.items() if Role.PROGRAM_DIRECTOR in held]
    out = [
        ("approve", name, n)
        for name, n in MoonlightingRequest.objects.filter(
            status=Status.AWAITING_DIRECTOR, trainee__program__in=directed
        )
        .values_list("trainee__program__name")
        .annotate(n=Count("pk"))
        .order_by("trainee__program__name")
    ]
    if roles.is_gme_office:
        n = MoonlightingRequest.objects.filter(status=Status.AWAITING_GME).count()
        out.append(("approve for the GME office", "", n))
    return out


def licences_of(trainee: Trainee) -> QuerySet[Credential]:
    """The trainee's licences (training licence, full licence, DEA), newest expiry first."""
    return (
        Credential.objects.filter(
            trainee=trainee, credential_type__kind=CredentialType.Kind.LICENCE
        )
        .select_related("credential_type")
        .order_by("credential_type__name", "-expires_on")
    )
