"""Run benchmarks by name: `python -m bench checker roster_call` (no names: list them)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if not m.name.startswith("_")
    )


def main(names: list[str]) -> int:
    if not names:
        print("benchmarks:", " ".join(available()))
        return 0
    for name in names:
        if name not in available():
            print(f"no benchmark named {name!r}; available: {', '.join(available())}")
            return 2
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
