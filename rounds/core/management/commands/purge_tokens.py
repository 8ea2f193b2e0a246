"""`manage.py purge_tokens`, run daily: deletes the one-time form tokens (core.SubmitToken) older
than a day. A double send comes within seconds; past a day a token protects nothing and only
says when its person sent a form."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rounds.lib.idempotency import tokens_purge


class Command(BaseCommand):
    help = "Delete one-time form tokens older than a day (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {tokens_purge()} form token(s) older than a day.")
