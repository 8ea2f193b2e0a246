"""What each page of the load mix costs, in figures a busy machine distorts least:
`python -m bench page_cost`.

For every page bench/_locustfile.py requests (applicant, resident and coordinator pages, as the
demo's `resident` and `coord.im` accounts), prints the SQL queries the request runs, the size of
the page and of what is sent (gzipped, as a browser accepts it) and the CPU time the server
process spends on it (time.process_time, so time spent waiting for another process's turn on the
CPU is not counted; a machine busy with other work still slows each instruction somewhat, so
compare figures taken side by side). "cold" is the first request after the cache is cleared;
"warm" the median of the requests after it (public pages and published versions' checks come
from the cache then). Builds the demo into a fresh SQLite file in a temporary directory unless
BENCH_USE_CONFIGURED_DB=1, which measures the configured database (it must hold the demo).
"""

from __future__ import annotations

import gzip
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.pages import _build_demo, _setup_django

if TYPE_CHECKING:
    from django.test import Client

REPEAT = 7


@dataclass(frozen=True)
class Cost:
    page: str
    cold_queries: int
    warm_queries: int
    kilobytes: float  # the page
    sent_kilobytes: float  # what travels: gzipped (pages under 200 bytes or not smaller are not)
    cold_cpu_ms: float
    warm_cpu_ms: float


def mix_pages() -> list[tuple[str, str | None, str]]:
    """(name, username or None for anonymous, url) for every page of the load mix."""
    from rounds.core.models import Program
    from rounds.schedules.models import CallSchedule, RotationSchedule

    program = Program.objects.get(name="Internal Medicine Residency")
    grid = RotationSchedule.objects.filter(program=program, status="published").first()
    if grid is None:
        grid = _hand_placed(program)
    draft = RotationSchedule.objects.filter(program=program, status="draft").first()
    calls = CallSchedule.objects.filter(program=program, status="published").first()
    pages = [
        ("home", None, "/"),
        ("program list", None, "/programs/"),
        ("program page", None, program.get_absolute_url()),
        ("site list", None, "/sites/"),
        ("resident: my schedule", "resident", "/schedules/me/"),
        ("resident: my calls", "resident", "/schedules/calls/me/"),
        ("resident: hours", "resident", "/hours/"),
        ("resident: start", "resident", "/staff/start/"),
        (
            "coord: program year",
            "coord.im",
            f"/schedules/programs/{program.pk}/{grid.academic_year}/",
        ),
        ("coord: rotation grid", "coord.im", f"/schedules/versions/{grid.pk}/"),
        ("coord: start", "coord.im", "/staff/start/"),
    ]
    if draft is not None:
        pages.append(("coord: draft grid", "coord.im", f"/schedules/versions/{draft.pk}/"))
    if calls is None:
        # As bench/load.py does: the program's call page stands in for a month.
        print("The demo holds no published IM call month: measuring the program's call page.")
        pages.append(("coord: call page", "coord.im", f"/schedules/calls/programs/{program.pk}/"))
    else:
        pages.append(("coord: call month", "coord.im", f"/schedules/calls/{calls.pk}/"))
    return pages


def _hand_placed(program: Any) -> Any:
    """A published schedule and a draft copy, placed by hand, when the demo's solve gave none:
    the grid's cost depends on its size (trainees x blocks), not on the solver's choices."""
    from rounds.engine.rotations.check import Placement
    from rounds.schedules.models import Block, RotationProgram
    from rounds.schedules.problem import active_trainees, rid, tid, year_span
    from rounds.schedules.services import schedule_create, schedule_publish

    print("The demo holds no published IM rotation schedule: measuring a hand-placed one.")
    first_block = Block.objects.filter(program=program).order_by("academic_year").first()
    assert first_block is not None, "the demo gives every program its blocks"
    year = first_block.academic_year
    blocks = list(Block.objects.filter(program=program, academic_year=year))
    rotations = [u.rotation_id for u in RotationProgram.objects.filter(program=program)]
    trainees = [t.pk for t in active_trainees([program], *year_span([program.pk], year))]
    placements = [
        Placement(tid(t), b.number, rid(rotations[(i + b.number) % len(rotations)]))
        for i, t in enumerate(trainees)
        for b in blocks
    ]
    first = schedule_create(
        program=program, academic_year=year, by=None, reason="bench", placements=placements
    )
    schedule_publish(schedule=first, by=None, notify=False)
    schedule_create(program=program, academic_year=year, by=None, reason="bench", based_on=first)
    return first


def _one(client: Client, url: str) -> tuple[int, int, int, float]:
    """Queries, bytes sent, bytes of the page, CPU ms: asked as a browser asks (gzip accepted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.process_time()
        response = client.get(url, follow=True, HTTP_ACCEPT_ENCODING="gzip, deflate")
        cpu_ms = (time.process_time() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    sent = response.content
    page = gzip.decompress(sent) if response.get("Content-Encoding") == "gzip" else sent
    return len(queries), len(sent), len(page), cpu_ms


def page_cost(name: str, client: Client, url: str) -> Cost:
    from django.core.cache import cache

    cache.clear()
    cold_queries, sent, size, cold_cpu = _one(client, url)
    warm = [_one(client, url) for _ in range(REPEAT)]
    return Cost(
        page=name,
        cold_queries=cold_queries,
        warm_queries=max(q for q, _, _, _ in warm),
        kilobytes=size / 1024,
        sent_kilobytes=sent / 1024,
        cold_cpu_ms=cold_cpu,
        warm_cpu_ms=statistics.median(ms for _, _, _, ms in warm),
    )


def measure() -> list[Cost]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    clients: dict[str | None, Client] = {}
    out = []
    for name, username, url in mix_pages():
        if username not in clients:
            clients[username] = Client()
            if username is not None:
                clients[username].force_login(get_user_model().objects.get(username=username))
        out.append(page_cost(name, clients[username], url))
    return out


def report(costs: list[Cost]) -> None:
    print(f"per request; warm = median of {REPEAT} after the first (cold) one; CPU of this process")
    print(
        f"{'page':<24}{'queries':>9}{'(warm)':>8}{'KB':>9}{'(sent)':>8}{'CPU ms':>9}{'(warm)':>9}"
    )
    for c in costs:
        print(
            f"{c.page:<24}{c.cold_queries:>9}{c.warm_queries:>8}{c.kilobytes:>9.1f}"
            f"{c.sent_kilobytes:>8.1f}{c.cold_cpu_ms:>9.1f}{c.warm_cpu_ms:>9.1f}"
        )


def main() -> None:
    os.environ.setdefault("ROUNDS_LOG_LEVEL", "WARNING")  # no sign-in lines amid the table
    if os.environ.get("BENCH_USE_CONFIGURED_DB"):
        _setup_django(None)
        report(measure())
        return
    with tempfile.TemporaryDirectory(prefix="rounds-bench-") as folder:
        _setup_django(Path(folder) / "bench.sqlite3")
        _build_demo()
        report(measure())


if __name__ == "__main__":
    main()
