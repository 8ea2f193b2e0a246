"""Evaluation requests for a whole institution's year: `python -m bench assessment`.

Builds the demo institution's people (about 800 trainees in 60+ programs) into a fresh SQLite
file in a temporary directory, gives every program blocks and rotations (the schedules demo's
own setup), a published rotation schedule made by dealing each trainee round the program's
rotations (no solver: this measures request generation, not scheduling), attendings on every
rotation and a form set per program. Then it times `requests_generate` making the year's
requests from those schedules: once as one catch-up run over the whole year, once as the daily
job would across the year (one run per block end), and a second catch-up run that must make
nothing (idempotence). Target: the whole year under 5 s.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

TARGET_SECONDS = 5.0


def _setup_django(database: Path) -> None:
    import django

    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rounds.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def _published_years(year: int) -> int:
    """A published schedule per program: trainee i in block b on rotation (i + b) mod n."""
    from rounds.people.training import trainees_in_training
    from rounds.schedules.models import Block, RotationAssignment, RotationProgram, RotationSchedule

    by_program: dict[int, list[int]] = {}
    for trainee in trainees_in_training(None, date(year, 7, 1), date(year + 1, 6, 30)):
        by_program.setdefault(trainee.program_id, []).append(trainee.pk)
    rows = []
    for program_id, trainees in by_program.items():
        rotations = list(
            RotationProgram.objects.filter(program_id=program_id)
            .exclude(rotation__kind="vacation")
            .values_list("rotation_id", flat=True)
        )
        blocks = list(Block.objects.filter(program_id=program_id, academic_year=year))
        if not rotations or not blocks:
            continue
        schedule = RotationSchedule.objects.create(
            program_id=program_id, academic_year=year, number=1, status="published"
        )
        for i, trainee_id in enumerate(trainees):
            for b, block in enumerate(blocks):
                rotation = rotations[(i + b) % len(rotations)]
                rows.append(
                    RotationAssignment(
                        schedule=schedule, trainee_id=trainee_id, block=block, rotation_id=rotation
                    )
                )
    RotationAssignment.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _institution(year: int) -> dict[str, int]:
    from django.core.management import call_command

    from rounds.assessment.demo import form_set, teaching_for
    from rounds.core.demo import demo_build
    from rounds.core.models import Program
    from rounds.lib.today import today_is
    from rounds.schedules.demo import _rotations_and_curriculum

    call_command("migrate", verbosity=0)
    with today_is(date(year, 9, 1)):
        demo_build(seed=2026, academic_year=year)
        _rotations_and_curriculum(random.Random(2026), year)
        placements = _published_years(year)
        programs = list(Program.objects.filter(blocks__academic_year=year).distinct())
        spans = teaching_for(programs, random.Random(1))
        forms = sum(len(form_set(p)) for p in programs)
    return {
        "programs": len(programs),
        "placements": placements,
        "attending spans": spans,
        "forms": forms,
    }


def _timed(run: Callable[[], T]) -> tuple[tuple[float, float], T]:
    """(wall seconds, CPU seconds of this process) and the result. On a shared machine the wall
    time includes waiting for a core; the CPU time is what the work itself cost."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return (time.perf_counter() - wall, time.process_time() - cpu), result


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _setup_django(Path(folder) / "bench.sqlite3")
        from rounds.assessment.generate import GenerationResult, requests_generate
        from rounds.assessment.models import EvaluationRequest, RequestSource
        from rounds.assessment.services import requests_expire
        from rounds.schedules.models import Block

        year = 2026
        sizes = _institution(year)
        print("institution: " + ", ".join(f"{v} {k}" for k, v in sizes.items()))
        year_end = date(year + 1, 6, 30)
        catch_up, made = _timed(lambda: requests_generate(day=year_end, lookback_days=366))
        again, second = _timed(lambda: requests_generate(day=year_end, lookback_days=366))
        requests = EvaluationRequest.objects.count()
        EvaluationRequest.objects.all().delete()
        RequestSource.objects.all().delete()
        ends = sorted(set(Block.objects.filter(academic_year=year).values_list("end", flat=True)))

        def daily_job(day: date) -> GenerationResult:
            requests_expire(day=day)  # as the daily command does, so open requests stay few
            return requests_generate(day=day, lookback_days=7)

        daily, results = _timed(lambda: [daily_job(end) for end in ends])
        rows = [
            ("one run over the whole year", catch_up, made.created, made.merged + made.capped),
            ("second run (must make nothing)", again, second.created, second.already_done),
            (f"{len(ends)} daily runs (with expiry), one per block end", daily,
             sum(r.created for r in results), sum(r.merged + r.capped for r in results)),
        ]  # fmt: skip
        print(
            f"{'run':<50} {'wall s':>7} {'CPU s':>7} {'created':>8} {'merged/capped or seen':>22}"
        )
        for name, (wall, cpu), created, other in rows:
            print(f"{name:<50} {wall:>7.2f} {cpu:>7.2f} {created:>8} {other:>22}")
        # The target is the year's requests in one go; the daily runs are shown for comparison.
        worst = catch_up[1]
        verdict = "meets" if worst < TARGET_SECONDS else "MISSES"
        print(
            f"{requests} requests in the year; {verdict} the {TARGET_SECONDS:.0f} s target "
            f"(CPU seconds of the one-run year: {worst:.2f})"
        )
