"""Read an uploaded CSV or Excel file into rows of text, keeping row numbers for error messages."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any


class UnreadableFile(ValueError):
    """The file itself cannot be read (wrong type, bad encoding, broken workbook)."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    filename: str
    columns: list[str]
    rows: list[Row]


def read_table(filename: str, data: bytes) -> Table:
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        header, body = _read_csv(data)
    elif suffix in {".xlsx", ".xlsm"}:
        header, body = _read_xlsx(data)
    else:
        raise UnreadableFile(f"{filename}: expected a .csv or .xlsx file, not {suffix or 'none'}")
    columns = [_column_name(cell) for cell in header]
    rows = [
        Row(number, dict(zip(columns, [*cells, *[""] * len(columns)], strict=False)))
        for number, cells in body
        if any(cell.strip() for cell in cells)
    ]
    return Table(filename, columns, rows)


def _column_name(cell: str) -> str:
    return cell.strip().lower().replace(" ", "_")


def _read_csv(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"not UTF-8 text (byte {error.start}); save the CSV as UTF-8"
        ) from None
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        raise UnreadableFile("the file is empty")
    return lines[0], [(index + 2, cells) for index, cells in enumerate(lines[1:])]


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile(f"not a readable Excel workbook ({error})") from None
    sheet = workbook.worksheets[0]
    lines = [
        (number, [_cell_text(value) for value in values])
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]
    workbook.close()
    if not lines:
        raise UnreadableFile("the first sheet is empty")
    return lines[0][1], lines[1:]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
