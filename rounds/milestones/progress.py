"""Who is not progressing: the rule the CCC's meeting list puts first.

Pure functions over levels, so the rule reads in one place and is tested without a database.
A resident is flagged when

- **below**: on some subcompetency their level is under the minimum for their year in the program
  (the program's `ProgressRule` rows, else DEFAULT_EXPECTED), or
- **stalled**: their average level is no higher than `STALL_PERIODS` periods earlier (the
  committee expects every resident to move up between reviews).

"Not yet assessable" counts for neither: it says nothing about progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rounds.milestones.levels import level_short

# Minimum level by year in the program, when the program set none: about half a level a
# period, with room below the typical resident (first-years start between 1 and 2).
DEFAULT_EXPECTED: dict[int, Decimal] = {
    1: Decimal("1.0"),
    2: Decimal("2.0"),
    3: Decimal("2.5"),
    4: Decimal("3.0"),
}
STALL_PERIODS = 1

Levels = Mapping[str, Decimal | None]  # subcompetency code -> level


@dataclass(frozen=True)
class Flag:
    kind: str  # "below" | "stalled"
    text: str


def expected_level(training_year: int, rules: Mapping[int, Decimal]) -> Decimal:
    table = rules or DEFAULT_EXPECTED
    years = sorted(y for y in table if y <= training_year) or sorted(table)
    return table[years[-1]]


def mean_level(levels: Levels) -> Decimal | None:
    known = [v for v in levels.values() if v is not None]
    if not known:
        return None
    return (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.01"))


def progress_flags(
    current: Levels, earlier: Levels | None, training_year: int, rules: Mapping[int, Decimal]
) -> list[Flag]:
    """The reasons to discuss this resident first; empty when none."""
    flags: list[Flag] = []
    minimum = expected_level(training_year, rules)
    below = sorted(code for code, level in current.items() if level is not None and level < minimum)
    if below:
        flags.append(
            Flag(
                "below",
                f"Below level {level_short(minimum)} (year {training_year}) on {', '.join(below)}",
            )
        )
    now, before = mean_level(current), mean_level(earlier or {})
    if now is not None and before is not None and now <= before:
        flags.append(Flag("stalled", f"Average level {now} is no higher than {before} before"))
    return flags
