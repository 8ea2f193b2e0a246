"""Curtois & Qu instances through the roster engine: objective, best known, gap, first feasible.

`python -m bench roster_curtois` runs instances 1-16 at 60 s and 2 workers (about 17 minutes).
Choose with the environment (ROSTER_INSTANCES="1,5,10", ROSTER_TIME_LIMIT=20, ROSTER_WORKERS=2)
or run the file directly: `python bench/roster_curtois.py 1 5 10 --time-limit 20`.
`--work W` (ROSTER_WORK) gives each instance W units of deterministic work instead of seconds
(`rounds.engine.clock.WorkClock`): the table is then the same on any machine.
"""

from __future__ import annotations

import argparse
import os
import sys

from rounds.engine.clock import WALL, WorkClock
from rounds.engine.roster import curtois


def table(instances: list[int], time_limit: float, workers: int, work: bool = False) -> None:
    unit = "units of work" if work else "s"
    print(f"Curtois instances, {time_limit:g} {unit}, {workers} workers (objective re-evaluated)")
    print("| instance | objective | best known | gap % | first feasible s | status | hard errors |")
    print("|---|---|---|---|---|---|---|")
    for number in instances:
        clock = WorkClock() if work else WALL
        out = curtois.run(
            curtois.load(str(number)), time_limit=time_limit, workers=workers, clock=clock
        )
        first = out["time_to_first_feasible"]
        print(
            f"| {number} | {out['objective']} | {out['best_known']} | {out['gap_percent']} | "
            f"{'-' if first is None else f'{first:.2f}'} | {out['status']} | "
            f"{len(out['hard_violations'])} |",
            flush=True,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = os.environ.get("ROSTER_INSTANCES", ",".join(str(i) for i in range(1, 17)))
    parser.add_argument("instances", nargs="*", type=int)
    parser.add_argument(
        "--time-limit", type=float, default=float(os.environ.get("ROSTER_TIME_LIMIT", 60))
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("ROSTER_WORKERS", 2)))
    work = os.environ.get("ROSTER_WORK")
    parser.add_argument("--work", type=float, default=float(work) if work else None)
    args = parser.parse_args([] if argv is None and __name__ != "__main__" else argv)
    instances = args.instances or [int(i) for i in default.split(",") if i]
    if args.work is not None:
        table(instances, args.work, args.workers, work=True)
    else:
        table(instances, args.time_limit, args.workers)


if __name__ == "__main__":
    main(sys.argv[1:])
