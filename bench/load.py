"""Many people at once against a real server: `make load` (or `python -m bench load`).

Starts gunicorn with DEBUG off on 127.0.0.1 over a database holding the demo institution, then
drives it with locust (bench/_locustfile.py: applicants, residents and coordinators, 1-3 s between
pages) at each number of users in LOAD_USERS, for LOAD_SECONDS each, and prints one row per level.
Traffic goes to the loopback address only and every run stops by itself.

Environment:
  LOAD_DATABASE_URL  the database to serve (default: PostgreSQL database `rounds_load` on
                     127.0.0.1, created, migrated and given the demo when empty)
  LOAD_USERS         comma-separated user counts (default 50,100,200)
  LOAD_SECONDS       seconds per level after ramp-up (default 60)
  LOAD_WORKERS       gunicorn worker processes (default: rounds/gunicorn.conf.py's, 2 x cores + 1)
  LOAD_CACHE_URL     the server's cache, as production runs it (default redis://127.0.0.1:6379/0:
                     one cache for every gunicorn process; locmem:// for local memory per process)
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
HOST = f"http://127.0.0.1:{PORT}"
TARGET_P95_MS = 1000.0
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/rounds_load"
DEFAULT_CACHE = "redis://127.0.0.1:6379/0"

# When the demo's solve gave Internal Medicine no published schedule (it depends on the day the
# demo is built), a hand-placed one of the same size stands in (bench/page_cost.py), and the
# program's call page stands in for a month.
LOOKUP = """
import json
from bench.page_cost import _hand_placed
from rounds.core.models import Program
from rounds.schedules.models import CallSchedule, RotationSchedule
program = Program.objects.get(name="Internal Medicine Residency")
rotations = RotationSchedule.objects.filter(program=program, status="published").first()
rotations = rotations or _hand_placed(program)
calls = CallSchedule.objects.filter(program=program, status="published").first()
print(json.dumps({
    "LOAD_PROGRAM_URL": program.get_absolute_url(),
    "LOAD_PROGRAM_YEAR_URL": f"/schedules/programs/{program.pk}/{rotations.academic_year}/",
    "LOAD_GRID_URL": f"/schedules/versions/{rotations.pk}/",
    "LOAD_CALL_URL": f"/schedules/calls/{calls.pk}/" if calls
    else f"/schedules/calls/programs/{program.pk}/",
}))
"""


def _server_environment(database_url: str, cache_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-load-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        # Production refuses a backend that delivers nothing; the load mix sends no mail.
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "DATABASE_URL": database_url,
        "ROUNDS_CACHE_URL": cache_url,
        "ROUNDS_LOG_LEVEL": "WARNING",
        # The profile measures pages, not second factors: a coordinator held at the two-factor
        # set-up page would be served cheap redirects (sign-in itself is measured, with axes).
        "ROUNDS_MFA_REQUIRED_ROLES": "",
    }


def _check_cache(cache_url: str) -> None:
    """A Redis URL must answer before the run: otherwise every request would fail."""
    if not cache_url.startswith("redis://"):
        return
    address = cache_url.removeprefix("redis://").split("/", 1)[0]
    host, _, port = address.rpartition("@")[2].partition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=2).close()
    except OSError as error:
        raise SystemExit(
            f"LOAD_CACHE_URL {cache_url}: Redis does not answer ({error}); start it, or run "
            "with LOAD_CACHE_URL=locmem:// (a cache per process)"
        ) from None


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _ensure_postgres_database(database_url: str) -> None:
    if not database_url.startswith("postgres"):
        return
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, load the demo (kept when already there), collect static; the pages' ids."""
    _manage({**env, "DJANGO_DEBUG": "1"}, "migrate", "--noinput")
    _manage({**env, "DJANGO_DEBUG": "1"}, "load_demo")
    _manage(env, "collectstatic", "--noinput")
    output = _manage({**env, "DJANGO_DEBUG": "1"}, "shell", "-c", LOOKUP)
    return dict(json.loads(output.strip().splitlines()[-1]))


def _start_server(env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(ROOT / "rounds" / "gunicorn.conf.py"),
            "rounds.wsgi",
        ],
        cwd=ROOT,
        # The production settings file, with this run's address and number of processes.
        env={**env, "ROUNDS_WEB_BIND": f"127.0.0.1:{PORT}", "ROUNDS_WEB_WORKERS": str(workers)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(HOST + "/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer on 127.0.0.1 within 60 s")


def _run_level(users: int, seconds: int, pages: dict[str, str], folder: Path) -> dict[str, str]:
    prefix = folder / f"u{users}"
    ramp = max(1, users // 10)
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "bench" / "_locustfile.py"),
            "--headless",
            "--only-summary",
            "--users",
            str(users),
            "--spawn-rate",
            str(ramp),
            "--run-time",
            f"{seconds + users // ramp}s",
            "--stop-timeout",
            "5",
            "--host",
            HOST,
            "--csv",
            str(prefix),
        ],
        env={**os.environ, **pages},
        check=False,
        capture_output=True,
        timeout=seconds + users + 120,
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    row = next(row for row in rows if row["Name"] == "Aggregated")
    # A user class that crashed (an exception, not a failed request) exits locust non-zero:
    # the level then counts as missed, whatever its figures say.
    row["exit"] = str(done.returncode)
    # Where the time went: sign-ins (password hashing is slow on purpose, and every signed-in
    # user signs in during the ramp) and the slowest page.
    pages_only = [r for r in rows if r["Name"] != "Aggregated" and not r["Name"].startswith("sign")]
    slowest = max(pages_only, key=lambda r: float(r["95%"]), default=None)
    signing = [r for r in rows if r["Name"] == "sign in"]
    row["sign_in_p95"] = signing[0]["95%"] if signing else "-"
    row["slowest"] = f"{slowest['Name']} p95 {slowest['95%']}" if slowest else "-"
    return row


def _print(
    results: list[tuple[int, dict[str, str]]], workers: int, seconds: int, cache_url: str
) -> None:
    print(
        f"gunicorn {workers} workers (rounds/gunicorn.conf.py) on {os.cpu_count()} cores, "
        f"cache {cache_url}; {seconds} s per level; ms"
    )
    header = f"{'users':>6}{'requests':>10}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}{'errors':>8}"
    print(f"{header}  target p95 < {TARGET_P95_MS:.0f} ms, 0 errors")
    for users, row in results:
        p95 = float(row["95%"])
        errors = int(row["Failure Count"])
        crashed = row.get("exit", "0") not in ("0", "1")  # 1: some requests failed
        verdict = "ok" if p95 < TARGET_P95_MS and errors == 0 and not crashed else "MISSED"
        if crashed:
            verdict += f" (locust exited {row['exit']}: a user class crashed)"
        print(
            f"{users:>6}{row['Request Count']:>10}{float(row['Requests/s']):>8.1f}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}{errors:>8}  {verdict}"
        )
    for users, row in results:
        print(
            f"{users:>6} users: sign in p95 {row.get('sign_in_p95', '-')}; "
            f"slowest page {row.get('slowest', '-')}"
        )


def main() -> None:
    if shutil.which("locust", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit("locust is not installed: run `make load`, which installs it")
    database_url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE)
    users = [int(n) for n in os.environ.get("LOAD_USERS", "50,100,200").split(",")]
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    workers = int(os.environ.get("LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
    cache_url = os.environ.get("LOAD_CACHE_URL", DEFAULT_CACHE)
    _check_cache(cache_url)
    _ensure_postgres_database(database_url)
    env = _server_environment(database_url, cache_url)
    pages = _prepare(env)
    server = _start_server(env, workers)
    try:
        with tempfile.TemporaryDirectory(prefix="rounds-load-") as folder:
            results = [(n, _run_level(n, seconds, pages, Path(folder))) for n in users]
    finally:
        server.terminate()
        server.wait(timeout=30)
    _print(results, workers, seconds, cache_url)


if __name__ == "__main__":
    main()
