"""How the rotation grid shows a `selectors.Grid`: short names with a legend, a colour per
rotation group, each row's totals, the menus of choices, and every finding as one list.

Pure presentation over the grid the selector built (no query of its own): the page renders it
whole, an edit renders one trainee's row and the rules list from the same pieces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rounds.schedules.models import Rotation
from rounds.schedules.selectors import Grid, GridCell, GridRow

# Colour classes for rotation groups, in the order the legend lists them; groups beyond the
# palette share its last colour (the legend still names each). "off" is the vacation colour.
PALETTE = 8
OFF_GROUP = "Off"
SHORT = 9  # names this long or shorter are shown whole


@dataclass
class Group:
    name: str
    css: str  # "g0".."g7" or "goff"
    rotations: list[tuple[str, Rotation]] = field(default_factory=list)  # (short, rotation)


@dataclass
class Legend:
    groups: list[Group]
    short: dict[int, str]  # rotation pk -> short name shown in the cells
    css: dict[int, str]  # rotation pk -> colour class
    group_of: dict[int, str]  # rotation pk -> group name

    def cell_text(self, cell: GridCell) -> str:
        if cell.rotation is not None:
            return self.short[cell.rotation.pk]
        if cell.halves:
            by_half = dict(cell.halves)
            return "/".join(self.short[by_half[h].pk] if h in by_half else "—" for h in (1, 2))
        return "—"

    def cell_css(self, cell: GridCell) -> str:
        rotations = cell.rotations
        colour = self.css[rotations[0].pk] if rotations else "gnone"
        return f"{colour} {cell.css}".strip()


def group_name(rotation: Rotation) -> str:
    if rotation.is_off:
        return OFF_GROUP
    return rotation.group or rotation.get_kind_display()


def abbreviation(name: str, program: str = "") -> str:
    """A short name for a cell: 'MICU' stays; the program's own name is left out ('Internal
    Medicine clinic' in Internal Medicine Residency -> 'Clinic', 'Elective (Internal Medicine)'
    -> 'Elective'); a long single word is cut ('Inpatient' stays, 'Cardiology' -> 'Cardiol.');
    several words give their initials ('Night float' -> 'NF'). The legend gives whole names."""
    field = re.sub(r"\s+(Residency|Fellowship|Program)$", "", program.strip())
    text = name.strip()
    if field:
        text = re.sub(rf"\(\s*{re.escape(field)}\s*\)", " ", text, flags=re.IGNORECASE)
        text = re.sub(rf"^{re.escape(field)}\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text).strip() or name.strip()
    if len(text) <= SHORT:
        return text[0].upper() + text[1:]
    words = re.findall(r"[A-Za-z0-9]+", text)
    if len(words) == 1:
        return words[0][0].upper() + words[0][1 : SHORT - 2] + "."
    return "".join(w if w.isupper() else w[0].upper() for w in words)[:SHORT]


def legend_of(grid: Grid) -> Legend:
    """Every rotation a cell or a menu can show, grouped and abbreviated (unique in the grid)."""
    rotations: dict[int, Rotation] = {}
    for row in grid.rows:
        for r in row.options:
            rotations.setdefault(r.pk, r)
        for cell in row.cells:
            for r in cell.rotations:
                rotations.setdefault(r.pk, r)
    ordered = sorted(rotations.values(), key=lambda r: (r.is_off, group_name(r), r.name))
    groups: dict[str, Group] = {}
    short: dict[int, str] = {}
    taken: set[str] = set()
    for r in ordered:
        name = group_name(r)
        if name not in groups:
            index = sum(1 for g in groups if g != OFF_GROUP)
            css = "goff" if name == OFF_GROUP else f"g{min(index, PALETTE - 1)}"
            groups[name] = Group(name, css)
        text = "Off" if r.is_off else abbreviation(r.name, grid.schedule.program.name)
        candidate, n = text, 2
        while candidate in taken:
            candidate, n = f"{text}{n}", n + 1
        taken.add(candidate)
        short[r.pk] = candidate
        groups[name].rotations.append((candidate, r))
    return Legend(
        list(groups.values()),
        short,
        {pk: groups[group_name(r)].css for pk, r in rotations.items()},
        {pk: group_name(r) for pk, r in rotations.items()},
    )


@dataclass
class RowTotal:
    group: str
    css: str
    blocks: float

    @property
    def text(self) -> str:
        return f"{self.blocks:g}"


def row_totals(row: GridRow, legend: Legend) -> list[RowTotal]:
    """Blocks per rotation group for one trainee (half a block counts a half), legend order."""
    counts: dict[str, float] = {}
    for cell in row.cells:
        if cell.rotation is not None:
            name = legend.group_of[cell.rotation.pk]
            counts[name] = counts.get(name, 0) + 1
        for _half, r in cell.halves:
            name = legend.group_of[r.pk]
            counts[name] = counts.get(name, 0) + 0.5
    return [RowTotal(g.name, g.css, counts[g.name]) for g in legend.groups if g.name in counts]


@dataclass
class Menu:
    """One list of choices, shared by every row whose trainees may take the same rotations."""

    index: int
    options: list[Rotation]
    splits: list[tuple[Rotation, Rotation]]


def menus_of(grid: Grid) -> tuple[list[Menu], dict[int, int]]:
    """The distinct menus, and each trainee's menu index: a year has a few (one per PGY
    level at most), so the page sends each once instead of once per row or cell."""
    menus: list[Menu] = []
    seen: dict[tuple[tuple[int, ...], tuple[tuple[int, int], ...]], int] = {}
    of_trainee: dict[int, int] = {}
    for row in grid.rows:
        key = (
            tuple(r.pk for r in row.options),
            tuple((a.pk, b.pk) for a, b in row.splits),
        )
        if key not in seen:
            seen[key] = len(menus)
            menus.append(Menu(len(menus), row.options, row.splits))
        of_trainee[row.trainee.pk] = seen[key]
    return menus, of_trainee


def cell_value(cell: GridCell) -> str:
    """What the editor posts for the cell as it is: '12', 'split:12:7' or ''."""
    if cell.rotation is not None:
        return str(cell.rotation.pk)
    if cell.halves:
        by_half = dict(cell.halves)
        if 1 in by_half and 2 in by_half:
            return f"split:{by_half[1].pk}:{by_half[2].pk}"
    return ""


def rules_of(grid: Grid) -> list[str]:
    """Every finding as a sentence: the blocks' first, then each trainee's in grid order."""
    out = [t for texts in grid.block_findings.values() for t in texts]
    for row in grid.rows:
        out += row.findings
        out += [f for cell in row.cells for f in cell.findings]
    return out


@dataclass
class ShownCell:
    """One cell as the page shows it, every string made here once (a year is ~1,000 cells)."""

    block_pk: int
    css: str
    text: str
    value: str
    label: str  # what a screen reader hears: who, when, what, and what is wrong
    findings: list[str]
    history: bool
    locked: bool
    correction: str


@dataclass
class ShownRow:
    row: GridRow
    menu: int
    cells: list[ShownCell]
    totals: list[RowTotal]

    @property
    def pk(self) -> int:
        return self.row.trainee.pk


@dataclass
class ShownGrid:
    grid: Grid
    legend: Legend
    menus: list[Menu]
    rows: list[ShownRow]
    rules: list[str]
    started: list[bool]  # per block: the whole block has begun (history)


def shown_cell(row: GridRow, cell: GridCell, legend: Legend) -> ShownCell:
    text = legend.cell_text(cell)
    whole = (
        cell.rotation.name
        if cell.rotation is not None
        else " / ".join(r.name for r in cell.rotations) or "nothing"
    )
    notes = [f"{row.trainee.person.full_name}, block {cell.block.number}: {whole}"]
    if cell.history:
        notes.append("started, history")
    if cell.locked:
        notes.append("locked")
    if cell.correction:
        notes.append(f"corrected: {cell.correction}")
    if cell.findings:
        n = len(cell.findings)
        notes.append(f"{n} broken rule{'s' if n > 1 else ''}")
    return ShownCell(
        cell.block.pk,
        legend.cell_css(cell),
        text,
        cell_value(cell),
        ", ".join(notes),
        cell.findings,
        cell.history,
        cell.locked,
        cell.correction,
    )


def shown_row(row: GridRow, legend: Legend, menu: int) -> ShownRow:
    cells = [shown_cell(row, c, legend) for c in row.cells]
    return ShownRow(row, menu, cells, row_totals(row, legend))


def shown_grid(grid: Grid, only_trainee: int | None = None) -> ShownGrid:
    """The grid for the page, or (`only_trainee`) just that trainee's row for an edit."""
    legend = legend_of(grid)
    menus, menu_of = menus_of(grid)
    rows = [
        shown_row(r, legend, menu_of[r.trainee.pk])
        for r in grid.rows
        if only_trainee is None or r.trainee.pk == only_trainee
    ]
    started = [c.history for c in grid.rows[0].cells] if grid.rows else []
    return ShownGrid(grid, legend, menus, rows, rules_of(grid), started)
