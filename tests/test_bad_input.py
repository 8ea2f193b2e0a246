"""The server errors the go-live review found, each now a 404 or a page with a message.

tests/test_fuzz_forms.py hunts for more across every URL; these are the named cases, kept fast.
"""

from __future__ import annotations

from collections.abc import Callable
from html import unescape

import pytest
from django.test import Client

from rounds.lib.params import day_or_none, id_or_none, key_or_none, year_or_none
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules


def test_the_readers_refuse_what_is_no_id_year_or_day() -> None:
    assert [id_or_none(v) for v in ["12", " 7 ", "on", "", "-1", "0", "1.5", str(2**63), None]] == [
        12, 7, None, None, None, None, None, None, None,
    ]  # fmt: skip
    assert [year_or_none(v) for v in ["2026", "99999", "0", "abc", "9" * 40]] == [
        2026, None, None, None, None,
    ]  # fmt: skip
    assert day_or_none("2026-07-01") is not None
    assert [day_or_none(v) for v in ["0001-01-01", "99999-01-01", "2026-02-30", "\x00"]] == [
        None, None, None, None,
    ]  # fmt: skip
    assert key_or_none("abc") == "abc" and key_or_none("a\x00") is None


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-27", "99999-01-01", "2026-02-30"])
def test_edge_dates_in_hours_urls_are_not_found(
    small: SmallInstitution, client_as: Callable[[str], Client], day: str
) -> None:
    ana = client_as("resident")
    assert ana.get(f"/hours/week/{day}/").status_code == 404
    assert ana.post(f"/hours/week/{day}/as-scheduled/").status_code == 404
    assert ana.post(f"/hours/day/{day}/as-scheduled/").status_code == 404


def test_a_year_out_of_range_shows_this_year(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    for year in ("99999", "0", "-3", "abc"):
        assert client_as("resident").get(f"/schedules/me/?year={year}").status_code == 200
        assert client_as("gme").get(f"/hours/institution/?year={year}").status_code == 200
    assert client_as("gme").post(f"/schedules/programs/{small.im.pk}/0/blocks/").status_code == 404


def test_non_numeric_ids_in_forms_are_not_found(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    x = build_schedules(small)
    coord = client_as("coord.im")
    for bad in ("on", " ", str(10**30)):
        cell = coord.post(
            f"/schedules/versions/{x.draft.pk}/cell/",
            {"trainee": bad, "block": bad, "rotation": x.wards.pk, "revision": 0},
        )
        assert cell.status_code == 404
        feed = client_as("gme").post("/schedules/calendars/new/", {"rotation": bad})
        assert feed.status_code == 404
        vacation = client_as("resident").post("/schedules/me/vacation/", {"block": bad})
        assert vacation.status_code == 404


def test_a_nul_character_anywhere_is_refused_saying_where(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    x = build_schedules(small)
    refused = client_as("coord.im").post(
        f"/schedules/versions/{x.draft.pk}/publish/", {"reason": "first\x00draft"}
    )
    assert refused.status_code == 400
    assert (
        'The form field "reason" contains a NUL character, which Rounds does not accept. '
        "Remove it and send again." in unescape(refused.content.decode())
    )
    note = client_as("resident").post("/schedules/me/vacation/", {"block": 1, "note": "\x00"})
    assert note.status_code == 400
    query = client_as("gme").get("/hours/institution/", {"year": "2026\x00"})
    assert query.status_code == 400 and "query parameter &quot;year&quot;" in query.content.decode()
    assert Client().get("/schedules/ical/%00.ics").status_code == 400
    assert client_as("resident").post("/languages/me/%00/remove/").status_code == 400


def test_huge_numbers_in_paths_are_not_found(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    withdraw = client_as("resident").post(f"/mentoring/cycles/{2**63}/withdraw/")
    assert withdraw.status_code == 404
