"""Latency of the on-call API, the endpoint a paging system polls: `python -m bench api`.

Builds the full demo (institution, solved and published rotation schedules, a published call
month) into a fresh SQLite file in a temporary directory (BENCH_USE_CONFIGURED_DB=1 measures
the configured database instead, which must already hold the demo), makes an API token, and
times `/api/on-call/` through Django's test client: the whole request cycle (middleware, token
look-up and use count, rate limit, shifts, each service's attendings, JSON) without a network
socket, with DEBUG off.
Target: p95 under 50 ms.
"""

from __future__ import annotations

import functools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.pages import WARMUP, _percentile, _setup_django

if TYPE_CHECKING:
    from django.test import Client

REQUESTS = 300
TARGET_P95_MS = 50.0


def _build_full_demo() -> float:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("load_demo", seed=2026, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return time.perf_counter() - started


def _busiest_instant() -> Any:
    """An instant inside the most published shifts at once (a start hour, plus a minute)."""
    from collections import Counter
    from datetime import timedelta

    from rounds.schedules.models import CallAssignment, CallSchedule

    starts = Counter(
        CallAssignment.objects.filter(schedule__status=CallSchedule.Status.PUBLISHED).values_list(
            "start", flat=True
        )
    )
    if not starts:
        raise SystemExit("The database holds no published call shifts; load the demo first.")
    return starts.most_common(1)[0][0] + timedelta(minutes=1)


def _cases() -> dict[str, dict[str, str]]:
    from rounds.schedules.models import CallAssignment, CallSchedule

    at = _busiest_instant()
    shift = (
        CallAssignment.objects.filter(
            schedule__status=CallSchedule.Status.PUBLISHED, start__lte=at, end__gt=at
        )
        .select_related("site")
        .first()
    )
    assert shift is not None
    when = at.isoformat()
    return {
        "now, every site": {},
        "busiest hour, every site": {"at": when},
        f"busiest hour, site {shift.site.slug}": {"at": when, "site": shift.site.slug},
        "busiest hour, site and service": {
            "at": when,
            "site": shift.site.slug,
            "service": shift.service,
        },
    }


def _get(client: Client, params: dict[str, str]) -> int:
    return client.get("/api/on-call/", params).status_code


def _timings(get: Callable[[], int]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each request. On a shared machine the wall clock
    includes waiting for a core; the CPU time is what the request itself costs."""
    for _ in range(WARMUP):
        get()
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(REQUESTS):
        started, started_cpu = time.perf_counter(), time.thread_time()
        status = get()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        assert status == 200, status
    return wall, cpu


Result = tuple[str, int, int, tuple[list[float], list[float]]]


def _measure() -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from rounds.api.services import token_create

    pager = get_user_model().objects.get(username="faculty")
    secret = token_create(
        user=pager, name="bench pager", scopes=["schedules:read"], rate_per_minute=10**9, by=None
    ).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    results = []
    for name, params in _cases().items():
        answer = client.get("/api/on-call/", params).json()
        shifts = len(answer["shifts"])
        attendings = sum(len(service["attendings"]) for service in answer["services"])
        timings = _timings(functools.partial(_get, client, params))
        results.append((name, shifts, attendings, timings))
    return results


def _report(results: list[Result], build_seconds: float | None) -> None:
    if build_seconds is not None:
        print(f"demo build: {build_seconds:.1f} s (full scale with schedules, SQLite)")
    load = os.getloadavg()[0]
    print(f"GET /api/on-call/: {REQUESTS} requests per case after warm-up; times in ms; "
          f"load average {load:.1f} on {os.cpu_count()} cores")  # fmt: skip
    print(f"{'case':<36}{'shifts':>7}{'attend':>7}{'p50':>7}{'p95':>7}{'max':>7}"
          f"{'cpu p50':>9}{'cpu p95':>9}  target p95 < {TARGET_P95_MS:.0f}")  # fmt: skip
    for name, shifts, attendings, (wall, cpu) in results:
        p95 = _percentile(wall, 0.95)
        verdict = "ok" if p95 < TARGET_P95_MS else "SLOW"
        if verdict == "SLOW" and _percentile(cpu, 0.95) < TARGET_P95_MS:
            verdict = "ok in CPU (waited for a core)"
        print(f"{name[:35]:<36}{shifts:>7}{attendings:>7}{statistics.median(wall):>7.1f}{p95:>7.1f}"
              f"{max(wall):>7.1f}{statistics.median(cpu):>9.1f}{_percentile(cpu, 0.95):>9.1f}"
              f"  {verdict}")  # fmt: skip


def main() -> None:
    if os.environ.get("BENCH_USE_CONFIGURED_DB"):
        _setup_django(None)
        _report(_measure(), None)
        return
    with tempfile.TemporaryDirectory(prefix="rounds-bench-") as folder:
        _setup_django(Path(folder) / "bench.sqlite3")
        build_seconds = _build_full_demo()
        _report(_measure(), build_seconds)


if __name__ == "__main__":
    main()
