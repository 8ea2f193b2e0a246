"""The small institution with something for every API endpoint to show: the published IM
rotation schedule, a published IM call month, logged hours for three trainees, and an API
token for every user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.test import Client

from rounds.api.models import ApiToken
from rounds.api.services import token_create
from rounds.schedules.models import CallAssignment, CallSchedule
from rounds.workhours.models import LoggedPeriod
from rounds.workhours.services import period_log
from tests.call_setup import NY, hand_month, shift
from tests.people import USERNAMES, SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules

# A day in the past whatever the wall clock says, so the services accept hours logged on it.
LOGGED_DAY = dt.date(2026, 6, 10)


@dataclass
class ApiWorld:
    small: SmallInstitution
    schedules: SmallSchedules
    call_month: CallSchedule
    ana_call: CallAssignment
    entries: dict[str, LoggedPeriod]  # username -> one entry of theirs
    tokens: dict[str, str]  # username -> secret with every scope


def log(trainee_username: str, small: SmallInstitution, hour: int = 7) -> LoggedPeriod:
    user = small.users[trainee_username]
    start = dt.datetime.combine(LOGGED_DAY, dt.time(hour), tzinfo=NY)
    return period_log(
        trainee=user.person.trainee,  # type: ignore[attr-defined]
        kind="clinical", start=start, end=start + dt.timedelta(hours=10), by=user,
    )  # fmt: skip


def build_api_world(small: SmallInstitution) -> ApiWorld:
    schedules = build_schedules(small)
    month = hand_month(small, status=CallSchedule.Status.PUBLISHED)
    ana_call = shift(month, small.ana, 3)
    shift(month, small.ben, 4)
    entries = {name: log(name, small) for name in ("resident", "resident2", "fellow")}
    tokens = {
        name: token_create(user=small.users[name], name="test", scopes=["all"], by=None).secret
        for name in USERNAMES
    }
    return ApiWorld(small, schedules, month, ana_call, entries, tokens)


def api_client(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def service_token(username: str, small: SmallInstitution, scopes: list[str]) -> str:
    return token_create(
        user=small.users[username], name="Time clock", scopes=scopes,
        kind=ApiToken.Kind.SERVICE, by=None,
    ).secret  # fmt: skip
