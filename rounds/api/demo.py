"""The demo's API tokens: what a hospital would have set up, so the GME office's token page
shows them in use. Their secrets are never printed: make your own with `manage.py api_token`."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from rounds.api.models import ApiToken
from rounds.api.services import token_create

DEMO_TOKENS = [
    ("gme", "Paging directory", ApiToken.Kind.SERVICE, ["schedules:read"]),
    ("gme", "Data warehouse (nightly)", ApiToken.Kind.SERVICE, ["read"]),
    ("coord.im", "IM time clock", ApiToken.Kind.SERVICE, ["hours:write"]),
    (
        "coord.im",
        "IM attending schedule (teaching assignments)",
        ApiToken.Kind.SERVICE,
        ["teaching:write", "schedules:read"],
    ),
    ("resident", "My calendar script", ApiToken.Kind.PERSONAL, ["schedules:read"]),
    ("faculty", "My evaluation queue", ApiToken.Kind.PERSONAL, ["evaluations:read"]),
]


def demo_wipe() -> None:
    ApiToken.objects.all().delete()


def demo_extend(*, seed: int) -> list[str]:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=[name for name, *_ in DEMO_TOKENS])
    }
    made = 0
    for username, name, kind, scopes in DEMO_TOKENS:
        if username in users:
            token_create(
                user=users[username],
                name=name,
                scopes=scopes,
                kind=kind,
                by=users.get("gme"),
            )
            made += 1
    return [f"api: {made} API tokens (the paging directory, a time clock, ...)"]
