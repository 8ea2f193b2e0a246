"""The rotation grid as a coordinator edits it: each cell is a button (no drop-down per cell),
and an edit answers with only what changed (the trainee's row and totals, the rules list, the
revision), keeps the revision check between two people, and leaves started blocks alone."""

from __future__ import annotations

import re

from django.urls import reverse

from rounds.schedules.models import RotationAssignment, RotationSchedule
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

MID_YEAR = "2026-12-07"  # blocks 1-6 have started


def _edit(
    client, schedule: RotationSchedule, trainee: int, block: int, rotation: int, revision: int
):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("schedules:cell", args=[schedule.pk]),
        {"trainee": trainee, "block": block, "rotation": rotation, "revision": revision},
        HTTP_HX_REQUEST="true",
    )


def _rotation(schedule: RotationSchedule, trainee: int, block: int) -> str:
    return RotationAssignment.objects.get(
        schedule=schedule, trainee=trainee, block=block
    ).rotation.name


def test_the_draft_grid_is_buttons_and_one_shared_editor(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    page = client_as("coord.im").get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    grid = page[page.index('<div id="grid"') :]
    assert grid.count("<select") == 1  # the editor's list, opened on the chosen cell
    assert 'aria-label="Ben Baker, block 4: MICU"' in grid
    # Whole names with their short forms in the legend, the colour of each rotation group.
    assert '<abbr title="MICU">MICU</abbr>' in grid and "(ICU)" in grid
    # Each row totals the trainee's blocks by group: Ben has 2 ICU blocks and 11 on the wards.
    ben = re.search(rf'<tr id="r{small.ben.pk}".*?</tr>', grid, re.S)
    assert ben is not None
    assert "ICU 2</span>" in ben.group(0) and "Clinical 11</span>" in ben.group(0)


def test_an_edit_answers_with_the_row_the_rules_and_the_revision_only(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    block4 = x.im_blocks[3]
    response = _edit(coord, x.draft, small.ben.pk, block4.pk, x.wards.pk, x.draft.revision)
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"  # everything comes out of band, by id
    body = response.content.decode()
    # Ben's row, now with one ICU block: his ICU curriculum breaks, said on his row and in the list.
    assert re.search(rf'<tr id="r{small.ben.pk}" data-m="\d" hx-swap-oob="true">', body)
    assert "ICU 1</span>" in body
    assert body.count("Ben Baker has 1 block of ICU rotations; PGY-1 needs 2 to 4") == 2
    assert '<div id="grid-rules" class="grid-rules" hx-swap-oob="true">' in body
    assert "1 broken rule" in body
    assert f'id="grid-revision" name="revision" value="{x.draft.revision + 1}"' in body
    # Nothing else: not Ana's row, not the table head, the legend or the editor.
    assert f'id="r{small.ana.pk}"' not in body
    for part in ("<thead", "grid-legend", "cell-editor", "<select"):
        assert part not in body
    assert _rotation(x.draft, small.ben.pk, block4.pk) == "Wards"


def test_two_edits_against_one_revision_the_second_is_refused_and_sees_the_first(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    seen = x.draft.revision
    block8 = x.im_blocks[7]
    first = _edit(client_as("coord.im"), x.draft, small.ana.pk, block8.pk, x.micu.pk, seen)
    assert first.status_code == 200
    second = _edit(client_as("pd.im"), x.draft, small.ana.pk, block8.pk, x.clinic.pk, seen)
    body = second.content.decode()
    assert "Someone else changed this draft after you loaded it" in body
    # The whole grid comes back (what the other person changed is not known), with their edit.
    assert second["HX-Retarget"] == "#grid" and second["HX-Reswap"] == "outerHTML"
    assert '<div id="grid"' in body and f'<tr id="r{small.ben.pk}"' in body
    assert 'aria-label="Ana Alvarez, block 8: MICU"' in body
    assert _rotation(x.draft, small.ana.pk, block8.pk) == "MICU"
    x.draft.refresh_from_db()
    assert x.draft.revision == seen + 1


def test_a_started_block_is_read_only_in_the_grid_and_refused_if_posted(
    small: SmallInstitution, client_as, settings
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    settings.ROUNDS_TODAY = MID_YEAR
    coord = client_as("coord.im")
    page = coord.get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    assert 'aria-label="Ana Alvarez, block 1: MICU, started, history"' in page
    assert 'aria-label="Ana Alvarez, block 7: Wards"' in page  # ahead: editable
    block1 = x.im_blocks[0]
    body = _edit(coord, x.draft, small.ana.pk, block1.pk, x.wards.pk, x.draft.revision)
    text = body.content.decode()
    assert "Block 1 started on Jul 1, 2026 and is history: it cannot change here" in text
    assert f'<tr id="r{small.ana.pk}"' in text and f'<tr id="r{small.ben.pk}"' not in text
    assert _rotation(x.draft, small.ana.pk, block1.pk) == "MICU"


def test_a_lock_answers_with_the_row_marked_locked(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    block2 = x.im_blocks[1]
    response = client_as("coord.im").post(
        reverse("schedules:lock", args=[x.draft.pk]),
        {"trainee": small.ana.pk, "block": block2.pk, "locked": "1", "revision": x.draft.revision},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'aria-label="Ana Alvarez, block 2: MICU, locked"' in body
    assert f'<tr id="r{small.ben.pk}"' not in body


def test_a_published_grid_is_text_without_buttons(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    page = client_as("coord.im").get(reverse("schedules:grid", args=[x.published.pk]))
    grid = page.content.decode()
    grid = grid[grid.index('<div id="grid"') :]
    assert "<button" not in grid.split("</table>")[0]
    assert "cell-editor" not in grid


def test_short_names_leave_out_the_programs_own_name_and_stay_readable() -> None:
    from rounds.schedules.grid_display import abbreviation

    im = "Internal Medicine Residency"
    assert [
        abbreviation(name, im)
        for name in (
            "MICU",
            "Internal Medicine clinic",
            "Elective (Internal Medicine)",
            "Night float (Internal Medicine)",
            "Emergency department",
            "Cardiology",
        )
    ] == ["MICU", "Clinic", "Elective", "NF", "ED", "Cardiol."]
