"""Realistic resident call problems for tests and benchmarks (seeded, no real people).

A residency of `residents` trainees (a third each PGY-1, 2, 3) over `days` days: 24-hour in-house
call (a PGY-2+ each day), night float, day ward and weekday clinic, a week of leave for some, a few
days-off requests, at most two weekends in four as a wish, fair call within each PGY year, and all
ACGME rules.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

FIRST_NAMES = (
    "Ana", "Ben", "Chloe", "Dev", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena",
    "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Vik", "Wen", "Yara",
)  # fmt: skip


def call_problem(
    residents: int = 20,
    days: int = 28,
    *,
    seed: int = 0,
    start: dt.date = dt.date(2026, 7, 6),
    timezone: str = "America/New_York",
) -> dict[str, Any]:
    """The problem as JSON (what `rounds solve` reads)."""
    rng = random.Random(seed)
    people: list[dict[str, Any]] = [
        {
            "id": f"r{i + 1}",
            "name": f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {i + 1}",
            "pgy": 1 + i % 3,
            "group": f"pgy{1 + i % 3}",
            "skills": ["icu"] if i % 4 == 1 else [],
        }
        for i in range(residents)
    ]
    calls = max(1, residents // 10)
    seniors = [p["id"] for p in people if p["pgy"] >= 2]
    nights = max(1, residents // 10)
    ward = max(2, round(residents * 0.3))
    clinic = max(1, residents // 7)
    weekdays = [d for d in range(days) if (start + dt.timedelta(days=d)).weekday() < 5]
    weekend = [d for d in range(days) if d not in weekdays]
    leave = []
    for person in rng.sample(people, max(1, residents // 5)):
        first = start + dt.timedelta(days=rng.randrange(0, max(1, days - 7)))
        leave.append(
            {
                "person": person["id"],
                "start": first.isoformat(),
                "end": (first + dt.timedelta(days=4)).isoformat(),
            }
        )
    requests_off = [
        {
            "person": rng.choice(people)["id"],
            "day": rng.randrange(days),
            "weight": rng.choice([2, 5]),
        }
        for _ in range(residents)
    ]
    return {
        "name": f"call-{residents}x{days}",
        "horizon": {"start": start.isoformat(), "days": days, "timezone": timezone},
        "people": people,
        "shifts": [
            {
                "id": "C",
                "name": "24h call",
                "start": "07:00",
                "length": 1440,
                "kind": "in_house_call",
            },
            {
                "id": "N",
                "name": "Night float",
                "start": "19:00",
                "length": 720,
                "kind": "night_float",
            },
            {
                "id": "D",
                "name": "Ward",
                "start": "07:00",
                "length": 600,
                "kind": "in_house_clinical",
            },
            {"id": "K", "name": "Clinic", "start": "08:00", "length": 480, "kind": "clinic"},
        ],
        "coverage": [
            {"shift": "C", "min": calls, "max": calls},
            {"shift": "N", "min": nights, "max": nights},
            {"shift": "D", "days": weekdays, "min": ward - 1, "required": ward, "weight_under": 20},
            {
                "shift": "D",
                "days": weekend,
                "min": 1,
                "required": max(1, ward // 3),
                "weight_under": 20,
            },
            {
                "shift": "K",
                "days": weekdays,
                "required": clinic,
                "weight_under": 10,
                "weight_over": 3,
            },
        ],
        "mix": [{"id": "senior-on-call", "shift": "C", "min": calls, "min_pgy": 2}],
        "leave": leave,
        "requests_off": requests_off,
        "successions": [{"first": "N", "second": "D"}, {"first": "N", "second": "K"}],
        "rules": [
            {
                "id": "R-weekends",
                "family": "weekends",
                "soft_max": 2 * max(1, days // 28),
                "max_weight": 10,
            },
            {"id": "R-nights", "family": "consecutive_shift", "shift": "N", "hard_max": 5},
            {
                "id": "R-run",
                "family": "consecutive_days",
                "hard_max": 6,
                "soft_max": 5,
                "max_weight": 4,
            },
        ],
        "fairness": [
            # Hard spreads, as chiefs state them ("calls differ by at most one"): a soft spread
            # has an LP bound of 0, which no solver can close quickly (docs/scheduling.md).
            {"id": "F-calls", "measure": "calls", "people": seniors, "max_spread": 1, "weight": 0},
            {"id": "F-weekends", "measure": "weekends", "max_spread": 2, "weight": 0},
        ],
        "acgme": {"weekly_limit_hours": 80},
    }


def service_problem(
    residents: int = 150,
    days: int = 365,
    *,
    services: int = 10,
    seed: int = 0,
    start: dt.date = dt.date(2026, 7, 1),
) -> dict[str, Any]:
    """A year-scale problem: `services` services x (day, night float, 24h call) = 30 shift types,
    each resident credentialed for two services (so variables stay sparse), all ACGME rules."""
    rng = random.Random(seed)
    names = [f"S{k + 1}" for k in range(services)]
    people = []
    for i in range(residents):
        skills = rng.sample(names, 2)
        people.append({"id": f"r{i + 1}", "pgy": 1 + i % 3, "skills": skills})
    shifts: list[dict[str, Any]] = []
    coverage: list[dict[str, Any]] = []
    for name in names:
        shifts += [
            {"id": f"{name}-D", "start": "07:00", "length": 600, "requires": [name]},
            {
                "id": f"{name}-N",
                "start": "19:00",
                "length": 720,
                "kind": "night_float",
                "requires": [name],
            },
            {
                "id": f"{name}-C",
                "start": "07:00",
                "length": 1440,
                "kind": "in_house_call",
                "requires": [name],
            },
        ]
        coverage += [
            {"shift": f"{name}-D", "min": 1, "required": 3, "weight_under": 10},
            {"shift": f"{name}-N", "min": 1, "max": 1},
            {"shift": f"{name}-C", "required": 1, "weight_under": 5},
        ]
    return {
        "name": f"services-{residents}x{days}",
        "horizon": {"start": start.isoformat(), "days": days, "timezone": "America/Chicago"},
        "people": people,
        "shifts": shifts,
        "coverage": coverage,
        "rules": [
            {"id": "R-weekends", "family": "weekends", "soft_max": days // 14, "max_weight": 5}
        ],
        "acgme": {"weekly_limit_hours": 80},
    }
