"""History is kept: blocks that have started are never changed by a hand edit, an import, a lock
or a re-solve, and a published replacement differs from its predecessor there only by marked
corrections. A coordinator corrects history with a reason; it is audited and reaches the work-hour
pre-fill. A re-solve changes as few cells as it can and says which, for whom and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.core.models import AuditEntry
from rounds.jobs.models import Job
from rounds.lib.today import today, today_is
from rounds.people.models import Trainee
from rounds.schedules.calls import (
    call_cell_set,
    call_schedule_build,
    call_schedule_publish,
    call_schedule_resolve,
    call_version_new,
)
from rounds.schedules.feeds import ImportProblems, schedule_import
from rounds.schedules.jobs import (
    institution_solve_job,
    institution_solve_start,
    solve_job,
    solve_start,
)
from rounds.schedules.models import RotationAssignment, RotationSchedule
from rounds.schedules.selectors import rotation_days
from rounds.schedules.services import (
    ScheduleError,
    assignment_correct,
    assignment_lock,
    assignment_set,
    schedule_create,
    schedule_publish,
)
from rounds.schedules.swaps import swap_propose
from tests.call_setup import call_pool, next_month
from tests.people import SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules

MID_YEAR = "2026-12-07"  # blocks 1-6 have started (block 6 runs Nov 18 - Dec 15); 7-13 ahead


def cells(schedule: RotationSchedule) -> dict[tuple[int, int, int], int]:
    rows = schedule.assignments.values_list("trainee_id", "block__number", "half", "rotation_id")
    return {(t, b, h): r for t, b, h, r in rows}


def started_cells(schedule: RotationSchedule, through: int = 6) -> dict[tuple[int, int, int], int]:
    return {key: r for key, r in cells(schedule).items() if key[1] <= through}


def resolve(schedule: RotationSchedule, by: Any) -> RotationSchedule:
    """Run the re-solve job's handler here (no worker needed): the new draft it makes."""
    job = solve_start(
        program=schedule.program,
        academic_year=schedule.academic_year,
        by=by,
        based_on=schedule,
        time_limit=10,
    )
    result = solve_job(Job.objects.get(pk=job.pk), lambda _f, _m: None)
    assert "schedule" in result, result
    return RotationSchedule.objects.get(pk=result["schedule"])


def test_today_is_the_setting_or_the_block_that_pins_it(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = "2027-02-10"
    assert today() == dt.date(2027, 2, 10)
    with today_is(dt.date(2026, 9, 1)):
        assert today() == dt.date(2026, 9, 1)
    assert today() == dt.date(2027, 2, 10)


def test_a_started_block_refuses_hand_edits_locks_and_imports(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    settings.ROUNDS_TODAY = MID_YEAR
    coord = small.users["coord.im"]
    block3, block8 = x.im_blocks[2], x.im_blocks[7]
    with pytest.raises(ScheduleError, match="Block 3 started on Aug 26, 2026 and is history"):
        assignment_set(
            schedule=x.draft,
            trainee=small.ana,
            block=block3,
            rotation=x.wards,
            revision=x.draft.revision,
            by=coord,
        )
    with pytest.raises(ScheduleError, match="Block 3 has started"):
        assignment_lock(
            schedule=x.draft,
            trainee=small.ana,
            block=block3,
            locked=True,
            revision=x.draft.revision,
            by=coord,
        )
    # A block still ahead changes as before.
    assignment_set(
        schedule=x.draft,
        trainee=small.ana,
        block=block8,
        rotation=x.micu,
        revision=x.draft.revision,
        by=coord,
    )
    x.draft.refresh_from_db()
    header = ",".join(["trainee_id"] + [f"block_{n}" for n in range(1, 14)])
    row = ",".join([str(small.ana.pk), "Wards", "MICU", "Wards"] + ["Wards"] * 10)
    with pytest.raises(ImportProblems) as refused:
        schedule_import(
            schedule=x.draft,
            filename="year.csv",
            data=f"{header}\n{row}\n".encode(),
            revision=x.draft.revision,
            by=coord,
        )
    assert any(
        "column block_1: Block 1 started on Jul 1, 2026 and is history" in line
        for line in refused.value.lines
    )
    assert started_cells(x.draft) == started_cells(x.published)


def test_history_is_corrected_with_a_reason_audited_and_read_by_the_hour_pre_fill(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    settings.ROUNDS_TODAY = MID_YEAR
    coord = small.users["coord.im"]
    block3 = x.im_blocks[2]
    with pytest.raises(ScheduleError, match="Say why history is corrected"):
        assignment_correct(
            schedule=x.draft,
            trainee=small.ana,
            block=block3,
            half=0,
            rotation=x.wards,
            reason=" ",
            by=coord,
        )
    with pytest.raises(ScheduleError, match="Block 8 has not started yet"):
        assignment_correct(
            schedule=x.draft,
            trainee=small.ana,
            block=x.im_blocks[7],
            half=0,
            rotation=x.wards,
            reason="wrong",
            by=coord,
        )
    with pytest.raises(ScheduleError, match="published and never changes"):
        assignment_correct(
            schedule=x.published,
            trainee=small.ana,
            block=block3,
            half=0,
            rotation=x.wards,
            reason="wrong",
            by=coord,
        )
    # Ana covered the wards in the second half of block 3 instead of clinic.
    assignment_correct(
        schedule=x.draft,
        trainee=small.ana,
        block=block3,
        half=2,
        rotation=x.wards,
        reason="covered a colleague's sick leave",
        by=coord,
    )
    rows = RotationAssignment.objects.filter(schedule=x.draft, trainee=small.ana, block=block3)
    now = {h: (r, why) for h, r, why in rows.values_list("half", "rotation", "correction")}
    assert now == {1: (x.clinic.pk, ""), 2: (x.wards.pk, "covered a colleague's sick leave")}
    entry = AuditEntry.objects.filter(action="correct").get()
    assert "Ana Alvarez in the second half of Block 3 corrected: Clinic → Wards" in entry.summary
    schedule_publish(schedule=x.draft, by=coord, reason="block 3 as worked", notify=False)
    second_half = block3.half_range(2)
    spans = rotation_days(small.ana, second_half[0], second_half[1])
    assert [(first, rotation.name) for first, _last, rotation in spans] == [
        (second_half[0], "Wards")
    ]


def test_a_draft_that_rewrites_a_started_block_is_not_published(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = small.users["coord.im"]
    # Edited in June, before the year began; by December block 2 has long started.
    assignment_set(
        schedule=x.draft,
        trainee=small.ana,
        block=x.im_blocks[1],
        rotation=x.wards,
        revision=x.draft.revision,
        by=coord,
    )
    settings.ROUNDS_TODAY = MID_YEAR
    with pytest.raises(
        ScheduleError,
        match="differs from version 1 in blocks that have started: "
        "Ana Alvarez in Block 2: MICU → Wards",
    ):
        schedule_publish(schedule=x.draft, by=coord, reason="oops", notify=False)


def test_a_re_solve_with_one_future_cell_locked_changes_only_what_the_lock_forces(
    small: SmallInstitution, settings, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    settings.ROUNDS_TODAY = MID_YEAR
    coord = small.users["coord.im"]
    draft = x.draft
    # Ben (PGY-1, 2 ICU blocks worked) is put on MICU in blocks 8 and 9: 4, the most allowed.
    for number in (8, 9):
        draft.refresh_from_db()
        assignment_set(
            schedule=draft,
            trainee=small.ben,
            block=x.im_blocks[number - 1],
            rotation=x.micu,
            revision=draft.revision,
            by=coord,
        )
    # Then he is locked on MICU in block 11 too: one of 8 and 9 must give way, nothing else.
    draft.refresh_from_db()
    assignment_set(
        schedule=draft,
        trainee=small.ben,
        block=x.im_blocks[10],
        rotation=x.micu,
        revision=draft.revision,
        by=coord,
    )
    draft.refresh_from_db()
    assignment_lock(
        schedule=draft,
        trainee=small.ben,
        block=x.im_blocks[10],
        locked=True,
        revision=draft.revision,
        by=coord,
    )
    new = resolve(draft, coord)
    before, after = cells(draft), cells(new)
    changed = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
    assert len(changed) == 1, changed
    ((trainee, block, _half),) = changed
    assert trainee == small.ben.pk and block in (8, 9)
    assert started_cells(new) == started_cells(x.published)
    changes = new.solve_result["changes"]
    assert [c["why"] for c in changes] == [
        "Ben Baker has 5 blocks of ICU rotations; PGY-1 needs 2 to 4"
    ]
    assert new.reason.endswith("1 cell(s) changed for 1 trainee(s)")
    page = client_as("coord.im").get(reverse("schedules:grid", args=[new.pk])).content.decode()
    assert "This solve changed 1 cell of version 2, for 1 trainee" in page
    assert "Ben Baker has 5 blocks of ICU rotations; PGY-1 needs 2 to 4" in page


def test_a_started_cell_offers_a_correction_page_that_asks_why(
    small: SmallInstitution, settings, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    settings.ROUNDS_TODAY = MID_YEAR
    coord = client_as("coord.im")
    grid = coord.get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    # The started cell is marked history; choosing it offers the correction page (its address
    # is the grid's pattern with the trainee and block filled in).
    assert "Ana Alvarez, block 1: MICU, started, history" in grid
    pattern = reverse("schedules:correct", args=[x.draft.pk, 0, 0])
    assert f'data-correct-url="{pattern}"' in grid
    url = reverse("schedules:correct", args=[x.draft.pk, small.ana.pk, x.im_blocks[0].pk])
    page = coord.get(url).content.decode()
    assert "Block 1 started on Jul 1, 2026: it is history" in page
    response = coord.post(
        url, {"half": 0, "rotation": x.wards.pk, "reason": "", "revision": x.draft.revision}
    )
    assert "This field is required." in response.content.decode()
    response = coord.post(
        url,
        {
            "half": 0,
            "rotation": x.wards.pk,
            "reason": "MICU was closed",
            "revision": x.draft.revision,
        },
    )
    assert response.status_code == 302
    grid = coord.get(reverse("schedules:grid", args=[x.draft.pk])).content.decode()
    assert "Corrected: MICU was closed" in grid


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["edit", "lock", "resolve", "correct", "publish", "new"]),
        st.integers(1, 13),
        st.sampled_from(["ana", "ben"]),
    ),
    min_size=2,
    max_size=6,
)


@pytest.mark.django_db
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=OPERATIONS, started=st.integers(0, 12))
def test_history_is_identical_in_every_re_solve_and_published_replacement(
    small_year: tuple[SmallInstitution, SmallSchedules], steps: list[Any], started: int
) -> None:
    """Random coordinator work on a year where blocks 1..started have begun: whatever is edited,
    locked, re-solved, corrected and published, every re-solve keeps history and every published
    version equals its predecessor in started blocks except marked corrections."""
    small, x = small_year
    with today_is(
        x.im_blocks[started].start - dt.timedelta(days=1) if started else dt.date(2026, 6, 30)
    ):
        _run(small, x, steps, started)


def _run(small: SmallInstitution, x: SmallSchedules, steps: list[Any], started: int) -> None:
    coord = small.users["coord.im"]
    published = RotationSchedule.objects.get(
        program=small.im, academic_year=2026, status="published"
    )
    draft = schedule_create(
        program=small.im, academic_year=2026, by=coord, reason="work", based_on=published
    )
    for op, number, who in steps:
        trainee = small.ana if who == "ana" else small.ben
        block = x.im_blocks[number - 1]
        draft.refresh_from_db()
        try:
            if op == "edit":
                assignment_set(
                    schedule=draft,
                    trainee=trainee,
                    block=block,
                    rotation=x.micu,
                    revision=draft.revision,
                    by=coord,
                )
            elif op == "lock":
                assignment_lock(
                    schedule=draft,
                    trainee=trainee,
                    block=block,
                    locked=True,
                    revision=draft.revision,
                    by=coord,
                )
            elif op == "correct":
                assignment_correct(
                    schedule=draft,
                    trainee=trainee,
                    block=block,
                    half=0,
                    rotation=x.wards,
                    reason="as worked",
                    by=coord,
                )
            elif op == "resolve":
                before = _kept_history(draft, started)
                new = resolve(draft, coord)
                assert _kept_history(new, started) == before
                draft = new
            elif op == "new":
                draft = schedule_create(
                    program=small.im,
                    academic_year=2026,
                    by=coord,
                    reason="again",
                    based_on=published,
                )
            elif op == "publish":
                schedule_publish(schedule=draft, by=coord, reason="step", notify=False)
                for key, rotation in started_cells(published, started).items():
                    cell = RotationAssignment.objects.filter(
                        schedule=draft, trainee_id=key[0], block__number=key[1]
                    ).first()
                    same = {r for k, r in cells(draft).items() if k[:2] == key[:2]} == {rotation}
                    assert same or (cell is not None and cell.correction)
                published = draft
                draft = schedule_create(
                    program=small.im,
                    academic_year=2026,
                    by=coord,
                    reason="next",
                    based_on=published,
                )
        except ScheduleError:
            pass  # refused, with its reason: nothing changed


def _kept_history(schedule: RotationSchedule, started: int) -> dict[tuple[int, int, int], int]:
    return started_cells(schedule, started)


@pytest.fixture
def small_year(small: SmallInstitution) -> tuple[SmallInstitution, SmallSchedules]:
    return small, build_schedules(small)


def test_started_call_days_are_kept_by_edits_swaps_and_re_solves(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    """A published call month ten days under way: a shift on a started day is neither edited nor
    swapped, and a re-solve keeps every started day's shifts exactly as they were worked."""
    x = build_schedules(small)
    call_pool(small, x)
    month = next_month()
    built = call_schedule_build(program=small.im, month=month, by=None, time_limit=10)
    call_schedule_publish(schedule=built, by=None, notify=False)
    built.refresh_from_db()
    settings.ROUNDS_TODAY = (month + dt.timedelta(days=9)).isoformat()
    coord = small.users["coord.im"]
    draft = call_version_new(schedule=built, reason="a colleague is ill", by=coord)
    worked = draft.shifts.filter(day__lte=today()).select_related("trainee").first()
    assert worked is not None
    with pytest.raises(ScheduleError, match="has started and is history"):
        call_cell_set(
            schedule=draft,
            trainee=worked.trainee,
            day=worked.day,
            shift="",
            locked=False,
            revision=draft.revision,
            by=coord,
        )
    mate = next(t for t in small.im.trainees.all() if t.pk != worked.trainee_id)
    published_shift = built.shifts.get(trainee=worked.trainee, day=worked.day, label=worked.label)
    with pytest.raises(ScheduleError, match="only shifts still ahead can be swapped"):
        swap_propose(shift=published_shift, to_trainee=mate, by=coord)
    again = call_schedule_resolve(schedule=draft, by=coord, time_limit=10)

    def started_days(schedule: Any) -> set[tuple[int, dt.datetime, str]]:
        rows = schedule.shifts.filter(day__lte=today())
        return set(rows.values_list("trainee_id", "start", "label"))

    assert started_days(again) == started_days(built)
    assert again.problem["fixed"], "the started days went to the engine as fixed shifts"
    assert all(d >= 10 for c in again.problem["coverage"] for d in c["days"])


def test_a_trainee_who_left_keeps_the_blocks_they_worked(small: SmallInstitution, settings) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    settings.ROUNDS_TODAY = MID_YEAR
    small.ben.status = Trainee.Status.WITHDRAWN
    small.ben.save(update_fields=["status"])
    coord = small.users["coord.im"]
    new = resolve(x.draft, coord)
    bens = {k: r for k, r in cells(new).items() if k[0] == small.ben.pk}
    assert bens == {k: r for k, r in started_cells(x.published).items() if k[0] == small.ben.pk}
    schedule_publish(schedule=new, by=coord, reason="Ben withdrew", notify=False)
    assert started_cells(new) == started_cells(x.published)


def test_a_trainee_added_mid_year_is_not_placed_in_blocks_already_worked(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    (dora,) = call_pool(small, x, extra=1)
    # Added to the program in December, with no cell in the published year.
    RotationAssignment.objects.filter(schedule=x.published, trainee=dora).delete()
    RotationAssignment.objects.filter(schedule=x.draft, trainee=dora).delete()
    settings.ROUNDS_TODAY = MID_YEAR
    new = resolve(x.draft, small.users["coord.im"])
    hers = sorted({b for (t, b, _h) in cells(new) if t == dora.pk})
    assert hers == list(range(7, 14))
    schedule_publish(schedule=new, by=small.users["coord.im"], reason="Dora joins", notify=False)


def test_every_program_s_year_built_at_once_keeps_each_program_s_history(
    small: SmallInstitution, settings
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    settings.ROUNDS_TODAY = MID_YEAR
    gme = small.users["gme"]
    job = institution_solve_start(academic_year=2026, by=gme, keep_published=False, time_limit=20)
    result = institution_solve_job(Job.objects.get(pk=job.pk), lambda _f, _m: None)
    assert "drafts" in result, result
    im = RotationSchedule.objects.get(
        pk=next(d["schedule"] for d in result["drafts"] if d["program"] == small.im.name)
    )
    assert started_cells(im) == started_cells(x.published)
    assert im.solve_result["changes"] == []
    cards = RotationSchedule.objects.get(program=small.cards, status="draft")
    assert {b for (_t, b, _h) in cells(cards)} == set(range(1, 14))
