"""Mentor matching: capacities, hard wishes, stable when both sides ranked, else fit and fairness.

See docs/matching.md. Pure Python (and OR-Tools); never imports Django.
"""

from rounds.engine.matching.fit import explain, fit_table, reasons
from rounds.engine.matching.problem import Mentee, Mentor, Problem, Wish
from rounds.engine.matching.solve import (
    Matching,
    Pair,
    Unmatched,
    blocking_pairs,
    match,
    preferences,
)

__all__ = [
    "Matching",
    "Mentee",
    "Mentor",
    "Pair",
    "Problem",
    "Unmatched",
    "Wish",
    "blocking_pairs",
    "explain",
    "fit_table",
    "match",
    "preferences",
    "reasons",
]
