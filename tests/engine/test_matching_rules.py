"""Matcher: hard wishes, capacities, explanations, validation, modes, JSON round trip."""

from __future__ import annotations

import json

import pytest

from rounds.engine.errors import ProblemError
from rounds.engine.matching import Matching, Problem, match


def problem(**overrides: object) -> Problem:
    data: dict[str, object] = {
        "mentees": [
            {
                "id": "ana",
                "interests": ["global health"],
                "languages": ["English", "Spanish"],
                "wishes": [{"kind": "identity", "value": "URiM", "strength": "must"}],
            },
            {"id": "ben", "interests": ["research"], "career_paths": ["academic medicine"]},
        ],
        "mentors": [
            {
                "id": "dr.rivera",
                "capacity": 1,
                "interests": ["global health", "research"],
                "languages": ["English", "Spanish"],
                "identities": ["URiM"],
            },
            {
                "id": "dr.smith",
                "capacity": 1,
                "interests": ["research"],
                "career_paths": ["academic medicine"],
            },
        ],
    }
    data.update(overrides)
    return Problem.from_json(data)


def test_pair_explains_itself_in_words() -> None:
    result = match(problem())
    pairs = {p.mentee: p for p in result.pairs}
    assert pairs["ana"].mentor == "dr.rivera"
    text = pairs["ana"].explanation
    assert "mentee asked for a URiM mentor" in text
    assert "shared interest in global health" in text
    assert "both speak Spanish" in text
    assert "both drawn to academic medicine" in pairs["ben"].explanation


def test_must_wish_nobody_meets_leaves_mentee_unmatched_with_reason() -> None:
    p = problem(
        mentees=[
            {"id": "ana", "wishes": [{"kind": "language", "value": "Tagalog", "strength": "must"}]}
        ]
    )
    result = match(p)
    assert result.pairs == []
    assert result.unmatched[0].reason == (
        "no mentor with room meets every requirement (a mentor who speaks Tagalog)"
    )


def test_must_not_and_exclusions_are_never_broken() -> None:
    p = problem(
        mentees=[
            {"id": "ana", "excluded": ["dr.rivera"]},
            {
                "id": "ben",
                "wishes": [{"kind": "interest", "value": "research", "strength": "must_not"}],
            },
        ]
    )
    result = match(p)
    assert {(x.mentee, x.mentor) for x in result.pairs} == {("ana", "dr.smith")}
    assert result.unmatched[0].mentee == "ben"


def test_mentor_exclusion_is_honoured() -> None:
    p = problem(
        mentees=[{"id": "ana"}],
        mentors=[{"id": "dr.smith", "capacity": 3, "excluded": ["ana"]}],
    )
    assert match(p).pairs == []


def test_capacity_full_gives_a_different_reason() -> None:
    p = problem(
        mentees=[{"id": "a"}, {"id": "b"}],
        mentors=[{"id": "m", "capacity": 1}],
    )
    result = match(p)
    assert len(result.pairs) == 1
    assert result.unmatched[0].reason == "every mentor who meets the requirements is already full"


def test_fairness_lifts_the_worst_off_mentee() -> None:
    # Greedy would give "a" the mentor both like best, leaving "b" with a poor fit; the fair
    # matching gives "a" its second choice so that nobody ends with nothing in common.
    p = Problem.from_json(
        {
            "mode": "optimal",
            "mentees": [
                {"id": "a", "interests": ["x", "y", "z"]},
                {"id": "b", "interests": ["x"]},
            ],
            "mentors": [
                {"id": "m1", "capacity": 1, "interests": ["x", "y", "z"]},
                {"id": "m2", "capacity": 1, "interests": ["y", "z"]},
            ],
        }
    )
    pairs = match(p).mentor_of()
    assert pairs == {"a": "m2", "b": "m1"}


def test_pinned_pairs_stay_and_use_capacity() -> None:
    p = problem(pinned=[["ben", "dr.rivera"]])
    result = match(p)
    assert result.mentor_of()["ben"] == "dr.rivera"
    assert [u.mentee for u in result.unmatched] == ["ana"]  # her only allowed mentor is taken
    assert next(x for x in result.pairs if x.mentee == "ben").explanation.startswith("kept by hand")


def test_auto_mode_is_stable_only_when_both_sides_ranked() -> None:
    assert problem().resolved_mode == "optimal"
    ranked = problem(
        mentees=[{"id": "ana", "ranking": ["dr.smith"]}, {"id": "ben", "ranking": ["dr.smith"]}],
        mentors=[
            {"id": "dr.rivera", "capacity": 1, "ranking": ["ben"]},
            {"id": "dr.smith", "capacity": 1, "ranking": ["ben", "ana"]},
        ],
    )
    assert ranked.resolved_mode == "stable"
    result = match(ranked)
    assert result.mentor_of() == {"ben": "dr.smith", "ana": "dr.rivera"}
    assert (
        "mentee ranked this mentor 1st"
        in next(p for p in result.pairs if p.mentee == "ben").explanation
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"mentors": [{"id": "m", "capacity": -1}]},
            "mentors[0].capacity: must be a whole number, 0 or more",
        ),
        ({"mentors": [{"id": "m"}, {"id": "m"}]}, "mentors[1].id: 'm' is used twice"),
        (
            {"mentees": [{"id": "a", "ranking": ["ghost"]}]},
            "mentees[0].ranking[0]: no mentor with id 'ghost'",
        ),
        (
            {"mentees": [{"id": "a", "wishes": [{"kind": "height", "value": "tall"}]}]},
            "mentees[0].wishes[0].kind: must be one of identity, language, specialty, "
            "career_path, interest, kind",
        ),
        (
            {"mentees": [{"id": "a", "ratings": {"dr.smith": 9}}]},
            "mentees[0].ratings.dr.smith: must be a whole number from 1 to 5",
        ),
        ({"mode": "random"}, "mode: must be one of auto, stable, optimal"),
        ({"pinned": [["nobody", "dr.smith"]]}, "pinned[0][0]: no mentee with id 'nobody'"),
    ],
)
def test_bad_input_names_where_and_what(change: dict[str, object], message: str) -> None:
    with pytest.raises(ProblemError) as error:
        problem(**change)
    assert str(error.value) == message


def test_json_round_trip() -> None:
    p = problem()
    again = Problem.from_json(json.loads(json.dumps(p.to_json())))
    assert again == p
    result = match(p)
    back = Matching.from_json(json.loads(json.dumps(result.to_json())))
    assert back.pairs == result.pairs and back.unmatched == result.unmatched


def test_pair_fit_matches_the_table_for_ranked_pairs() -> None:
    from rounds.engine.matching import fit_table
    from rounds.engine.matching.fit import pair_fit

    p = problem(
        mentees=[
            {"id": "ana", "interests": ["global health"], "ranking": ["dr.smith", "dr.rivera"]},
            {"id": "ben", "ratings": {"dr.smith": 5}},
        ],
        mentors=[
            {
                "id": "dr.rivera",
                "capacity": 1,
                "interests": ["global health"],
                "ranking": ["ben", "ana"],
            },
            {"id": "dr.smith", "capacity": 1},
        ],
    )
    table = fit_table(p)
    for i, mentee in enumerate(p.mentees):
        for k, j in enumerate(table.allowed[i]):
            assert pair_fit(p, mentee, p.mentors[j]) == table.fits[i][k]
