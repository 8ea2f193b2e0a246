"""Matcher properties on random instances: capacities, hard wishes, stability when ranked."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.engine.matching import Problem, blocking_pairs, match
from rounds.engine.matching.fit import wish_met

LABELS = ["a", "b", "c", "d"]
IDENTITIES = ["URiM", "first generation"]


@st.composite
def problems(draw: st.DrawFn, ranked: bool) -> Problem:
    n_mentors = draw(st.integers(1, 6))
    n_mentees = draw(st.integers(1, 12))
    mentor_ids = [f"m{j}" for j in range(n_mentors)]
    mentee_ids = [f"e{i}" for i in range(n_mentees)]
    labels = st.lists(st.sampled_from(LABELS), max_size=3, unique=True)
    mentors: list[dict[str, Any]] = []
    for mid in mentor_ids:
        row: dict[str, Any] = {
            "id": mid,
            "capacity": draw(st.integers(0, 3)),
            "interests": draw(labels),
            "identities": draw(st.lists(st.sampled_from(IDENTITIES), max_size=1)),
        }
        if ranked:
            row["ranking"] = draw(st.permutations(mentee_ids))[: draw(st.integers(1, n_mentees))]
        mentors.append(row)
    mentees: list[dict[str, Any]] = []
    for eid in mentee_ids:
        wishes = []
        if draw(st.booleans()):
            wishes.append(
                {
                    "kind": "identity",
                    "value": draw(st.sampled_from(IDENTITIES)),
                    "strength": draw(st.sampled_from(["must", "must_not", "prefer"])),
                }
            )
        row = {
            "id": eid,
            "interests": draw(labels),
            "wishes": wishes,
            "excluded": draw(st.lists(st.sampled_from(mentor_ids), max_size=1)),
        }
        if ranked:
            row["ranking"] = draw(st.permutations(mentor_ids))[: draw(st.integers(1, n_mentors))]
        mentees.append(row)
    mode = "stable" if ranked else "optimal"
    return Problem.from_json({"mode": mode, "mentees": mentees, "mentors": mentors})


def _check_hard_rules(problem: Problem, result: Any) -> None:
    mentors = {m.id: m for m in problem.mentors}
    mentees = {m.id: m for m in problem.mentees}
    load: dict[str, int] = {}
    for pair in result.pairs:
        load[pair.mentor] = load.get(pair.mentor, 0) + 1
        mentee, mentor = mentees[pair.mentee], mentors[pair.mentor]
        assert mentor.id not in mentee.excluded and mentee.id not in mentor.excluded
        for wish in mentee.wishes:
            if wish.strength == "must":
                assert wish_met(mentor, wish)
            if wish.strength == "must_not":
                assert not wish_met(mentor, wish)
    for mentor_id, n in load.items():
        assert n <= mentors[mentor_id].capacity
    assert len({p.mentee for p in result.pairs}) == len(result.pairs)
    assert {p.mentee for p in result.pairs} | {u.mentee for u in result.unmatched} == set(mentees)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(ranked=False))
def test_optimal_respects_capacities_and_hard_wishes(problem: Problem) -> None:
    _check_hard_rules(problem, match(problem))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(ranked=True))
def test_stable_mode_has_no_blocking_pair(problem: Problem) -> None:
    result = match(problem)
    _check_hard_rules(problem, result)
    assert blocking_pairs(problem, result) == []
    assert result.stats["blocking_pairs"] == 0


@settings(max_examples=60, deadline=None)
@given(problems(ranked=False))
def test_optimal_pairs_as_many_as_any_matching_could(problem: Problem) -> None:
    # Brute-force maximum bipartite matching (Kuhn) over allowed pairs as the reference.
    from rounds.engine.matching import fit_table

    table = fit_table(problem)
    slots = [j for j, m in enumerate(problem.mentors) for _ in range(m.capacity)]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for s, j in enumerate(slots):
            if j in table.allowed[i] and s not in seen:
                seen.add(s)
                if s not in owner or augment(owner[s], seen):
                    owner[s] = i
                    return True
        return False

    best = sum(augment(i, set()) for i in range(len(problem.mentees)))
    assert len(match(problem).pairs) == best


def test_blocking_pair_detector_finds_a_planted_one() -> None:
    from rounds.engine.matching import Matching, Pair

    p = Problem.from_json(
        {
            "mentees": [{"id": "a", "ranking": ["x", "y"]}, {"id": "b", "ranking": ["x", "y"]}],
            "mentors": [
                {"id": "x", "capacity": 1, "ranking": ["a", "b"]},
                {"id": "y", "capacity": 1, "ranking": ["a", "b"]},
            ],
        }
    )
    bad = Matching("stable", [Pair("a", "y", 0, ""), Pair("b", "x", 0, "")], [], 0.0)
    assert blocking_pairs(p, bad) == [("a", "x")]


@st.composite
def tiny(draw: st.DrawFn) -> Problem:
    n_mentors, n_mentees = draw(st.integers(1, 3)), draw(st.integers(1, 5))
    labels = st.lists(st.sampled_from(LABELS), max_size=3, unique=True)
    mentors = [
        {"id": f"m{j}", "capacity": draw(st.integers(0, 2)), "interests": draw(labels)}
        for j in range(n_mentors)
    ]
    mentees = [
        {
            "id": f"e{i}",
            "interests": draw(labels),
            "excluded": draw(st.lists(st.sampled_from([m["id"] for m in mentors]), max_size=1)),
        }
        for i in range(n_mentees)
    ]
    return Problem.from_json({"mode": "optimal", "mentees": mentees, "mentors": mentors})


@settings(max_examples=120, deadline=None)
@given(tiny())
def test_optimal_is_the_fairest_of_the_largest_matchings(problem: Problem) -> None:
    """Brute force over every assignment: among matchings with the most pairs, none has a
    better worst-off fit than the matcher's."""
    from itertools import product

    from rounds.engine.matching import fit_table

    table = fit_table(problem)
    options = [
        [None, *zip(table.allowed[i], table.fits[i], strict=True)]
        for i in range(len(problem.mentees))
    ]
    best: tuple[int, int] = (0, 0)
    for choice in product(*options):
        load: dict[int, int] = {}
        for option in choice:
            if option is not None:
                load[option[0]] = load.get(option[0], 0) + 1
        if any(n > problem.mentors[j].capacity for j, n in load.items()):
            continue
        fits = [option[1] for option in choice if option is not None]
        best = max(best, (len(fits), min(fits) if fits else 0))
    result = match(problem)
    assert (len(result.pairs), result.min_fit or 0) == best
