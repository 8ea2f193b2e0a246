"""CSV and Excel exports that a spreadsheet cannot run as formulas.

Names, notes and rotation titles are typed by people. A spreadsheet program reads a CSV cell that
starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula, so a
trainee called `=HYPERLINK("http://evil", "click")` would become a live link in the GME office's
copy ("CSV injection"). Every export goes through this module:

- CSV: `csv_response(filename)` gives a response and a writer whose text cells starting with one
  of those characters get a leading apostrophe, which spreadsheets show as plain text.
- Excel: `xlsx_append(sheet, row)` stores such text as a string cell with Excel's quote prefix
  (never as a formula, which openpyxl would otherwise do for text starting with `=`), and drops
  the control characters an .xlsx file cannot hold.

Numbers stay numbers: only text is ever changed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

# What a spreadsheet may take as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell no spreadsheet runs: risky text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose every text cell has gone through `csv_cell`."""

    def __init__(self, stream: Any) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_response(filename: str) -> tuple[HttpResponse, SafeCsvWriter]:
    """A CSV download named `filename` and the safe writer to fill it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, SafeCsvWriter(response)


def xlsx_append(sheet: Worksheet, row: Iterable[Any]) -> None:
    """Append `row` to `sheet` with every text cell stored as text, never as a formula."""
    values = [_xlsx_text(v) if isinstance(v, str) else v for v in row]
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"  # openpyxl took "=..." for a formula
            cell.quotePrefix = True  # and Excel keeps it text when someone edits it


def _xlsx_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)
