"""Year-long staff rosters in the Curtois benchmark format, cut and tiled from a public instance.

`year_instance(base, days=364, staff=150, shift_types=32, seed=0)` keeps the base instance's
rules and rhythm and scales it:

- **days**: the base horizon is tiled (and cut at `days`); each person's days off and shift
  requests move with every tile by a seeded whole number of weeks, so copies of one person do
  not rest on the same days and weekdays keep their meaning. Horizon-wide limits (shifts of a
  type, minutes, weekends) grow with the horizon; run limits stay as they are.
- **shift types**: type j is a copy of base type j mod S0 (fewer than S0: base type k merges
  into type k mod S, cover and limits adding up; same length, successions forbidden
  between every copy of the forbidden pair); a person is qualified for two copies of each base
  type they may work (the limit of the others is 0), so cover of one copy needs particular people.
- **staff**: person i is a copy of base person i mod P0; cover grows by staff / P0 and is shared
  among a base type's copies (largest remainder, rotated by day), weights unchanged.

Deterministic for a seed: the same arguments give the same text (`to_text`) byte for byte.
"""

from __future__ import annotations

import math
import random

from rounds.engine.roster.curtois import Instance, Staff

# The sizes of the year table (bench/roster_year.py): people x days x shift types, with the
# public instance each is cut from (28-day instances: 11 is 50 x 28 x 6, 12 is 60 x 28 x 10,
# 13 is 120 x 28 x 18).
YEAR_SIZES: dict[str, tuple[int, int, int, int]] = {
    "50x364x10": (50, 364, 10, 12),
    "100x182x8": (100, 182, 8, 11),
    "100x364x16": (100, 364, 16, 13),
    "150x364x32": (150, 364, 32, 13),
}


def _copy_id(base: str, copy: int) -> str:
    return base if copy == 0 else f"{base}{copy}"


def year_instance(
    base: Instance, *, days: int = 364, staff: int = 150, shift_types: int = 32, seed: int = 0
) -> Instance:
    rng = random.Random(seed)
    base_types = list(base.lengths)
    n_base = len(base_types)
    # Shift type j copies base type j % n_base; with fewer types than the base's, base type k
    # is merged into type k % shift_types (its cover, limits and requests go there).
    types = [_copy_id(base_types[j % n_base], j // n_base) for j in range(shift_types)]
    copies = {
        t: [types[j] for j in range(shift_types) if j % n_base == k] or [types[k % shift_types]]
        for k, t in enumerate(base_types)
    }
    kept = set(base_types[:shift_types])
    lengths = {types[j]: base.lengths[base_types[j % n_base]] for j in range(shift_types)}
    forbidden = {  # a merged type's successions are dropped, or a type could forbid itself
        types[j]: [
            c for f in base.forbidden[base_types[j % n_base]] if f in kept for c in copies[f]
        ]
        for j in range(shift_types)
    }
    scale = days / base.days
    people: list[Staff] = []
    qualified: dict[str, dict[str, list[str]]] = {}
    for i in range(staff):
        b = base.staff[i % len(base.staff)]
        pid = _copy_id(b.id, i // len(base.staff))
        mine: dict[str, list[str]] = {}
        max_shifts: dict[str, int] = {}
        for t in base_types:
            group = copies[t]
            limit = b.max_shifts.get(t, 0)
            picks = {group[i % len(group)], group[(i + 1) % len(group)]} if limit else set()
            mine[t] = [c for c in group if c in picks]
            for c in group:  # merged types add up
                more = math.ceil(limit * scale) if c in picks else 0
                max_shifts[c] = min(days, max_shifts.get(c, 0) + more)
        qualified[pid] = mine
        people.append(
            Staff(
                pid,
                max_shifts,
                max_minutes=math.ceil(b.max_minutes * scale),
                min_minutes=math.floor(b.min_minutes * scale),
                max_consecutive=b.max_consecutive,
                min_consecutive=b.min_consecutive,
                min_days_off=b.min_days_off,
                max_weekends=math.ceil(b.max_weekends * scale),
            )
        )
    out = Instance(
        f"year-{base.name}-{staff}x{days}x{shift_types}-s{seed}", days, lengths, forbidden, people
    )
    weeks = max(1, base.days // 7)
    tiles = math.ceil(days / base.days)
    base_off = base.days_off
    on_by = _by_person(base.on)
    off_by = _by_person(base.off)
    for i, person in enumerate(people):
        b = base.staff[i % len(base.staff)]
        days_off: list[int] = []
        for tile in range(tiles):
            shift = 7 * rng.randrange(weeks)
            place = [tile * base.days + (d + shift) % base.days for d in range(base.days)]
            days_off += [place[d] for d in base_off.get(b.id, []) if place[d] < days]
            for requests, target in ((on_by, out.on), (off_by, out.off)):
                for d, t, w in requests.get(b.id, []):
                    choices = qualified[person.id].get(t) or copies[t][:1]
                    if place[d] < days:
                        target.append((person.id, place[d], rng.choice(choices), w))
        out.days_off[person.id] = sorted(set(days_off))
    # Cover: the base requirement x staff / P0, shared among the copies of its type (merged
    # types add up, paying the larger weights).
    factor = staff / len(base.staff)
    cover: dict[tuple[int, str], list[int]] = {}
    for day in range(days):
        for base_day, t, req, under, over in base.cover:
            if base_day != day % base.days:
                continue
            group = copies[t]
            total = req * factor
            whole = math.floor(total / len(group))
            extra = round(total - whole * len(group))
            for k, c in enumerate(group):
                more = (k - day) % len(group) < extra
                row = cover.setdefault((day, c), [0, under, over])
                row[0] += whole + more
                row[1], row[2] = max(row[1], under), max(row[2], over)
    out.cover = [(day, c, req, under, over) for (day, c), (req, under, over) in cover.items()]
    return out


def _by_person(
    requests: list[tuple[str, int, str, int]],
) -> dict[str, list[tuple[int, str, int]]]:
    out: dict[str, list[tuple[int, str, int]]] = {}
    for person, day, shift, weight in requests:
        out.setdefault(person, []).append((day, shift, weight))
    return out


def to_text(instance: Instance) -> str:
    """The instance in the benchmark's text format (what `curtois.parse` reads)."""
    lines = [
        "# Generated by rounds.engine.roster.yeargen",
        "SECTION_HORIZON",
        str(instance.days),
        "",
    ]
    lines.append("SECTION_SHIFTS")
    for sid, length in instance.lengths.items():
        lines.append(f"{sid},{length},{'|'.join(instance.forbidden.get(sid, []))}")
    lines += ["", "SECTION_STAFF"]
    for st in instance.staff:
        limits = "|".join(f"{s}={n}" for s, n in st.max_shifts.items())
        lines.append(
            f"{st.id},{limits},{st.max_minutes},{st.min_minutes},{st.max_consecutive},"
            f"{st.min_consecutive},{st.min_days_off},{st.max_weekends}"
        )
    lines += ["", "SECTION_DAYS_OFF"]
    for pid, off in instance.days_off.items():
        lines.append(",".join([pid, *(str(d) for d in off)]))
    lines += ["", "SECTION_SHIFT_ON_REQUESTS"]
    lines += [f"{p},{d},{s},{w}" for p, d, s, w in instance.on]
    lines += ["", "SECTION_SHIFT_OFF_REQUESTS"]
    lines += [f"{p},{d},{s},{w}" for p, d, s, w in instance.off]
    lines += ["", "SECTION_COVER"]
    lines += [f"{d},{s},{r},{u},{o}" for d, s, r, u, o in instance.cover]
    return "\n".join(lines) + "\n"


def year_size(name: str, seed: int = 0) -> Instance:
    """One of YEAR_SIZES ("50x364x10", ...), cut from its public instance."""
    from rounds.engine.roster import curtois

    staff, days, types, base = YEAR_SIZES[name]
    return year_instance(
        curtois.load(str(base)), days=days, staff=staff, shift_types=types, seed=seed
    )
