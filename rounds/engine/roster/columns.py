"""Column generation: a first roster for pure rostering problems, built from whole schedules.

The compact CP-SAT model sees one (person, day, shift) at a time; its linear relaxation knows
little of the rules on runs of days, so on the harder Curtois instances the neighbourhood search
wanders far from the optimum. Here every
person's schedule is one column of a master linear program (each person takes one schedule,
each (day, shift) is covered as asked, under- and over-cover pay their weights); a dynamic
program (`pricing.py`) finds each person's best schedule under the master's prices. Its bound is
near-tight. From the settled
master:

1. dives fix the (person, day) cells the master has nearly decided, price again under those
   fixings, and repeat until every person has one schedule; each dive ends elsewhere;
2. CP-SAT then picks one schedule per person among every column generated on the way (the
   dives' columns make that pool rich enough to combine well).

The problem comes decomposed person by person (`decomposition.py`); `solve.py` decides when.
"""

from __future__ import annotations

from rounds.engine.roster.column_root import NoSchedule, RootSearch
from rounds.engine.roster.dives import Dives, pick
from rounds.engine.roster.master import Column, Master
from rounds.engine.roster.replies import BestReplies, Chain, Replies


class ColumnSearch(Dives, BestReplies):
    """Root column generation (`column_root.py`), dives and the pool combined (`dives.py`), best
    replies (`replies.py`). Each step stops at its deadline on the search's clock."""


__all__ = [
    "BestReplies",
    "Chain",
    "Column",
    "ColumnSearch",
    "Dives",
    "Master",
    "NoSchedule",
    "Replies",
    "RootSearch",
    "pick",
]
