"""Read an uploaded CSV or Excel file into rows of text, keeping row numbers for error messages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

# The most any import reads: a file beyond these is refused whole, with a message saying so,
# rather than tying up a worker (a 7.5 MB workbook once took a web process down with it).
MAX_ROWS = 20_000
MAX_COLUMNS = 100


class UnreadableFile(ValueError):
    """The file itself cannot be read (wrong type, bad encoding, broken workbook, too large)."""


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
    """The file's rows as text, or UnreadableFile saying what is wrong with it as a whole."""
    from rounds.imports.uploads import upload_size_problem

    too_large = upload_size_problem(len(data))
    if too_large:
        raise UnreadableFile(too_large)
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        header, body = _read_csv(data)
    elif suffix in {".xlsx", ".xlsm"}:
        header, body = _read_xlsx(data)
    else:
        raise UnreadableFile(f"{filename}: expected a .csv or .xlsx file, not {suffix or 'none'}")
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile(
            f"the first row has {len(header)} columns; at most {MAX_COLUMNS} are read. "
            "Delete the columns that are not imported."
        )
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
    try:
        lines = list(_capped(csv.reader(io.StringIO(text))))
    except csv.Error as error:  # a field longer than the csv module's limit, a stray quote
        raise UnreadableFile(f"not a readable CSV file ({error})") from None
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
    # Reading stops at the caps: a sheet that claims a million rows costs no more than one over.
    rows = _capped(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1))
    try:
        lines = [
            (number, [_cell_text(value) for value in _trimmed(values)])
            for number, values in enumerate(rows, start=1)
        ]
    finally:
        workbook.close()
    if not lines:
        raise UnreadableFile("the first sheet is empty")
    return lines[0][1], lines[1:]


def _capped(rows: Iterator[Any]) -> Iterator[Any]:
    """The rows, header included, or UnreadableFile once there are more than MAX_ROWS below it."""
    for number, row in enumerate(rows):
        if number > MAX_ROWS:
            raise UnreadableFile(
                f"the file has more than {MAX_ROWS:,} rows; split it into files of at most "
                f"{MAX_ROWS:,} rows and import them one by one."
            )
        yield row


def _trimmed(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row without its empty cells at the end (a read-only sheet pads rows to max_col)."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    return values[:end]


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
