"""`rounds rotations PROBLEM.json`: a rotation (block) year from the command line.

Bad input prints one line naming the field (`uses[3].rotation: unknown rotation 'picu'`) and
exits 2; no schedule (infeasible or out of time) prints why and exits 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rounds.engine import readers as read
from rounds.engine.errors import ProblemError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rotations", help="build a rotation (block) year")
    parser.add_argument("problem", help="problem JSON (see docs/rotations.md)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument("--gap", type=float, default=0.01, help="stop within this gap (0.01)")
    parser.add_argument("--seed", type=int, default=0, help="CP-SAT's random seed (default 0)")
    parser.add_argument(
        "--work",
        action="store_true",
        help="count the time limit in units of deterministic work, not seconds: the same "
        "problem, seed and workers give the same result on any machine",
    )
    parser.add_argument("--warm-start", help="an earlier RESULT.json to start from")
    parser.add_argument("-o", "--output", help="write the result JSON here (default stdout)")
    parser.set_defaults(func=run)


def _warm_start(path: str) -> Any:
    """An earlier result, or ProblemError on `--warm-start` when the file is not one."""
    from rounds.engine.rotations.solve import Result

    data = read.load_json(path, "--warm-start")
    try:
        return Result.from_json(data)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        raise ProblemError(f"--warm-start {path}", "not a result of rounds rotations") from None


def run(args: Any) -> int:
    from rounds.engine.clock import WALL, WorkClock
    from rounds.engine.rotations.problem import Problem
    from rounds.engine.rotations.solve import solve

    try:
        problem = Problem.from_file(args.problem)
        warm = _warm_start(args.warm_start) if args.warm_start else None
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = solve(
        problem,
        time_limit=args.time_limit,
        workers=args.workers,
        gap=args.gap,
        warm_start=warm,
        seed=args.seed,
        clock=WorkClock() if args.work else WALL,
    )
    text = json.dumps(result.to_json(), indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    if not result.has_schedule:
        print("\n".join(result.explanation), file=sys.stderr)
        return 1
    return 0
