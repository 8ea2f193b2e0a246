"""Small groups are never shown, including by subtracting shown cells from a shown total."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rounds.lib.disclosure import hidden_cells


def test_a_small_cell_hides_with_the_next_smallest_so_subtraction_reveals_nothing() -> None:
    counts = {"IM": 40, "Surgery": 12, "Derm": 3, "EM": 7}
    assert hidden_cells(counts, min_size=5) == {"Derm", "EM"}


def test_without_a_total_only_the_small_cell_hides() -> None:
    assert hidden_cells({"IM": 40, "Derm": 3}, min_size=5, total_shown=False) == {"Derm"}


def test_a_total_below_the_minimum_hides_everything() -> None:
    assert hidden_cells({"a": 2, "b": 2}, min_size=5) == {"a", "b"}


def test_when_no_safe_companion_exists_everything_hides() -> None:
    assert hidden_cells({"a": 6, "b": 1}, min_size=5) == {"a", "b"}


def test_large_groups_are_all_shown() -> None:
    assert hidden_cells({"a": 5, "b": 9, "c": 0}, min_size=5) == set()


@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 12), min_size=1))
def test_no_small_group_can_be_recovered_from_what_is_shown(counts: dict[str, int]) -> None:
    hidden = hidden_cells(counts, min_size=5)
    shown = {k: n for k, n in counts.items() if k not in hidden}
    assert all(n == 0 or n >= 5 for n in shown.values())
    if hidden and hidden != set(counts):  # all hidden: the caller hides the total too
        # What an onlooker can compute: the hidden cells' sum (total minus shown). It must be a
        # safe group, and no single hidden non-empty cell may equal it on its own.
        remainder = sum(counts.values()) - sum(shown.values())
        assert remainder == 0 or remainder >= 5
        nonzero_hidden = [k for k in hidden if counts[k] > 0]
        assert len(nonzero_hidden) != 1
