"""Every CSV and Excel export writes typed text as text: no spreadsheet runs it as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from rounds.lib.exports import csv_cell, xlsx_append
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

LINK = '=HYPERLINK("http://evil.example","click")'


def test_risky_text_gets_an_apostrophe_and_numbers_stay_numbers() -> None:
    for risky in (LINK, "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_cell(risky) == "'" + risky
    assert csv_cell("Internal Medicine") == "Internal Medicine"
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell(None) is None


def test_excel_cells_are_text_with_the_quote_prefix() -> None:
    sheet = Workbook().active
    assert sheet is not None
    xlsx_append(sheet, [LINK, "plain", 7, "nul\x00 byte"])
    cells = list(sheet[1])
    assert (cells[0].value, cells[0].data_type, cells[0].quotePrefix) == (LINK, "s", True)
    assert [c.value for c in cells[1:]] == ["plain", 7, "nul byte"]


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_inclusion_and_hours_csv_exports_neutralise_program_names(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    small.im.name = LINK
    small.im.save()
    for user, url in [
        ("inclusion", reverse("inclusion:export")),
        ("gme", reverse("workhours:institution_csv")),
    ]:
        rows = _csv_rows(client_as(user).get(url).content)
        names = [row[0] for row in rows]
        assert "'" + LINK in names, url
        assert LINK not in names


def test_schedule_workbook_stores_names_as_text(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    x = build_schedules(small)
    person = small.ana.person
    person.first_name = "=1+1"
    person.save()
    x.wards.name = "@SUM(A1:A9)"
    x.wards.save()
    exported = client_as("coord.im").get(reverse("schedules:export", args=[x.draft.pk]))
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells}
    assert "=1+1 Alvarez" in texts and "@SUM(A1:A9)" in texts
