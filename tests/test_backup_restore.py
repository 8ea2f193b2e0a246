"""The backup runbook works: docs/backup.md's commands, run as written, on the database engine the
suite runs on, bring back the data after a change.

A scratch database of the same engine is migrated and given a record; the runbook's backup
commands run; the record is changed and another added; the runbook's restore commands run; the
change is gone and the data is back. The commands are read from the page's code blocks
(```sh backup-postgres and so on), so the page and the test cannot drift apart.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
RUNBOOK = ROOT / "docs" / "backup.md"
ENGINE = "postgres" if connection.vendor == "postgresql" else "sqlite"


def runbook_block(name: str) -> str:
    """The shell commands of the code block tagged `name` in docs/backup.md."""
    match = re.search(rf"```sh {name}\n(.*?)```", RUNBOOK.read_text(), re.DOTALL)
    assert match, f"docs/backup.md has no ```sh {name} block"
    return match.group(1)


def run_shell(commands: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def manage(env: dict[str, str], *args: str) -> str:
    """Run manage.py in `env`; the last line it printed (shell prints a banner first)."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a Rounds on a fresh, migrated database of the suite's engine."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "PATH": f"{Path(sys.executable).parent}:"
           + os.environ.get("PATH", "")}  # fmt: skip
    if ENGINE == "sqlite":
        env["DB"] = str(tmp_path / "rounds.sqlite3")
        env["DATABASE_URL"] = f"sqlite:///{env['DB']}"
        env["BACKUP"] = str(tmp_path / "backup.sqlite3")
        manage(env, "migrate", "--no-input")
        yield env
        return
    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"rounds_backup_test_{os.getpid()}"
    admin = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(server._replace(path=f"/{name}"))
    env["BACKUP"] = str(tmp_path / "rounds.dump")
    try:
        manage(env, "migrate", "--no-input")
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SHOW = (
    "from rounds.core.models import Institution, Site; "
    "print(sorted(Institution.objects.values_list('name', flat=True)), Site.objects.count())"
)


def test_a_restore_brings_back_the_backed_up_data(scratch: dict[str, str]) -> None:
    manage(
        scratch,
        "shell",
        "-c",
        "from rounds.core.models import Institution; Institution.objects.create(name='Riverside')",
    )
    run_shell(runbook_block(f"backup-{ENGINE}"), scratch)
    assert Path(scratch["BACKUP"]).stat().st_size > 0
    manage(
        scratch,
        "shell",
        "-c",
        "from rounds.core.models import Institution, Site; "
        "i = Institution.objects.get(); i.name = 'Changed'; i.save(); "
        "Site.objects.create(institution=i, name='New site', slug='new-site')",
    )
    assert manage(scratch, "shell", "-c", SHOW) == "['Changed'] 1"
    run_shell(runbook_block(f"restore-{ENGINE}"), scratch)
    assert manage(scratch, "shell", "-c", SHOW) == "['Riverside'] 0"
