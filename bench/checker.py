"""Work-hour checker benchmark: 1,000 trainees × 365 days of plausible logs, checked on one core.

`python -m bench checker`. Building the records (parsing local times, resolving daylight saving)
is timed apart from checking them, because a caller that already holds a Record pays only the
second.
"""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from typing import Any

from rounds.engine.workhours import Record, check

TRAINEES = 1_000
DAYS = 365
FIRST_DAY = date(2026, 7, 1)
SEED = 2026
ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "UTC")
ROTATION_LENGTHS = (14, 28, 28, 31, 56)


def stamp(day: date, hour: float) -> str:
    moment = datetime(day.year, day.month, day.day) + timedelta(hours=hour)
    return moment.isoformat(timespec="minutes")


def rotations(rng: random.Random) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    start = FIRST_DAY
    last_day = FIRST_DAY + timedelta(days=DAYS - 1)
    while start <= last_day:
        end = start + timedelta(days=rng.choice(ROTATION_LENGTHS) - 1)
        if (last_day - end).days < min(ROTATION_LENGTHS):
            end = last_day  # the year's last rotation takes the leftover days
        out.append({"name": f"R{len(out) + 1}", "start": start.isoformat(), "end": end.isoformat()})
        start = end + timedelta(days=1)
    return out


def period(day: date, start: float, end: float, kind: str) -> dict[str, str]:
    return {"start": stamp(day, start), "end": stamp(day, end), "kind": kind}


def one_day(
    rng: random.Random,
    day: date,
    pgy: int,
    before_day_off: bool,
    log: dict[str, list[dict[str, str]]],
) -> str:
    """Append one working day and say what it was: a day shift (sometimes with at-home call and
    a call-back, sometimes education after it), a 24 h in-house call or a night."""
    roll = rng.random()
    if before_day_off:
        roll = max(roll, 0.18)  # no call or night the day before a day off: it would eat it
    if roll < 0.12:
        log["periods"].append(period(day, 7, 7 + rng.uniform(24, 27.5), "in_house_call"))
        return "call"
    if roll < 0.18:
        log["periods"].append(period(day, 19, 31, "in_house_call"))
        return "night"
    start = 6 + rng.choice((0, 0.5, 1))
    end = start + rng.uniform(9, 12.5)
    log["periods"].append(period(day, start, end, "clinical"))
    if rng.random() < 0.15:
        log["periods"].append(period(day, end, end + 1, "education"))
    elif roll < 0.30 and not before_day_off:
        log["home_call"].append({"start": stamp(day, 19), "end": stamp(day, 31)})
        if rng.random() < 0.4:
            back = rng.uniform(20, 27)
            log["periods"].append(period(day, back, back + rng.uniform(1, 3), "home_call_work"))
    elif pgy >= 2 and rng.random() < 0.03:
        log["periods"].append(period(day, end + 1.5, end + 5.5, "moonlighting_external"))
    return "day"


def trainee_record(rng: random.Random, number: int) -> dict[str, Any]:
    pgy = rng.randint(1, 7)
    weekly_day_off = rng.randrange(7)
    vacation = FIRST_DAY + timedelta(days=rng.randrange(DAYS - 7))
    log: dict[str, list[dict[str, str]]] = {"periods": [], "home_call": []}
    rest_next = False  # the day after a 24 h call or a night is free
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        free = rest_next or offset % 7 == weekly_day_off or 0 <= (day - vacation).days < 7
        rest_next = False
        if not free:
            before_day_off = (offset + 1) % 7 == weekly_day_off
            rest_next = one_day(rng, day, pgy, before_day_off, log) != "day"
    return {
        "timezone": rng.choice(ZONES),
        "trainee": {"id": f"T{number:04d}", "pgy": pgy},
        "rotations": rotations(rng),
        "leave": [
            {"start": vacation.isoformat(), "end": (vacation + timedelta(days=6)).isoformat()}
        ],
        **log,
    }


def main() -> None:
    rng = random.Random(SEED)
    documents = [trainee_record(rng, n) for n in range(TRAINEES)]
    started = time.perf_counter()
    records = [Record.from_json(document) for document in documents]
    built = time.perf_counter() - started
    started = time.perf_counter()
    reports = [check(record) for record in records]
    checked = time.perf_counter() - started
    periods = sum(len(record.periods) for record in records)
    findings = sum(len(report.violations) + len(report.warnings) for report in reports)
    rows = [
        ("trainees", f"{TRAINEES:,}"),
        ("days each", f"{DAYS}"),
        ("periods", f"{periods:,}"),
        ("findings", f"{findings:,}"),
        ("non-compliant trainees", f"{sum(not r.compliant for r in reports):,}"),
        ("build records (s)", f"{built:.2f}"),
        ("check all, one core (s)", f"{checked:.2f}"),
        ("checks/second", f"{TRAINEES / checked:,.0f}"),
    ]
    width = max(len(label) for label, _ in rows)
    print("work-hour checker benchmark")
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>10}")
