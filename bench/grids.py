"""The rotation grid as a coordinator uses it: `python -m bench grids`.

Builds the demo (institution and schedules) into a fresh SQLite file in a temporary directory
(set BENCH_USE_CONFIGURED_DB=1 to measure the configured database instead, which must already
hold the demo), starts a draft of Internal Medicine's published year, then measures through
Django's test client, as coordinator "coord.im":
- the size of the grid page (the draft, every cell editable), target under 300 KB;
- the server time of an edit as the grid sends it (htmx: one cell, answered with the trainee's
  row and the rules list), median and p95 over EDITS edits of cells that have not started,
  target under 150 ms. Both wall-clock time and the process's CPU time are printed: on a shared
  machine the wall clock also counts waiting for a core, the CPU time only the work done.
- the same for an edit of the call grid (one trainee's day of a draft of Internal Medicine's
  published call month, answered with the trainee's row, the day's coverage and the rules
  list), over CALL_EDITS edits of days not started.
Runs with DEBUG off, as in production, with the loaded app frozen out of the garbage
collector's full passes and the collector tuned as rounds/gunicorn.conf.py does before forking
its workers (ROUNDS_GC_YOUNG=700 measures with Python's default).
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.pages import _build_demo, _percentile, _setup_django

if TYPE_CHECKING:
    from rounds.core.models import Program

EDITS = 30
CALL_EDITS = 20
TARGET_KB = 300.0
TARGET_EDIT_MS = 150.0


def _build_schedules() -> float:
    from rounds.core.management.commands.load_demo import area_demo_modules

    started = time.perf_counter()
    for module in area_demo_modules():
        if hasattr(module, "demo_extend"):
            module.demo_extend(seed=2026)
    return time.perf_counter() - started


def _measure() -> tuple[float, list[float], list[float], int]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from rounds.core.models import Program
    from rounds.schedules.history import started
    from rounds.schedules.models import Block, RotationProgram, RotationSchedule
    from rounds.schedules.selectors import published_schedule
    from rounds.schedules.services import schedule_create

    program = Program.objects.get(name="Internal Medicine Residency")
    coordinator = get_user_model().objects.get(username="coord.im")
    year = published_schedule_year(program)
    published = published_schedule(program, year)
    assert published is not None, "the demo publishes Internal Medicine's year"
    draft = schedule_create(
        program=program, academic_year=year, by=coordinator, reason="bench", based_on=published
    )
    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/schedules/versions/{draft.pk}/")
    assert page.status_code == 200, page.status_code
    page_kb = len(page.content) / 1024
    blocks = list(Block.objects.filter(program=program, academic_year=year))
    open_blocks = [b for b in blocks if not started(b, 1)]
    assert open_blocks, "the demo year has blocks still to come"
    uses = list(
        RotationProgram.objects.filter(program=program, rotation__is_active=True, max_pgy__gte=3)
        .exclude(rotation__kind="vacation")
        .select_related("rotation")
    )
    cells = list(
        draft.assignments.filter(block__in=open_blocks, half=0, locked=False)
        .select_related("trainee")
        .order_by("trainee_id", "block__number")
    )
    times: list[float] = []
    cpu: list[float] = []
    for n in range(EDITS):
        cell = cells[(n * 7) % len(cells)]
        choices = [u.rotation for u in uses if u.eligible(cell.trainee.pgy)]
        rotation = choices[n % len(choices)]
        if rotation.pk == cell.rotation_id:
            rotation = choices[(n + 1) % len(choices)]
        draft.refresh_from_db()
        begin, begin_cpu = time.perf_counter(), time.process_time()
        response = client.post(
            f"/schedules/versions/{draft.pk}/cell/",
            {
                "trainee": cell.trainee_id,
                "block": cell.block_id,
                "rotation": rotation.pk,
                "revision": draft.revision,
            },
            HTTP_HX_REQUEST="true",
        )
        times.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
        assert response.status_code == 200, response.content[:300]
        cell.rotation_id = rotation.pk
    edit_bytes = len(response.content)
    assert RotationSchedule.objects.get(pk=draft.pk).revision == EDITS
    return page_kb, times, cpu, edit_bytes


def _measure_calls() -> tuple[list[float], list[float], int] | None:
    """Edits of a draft of Internal Medicine's call month: wall and CPU ms, last answer's bytes;
    None when the demo has no call month with days still to come."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from rounds.schedules.call_checks import shift_types
    from rounds.schedules.calls import call_version_new
    from rounds.schedules.history import day_started
    from rounds.schedules.models import CallSchedule

    published = (
        CallSchedule.objects.filter(program__name="Internal Medicine Residency", status="published")
        .order_by("-month")
        .first()
    )
    if published is None:
        return None
    coordinator = get_user_model().objects.get(username="coord.im")
    draft = call_version_new(schedule=published, reason="bench", by=coordinator)
    days = [s.day for s in draft.shifts.order_by("day").distinct() if not day_started(s.day)]
    trainees = sorted({s.trainee_id for s in draft.shifts.all()})
    if not days or not trainees:
        return None
    codes = ["", *[t.id for t in shift_types(draft)]]
    client = Client()
    client.force_login(coordinator)
    times: list[float] = []
    cpu: list[float] = []
    size = 0
    for n in range(CALL_EDITS):
        draft.refresh_from_db()
        begin, begin_cpu = time.perf_counter(), time.process_time()
        response = client.post(
            f"/schedules/calls/{draft.pk}/cell/",
            {
                "trainee": trainees[(n * 5) % len(trainees)],
                "day": days[(n * 3) % len(days)].isoformat(),
                "shift": codes[n % len(codes)],
                "revision": draft.revision,
            },
            HTTP_HX_REQUEST="true",
        )
        times.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
        assert response.status_code == 200, response.content[:300]
        assert b"Someone else changed" not in response.content
        size = len(response.content)
    return times, cpu, size


def published_schedule_year(program: Program) -> int:
    from rounds.schedules.models import RotationSchedule

    found = (
        RotationSchedule.objects.filter(program=program, status="published")
        .order_by("-academic_year")
        .values_list("academic_year", flat=True)
        .first()
    )
    assert found is not None, "no published year for Internal Medicine: load the demo first"
    return found


def _report(
    page_kb: float, times: list[float], cpu: list[float], edit_bytes: int, build: str
) -> None:
    _report_rotations(page_kb, times, cpu, edit_bytes, build)
    calls = _measure_calls()
    if calls is None:
        print("call grid: the demo has no call month of Internal Medicine with days to come")
        return
    call_times, call_cpu, call_bytes = calls
    print(f"{'call edit response size':<44}{call_bytes / 1024:>9.1f} KB")
    _times("call edit", call_times, call_cpu)


def _times(what: str, times: list[float], cpu: list[float]) -> None:
    for clock, values in (("wall", times), ("CPU", cpu)):
        p95 = _percentile(values, 0.95)
        verdict = "ok" if p95 < TARGET_EDIT_MS else "SLOW"
        n = len(values)
        print(f"{f'{what} server time ({clock}), median of {n}':<44}"
              f"{statistics.median(values):>9.1f} ms")  # fmt: skip
        print(f"{f'{what} server time ({clock}), p95 of {n}':<44}{p95:>9.1f} ms  "
              f"< {TARGET_EDIT_MS:.0f} ms  {verdict}")  # fmt: skip
    print(f"{'load average (1 min) after':<44}{os.getloadavg()[0]:>9.2f}")


def _report_rotations(
    page_kb: float, times: list[float], cpu: list[float], edit_bytes: int, build: str
) -> None:
    if build:
        print(build)
    page_verdict = "ok" if page_kb < TARGET_KB else "TOO BIG"
    print("Internal Medicine's demo year, a draft, as coordinator coord.im (SQLite, DEBUG off)")
    print(f"{'measure':<44}{'value':>12}  target")
    print(f"{'grid page size':<44}{page_kb:>9.1f} KB  < {TARGET_KB:.0f} KB  {page_verdict}")
    print(f"{'edit response size':<44}{edit_bytes / 1024:>9.1f} KB")
    _times("edit", times, cpu)


def _loaded_like_gunicorn() -> None:
    """What rounds/gunicorn.conf.py does once the app is loaded, before forking the workers:
    the loaded modules' objects are frozen out of the garbage collector's full passes, and the
    young generation is collected every GC_YOUNG allocations (see its `when_ready`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(int(os.environ.get("ROUNDS_GC_YOUNG", 20_000)), 10, 10)


def main() -> None:
    if os.environ.get("BENCH_USE_CONFIGURED_DB"):
        _setup_django(None)
        _loaded_like_gunicorn()
        _report(*_measure(), build="")
        return
    with tempfile.TemporaryDirectory(prefix="rounds-bench-") as folder:
        _setup_django(Path(folder) / "bench.sqlite3")
        _loaded_like_gunicorn()
        people = _build_demo()
        schedules = _build_schedules()
        build = f"demo build: {people:.1f} s people, {schedules:.1f} s schedules (SQLite)"
        _report(*_measure(), build=build)


if __name__ == "__main__":
    main()
