"""Generated resident call problems with every ACGME rule: time to first feasible, time to proven
optimum or the gap at the limit.

`python -m bench roster_call` runs 20, 60 and 150 residents x 28 and 91 days at 60 s, 2 workers.
Choose with ROSTER_CALL_SIZES="60x28,150x91", ROSTER_TIME_LIMIT and ROSTER_WORKERS. A last row
builds and solves a year: 150 residents x 365 days x 30 shift types (ROSTER_YEAR=0 skips it).
"""

from __future__ import annotations

import os
import resource
import time

from rounds.engine.roster.generate import call_problem, service_problem
from rounds.engine.roster.problem import Problem
from rounds.engine.roster.solve import solve

SIZES = "20x28,20x91,60x28,60x91,150x28,150x91"


def row(residents: int, days: int, time_limit: float, workers: int) -> str:
    started = time.monotonic()
    problem = Problem.from_json(call_problem(residents, days, seed=1))
    result = solve(problem, time_limit=time_limit, workers=workers)
    first = result.time_to_first_feasible
    if result.status.value == "optimal":
        outcome = f"optimal in {result.wall_time:.1f} s"
    elif result.objective is not None and result.best_bound is not None:
        gap = 100 * (result.objective - result.best_bound) / max(1.0, abs(result.objective))
        outcome = f"gap {gap:.1f} % at limit"
    else:
        outcome = result.status.value
    violations = sum(1 for f in result.findings if f["severity"] == "violation")
    return (
        f"| {residents} x {days} | {'-' if first is None else f'{first:.2f}'} | {outcome} | "
        f"{result.objective} | {result.best_bound} | {violations} | "
        f"{time.monotonic() - started:.1f} |"
    )


def year_row(time_limit: float, workers: int) -> str:
    """150 residents x 364 days (13 four-week blocks) x 30 shift types: does it build, fit in
    memory, find a schedule? (365 days would leave a 1-day last averaging window, which needs
    its own day off: nobody could work the last day.)"""
    started = time.monotonic()
    problem = Problem.from_json(service_problem(150, 364))
    result = solve(problem, time_limit=time_limit, workers=workers)
    first = result.time_to_first_feasible
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    violations = sum(1 for f in result.findings if f["severity"] == "violation")
    return (
        f"| 150 x 364, 30 shift types | {'-' if first is None else f'{first:.1f}'} | "
        f"{result.status.value} | {result.objective} | {result.best_bound} | {violations} | "
        f"{time.monotonic() - started:.1f} (peak {peak_mb:.0f} MB) |"
    )


def main() -> None:
    time_limit = float(os.environ.get("ROSTER_TIME_LIMIT", 60))
    workers = int(os.environ.get("ROSTER_WORKERS", 2))
    sizes = os.environ.get("ROSTER_CALL_SIZES", SIZES)
    print(f"Resident call problems, all ACGME rules, {time_limit:g} s, {workers} workers")
    print(
        "| residents x days | first feasible s | result | objective | bound "
        "| checker violations | total s |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in filter(None, sizes.split(",")):
        residents, days = (int(v) for v in size.split("x"))
        print(row(residents, days, time_limit, workers), flush=True)
    if os.environ.get("ROSTER_YEAR", "1") == "1":
        print(year_row(max(time_limit, 120), workers), flush=True)


if __name__ == "__main__":
    main()
