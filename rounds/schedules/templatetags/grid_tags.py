"""The rotation grid's cells, written in Python: a year is ~1,000 cells, and a template loop
with its lookups and filters per cell was most of the page's rendering time."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rounds.schedules.grid_display import ShownCell, ShownRow

register = template.Library()


def _cell(cell: ShownCell, editable: bool) -> str:
    attrs = f' class="{cell.css}"' if cell.css else ""
    if editable and cell.value:
        attrs += f' data-v="{cell.value}"'
    notes = cell.findings + ([f"Corrected: {cell.correction}"] if cell.correction else [])
    if notes:
        attrs += f' title="{escape("; ".join(notes))}"'
    if editable:
        label, text = escape(cell.label), escape(cell.text)
        inner = f'<button type="button" aria-label="{label}">{text}</button>'
    else:
        inner = escape(cell.text)
        if notes:
            inner += f'<span class="visually-hidden">: {escape("; ".join(notes))}</span>'
    if cell.findings:
        inner += '<span class="flag" aria-hidden="true">!</span>'
    return f"<td{attrs}>{inner}</td>"


@register.simple_tag
def grid_cells(row: ShownRow, editable: bool) -> SafeString:
    """The row's block cells: a button each in a draft (the one editor opens on it), text in a
    published version."""
    return mark_safe("".join(_cell(c, editable) for c in row.cells))
