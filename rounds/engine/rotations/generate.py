"""Deterministic synthetic rotation problems, from one program to a whole institution.

`institution_problem(programs=60, trainees=800)` shapes a year like a large academic center: most
programs have their own services at two or three sites, and a few ICUs and an emergency department
take trainees from several programs under one capacity. With `half_blocks`, every third program may
take its elective and one other service by halves.
"""

from __future__ import annotations

import random
from typing import Any

SHARED = [
    ("micu", "MICU", "ICU", 20),
    ("sicu", "SICU", "ICU", 16),
    ("ccu", "CCU", "ICU", 14),
    ("ed", "Emergency department", "ED", 18),
]


def program_problem_parts(
    pid: str,
    size: int,
    years: int,
    rng: random.Random,
    shared: list[str],
    half_blocks: bool = False,
) -> dict[str, Any]:
    """Trainees, rotations, uses and curriculum of one program (JSON pieces); with `half_blocks`
    its last two services (the elective and the one before) may be taken for half a block."""
    per_year = max(1, size // years)
    trainees = [
        {"id": f"{pid}-t{i}", "program": pid, "pgy": 1 + i % years, "name": f"{pid} trainee {i}"}
        for i in range(per_year * years)
    ]
    n_services = 4 + rng.randint(0, 3)
    rotations = []
    uses = []
    for k in range(n_services):
        rid = f"{pid}-r{k}"
        group = "Elective" if k == n_services - 1 else ("Nights" if k == 0 else None)
        rotations.append(
            {"id": rid, "name": f"{pid} service {k}", "site": f"site{k % 3}", "group": group}
        )
        # Enough room overall: each service takes up to a third of the program, at least 1.
        uses.append(
            {
                "rotation": rid,
                "program": pid,
                "min_per_block": 1 if k < 2 and per_year * years >= 6 else 0,
                "max_per_block": max(2, (per_year * years) // 2),
                "half_blocks": half_blocks and k >= n_services - 2,
            }
        )
    for rid in shared:
        uses.append({"rotation": rid, "program": pid, "max_per_block": max(1, per_year)})
    requirements = []
    for pgy in range(1, years + 1):
        if set(shared) & {"micu", "sicu", "ccu"}:
            requirements.append({"program": pid, "pgy": pgy, "group": "ICU", "min": 1, "max": 3})
        requirements.append({"program": pid, "pgy": pgy, "group": "Nights", "min": 0, "max": 3})
        requirements.append(
            {"program": pid, "pgy": pgy, "rotation": f"{pid}-r1", "min": 2 if pgy == 1 else 1}
        )
        requirements.append(
            {"program": pid, "pgy": pgy, "group": "Elective", "min": 1, "weight": 5}
        )
    return {
        "trainees": trainees,
        "rotations": rotations,
        "uses": uses,
        "requirements": requirements,
    }


def institution_problem(
    programs: int = 60,
    trainees: int = 800,
    blocks: int = 13,
    seed: int = 1,
    half_blocks: bool = False,
) -> dict[str, Any]:
    rng = random.Random(seed)
    # A few large residencies, many small fellowships: sizes roughly like a real center.
    sizes = [rng.choice([3, 4, 6, 8]) for _ in range(programs)]
    large = max(1, programs // 8)
    for i in range(large):
        sizes[i] = 40 + rng.randint(0, 30)
    scale = trainees / sum(sizes)
    sizes = [max(2, round(s * scale)) for s in sizes]
    out: dict[str, Any] = {
        "name": f"institution, {programs} programs",
        "blocks": blocks,
        "trainees": [],
        "rotations": [
            {"id": rid, "name": name, "site": "sponsor", "group": group, "capacity": cap}
            for rid, name, group, cap in SHARED
        ],
        "uses": [],
        "requirements": [],
        "vacations": [],
        "preferences": [],
        "program_names": {},
    }
    for i, size in enumerate(sizes):
        pid = f"p{i}"
        years = 3 if size >= 9 else rng.choice([1, 2, 3])
        shared = [s[0] for s in SHARED if rng.random() < 0.35] if i < programs // 2 else []
        parts = program_problem_parts(pid, size, years, rng, shared, half_blocks and i % 3 == 0)
        for key in ("trainees", "rotations", "uses", "requirements"):
            out[key].extend(parts[key])
        out["program_names"][pid] = f"Program {i}"
    for t in out["trainees"]:
        block = rng.randint(1, blocks)
        out["vacations"].append({"trainee": t["id"], "block": block, "weight": 20})
        program_rotations = [u["rotation"] for u in out["uses"] if u["program"] == t["program"]]
        wish = rng.choice(program_rotations)
        out["preferences"].append(
            {"trainee": t["id"], "rotation": wish, "block": rng.randint(1, blocks), "weight": 3}
        )
    return out
