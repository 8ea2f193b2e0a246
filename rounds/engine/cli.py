"""`rounds` command line: one entry point, one module per subcommand family.

Each module in COMMAND_MODULES exposes `register(subparsers)`, which adds its subcommands and sets
`func` on their parsers; `func(args) -> int` is the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMAND_MODULES: list[str] = [
    "rounds.engine.workhours.cli",
    "rounds.engine.roster.cli",
    "rounds.engine.matching.cli",
    "rounds.engine.rotations.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rounds", description="Rounds engine: schedules, work-hour checks, matching."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
