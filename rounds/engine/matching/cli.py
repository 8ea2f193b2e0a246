"""`rounds match problem.json`: pair mentees with mentors from the command line.

Bad input prints one line naming the field (`mentors[2].capacity: ...`) and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rounds.engine import readers as read
from rounds.engine.errors import ProblemError
from rounds.engine.matching.problem import Problem
from rounds.engine.matching.solve import blocking_pairs, match


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("match", help="match mentees with mentors (docs/matching.md)")
    parser.add_argument("problem", help="problem JSON")
    parser.add_argument("--mode", choices=["auto", "stable", "optimal"], help="override the mode")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("-o", "--output", help="write the result JSON here (default stdout)")
    parser.set_defaults(func=run_match)


def run_match(args: argparse.Namespace) -> int:
    try:
        data = read.load_json(args.problem)
        if args.mode and isinstance(data, dict):
            data["mode"] = args.mode
        problem = Problem.from_json(data)
    except ProblemError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = match(problem, time_limit=args.time_limit)
    out = result.to_json()
    if result.mode == "stable":
        out["blocking_pairs"] = [list(p) for p in blocking_pairs(problem, result)]
    text = json.dumps(out, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    print(
        f"{len(result.pairs)} pairs, {len(result.unmatched)} unmatched, {result.mode} mode, "
        f"{result.seconds:.2f} s",
        file=sys.stderr,
    )
    return 0
