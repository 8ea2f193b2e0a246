"""A published rotation grid's rule check is kept in the cache (rounds/lib/cache.py): what the
coordinator sees must be what a fresh check says, after any edit, on any day."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rounds.engine.rotations.check import Placement
from rounds.lib.cache import SCHEDULE_DATA
from rounds.lib.today import today_is
from rounds.people.models import TrainingEvent
from rounds.schedules import selectors
from rounds.schedules.call_checks import CallFinding, MonthCheck
from rounds.schedules.call_grid import call_grid
from rounds.schedules.consequences import _call_months_broken
from rounds.schedules.models import (
    CallSchedule,
    CurriculumRequirement,
    Rotation,
    RotationAssignment,
    RotationSchedule,
)
from rounds.schedules.problem import rid, tid
from rounds.schedules.services import assignment_set, schedule_create, schedule_publish
from tests.call_setup import hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, build_schedules

FEWER_ICU = "Ben Baker has 2 blocks of ICU rotations; PGY-1 needs 3 to 4"


def _findings(page: str) -> list[str]:
    return re.findall(r'<span class="finding">([^<]*)</span>', page)


def _fresh(schedule: RotationSchedule) -> selectors.GridCheck:
    """The check as a view without any cache would compute it."""
    rows = list(
        schedule.assignments.order_by("half").values_list(
            "trainee_id", "block_id", "half", "rotation_id", "locked", "correction"
        )
    )
    rotations = Rotation.objects.select_related("site").in_bulk({row[3] for row in rows})
    blocks = selectors.blocks_of(schedule.program, schedule.academic_year)
    return selectors._grid_check(schedule, blocks, rows, rotations)


def _shown(schedule: RotationSchedule) -> selectors.GridCheck:
    """The check the grid page shows, as the selector gives it (from the cache or not)."""
    grid = selectors.schedule_grid(schedule)
    per_cell = {
        (row.trainee.pk, cell.block.pk): cell.findings
        for row in grid.rows
        for cell in row.cells
        if cell.findings
    }
    per_trainee = {row.trainee.pk: row.findings for row in grid.rows if row.findings}
    return selectors.GridCheck(
        per_cell, per_trainee, grid.block_findings, grid.problem_error,
        grid.violations, grid.warnings, grid.cost,
    )  # fmt: skip


def _checks_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    runs: list[int] = []
    real = selectors._grid_check

    def counting(schedule: RotationSchedule, *args: Any) -> selectors.GridCheck:
        runs.append(schedule.pk)
        return real(schedule, *args)

    monkeypatch.setattr(selectors, "_grid_check", counting)
    return runs


def test_a_published_grid_from_the_cache_shows_the_findings_a_fresh_check_gives(
    small: SmallInstitution, client_as, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    CurriculumRequirement.objects.filter(program=small.im, pgy=1).update(min_blocks=3)
    runs = _checks_counted(monkeypatch)
    coord = client_as("coord.im")
    url = reverse("schedules:grid", args=[x.published.pk])
    first = coord.get(url).content.decode()
    again = coord.get(url).content.decode()
    assert FEWER_ICU in _findings(first)
    assert _findings(again) == _findings(first)
    assert "1 broken rule" in again
    assert runs == [x.published.pk], "the second view came from the cache"
    assert _shown(x.published) == _fresh(x.published)


def test_a_change_to_what_the_check_reads_shows_on_the_published_grid_at_once(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    url = reverse("schedules:grid", args=[x.published.pk])
    assert "Every rule holds" in coord.get(url).content.decode()
    # A rule changed (by a bulk update, which sends no signal).
    CurriculumRequirement.objects.filter(program=small.im, pgy=1).update(min_blocks=3)
    assert FEWER_ICU in _findings(coord.get(url).content.decode())
    CurriculumRequirement.objects.filter(program=small.im, pgy=1).update(min_blocks=2)
    assert "Every rule holds" in coord.get(url).content.decode()
    # MICU now takes one trainee a block: Ana alone in block 1 fits...
    Rotation.objects.filter(pk=x.micu.pk).update(capacity=1)
    assert "Every rule holds" in coord.get(url).content.decode()
    # ...until Cardiology publishes a fellow there too.
    cards = RotationSchedule.objects.create(
        program=small.cards, academic_year=YEAR, number=1, status="published"
    )
    RotationAssignment.objects.create(
        schedule=cards, trainee=small.cara, block=x.cards_blocks[0], rotation=x.micu
    )
    assert "MICU has 2 trainees in block 1; room for 1" in coord.get(url).content.decode()


def test_an_edit_to_a_draft_shows_its_new_finding_at_once(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    draft_url = reverse("schedules:grid", args=[x.draft.pk])
    published_url = reverse("schedules:grid", args=[x.published.pk])
    assert "Every rule holds" in coord.get(draft_url).content.decode()
    assert "Every rule holds" in coord.get(published_url).content.decode()
    # Ben (PGY-1) to Clinic (PGY-2 and up) in block 4, where he was on MICU.
    coord.post(
        reverse("schedules:cell", args=[x.draft.pk]),
        {"trainee": small.ben.pk, "block": x.im_blocks[3].pk, "rotation": x.clinic.pk,
         "revision": x.draft.revision},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    page = coord.get(draft_url).content.decode()
    assert "Ben Baker (PGY-1, Internal Medicine Residency) may not rotate on Clinic" in page
    assert "Ben Baker has 1 block of ICU rotations; PGY-1 needs 2 to 4" in page
    # The published version it was copied from is unchanged.
    assert "Every rule holds" in coord.get(published_url).content.decode()


def test_the_day_changing_does_not_serve_yesterday_s_history_marks(small: SmallInstitution) -> None:
    x = build_schedules(small)
    x.published.refresh_from_db()  # published: its check comes from the cache
    block2 = x.im_blocks[1]

    def history() -> set[int]:
        grid = selectors.schedule_grid(x.published)
        return {c.block.number for row in grid.rows for c in row.cells if c.history}

    with today_is(block2.start):
        assert history() == {1}
        assert history() == {1}  # served from the cache the second time
    with today_is(block2.half_range(2)[0]):
        assert history() == {1, 2}
    with today_is(block2.start):
        assert history() == {1}


def test_a_trainee_s_leave_recorded_shows_on_the_published_grid_at_once(
    small: SmallInstitution,
) -> None:
    x = build_schedules(small)
    x.published.refresh_from_db()  # published: its check comes from the cache
    assert _shown(x.published).violations == 0
    # Ben on leave for blocks 4 and 5, his MICU blocks: the published grid places him where he
    # is not in training.
    TrainingEvent.objects.create(
        trainee=small.ben, kind=TrainingEvent.Kind.LEAVE,
        effective_date=x.im_blocks[3].start, end_date=x.im_blocks[4].end,
    )  # fmt: skip
    assert _shown(x.published) == _fresh(x.published)
    assert _shown(x.published).violations > 0


def test_the_cached_computations_read_only_what_the_schedule_data_version_watches(
    small: SmallInstitution,
) -> None:
    """A table read by a cached computation but not watched would leave its edits unseen."""
    x = build_schedules(small)
    month = hand_month(small, status="published")
    shift(month, small.ana, 2)
    computations = [
        lambda: _fresh(x.published),
        lambda: _call_months_broken(small.im.pk, dt.date(YEAR, 7, 1)),
        lambda: MonthCheck(month).findings(),
    ]
    for compute in computations:
        with CaptureQueriesContext(connection) as queries:
            compute()
        read = {
            table.lower()
            for q in queries.captured_queries
            for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', q["sql"])
        }
        assert read, "the computation reads the database"
        assert read <= SCHEDULE_DATA.tables(), read - SCHEDULE_DATA.tables()


def _call_findings(month: CallSchedule) -> list[CallFinding]:
    """What a fresh check of the month finds, in the grid's order."""
    found = MonthCheck(month).findings()
    return sorted(found, key=lambda f: (not f.broken, f.first or month.month))


def test_a_published_call_month_from_the_cache_shows_what_a_fresh_check_finds(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    month = hand_month(small, status="published")
    shift(month, small.ana, 2)
    shift(month, small.ben, 2)  # two 24-hour calls on one day, where the month allows one
    url = reverse("schedules:call", args=[month.pk])
    coord = client_as("coord.im")
    assert call_grid(month).findings == _call_findings(month) != []
    for page in (coord.get(url).content.decode(), coord.get(url).content.decode()):
        for _, sentence in call_grid(month).sentences:
            assert escape(sentence) in page
    # Ana on leave from that day: the published month now has her on call while away.
    before = call_grid(month).findings
    TrainingEvent.objects.create(
        trainee=small.ana, kind=TrainingEvent.Kind.LEAVE,
        effective_date=month.month, end_date=month.month + dt.timedelta(days=9),
    )  # fmt: skip
    assert call_grid(month).findings == _call_findings(month) != before


# Real operations a coordinator and the GME office do between two looks at the grids.
Operation = tuple[str, int, int]
operations = st.lists(
    st.tuples(
        st.sampled_from(["edit draft", "publish draft", "rule", "leave"]),
        st.integers(0, 12),
        st.integers(0, 2),
    ),
    max_size=5,
)


@hypothesis_settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_every_grid_shows_what_a_fresh_check_says_after_any_operations(
    small: SmallInstitution, steps: list[Operation]
) -> None:
    from django.core.cache import cache

    cache.clear()
    with transaction.atomic():
        _operate_and_compare(small, steps)
        transaction.set_rollback(True)


def _operate_and_compare(small: SmallInstitution, steps: list[Operation]) -> None:
    x = build_schedules(small)
    gme = small.users["gme"]
    draft = x.draft
    rotations = [x.wards, x.micu, x.clinic]
    for kind, block, which in steps:
        for schedule in RotationSchedule.objects.filter(program=small.im):
            selectors.schedule_grid(schedule)  # look, so the cache holds every version's check
        if kind == "edit draft":
            draft.refresh_from_db()
            assignment_set(
                schedule=draft, trainee=(small.ana, small.ben)[which % 2],
                block=x.im_blocks[block], rotation=rotations[which],
                revision=draft.revision, by=gme,
            )  # fmt: skip
        elif kind == "publish draft":
            draft.refresh_from_db()
            schedule_publish(schedule=draft, by=gme, notify=False)
            draft = schedule_create(
                program=small.im, academic_year=YEAR, by=gme, reason="next", based_on=draft
            )
        elif kind == "rule":
            CurriculumRequirement.objects.filter(program=small.im, pgy=1).update(
                min_blocks=which + 1
            )
        else:
            TrainingEvent.objects.create(
                trainee=small.ben, kind=TrainingEvent.Kind.LEAVE,
                effective_date=x.im_blocks[block].start, end_date=x.im_blocks[block].end,
            )  # fmt: skip
    for schedule in RotationSchedule.objects.filter(program=small.im):
        assert _shown(schedule) == _fresh(schedule), (schedule, steps)


def test_a_hand_placed_published_version_is_checked_like_any_other(small: SmallInstitution) -> None:
    x = build_schedules(small)
    placements = [Placement(tid(small.ben.pk), b.number, rid(x.clinic.pk)) for b in x.im_blocks]
    version = schedule_create(
        program=small.im, academic_year=YEAR, by=None, reason="t", placements=placements
    )
    schedule_publish(schedule=version, by=None, notify=False)
    version.refresh_from_db()
    assert _shown(version) == _fresh(version)
    texts = [t for found in _shown(version).per_cell.values() for t in found]
    assert any("may not rotate on Clinic" in t for t in texts)
