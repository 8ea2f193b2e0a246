"""The CCC resident page's latency on the demo institution: `python -m bench milestones`.

Builds the whole demo (every area, as `manage.py load_demo` does: the work-hour findings and the
published rotation schedules are evidence on the page) into a fresh SQLite file, then times the
pages of the demo's signed-off Internal Medicine review through Django's test client, signed in
as the program director: the resident page of the demo resident and of the first resident the
meeting list flags, the meeting list itself and the CSV export. DEBUG is off, as in production.
Target: the resident page's p95 under 100 ms.
"""

from __future__ import annotations

import functools
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.pages import _percentile, _setup_django, _status

TARGET_P95_MS = 100.0
REQUESTS = 300
WARMUP = 10


def _timings(get: Callable[[], int], count: int) -> list[float]:
    for _ in range(WARMUP):
        get()
    out: list[float] = []
    for _ in range(count):
        started = time.perf_counter()
        status = get()
        out.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return out


def _build() -> tuple[float, float]:
    """(seconds for the whole demo, seconds for the milestones part of it)."""
    from django.core.management import call_command

    from rounds.milestones import demo as milestones_demo

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    timed: dict[str, float] = {}
    original = milestones_demo.demo_extend

    def timed_extend(*, seed: int) -> list[str]:
        begin = time.perf_counter()
        lines = original(seed=seed)
        timed["milestones"] = time.perf_counter() - begin
        return lines

    milestones_demo.demo_extend = timed_extend
    try:
        call_command("load_demo", seed=2026, stdout=io.StringIO())
    finally:
        milestones_demo.demo_extend = original
    return time.perf_counter() - started, timed.get("milestones", 0.0)


def _measure() -> list[tuple[str, list[float]]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from rounds.milestones.models import CommitteeReview
    from rounds.milestones.selectors import meeting_list

    review = CommitteeReview.objects.filter(signed_off_at__isnull=False).order_by("-period").first()
    assert review is not None, "the demo has no signed-off CCC review"
    rows = meeting_list(review)
    flagged = next(r.trainee for r in rows if r.flagged)
    resident = next(r.trainee for r in rows if r.trainee.person.user_id is not None)
    client = Client()
    client.force_login(get_user_model().objects.get(username="pd.im"))
    pages = {
        f"resident page ({len(rows)} residents, demo resident)": reverse(
            "milestones:resident", args=[review.pk, resident.pk]
        ),
        "resident page (flagged resident)": reverse(
            "milestones:resident", args=[review.pk, flagged.pk]
        ),
        "meeting list": reverse("milestones:review", args=[review.pk]),
        "ACGME export (CSV)": reverse("milestones:export", args=[review.pk]),
    }
    return [
        (
            name,
            _timings(
                functools.partial(_status, client, url), REQUESTS if "resident" in name else 50
            ),
        )
        for name, url in pages.items()
    ]


def _report(results: list[tuple[str, list[float]]], build: tuple[float, float]) -> None:
    print(f"demo build: {build[0]:.1f} s in all, of which milestones {build[1]:.2f} s (SQLite)")
    print("times in ms, signed in as the program director")
    print(f"{'page':<52}{'n':>5}{'p50':>8}{'p95':>8}{'max':>8}  target p95 < {TARGET_P95_MS:.0f}")
    for name, times in results:
        p95 = _percentile(times, 0.95)
        verdict = ("ok" if p95 < TARGET_P95_MS else "SLOW") if "resident" in name else ""
        print(
            f"{name:<52}{len(times):>5}{statistics.median(times):>8.1f}{p95:>8.1f}"
            f"{max(times):>8.1f}  {verdict}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="rounds-bench-") as folder:
        _setup_django(Path(folder) / "bench.sqlite3")
        build = _build()
        _report(_measure(), build)


if __name__ == "__main__":
    main()
