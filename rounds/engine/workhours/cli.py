"""`rounds check-hours RECORD.json`: check one trainee's record, print the report as JSON.

Exit status: 0 compliant, 1 violations found, 2 the input could not be read (one line on stderr
naming where and what, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rounds.engine import readers as read
from rounds.engine.errors import ProblemError
from rounds.engine.workhours.check import check
from rounds.engine.workhours.record import Record

EXIT_COMPLIANT = 0
EXIT_VIOLATIONS = 1
EXIT_BAD_INPUT = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check-hours",
        help="check a trainee's work-hour record against the ACGME rules",
        description="Check one trainee's work-hour record (JSON; see docs/workhours.md). "
        "Exit 0 when compliant, 1 with violations, 2 when the input is invalid.",
    )
    parser.add_argument("record", metavar="RECORD.json", type=Path)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.record
    try:
        data = read.load_json(path)  # its errors name the file already
    except ProblemError as error:
        return fail(str(error))
    try:
        record = Record.from_json(data)
    except ProblemError as error:
        return fail(f"{path}: {error}")
    report = check(record)
    print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    return EXIT_COMPLIANT if report.compliant else EXIT_VIOLATIONS


def fail(message: str) -> int:
    print(f"rounds check-hours: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT
