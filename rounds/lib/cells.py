"""Small-cell suppression for every aggregate about people (wellness, demographics, URiM).

A group smaller than the minimum cell size is never shown. Hiding it is not enough when the
total is shown too: the hidden count would be the total minus the shown ones. So when a
partition of a shown total hides anything, more cells are hidden (smallest first) until the
hidden cells together reach the minimum size, and if that is impossible, everything is hidden.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from django.conf import settings

K = TypeVar("K", bound=Hashable)


def min_cell_size() -> int:
    return int(settings.ROUNDS_MIN_CELL_SIZE)


def hidden_cells(
    counts: Mapping[K, int], *, min_size: int | None = None, total_shown: bool = True
) -> set[K]:
    """The keys of `counts` (a partition of one group of people) that must not be shown.

    `counts[key]` is how many people a cell stands for (respondents, trainees); cells with 0
    people reveal nothing about anyone and are never hidden on their own account. When every
    key comes back, the caller hides the group's total as well.
    """
    k = min_cell_size() if min_size is None else min_size
    total = sum(counts.values())
    if total < k:
        return set(counts)
    hidden = {key for key, n in counts.items() if 0 < n < k}
    if not hidden or not total_shown:
        return hidden
    shown_smallest_first = sorted(
        (key for key, n in counts.items() if key not in hidden and n > 0), key=lambda c: counts[c]
    )
    # The hidden cells' sum is recoverable from the total; it must itself be a safe group, and
    # a single hidden cell is recoverable exactly, so at least two must hide together.
    while shown_smallest_first and (sum(counts[key] for key in hidden) < k or len(hidden) < 2):
        hidden.add(shown_smallest_first.pop(0))
    if sum(counts[key] for key in hidden) < k:
        return set(counts)
    return hidden


def group_is_shown(count: int, *, min_size: int | None = None) -> bool:
    """One group on its own (no total beside it): shown when it is large enough."""
    return count >= (min_cell_size() if min_size is None else min_size)
