"""What has started is history: blocks, half-blocks and call days on or before today.

A cell of a rotation year (a trainee's block, or one half of it) is history once its first day
has come (`rounds.lib.today.today()`, in the institution's time zone). History is what the
published version says was worked, with the corrections a coordinator made explicitly, with a
reason (`RotationAssignment.correction`). Solves take it as fixed input, imports and hand edits
refuse to change it, and publishing refuses a version that differs from the one it replaces in
a started cell other than by a marked correction.
"""

from __future__ import annotations

import datetime as dt

from rounds.core.models import Program
from rounds.lib.today import today
from rounds.people.models import Trainee
from rounds.schedules.models import Block, CallSchedule, RotationAssignment, RotationSchedule


def started(block: Block, half: int = 0) -> bool:
    """Whether that block (half 0) or half of it has begun."""
    return block.half_range(half)[0] <= today()


def day_started(day: dt.date) -> bool:
    """A call day is history from its first hour: its shifts may already be worked."""
    return day <= today()


def refuse_text(block: Block, half: int = 0) -> str:
    what = (
        f"The {'first' if half == 1 else 'second'} half of {block.label}" if half else block.label
    )
    first = block.half_range(half)[0]
    return (
        f"{what} started on {first:%b %-d, %Y} and is history: it cannot change here. To "
        "correct what was worked, use Correct on that cell and give the reason."
    )


def _cells(schedule: RotationSchedule | None) -> list[RotationAssignment]:
    if schedule is None:
        return []
    return list(schedule.assignments.select_related("block", "rotation"))


def _is_history(cell: RotationAssignment) -> bool:
    # A whole block is history from its first day; a half from the first day of that half.
    return started(cell.block, cell.half)


def history_cells(
    program: Program, academic_year: int, base: RotationSchedule | None = None
) -> list[RotationAssignment]:
    """The cells already worked: the published version's started cells, with the corrections
    marked in `base` instead of the published value. Without a published version, the base's
    started cells (nothing else was ever told to anyone)."""
    published = RotationSchedule.objects.filter(
        program=program, academic_year=academic_year, status=RotationSchedule.Status.PUBLISHED
    ).first()
    source = published or base
    cells: dict[tuple[int, int], list[RotationAssignment]] = {}
    for c in _cells(source):
        cells.setdefault((c.trainee_id, c.block_id), []).append(c)
    if published is not None and base is not None and base.pk != published.pk:
        in_base: dict[tuple[int, int], list[RotationAssignment]] = {}
        for c in _cells(base):
            in_base.setdefault((c.trainee_id, c.block_id), []).append(c)
        for key, parts in in_base.items():
            # A corrected block is read from the base, whole: a correction keeps the block's
            # other half as it was, so the base holds the block as it was really worked.
            if any(c.correction for c in parts):
                cells[key] = parts
    return [c for parts in cells.values() for c in parts if _is_history(c)]


def history_differences(previous: RotationSchedule | None, schedule: RotationSchedule) -> list[str]:
    """Started cells where `schedule` differs from the version it replaces other than by a
    marked correction, as sentences (empty: history is kept)."""
    if previous is None:
        return []

    def by_cell(s: RotationSchedule) -> dict[tuple[int, int], dict[int, RotationAssignment]]:
        out: dict[tuple[int, int], dict[int, RotationAssignment]] = {}
        for c in s.assignments.select_related("block", "rotation", "trainee__person"):
            out.setdefault((c.trainee_id, c.block_id), {})[c.half] = c
        return out

    old, new = by_cell(previous), by_cell(schedule)
    lines = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, {}), new.get(key, {})
        any_cell = next(iter({**a, **b}.values()))
        block = any_cell.block
        for half in (1, 2):
            if not started(block, half):
                continue
            was = (a.get(half) or a.get(0)) if a else None
            now = (b.get(half) or b.get(0)) if b else None
            # Off is the same as no cell: a solve writes a newcomer's unworked blocks off.
            was = None if was is None or was.rotation.is_off else was
            now = None if now is None or now.rotation.is_off else now
            if was is None and now is None:
                continue
            if was is not None and now is not None and now.rotation_id == was.rotation_id:
                continue  # kept
            if now is not None and now.correction:
                continue
            lines.append(
                f"{any_cell.trainee.person} in {block.label}: "
                f"{was.rotation.name if was else 'nothing'} → "
                f"{now.rotation.name if now else 'nothing'}"
            )
            break
    return lines


def history_gaps(
    program: Program, academic_year: int, history: list[RotationAssignment], trainee_ids: set[int]
) -> set[tuple[int, int]]:
    """(trainee, block number) of blocks started in a year that has a published version, where
    the trainee has no history at all: nobody was told they worked there, so no solve places
    them there (a coordinator who knows better corrects the cell)."""
    published = RotationSchedule.objects.filter(
        program=program, academic_year=academic_year, status=RotationSchedule.Status.PUBLISHED
    ).exists()
    if not published:
        return set()
    have = {(c.trainee_id, c.block.number) for c in history}
    begun = [b.number for b in Block.objects.filter(program=program, academic_year=academic_year)
             if started(b)]  # fmt: skip
    return {(t, n) for n in begun for t in trainee_ids if (t, n) not in have}


# ---------------------------------------------------------------- call days


def call_corrections(schedule: CallSchedule | None) -> dict[tuple[int, dt.date], str]:
    """(trainee, day) -> reason, for every started day a coordinator corrected in `schedule`: a
    shift marked with its correction, or a day corrected to off (kept in the version's result,
    as there is no shift to mark)."""
    if schedule is None:
        return {}
    out = {
        (t, d): why
        for t, d, why in schedule.shifts.exclude(correction="").values_list(
            "trainee_id", "day", "correction"
        )
    }
    for item in schedule.result.get("corrected_off", []):
        out.setdefault((int(item["trainee"]), dt.date.fromisoformat(item["day"])), item["reason"])
    return out


def call_history_differences(previous: CallSchedule | None, schedule: CallSchedule) -> list[str]:
    """Started (trainee, day)s where `schedule` holds other shifts than the version it replaces,
    other than by a marked correction, as sentences (empty: history is kept)."""
    if previous is None:
        return []

    def by_day(s: CallSchedule) -> dict[tuple[int, dt.date], set[tuple[dt.datetime, str]]]:
        out: dict[tuple[int, dt.date], set[tuple[dt.datetime, str]]] = {}
        for t, day, start, label in s.shifts.values_list("trainee_id", "day", "start", "label"):
            if day_started(day):
                out.setdefault((t, day), set()).add((start, label))
        return out

    old, new = by_day(previous), by_day(schedule)
    corrected = call_corrections(schedule)
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k) and k not in corrected)
    people = {
        t.pk: t.person.full_name
        for t in Trainee.objects.filter(pk__in={t for t, _ in keys}).select_related("person")
    }

    def shifts(cell: set[tuple[dt.datetime, str]] | None) -> str:
        return " + ".join(label for _, label in sorted(cell or set())) or "off"

    return [
        f"{people.get(t, t)} on {d:%a %b} {d.day}: {shifts(old.get((t, d)))} → "
        f"{shifts(new.get((t, d)))}"
        for t, d in keys
    ]
