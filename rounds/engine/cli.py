"""`rounds` command line: one entry point, one module per subcommand family.

Each module in COMMAND_MODULES exposes `register(subparsers)`, which adds its subcommands and sets
`func` on their parsers; `func(args) -> int` is the exit status.

Exit status, the same for every command: 0 done (compliant, scheduled), 1 the answer is "no"
(violations found, no schedule), 2 the input cannot be used (one line on stderr naming the field),
3 Rounds itself failed (one line; a bug to report). No command prints a traceback: a crash must
never read as 1, which scripts take for "violations found".
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rounds.engine.errors import ProblemError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3

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
    try:
        status: int = args.func(args)
    except ProblemError as error:  # a command that let one through: still the input's fault
        return _fail(args.command, str(error), EXIT_BAD_INPUT)
    except RecursionError:
        return _fail(args.command, "input nested too deeply to process", EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        return _fail(args.command, "interrupted", 130)
    except Exception as error:  # the one place a crash becomes a line
        kind = type(error).__name__
        return _fail(args.command, f"internal error ({kind}: {error}); please report it", 3)
    return status


def _fail(command: str, message: str, status: int) -> int:
    print(f"rounds {command}: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
