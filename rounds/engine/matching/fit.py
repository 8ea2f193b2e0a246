"""Who may be paired with whom (hard wishes), how well each allowed pair fits, and why.

Fit is a whole number of points, so every pair can say where its points came from:

| what | points |
|---|---|
| each shared interest (up to 3) | 10 |
| each shared career path (up to 2) | 10 |
| a shared language other than the common one | 8 |
| same specialty | 10 |
| each `prefer` wish the mentor meets | 15 |
| mentee's rating of the mentor (1-5) | (rating - 3) x 10 |
| mentee's ranking of the mentor | 30 for 1st, 5 less for each place below |
| mentor's rating of the mentee (1-5) | (rating - 3) x 5 |
| mentor's ranking of the mentee | 15 for 1st, 3 less for each place below |
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from rounds.engine.matching.problem import Mentee, Mentor, Problem, Wish

INTEREST_POINTS, INTEREST_CAP = 10, 3
CAREER_POINTS, CAREER_CAP = 10, 2
LANGUAGE_POINTS = 8
SPECIALTY_POINTS = 10
PREFER_POINTS = 15


def _rank_points(position: int | None, first: int, step: int) -> int:
    return 0 if position is None else max(0, first - step * position)


def wish_met(mentor: Mentor, wish: Wish) -> bool:
    return wish.value in mentor.attribute(wish.kind)


@dataclass
class FitTable:
    """Allowed mentors and fit per mentee, as parallel lists indexed by mentee then by position."""

    allowed: list[list[int]]  # mentee index -> mentor indices allowed
    fits: list[list[int]]  # mentee index -> fit of each allowed mentor, same order


def _label_bits(values: Iterable[frozenset[str]]) -> dict[str, int]:
    bits: dict[str, int] = {}
    for labels in values:
        for label in labels:
            bits.setdefault(label, 1 << len(bits))
    return bits


def _mask(labels: frozenset[str], bits: dict[str, int]) -> int:
    out = 0
    for label in labels:
        out |= bits.get(label, 0)
    return out


def fit_table(problem: Problem) -> FitTable:
    """Every allowed pair's fit; bit masks keep the 300,000-pair case well under a second."""
    mentors, mentees = problem.mentors, problem.mentees
    interest_bits = _label_bits([m.interests for m in mentors])
    career_bits = _label_bits([m.career_paths for m in mentors])
    language_bits = _label_bits([m.languages for m in mentors])
    language_bits.pop(problem.common_language, None)
    mentor_interests = [_mask(m.interests, interest_bits) for m in mentors]
    mentor_careers = [_mask(m.career_paths, career_bits) for m in mentors]
    mentor_languages = [_mask(m.languages, language_bits) for m in mentors]
    mentor_index = {m.id: j for j, m in enumerate(mentors)}
    meets: dict[tuple[str, str], frozenset[int]] = {}

    def meeting(wish: Wish) -> frozenset[int]:
        key = (wish.kind, wish.value)
        if key not in meets:
            meets[key] = frozenset(j for j, m in enumerate(mentors) if wish_met(m, wish))
        return meets[key]

    open_mentors = frozenset(j for j, m in enumerate(mentors) if m.capacity > 0)
    # mentor-side views of each mentee: rank position and rating
    mentor_rank = [{mid: p for p, mid in enumerate(m.ranking)} for m in mentors]
    excluded_by = [set(m.excluded) for m in mentors]
    table = FitTable([], [])
    for mentee in mentees:
        candidates = set(open_mentors)
        for wish in mentee.wishes:
            if wish.strength == "must":
                candidates &= meeting(wish)
            elif wish.strength == "must_not":
                candidates -= meeting(wish)
        candidates -= {mentor_index[x] for x in mentee.excluded}
        prefer_hits: dict[int, int] = {}
        for wish in mentee.wishes:
            if wish.strength == "prefer":
                for j in meeting(wish):
                    prefer_hits[j] = prefer_hits.get(j, 0) + 1
        interests = _mask(mentee.interests, interest_bits)
        careers = _mask(mentee.career_paths, career_bits)
        languages = _mask(mentee.languages, language_bits)
        own_rank = {mid: p for p, mid in enumerate(mentee.ranking)}
        allowed: list[int] = []
        fits: list[int] = []
        for j in sorted(candidates):
            if mentee.id in excluded_by[j]:
                continue
            mentor = mentors[j]
            score = (
                INTEREST_POINTS * min(INTEREST_CAP, (interests & mentor_interests[j]).bit_count())
                + CAREER_POINTS * min(CAREER_CAP, (careers & mentor_careers[j]).bit_count())
                + (LANGUAGE_POINTS if languages & mentor_languages[j] else 0)
                + (
                    SPECIALTY_POINTS
                    if mentee.specialty and mentee.specialty == mentor.specialty
                    else 0
                )
                + PREFER_POINTS * prefer_hits.get(j, 0)
                + _rank_points(own_rank.get(mentor.id), 30, 5)
                + _rank_points(mentor_rank[j].get(mentee.id), 15, 3)
            )
            if mentor.id in mentee.ratings:
                score += (mentee.ratings[mentor.id] - 3) * 10
            if mentee.id in mentor.ratings:
                score += (mentor.ratings[mentee.id] - 3) * 5
            allowed.append(j)
            fits.append(score)
        table.allowed.append(allowed)
        table.fits.append(fits)
    return table


def pair_fit(problem: Problem, mentee: Mentee, mentor: Mentor) -> int:
    """The fit of one pair, the same number fit_table gives; a pair made by hand may break a
    hard wish or an exclusion, and is then scored as if it were allowed."""
    alone = replace(
        mentee,
        wishes=tuple(w for w in mentee.wishes if w.strength == "prefer"),
        ranking=tuple(x for x in mentee.ranking if x == mentor.id) or (),
        ratings={k: v for k, v in mentee.ratings.items() if k == mentor.id},
        excluded=(),
    )
    ranked_at = {x: p for p, x in enumerate(mentee.ranking)}.get(mentor.id)
    mentor_at = {x: p for p, x in enumerate(mentor.ranking)}.get(mentee.id)
    partner = replace(
        mentor,
        capacity=max(1, mentor.capacity),
        ranking=(mentee.id,) if mentor_at is not None else (),
        ratings={k: v for k, v in mentor.ratings.items() if k == mentee.id},
        excluded=(),
    )
    single = Problem((alone,), (partner,), "optimal", (), problem.common_language)
    fit = fit_table(single).fits[0][0]
    # Ranks were collapsed to 1st above; put back the points for the real places.
    if ranked_at is not None:
        fit += _rank_points(ranked_at, 30, 5) - _rank_points(0, 30, 5)
    if mentor_at is not None:
        fit += _rank_points(mentor_at, 15, 3) - _rank_points(0, 15, 3)
    return fit


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# Identities that read as nouns; the rest read as adjectives ("a URiM mentor").
IDENTITY_PHRASES = {
    "parent in training": "a mentor who was a parent in training",
    "international graduate": "a mentor who is an international graduate",
    "veteran": "a mentor who is a veteran",
    "first generation": "a first-generation mentor",
}


def describe_wish(wish: Wish) -> str:
    """`a URiM mentor`, `a mentor who speaks Spanish`: the words a wish is quoted in."""
    if wish.kind == "identity":
        return IDENTITY_PHRASES.get(wish.value, f"a {wish.value} mentor")
    if wish.kind == "language":
        return f"a mentor who speaks {wish.value}"
    if wish.kind == "specialty":
        return f"a mentor in {wish.value}"
    if wish.kind == "career_path":
        return f"a mentor on the {wish.value} career path"
    if wish.kind == "interest":
        return f"a mentor interested in {wish.value}"
    return "a faculty mentor" if wish.value == "faculty" else "a peer mentor (senior trainee)"


def reasons(problem: Problem, mentee: Mentee, mentor: Mentor) -> list[str]:
    """Why this pair fits, in words, strongest first."""
    out: list[str] = []
    for wish in mentee.wishes:
        if wish.strength == "must" and wish_met(mentor, wish):
            out.append(f"mentee asked for {describe_wish(wish)}")
    for wish in mentee.wishes:
        if wish.strength == "prefer" and wish_met(mentor, wish):
            out.append(f"mentee hoped for {describe_wish(wish)}")
    if mentor.id in mentee.ranking:
        out.append(f"mentee ranked this mentor {_ordinal(mentee.ranking.index(mentor.id) + 1)}")
    if mentor.id in mentee.ratings:
        out.append(f"mentee rated this mentor {mentee.ratings[mentor.id]} of 5")
    if mentee.id in mentor.ranking:
        out.append(f"mentor ranked this mentee {_ordinal(mentor.ranking.index(mentee.id) + 1)}")
    if mentee.id in mentor.ratings:
        out.append(f"mentor rated this mentee {mentor.ratings[mentee.id]} of 5")
    shared = sorted(mentee.interests & mentor.interests)
    if shared:
        noun = "interest" if len(shared) == 1 else "interests"
        out.append(f"shared {noun} in {_join(shared)}")
    careers = sorted(mentee.career_paths & mentor.career_paths)
    if careers:
        out.append(f"both drawn to {_join(careers)}")
    languages = sorted((mentee.languages & mentor.languages) - {problem.common_language})
    if languages:
        out.append(f"both speak {_join(languages)}")
    if mentee.specialty and mentee.specialty == mentor.specialty:
        out.append(f"same specialty ({mentee.specialty})")
    return out


def explain(problem: Problem, mentee: Mentee, mentor: Mentor) -> str:
    found = reasons(problem, mentee, mentor)
    if not found:
        return "no shared interests recorded; paired so that every mentee has a mentor"
    return "; ".join(found)


def unmatched_reason(problem: Problem, mentee: Mentee, allowed: list[int]) -> str:
    if not allowed:
        needs = [describe_wish(w) for w in mentee.wishes if w.strength == "must"]
        if needs:
            return f"no mentor with room meets every requirement ({_join(needs)})"
        return "no mentor with room may be paired with this mentee"
    return "every mentor who meets the requirements is already full"
