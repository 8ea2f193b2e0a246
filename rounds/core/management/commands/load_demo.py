"""`manage.py load_demo --seed 2026 [--force]`: load the synthetic demo institution.

The demo's accounts share a password printed in the README, so this command never runs against
a database people rely on: `--force` (wipe and rebuild) runs only in development (DJANGO_DEBUG=1)
and only when every record it would delete is the demo's own; without `--force` it loads only
into an empty database whose demo usernames are free. Each refusal says why and what to do.
"""

from __future__ import annotations

import importlib
from argparse import ArgumentParser
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from rounds.core.demo import (
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DEMO_USERS,
    demo_build,
    demo_exists,
    demo_wipe,
)
from rounds.core.models import Institution
from rounds.people.models import Person


class Command(BaseCommand):
    help = "Load the synthetic demo institution (same seed, same data)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--force", action="store_true", help="Wipe the institution data and rebuild the demo."
        )

    def handle(self, *args: Any, seed: int, force: bool, **options: Any) -> None:
        if not force and demo_exists():
            self.stdout.write("The demo institution is already loaded; nothing to do.")
            self.stdout.write("(Use --force to wipe it and build it again.)")
            self.print_accounts()
            return
        if not force and Institution.objects.exists():
            raise CommandError(
                "This database already holds an institution that is not the demo. "
                "Use --force to replace it with the demo (its data will be deleted)."
            )
        if force:
            refuse_force()
            self.wipe()
        refuse_taken_usernames()
        summary = demo_build(seed=seed)
        self.stdout.write(self.style.SUCCESS(f"Demo institution built from seed {seed}."))
        for line in summary.lines():
            self.stdout.write("  " + line)
        for module in area_demo_modules():
            if hasattr(module, "demo_extend"):
                for line in module.demo_extend(seed=seed):
                    self.stdout.write("  " + line)
        self.print_accounts()

    def wipe(self) -> None:
        try:
            for module in reversed(area_demo_modules()):
                if hasattr(module, "demo_wipe"):
                    module.demo_wipe()
            demo_wipe()
        except ProtectedError as error:
            raise CommandError(
                f"Cannot wipe the institution: other records use it ({error})."
            ) from error

    def print_accounts(self) -> None:
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for username, what in DEMO_USERS.items():
            self.stdout.write(f"  {username:<10} {what}")


def refuse_force() -> None:
    """`--force` deletes every institution record and recreates the demo accounts with the
    public password: only on a development database holding nothing but the demo."""
    if not settings.DEBUG:
        raise CommandError(
            "load_demo --force deletes every institution record and gives the demo accounts "
            "(gme, pd.im, ...) the public demo password, so it runs only in development "
            "(DJANGO_DEBUG=1). Nothing was changed."
        )
    real = non_demo_people()
    if real:
        raise CommandError(
            f"This database holds {real} people who are not the demo's (their email is not "
            f"@{DEMO_EMAIL_DOMAIN}); load_demo --force would delete them. Nothing was changed. "
            "Build the demo in a fresh database instead (DATABASE_URL)."
        )


def refuse_taken_usernames() -> None:
    """The demo's usernames must be free: an account of the same name is someone's."""
    accounts = get_user_model().objects.filter(username__in=list(DEMO_USERS))
    taken = sorted(accounts.values_list("username", flat=True))
    if taken:
        raise CommandError(
            f"The demo's usernames {', '.join(taken)} already belong to accounts of this "
            "database; the demo would take them over with its public password. Nothing was "
            "changed. Build the demo in a fresh database instead (DATABASE_URL)."
        )


def non_demo_people() -> int:
    return Person.objects.exclude(email__endswith="@" + DEMO_EMAIL_DOMAIN).count()


def area_demo_modules() -> list[ModuleType]:
    """Each area app may add to the demo: `rounds/<app>/demo.py` with `demo_extend(*, seed)`
    (returns summary lines) and optionally `demo_wipe()`; they run in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("rounds.") or config.name == "rounds.core":
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.demo":
                raise
    return modules
