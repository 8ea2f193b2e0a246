"""The whole institution's rotation year in one solve: `python -m bench rotations`.

Builds the full demo (every program, about 800 trainees, 13 blocks, shared ICUs and ED with
capacities across programs) into a fresh SQLite file with the schedules demo data but without its
solved years, builds one rotation problem for all programs, and solves it. Reports the time to
the first schedule and to a schedule proven within 1% of the optimum; targets < 60 s and < 10 min.

ROTATIONS_TIME_LIMIT (default 600 s) and ROTATIONS_WORKERS (default 2) tune the run;
ROTATIONS_SYNTHETIC=1 solves the engine's generated 60-program, 800-trainee institution instead
(no Django needed), ROTATIONS_HALVES=1 with every third program taking two services by halves.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.pages import _setup_django
from rounds.engine.rotations.check import check
from rounds.engine.rotations.problem import Problem
from rounds.engine.rotations.solve import solve
from rounds.lib.today import today

FIRST_TARGET, GAP_TARGET = 60.0, 600.0


def _demo_problem() -> tuple[dict[str, Any], float]:
    from django.core.management import call_command

    from rounds.core.demo import academic_year_start, demo_build
    from rounds.core.models import Program
    from rounds.schedules.demo import demo_extend
    from rounds.schedules.problem import build_problem

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_build(seed=2026)
    demo_extend(seed=2026, solve_programs=False)
    year = academic_year_start(today())
    programs = list(Program.objects.filter(blocks__academic_year=year).distinct())
    data = build_problem(programs, year)
    return data, time.perf_counter() - started


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def run(data: dict[str, Any], time_limit: float, workers: int) -> None:
    problem = Problem.from_json(data)
    shared = sum(1 for r in problem.rotations if r.capacity is not None)
    halves = sum(1 for u in problem.uses if u.half_blocks)
    print(
        f"{len(problem.programs())} programs, {len(problem.trainees)} trainees, "
        f"{len(problem.rotations)} rotations ({shared} with a capacity across programs), "
        f"{problem.blocks} blocks, {len(problem.requirements)} curriculum lines, "
        f"{len(problem.vacations)} vacation requests, {len(problem.preferences)} wishes, "
        f"{halves} rotation uses by half-blocks"
    )
    result = solve(problem, time_limit=time_limit, workers=workers, gap=0.01)
    violations = [f for f in check(problem, result.placements) if f.severity == "violation"]
    gap = result.gap
    print()
    print("| measure | seconds | target | verdict |")
    print("|---|---|---|---|")
    first_ok = result.time_to_first is not None and result.time_to_first < FIRST_TARGET
    gap_ok = result.time_to_gap is not None and result.time_to_gap < GAP_TARGET
    verdict = "ok" if first_ok else "MISSED"
    print(f"| first schedule | {_fmt(result.time_to_first)} | < 60 | {verdict} |")
    print(f"| within 1% | {_fmt(result.time_to_gap)} | < 600 | {'ok' if gap_ok else 'MISSED'} |")
    print()
    print(
        f"status {result.status.value}; cost {result.objective} (lower bound {result.best_bound}, "
        f"gap {'-' if gap is None else f'{100 * gap:.2f} %'}); {result.wall_time:.1f} s in all; "
        f"{len(violations)} broken rules by the independent checker; "
        f"{len(result.bent)} wishes bent; "
        f"{len({(p.trainee, p.block) for p in result.placements if p.half})} blocks in halves"
    )
    if result.explanation:
        print("\n".join(result.explanation))


def main() -> None:
    time_limit = float(os.environ.get("ROTATIONS_TIME_LIMIT", "600"))
    workers = int(os.environ.get("ROTATIONS_WORKERS", "2"))
    if os.environ.get("ROTATIONS_SYNTHETIC"):
        from rounds.engine.rotations.generate import institution_problem

        halves = bool(os.environ.get("ROTATIONS_HALVES"))
        run(institution_problem(half_blocks=halves), time_limit, workers)
        return
    with tempfile.TemporaryDirectory(prefix="rounds-bench-") as folder:
        _setup_django(Path(folder) / "bench.sqlite3")
        data, seconds = _demo_problem()
        print(f"demo built in {seconds:.1f} s (full scale, SQLite)")
        run(data, time_limit, workers)


if __name__ == "__main__":
    main()
