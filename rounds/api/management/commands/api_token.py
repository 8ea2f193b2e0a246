"""`manage.py api_token USERNAME --scope read` prints a new API token (for scripts and tests)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rounds.api.models import ApiToken
from rounds.api.scopes import ALIASES, SCOPES
from rounds.api.services import TokenError, token_create


class Command(BaseCommand):
    help = "Make an API token for USERNAME and print it (it is shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            help=f"Repeatable. One of {', '.join([*ALIASES, *SCOPES])}. Default: read.",
        )
        parser.add_argument("--name", default="", help="What will use it.")
        parser.add_argument("--service", action="store_true", help="A service token.")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No account named {options['username']!r}.")
        kind = ApiToken.Kind.SERVICE if options["service"] else ApiToken.Kind.PERSONAL
        try:
            made = token_create(
                user=user, name=options["name"] or f"{kind} token (command line)",
                scopes=options["scope"] or ["read"], kind=kind,
                expires_in_days=options["expires_in_days"], by=None,
            )  # fmt: skip
        except TokenError as error:
            raise CommandError(error.message) from None
        self.stdout.write(made.secret)
