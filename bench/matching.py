"""Mentor matching benchmark: 1,000 mentees x 300 mentors, both modes (target: under 5 s).

`python -m bench matching`. Synthetic people with interests, career paths, languages and
identities drawn from skewed distributions (a few popular interests, many rare ones), 10% of
mentees with a hard wish, capacities 2-5. Prints one row per mode and size.
"""

from __future__ import annotations

import random
import time
from typing import Any

from rounds.engine.matching import Problem, blocking_pairs, match

INTERESTS = [
    "global health",
    "medical education",
    "health equity",
    "quality improvement",
    "research",
    "critical care",
    "cardiology",
    "oncology",
    "palliative care",
    "addiction medicine",
    "informatics",
    "women's health",
    "LGBTQ+ health",
    "rural health",
    "advocacy",
    "ultrasound",
    "geriatrics",
    "infectious disease",
    "nephrology",
    "sports medicine",
]
CAREERS = [
    "academic medicine",
    "hospitalist",
    "primary care",
    "fellowship",
    "research",
    "leadership",
]
LANGUAGES = ["Spanish", "Mandarin", "Arabic", "Haitian Creole", "Vietnamese", "Portuguese"]
IDENTITIES = ["URiM", "first generation", "parent in training", "international graduate"]
SPECIALTIES = ["Internal Medicine", "Pediatrics", "Surgery", "Psychiatry", "Emergency Medicine"]


def _some(rng: random.Random, pool: list[str], most: int) -> list[str]:
    weights = [1 / (k + 1) for k in range(len(pool))]  # a few popular, a long tail
    return sorted(set(rng.choices(pool, weights, k=rng.randint(1, most))))


def build(mentees: int, mentors: int, *, ranked: bool, seed: int = 2026) -> Problem:
    rng = random.Random(seed)
    mentor_rows: list[dict[str, Any]] = []
    for j in range(mentors):
        mentor_rows.append(
            {
                "id": f"r{j}",
                "capacity": rng.randint(2, 5),
                "kind": "trainee" if rng.random() < 0.2 else "faculty",
                "specialty": rng.choice(SPECIALTIES),
                "interests": _some(rng, INTERESTS, 4),
                "career_paths": _some(rng, CAREERS, 2),
                "languages": ["English"] + (_some(rng, LANGUAGES, 1) if rng.random() < 0.3 else []),
                "identities": _some(rng, IDENTITIES, 1) if rng.random() < 0.3 else [],
            }
        )
    mentee_rows: list[dict[str, Any]] = []
    for i in range(mentees):
        wishes = []
        if rng.random() < 0.1:
            kind = rng.choice(["identity", "language"])
            value = rng.choice(IDENTITIES if kind == "identity" else LANGUAGES[:3])
            wishes.append({"kind": kind, "value": value, "strength": "must"})
        if rng.random() < 0.3:
            wishes.append(
                {"kind": "career_path", "value": rng.choice(CAREERS), "strength": "prefer"}
            )
        row: dict[str, Any] = {
            "id": f"e{i}",
            "specialty": rng.choice(SPECIALTIES),
            "interests": _some(rng, INTERESTS, 3),
            "career_paths": _some(rng, CAREERS, 2),
            "languages": ["English"] + (_some(rng, LANGUAGES, 1) if rng.random() < 0.3 else []),
            "wishes": wishes,
        }
        if ranked:
            row["ranking"] = [f"r{j}" for j in rng.sample(range(mentors), min(10, mentors))]
        mentee_rows.append(row)
    if ranked:
        for row in mentor_rows:
            row["ranking"] = [f"e{i}" for i in rng.sample(range(mentees), min(20, mentees))]
    mode = "stable" if ranked else "optimal"
    return Problem.from_json({"mode": mode, "mentees": mentee_rows, "mentors": mentor_rows})


def main() -> None:
    print(
        f"{'mode':<8} {'mentees':>7} {'mentors':>7} {'pairs':>6} {'unmatched':>9} "
        f"{'min fit':>7} {'mean fit':>8} {'blocking':>8} {'seconds':>8}"
    )
    for mentees, mentors in [(100, 30), (1_000, 300)]:
        for ranked in (False, True):
            problem = build(mentees, mentors, ranked=ranked)
            started = time.perf_counter()
            result = match(problem)
            seconds = time.perf_counter() - started
            blocking = len(blocking_pairs(problem, result)) if ranked else "-"
            mean = result.total_fit / max(1, len(result.pairs))
            print(
                f"{result.mode:<8} {mentees:>7} {mentors:>7} {len(result.pairs):>6} "
                f"{len(result.unmatched):>9} {result.min_fit!s:>7} {mean:>8.1f} "
                f"{blocking!s:>8} {seconds:>8.2f}"
            )


if __name__ == "__main__":
    main()
