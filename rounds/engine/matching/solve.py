"""`match(problem)`: a stable matching when both sides ranked, else the fairest best-fit one.

Optimal mode is lexicographic, each step a network-flow problem (OR-Tools, exact and fast):
1. pair as many mentees as capacities and hard wishes allow;
2. among those, make the worst-off mentee's fit as high as possible (binary search on a floor);
3. among those, maximise total fit, with fits under COMFORT_FIT counted double as a loss, so the
   solver prefers lifting a poor pair to polishing a good one.

Stable mode is Gale-Shapley with capacities (hospitals/residents), mentees proposing. Each side's
list is their own ranking first, then everyone else they may be paired with by fit, so the
result is stable for the preferences people stated and sensible for the rest.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from rounds.engine.errors import ProblemError
from rounds.engine.matching.fit import FitTable, explain, fit_table, pair_fit, unmatched_reason
from rounds.engine.matching.problem import Problem

COMFORT_FIT = 30
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Pair:
    mentee: str
    mentor: str
    fit: int
    explanation: str
    pinned: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "mentee": self.mentee,
            "mentor": self.mentor,
            "fit": self.fit,
            "explanation": self.explanation,
            "pinned": self.pinned,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Pair:
        return cls(
            str(d["mentee"]),
            str(d["mentor"]),
            int(d["fit"]),
            d["explanation"],
            bool(d.get("pinned")),
        )


@dataclass(frozen=True)
class Unmatched:
    mentee: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"mentee": self.mentee, "reason": self.reason}


@dataclass
class Matching:
    mode: str  # stable or optimal, as run
    pairs: list[Pair]
    unmatched: list[Unmatched]
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def total_fit(self) -> int:
        return sum(p.fit for p in self.pairs)

    @property
    def min_fit(self) -> int | None:
        return min((p.fit for p in self.pairs if not p.pinned), default=None)

    def mentor_of(self) -> dict[str, str]:
        return {p.mentee: p.mentor for p in self.pairs}

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "pairs": [p.to_json() for p in self.pairs],
            "unmatched": [u.to_json() for u in self.unmatched],
            "seconds": round(self.seconds, 3),
            "total_fit": self.total_fit,
            "min_fit": self.min_fit,
            "stats": self.stats,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Matching:
        return cls(
            d["mode"],
            [Pair.from_json(p) for p in d.get("pairs", [])],
            [Unmatched(str(u["mentee"]), u["reason"]) for u in d.get("unmatched", [])],
            float(d.get("seconds", 0.0)),
            dict(d.get("stats", {})),
        )


def match(
    problem: Problem, *, time_limit: float = 30.0, progress: Progress | None = None
) -> Matching:
    """Pair mentees with mentors. `time_limit` bounds the run; both methods are exact and usually
    finish in well under a second, so it only matters for very large inputs."""
    started = time.perf_counter()
    report = progress or (lambda fraction, message: None)
    report(0.05, "Scoring every allowed pair")
    table = fit_table(problem)
    free, capacity = _after_pins(problem)
    mode = problem.resolved_mode
    report(0.4, "Finding a stable matching" if mode == "stable" else "Finding the fairest best fit")
    if mode == "stable":
        chosen = _gale_shapley(problem, table, free, capacity)
    else:
        chosen = _optimal(table, free, capacity, started + time_limit)
    report(0.9, "Explaining each pair")
    result = _result(problem, table, chosen, mode, time.perf_counter() - started)
    if mode == "stable":
        result.stats["blocking_pairs"] = len(blocking_pairs(problem, result, table))
    result.seconds = time.perf_counter() - started
    return result


def _after_pins(problem: Problem) -> tuple[list[int], list[int]]:
    pinned = {mentee for mentee, _ in problem.pinned}
    capacity = [m.capacity for m in problem.mentors]
    index = {m.id: j for j, m in enumerate(problem.mentors)}
    for _, mentor in problem.pinned:
        capacity[index[mentor]] -= 1
    free = [i for i, m in enumerate(problem.mentees) if m.id not in pinned]
    return free, capacity


# ---------------------------------------------------------------- preferences (stable mode)


def preferences(
    problem: Problem, table: FitTable | None = None
) -> tuple[list[list[int]], list[dict[int, int]]]:
    """Each mentee's list of mentor indices, best first, and each mentor's rank of each mentee
    (lower is better). Ranked names come first, then the rest by fit; ties by input order."""
    table = table or fit_table(problem)
    mentor_index = {m.id: j for j, m in enumerate(problem.mentors)}
    mentee_index = {m.id: i for i, m in enumerate(problem.mentees)}
    mentee_lists: list[list[int]] = []
    fit_of: list[dict[int, int]] = [dict() for _ in problem.mentors]
    for i, mentee in enumerate(problem.mentees):
        own = {mentor_index[x]: p for p, x in enumerate(mentee.ranking)}
        big = len(own)
        order = sorted(
            range(len(table.allowed[i])),
            key=lambda k: (
                own.get(table.allowed[i][k], big),
                -table.fits[i][k],
                table.allowed[i][k],
            ),
        )
        mentee_lists.append([table.allowed[i][k] for k in order])
        for k, j in enumerate(table.allowed[i]):
            fit_of[j][i] = table.fits[i][k]
    mentor_ranks: list[dict[int, int]] = []
    for j, mentor in enumerate(problem.mentors):
        own = {mentee_index[x]: p for p, x in enumerate(mentor.ranking)}
        big = len(own)
        order = sorted(fit_of[j], key=lambda i: (own.get(i, big), -fit_of[j][i], i))
        mentor_ranks.append({i: r for r, i in enumerate(order)})
    return mentee_lists, mentor_ranks


def _gale_shapley(
    problem: Problem, table: FitTable, free: list[int], capacity: list[int]
) -> dict[int, int]:
    lists, ranks = preferences(problem, table)
    next_choice = [0] * len(problem.mentees)
    held: list[list[tuple[int, int]]] = [[] for _ in problem.mentors]  # heap of (-rank, mentee)
    queue = list(reversed(free))
    while queue:
        i = queue.pop()
        if next_choice[i] >= len(lists[i]):
            continue  # has asked everyone allowed; stays unmatched
        j = lists[i][next_choice[i]]
        next_choice[i] += 1
        if capacity[j] <= 0:
            queue.append(i)
            continue
        heapq.heappush(held[j], (-ranks[j][i], i))
        if len(held[j]) > capacity[j]:
            _, rejected = heapq.heappop(held[j])  # the one this mentor likes least
            queue.append(rejected)
    return {i: j for j, heap in enumerate(held) for _, i in heap}


def blocking_pairs(
    problem: Problem, matching: Matching, table: FitTable | None = None
) -> list[tuple[str, str]]:
    """Pairs (mentee, mentor) who would both rather be together than with what they got, under
    the completed preferences of `preferences`. Pinned mentees are outside the market."""
    lists, ranks = preferences(problem, table)
    mentee_index = {m.id: i for i, m in enumerate(problem.mentees)}
    mentor_index = {m.id: j for j, m in enumerate(problem.mentors)}
    pinned = {mentee for mentee, _ in problem.pinned}
    _, capacity = _after_pins(problem)
    got: dict[int, int] = {}
    holds: list[list[int]] = [[] for _ in problem.mentors]
    for pair in matching.pairs:
        if pair.mentee in pinned:
            continue
        i, j = mentee_index[pair.mentee], mentor_index[pair.mentor]
        got[i] = j
        holds[j].append(i)
    worst = [max((ranks[j][i] for i in held), default=-1) for j, held in enumerate(holds)]
    out: list[tuple[str, str]] = []
    for i, mentee in enumerate(problem.mentees):
        if mentee.id in pinned:
            continue
        for j in lists[i]:
            if got.get(i) == j:
                break  # everyone further down is liked less than what this mentee has
            if capacity[j] <= 0:
                continue
            if len(holds[j]) < capacity[j] or ranks[j][i] < worst[j]:
                out.append((mentee.id, problem.mentors[j].id))
    return out


# ---------------------------------------------------------------- optimal mode (network flow)


def _arcs(table: FitTable, free: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tails: list[int] = []
    heads: list[int] = []
    fits: list[int] = []
    for i in free:
        tails.extend([i] * len(table.allowed[i]))
        heads.extend(table.allowed[i])
        fits.extend(table.fits[i])
    return (
        np.array(tails, dtype=np.int32),
        np.array(heads, dtype=np.int32),
        np.array(fits, dtype=np.int64),
    )


class _Network:
    """Source -> mentee (1) -> mentor (1 per pair) -> sink (capacity)."""

    def __init__(self, n_mentees: int, capacity: list[int]) -> None:
        self.n, self.m = n_mentees, len(capacity)
        self.source, self.sink = self.n + self.m, self.n + self.m + 1
        self.capacity = np.array([max(0, c) for c in capacity], dtype=np.int64)

    def max_matched(self, free: list[int], tails: np.ndarray, heads: np.ndarray) -> int:
        flow = max_flow.SimpleMaxFlow()
        self._add(flow.add_arcs_with_capacity, free, tails, heads)
        if flow.solve(self.source, self.sink) != flow.OPTIMAL:
            raise ProblemError("", "the matching network could not be solved")
        return int(flow.optimal_flow())

    def _add(
        self,
        add: Callable[..., Any],
        free: list[int],
        tails: np.ndarray,
        heads: np.ndarray,
        *costs: np.ndarray,
    ) -> None:
        f = np.array(free, dtype=np.int32)
        mentors = np.arange(self.m, dtype=np.int32)
        zeros = [np.zeros(len(f) + self.m, dtype=np.int64)] if costs else []
        add(
            np.concatenate([np.full(len(f), self.source, dtype=np.int32), self.n + mentors]),
            np.concatenate([f, np.full(self.m, self.sink, dtype=np.int32)]),
            np.concatenate([np.ones(len(f), dtype=np.int64), self.capacity]),
            *zeros,
        )
        add(tails, self.n + heads, np.ones(len(tails), dtype=np.int64), *costs)


def _optimal(
    table: FitTable, free: list[int], capacity: list[int], deadline: float
) -> dict[int, int]:
    tails, heads, fits = _arcs(table, free)
    if len(tails) == 0:
        return {}
    net = _Network(len(table.allowed), capacity)
    target = net.max_matched(free, tails, heads)
    # Highest floor on every pair's fit that still pairs `target` mentees.
    levels = np.unique(fits)
    lo, hi = 0, len(levels) - 1
    while lo < hi and time.perf_counter() < deadline:
        mid = (lo + hi + 1) // 2
        keep = fits >= levels[mid]
        if net.max_matched(free, tails[keep], heads[keep]) == target:
            lo = mid
        else:
            hi = mid - 1
    keep = fits >= levels[lo]
    tails, heads, fits = tails[keep], heads[keep], fits[keep]
    flow = min_cost_flow.SimpleMinCostFlow()
    loss = fits - np.maximum(0, COMFORT_FIT - fits)  # concave: a poor fit costs double
    net._add(flow.add_arcs_with_capacity_and_unit_cost, free, tails, heads, -loss)
    flow.set_node_supply(net.source, target)
    flow.set_node_supply(net.sink, -target)
    if flow.solve() != flow.OPTIMAL:
        raise ProblemError("", "the matching network could not be solved")
    pair_arcs = np.arange(len(free) + net.m, len(free) + net.m + len(tails))
    used = flow.flows(pair_arcs)
    return {int(tails[k]): int(heads[k]) for k in np.nonzero(used)[0]}


def _result(
    problem: Problem, table: FitTable, chosen: dict[int, int], mode: str, seconds: float
) -> Matching:
    mentors = problem.mentors
    index = {m.id: j for j, m in enumerate(mentors)}
    pairs: list[Pair] = []
    by_id = {m.id: m for m in problem.mentees}
    for mentee_id, mentor_id in problem.pinned:
        mentee, mentor = by_id[mentee_id], mentors[index[mentor_id]]
        fit = pair_fit(problem, mentee, mentor)
        pairs.append(
            Pair(
                mentee_id, mentor_id, fit, "kept by hand; " + explain(problem, mentee, mentor), True
            )
        )
    pinned = {mentee for mentee, _ in problem.pinned}
    unmatched: list[Unmatched] = []
    for i, mentee in enumerate(problem.mentees):
        if mentee.id in pinned:
            continue
        if i not in chosen:
            unmatched.append(
                Unmatched(mentee.id, unmatched_reason(problem, mentee, table.allowed[i]))
            )
            continue
        j = chosen[i]
        fit = table.fits[i][table.allowed[i].index(j)]
        pairs.append(Pair(mentee.id, mentors[j].id, fit, explain(problem, mentee, mentors[j])))
    return Matching(
        mode, pairs, unmatched, seconds, {"allowed_pairs": sum(len(a) for a in table.allowed)}
    )
