"""The switchboard's on-call list (reads): who is on call at a moment or on a day, by site and
service, the trainees and the attending, with the contact numbers the viewer may see.

The attendings come from faculty teaching assignments, which live in the assessment app
(`rounds.assessment.selectors.attending_on(site, service_or_rotation, day)`); a service nobody
recorded says "attending not recorded".
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from rounds.assessment.selectors import attending_on
from rounds.core.models import Site
from rounds.people.models import Person
from rounds.people.training import history_prefetch
from rounds.record.selectors import lapse_marks
from rounds.schedules.access import ContactViewer
from rounds.schedules.models import CallAssignment, CallSchedule
from rounds.schedules.selectors import on_call_now

NOT_RECORDED = "attending not recorded"


@dataclass(frozen=True)
class Contact:
    """A person as the list shows them: numbers only when the viewer may see them."""

    name: str
    phone: str = ""
    pager: str = ""
    hidden: bool = False  # the person keeps their numbers from colleagues

    @property
    def phone_href(self) -> str:
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


@dataclass
class OnCall:
    shift: CallAssignment
    trainee: Contact
    lapse: str = ""  # required credentials lapsed that day, in words (for staff and operators)


@dataclass
class ServiceOnCall:
    """One service at one site: its trainees on call and its attendings."""

    site: Site
    service: str
    attendings: list[Contact]  # empty: not recorded
    people: list[OnCall] = field(default_factory=list)


def contact_of(person: Person, viewer: ContactViewer) -> Contact:
    if viewer.sees_numbers_of(person):
        return Contact(person.full_name, person.phone, person.pager)
    return Contact(person.full_name, hidden=bool(person.phone or person.pager))


def attendings_for(site: Site, service: str, day: dt.date) -> list[Person]:
    """The attendings of `service` at `site` on `day`, from faculty teaching assignments (a
    service may have more than one: a day team and a teaching attending)."""
    return [faculty.person for faculty in attending_on(site, service, day)]


def shifts_at(site: Site | None, at: dt.datetime) -> list[CallAssignment]:
    """Published shifts in progress at `at`."""
    return on_call_now(site, at)


def shifts_on(site: Site | None, day: dt.date) -> list[CallAssignment]:
    """Published shifts that start on `day` (the call day they belong to)."""
    query = CallAssignment.objects.filter(schedule__status=CallSchedule.Status.PUBLISHED, day=day)
    return _ordered(query, site)


def _ordered(query: Any, site: Site | None) -> list[CallAssignment]:
    if site is not None:
        query = query.filter(site=site)
    return list(
        query.select_related("trainee__person", "trainee__program", "site")
        .prefetch_related(*history_prefetch("trainee__"))  # whose credentials apply: their program
        .order_by("site__name", "service", "start", "label", "trainee__person__last_name")
    )


def board(shifts: list[CallAssignment], day: dt.date, viewer: ContactViewer) -> list[ServiceOnCall]:
    """The shifts grouped by site and service, each with its attending on `day`. Staff and
    operators (who see every number) also see whose required credential has lapsed that day:
    the people to call about it; colleagues do not."""
    rows: dict[tuple[int, str], ServiceOnCall] = {}
    lapses: dict[int, str] = {}
    if viewer.sees_all:
        trainees = list({s.trainee_id: s.trainee for s in shifts}.values())
        lapses = lapse_marks(trainees, day, day)
    for shift in shifts:
        key = (shift.site_id, shift.service)
        if key not in rows:
            rows[key] = ServiceOnCall(
                site=shift.site,
                service=shift.service,
                attendings=[
                    contact_of(person, viewer)
                    for person in attendings_for(shift.site, shift.service, day)
                ],
            )
        rows[key].people.append(
            OnCall(
                shift,
                contact_of(shift.trainee.person, viewer),
                lapses.get(shift.trainee_id, ""),
            )
        )
    return list(rows.values())


def local_now(site: Site | None, now: dt.datetime) -> dt.datetime:
    zone = zoneinfo.ZoneInfo(site.timezone if site else "America/New_York")
    return now.astimezone(zone)
