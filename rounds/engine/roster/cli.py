"""`rounds solve` and `rounds bench curtois`: schedules from the command line.

Bad input prints one line naming the field (`shifts[2].length: must be positive`) and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rounds.engine.errors import ProblemError


def register(subparsers: Any) -> None:
    solve = subparsers.add_parser(
        "solve", help="build a call or shift schedule from a problem file"
    )
    solve.add_argument("problem", help="problem JSON (see docs/roster-format.md)")
    solve.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    solve.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    _work_argument(solve)
    solve.add_argument("--warm-start", help="an earlier RESULT.json to start from")
    solve.add_argument(
        "--keep",
        metavar="FIRST:LAST",
        help="with --warm-start: lock every assignment outside days FIRST..LAST (re-plan a week)",
    )
    solve.add_argument("-o", "--output", help="write the result JSON here (default stdout)")
    _knob_argument(solve)
    solve.set_defaults(func=run_solve)

    bench = subparsers.add_parser("bench", help="benchmark instances")
    kinds = bench.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
    curtois = kinds.add_parser("curtois", help="Curtois & Qu shift scheduling instance")
    curtois.add_argument("instance", help="instance file, or a number 1-16")
    curtois.add_argument("--time-limit", type=float, default=60.0)
    curtois.add_argument("--workers", type=int, default=2)
    curtois.add_argument("--seed", type=int, default=0)
    _work_argument(curtois)
    curtois.add_argument("-o", "--output", help="write the result JSON here (default stdout)")
    _knob_argument(curtois)
    curtois.set_defaults(func=run_curtois)


def _knob_argument(parser: Any) -> None:
    parser.add_argument(
        "--knob",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a search knob (repeatable; the table in docs/scheduling.md), e.g. stalled=0.2",
    )


def _work_argument(parser: Any) -> None:
    parser.add_argument(
        "--work",
        type=float,
        metavar="UNITS",
        help="a deterministic budget of work (about a second each on an idle core) instead of "
        "--time-limit: the same problem, seed and workers give the same schedule on any machine",
    )


def _budget(args: argparse.Namespace) -> tuple[float, Any]:
    """(time limit, clock): --work counts the limit in deterministic work units."""
    from rounds.engine.clock import WALL, WorkClock

    if args.work is not None:
        if args.work <= 0:
            raise ProblemError("--work", "must be positive")
        return args.work, WorkClock()
    if args.time_limit <= 0:
        raise ProblemError("--time-limit", "must be positive")
    return args.time_limit, WALL


def _settings(args: argparse.Namespace) -> Any:
    from rounds.engine.roster.settings import DEFAULT_SETTINGS, with_knobs

    return with_knobs(DEFAULT_SETTINGS, args.knob)


def _fail(error: ProblemError) -> int:
    print(f"error: {error}", file=sys.stderr)
    return 2


def _write(data: dict[str, Any], output: str | None) -> None:
    text = json.dumps(data, indent=2) + "\n"
    if output:
        Path(output).write_text(text)
    else:
        sys.stdout.write(text)


def _keep_range(text: str) -> tuple[int, int]:
    try:
        first, last = (int(part) for part in text.split(":"))
    except ValueError:
        raise ProblemError("--keep", "must be FIRST:LAST day indices, e.g. 7:13") from None
    if first > last:
        raise ProblemError("--keep", "FIRST must not be after LAST")
    return first, last


def run_solve(args: argparse.Namespace) -> int:
    from rounds.engine.roster.diff import changes, lock_outside
    from rounds.engine.roster.problem import Problem
    from rounds.engine.roster.solve import Result, solve

    try:
        time_limit, clock = _budget(args)
        if args.workers < 1:
            raise ProblemError("--workers", "must be at least 1")
        problem = Problem.from_file(args.problem)
        previous = Result.from_file(args.warm_start) if args.warm_start else None
        if args.keep and previous is None:
            raise ProblemError("--keep", "needs --warm-start")
        if args.keep and previous is not None:
            problem = lock_outside(problem, previous, *_keep_range(args.keep))
        settings = _settings(args)
    except ProblemError as error:
        return _fail(error)
    result = solve(
        problem,
        time_limit=time_limit,
        workers=args.workers,
        warm_start=previous,
        settings=settings,
        clock=clock,
    )
    if previous is not None and result.has_schedule:
        result.changes = changes(previous.assignments, result.assignments)
    _write(result.to_json(), args.output)
    print(_summary(result, "units of work" if clock.deterministic else "s"), file=sys.stderr)
    return 0 if result.has_schedule else 1


def _summary(result: Any, unit: str = "s") -> str:
    if result.has_schedule:
        bent = f", {len(result.bent)} wishes bent" if result.bent else ""
        violations = sum(1 for f in result.findings if f["severity"] == "violation")
        return (
            f"{result.status.value}: objective {result.objective:g} (bound {result.best_bound:g})"
            f"{bent}, {violations} work-hour violations, {result.wall_time:.1f} {unit}"
        )
    lines = [f"{result.status.value}:", *(f"  {s}" for s in result.explanation)]
    return "\n".join(lines)


def run_curtois(args: argparse.Namespace) -> int:
    from rounds.engine.roster import curtois

    try:
        time_limit, clock = _budget(args)
        instance = curtois.load(args.instance)
        settings = _settings(args)
    except ProblemError as error:
        return _fail(error)
    out = curtois.run(
        instance,
        time_limit=time_limit,
        workers=args.workers,
        seed=args.seed,
        settings=settings,
        clock=clock,
    )
    _write(out, args.output)
    print(
        f"{instance.name}: objective {out['objective']} (best known {out['best_known']}), "
        f"status {out['status']}, {out['wall_time']:.1f} "
        f"{'units of work' if clock.deterministic else 's'}",
        file=sys.stderr,
    )
    return 0 if out["objective"] is not None else 1
