"""Public page latency with the full demo institution: `python -m bench pages`.

Builds the demo into a fresh SQLite file in a temporary directory (set BENCH_USE_CONFIGURED_DB=1
to measure the configured database instead, which must already hold the demo), then times the
home page, the program list and a program page through Django's test client: the whole request
cycle (middleware, queries, templates) without a network socket. Runs with DEBUG off, as in
production, so no query log is kept.
"""

from __future__ import annotations

import functools
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.test import Client

WARMUP = 20
REQUESTS = 300
TARGET_P95_MS = 100.0


def _setup_django(database: Path | None) -> None:
    """Configure Django before its first import of settings; the settings read the environment."""
    import django

    if database is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rounds.settings")
    # DEBUG on only while settings load (for a throwaway secret key and plain static storage).
    os.environ.setdefault("DJANGO_DEBUG", "1")
    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    # Whitenoise looks for collected static files, which a benchmark has no need of.
    warnings.filterwarnings("ignore", message="No directory at")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _build_demo() -> float:
    from django.core.management import call_command

    from rounds.core.demo import demo_build

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_build(seed=2026)
    return time.perf_counter() - started


def _timings(get: Callable[[], int]) -> list[float]:
    for _ in range(WARMUP):
        get()
    out: list[float] = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        status = get()
        out.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return out


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _measure() -> list[tuple[str, list[float]]]:
    from django.test import Client

    from rounds.core.models import Program

    client = Client()
    program = Program.objects.get(name="Internal Medicine Residency")
    pages = {
        "home /": "/",
        "program list /programs/": "/programs/",
        f"program {program.get_absolute_url()}": program.get_absolute_url(),
    }
    return [
        (name, _timings(functools.partial(_status, client, url))) for name, url in pages.items()
    ]


def _status(client: Client, url: str) -> int:
    return client.get(url).status_code


def _report(results: list[tuple[str, list[float]]], build_seconds: float | None) -> None:
    if build_seconds is not None:
        print(f"demo build: {build_seconds:.2f} s (full scale, SQLite)")
    print(f"{REQUESTS} requests per page after {WARMUP} warm-up requests; times in ms")
    print(f"{'page':<48}{'p50':>8}{'p95':>8}{'max':>8}  target p95 < {TARGET_P95_MS:.0f}")
    for name, times in results:
        p95 = _percentile(times, 0.95)
        verdict = "ok" if p95 < TARGET_P95_MS else "SLOW"
        print(f"{name:<48}{statistics.median(times):>8.1f}{p95:>8.1f}{max(times):>8.1f}  {verdict}")


def main() -> None:
    if os.environ.get("BENCH_USE_CONFIGURED_DB"):
        _setup_django(None)
        _report(_measure(), None)
        return
    with tempfile.TemporaryDirectory(prefix="rounds-bench-") as folder:
        _setup_django(Path(folder) / "bench.sqlite3")
        build_seconds = _build_demo()
        _report(_measure(), build_seconds)


if __name__ == "__main__":
    main()
