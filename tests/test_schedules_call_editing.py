"""A coordinator edits a call month by hand: every rule is re-checked on each edit and shown in
place; a stale edit is refused; locked shifts survive a re-solve; a published month never changes,
and a change is a new version that tells exactly the trainees whose shifts moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rounds.jobs.models import Job
from rounds.jobs.services import job_run
from rounds.people.models import Trainee
from rounds.schedules.call_checks import MonthCheck
from rounds.schedules.call_grid import call_grid
from rounds.schedules.calls import (
    call_cell_set,
    call_problem,
    call_schedule_build,
    call_schedule_publish,
    call_version_new,
)
from rounds.schedules.consequences import call_publish_preview
from rounds.schedules.jobs import call_resolve_start
from rounds.schedules.models import CallAssignment, CallSchedule, RotationAssignment
from rounds.schedules.services import ScheduleError, StaleEdit, vacation_rotation
from tests.call_setup import call_pool, next_month
from tests.people import USERNAMES, SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules

HTMX = {"HX-Request": "true"}


def _built(small: SmallInstitution) -> tuple[SmallSchedules, CallSchedule]:
    x = build_schedules(small)
    call_pool(small, x)
    return x, call_schedule_build(program=small.im, month=next_month(), by=None, time_limit=10)


def _holder(schedule: CallSchedule, day: dt.date, label: str = "24h call") -> CallAssignment:
    return schedule.shifts.select_related("trainee__person").get(day=day, label=label)


def _free_day(schedule: CallSchedule, trainee: Trainee) -> dt.date:
    """A day after the first week when the trainee works nothing, nor the day before."""
    busy = set(schedule.shifts.filter(trainee=trainee).values_list("day", flat=True))
    for i in range(7, 27):
        day = schedule.month + dt.timedelta(days=i)
        if not busy & {day - dt.timedelta(days=1), day}:
            return day
    raise AssertionError("no free day")


def _edit(
    client: Client, schedule: CallSchedule, trainee: Trainee, day: dt.date, **data: Any
) -> str:
    """Save one cell as the htmx panel does; the answer is what the edit changed (the trainee's
    row, the day's coverage, the rules list), or the whole fresh grid for a stale edit."""
    schedule.refresh_from_db()
    payload = {"trainee": trainee.pk, "day": day.isoformat(), "revision": schedule.revision}
    response = client.post(
        reverse("schedules:call_cell", args=[schedule.pk]), {**payload, **data}, headers=HTMX
    )
    assert response.status_code == 200
    return response.content.decode()


def _placement_reads(queries: CaptureQueriesContext) -> int:
    return sum("schedules_rotationassignment" in q["sql"] for q in queries.captured_queries)


def test_the_month_reads_the_rotation_schedule_once_however_many_trainees(
    small: SmallInstitution,
) -> None:
    """Building the month's problem and checking its leave each read every trainee's published
    rotations of the month in one query (rotations_in_month), not one query a trainee."""
    _, draft = _built(small)
    with CaptureQueriesContext(connection) as queries:
        problem, _ = call_problem(small.im, draft.month)
    assert len(problem["people"]) >= 6
    assert _placement_reads(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        MonthCheck(draft).leave()
    assert draft.shifts.values("trainee").distinct().count() >= 6
    assert _placement_reads(queries) == 1


def test_every_hand_edit_re_checks_coverage_work_hours_and_leave_in_place(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x, draft = _built(small)
    coord = client_as("coord.im")
    page = coord.get(reverse("schedules:call", args=[draft.pk])).content.decode()
    assert "Every ACGME work-hour rule holds, and so do coverage and leave" in page
    assert "Re-solve the rest around locked shifts" in page
    # Take the 24h call away from whoever has it: the day is uncovered, in the coverage row.
    day = _free_day(draft, small.ana)
    holder = _holder(draft, day)
    grid = _edit(coord, draft, holder.trainee, day, shift="")
    when = f"{day:%a %b} {day.day}"
    assert f"Saved: {holder.trainee.person} on {when}: 24h call → off" in grid
    assert f"24h call on {when} has 0; it needs at least 1" in grid
    assert "C 0/1" in grid and "1 broken rule" in grid
    # Give it to Ana, and a second 24h call the next day: 48 hours in a row, on her row.
    grid = _edit(coord, draft, small.ana, day, shift="C")
    assert f"24h call on {when} has 0" not in grid, "covered again"
    after = day + dt.timedelta(days=1)
    grid = _edit(coord, draft, small.ana, after, shift="C")
    model = call_grid(draft)
    ana = next(r for r in model.rows if r.trainee == small.ana)
    broken_days = {c.day for c in ana.cells if c.broken}
    assert {day, after} <= broken_days, "the continuous period is marked on both cells"
    assert any(
        "of continuous work" in f.text for f in model.findings if f.trainee_id == small.ana.pk
    )
    assert 'class="broken' in grid
    # A resident on vacation that week gets a night: the leave is named in place.
    res0 = Trainee.objects.get(person__first_name="Res0")
    block = next(b for b in x.im_blocks if b.start <= day <= b.end)
    RotationAssignment.objects.filter(schedule=x.published, trainee=res0, block=block).update(
        rotation=vacation_rotation(small.im)
    )
    grid = _edit(coord, draft, res0, day, shift="N")
    assert f"Res0 Extra0 is on vacation on {when}" in grid


def test_an_edit_answers_with_only_what_it_changed(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    _, draft = _built(small)
    coord = client_as("coord.im")
    day = _free_day(draft, small.ana)
    draft.refresh_from_db()
    response = coord.post(
        reverse("schedules:call_cell", args=[draft.pk]),
        {"trainee": small.ana.pk, "day": day.isoformat(), "shift": "D",
         "revision": draft.revision},
        headers=HTMX,
    )  # fmt: skip
    answer = response.content.decode()
    # Nothing is swapped where the form aimed: each part goes to its own place by id.
    assert response["HX-Reswap"] == "none"
    assert f'<tr id="t{small.ana.pk}" hx-swap-oob="true">' in answer
    assert f'<td id="cov-{day:%Y%m%d}" hx-swap-oob="true"' in answer
    assert '<div id="call-rules" hx-swap-oob="true">' in answer
    assert '<div id="cell-editor" hx-swap-oob="true"></div>' in answer, "the editor closes"
    assert f"Saved: Ana Alvarez on {day:%a %b} {day.day}" in answer
    assert f"Revision {draft.revision + 1}." in answer
    # Only Ana's row and that day's coverage: not the month.
    assert answer.count("<tr") == 1 and answer.count('id="cov-') == 1
    assert f'id="t{small.ben.pk}"' not in answer and 'id="call-grid"' not in answer
    # A refused edit (not stale) says why in the rules list, and changes nothing else.
    answer = coord.post(
        reverse("schedules:call_cell", args=[draft.pk]),
        {"trainee": small.ana.pk, "day": day.isoformat(), "shift": "", "locked": "1",
         "revision": draft.revision + 1},
        headers=HTMX,
    ).content.decode()  # fmt: skip
    assert "is off; only a shift can be locked" in answer
    assert 'id="call-grid"' not in answer


def test_the_cell_form_without_javascript_and_its_refusals(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    _, draft = _built(small)
    coord = client_as("coord.im")
    day = draft.month + dt.timedelta(days=9)
    url = reverse("schedules:call_cell", args=[draft.pk])
    form = coord.get(url, {"trainee": small.ben.pk, "day": day.isoformat()}).content.decode()
    assert f"Ben Baker, {day:%A, %B} {day.day}" in form and "Locked: kept as it is" in form
    response = coord.post(
        url,
        {"trainee": small.ben.pk, "day": day.isoformat(), "shift": "D", "locked": "1",
         "revision": draft.revision},
        follow=True,
    )  # fmt: skip
    assert response.redirect_chain[-1][0].endswith(f"#t{small.ben.pk}")
    assert f"Ben Baker on {day:%a %b} {day.day}" in response.content.decode()
    cell = draft.shifts.get(trainee=small.ben, day=day)
    assert cell.label == "Day team" and cell.locked
    draft.refresh_from_db()
    with pytest.raises(ScheduleError, match=r"is locked\. Untick Locked to change it\."):
        call_cell_set(schedule=draft, trainee=small.ben, day=day, shift="N", locked=True,
                      revision=draft.revision, by=small.users["coord.im"])  # fmt: skip
    with pytest.raises(ScheduleError, match="is off; only a shift can be locked"):
        call_cell_set(schedule=draft, trainee=small.ben, day=day, shift="", locked=True,
                      revision=draft.revision, by=small.users["coord.im"])  # fmt: skip
    with pytest.raises(ScheduleError, match="X is not one of this month's shift types"):
        call_cell_set(schedule=draft, trainee=small.ben, day=day, shift="X", locked=False,
                      revision=draft.revision, by=small.users["coord.im"])  # fmt: skip
    assert coord.get(url, {"trainee": small.cara.pk, "day": day.isoformat()}).status_code == 404
    assert coord.get(url, {"trainee": small.ben.pk, "day": "2020-01-01"}).status_code == 404


def test_a_stale_edit_is_refused_with_the_fresh_grid(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    _, draft = _built(small)
    day = _free_day(draft, small.ana)
    loaded = draft.revision
    first, second = client_as("coord.im"), client_as("pd.im")
    post = {"trainee": small.ana.pk, "day": day.isoformat(), "revision": loaded}
    url = reverse("schedules:call_cell", args=[draft.pk])
    first.post(url, {**post, "shift": "D"}, headers=HTMX)
    grid = second.post(url, {**post, "shift": "N"}, headers=HTMX).content.decode()
    assert "Someone else changed this draft after you loaded it" in grid
    assert f"Revision {loaded + 1}." in grid, "the fresh grid, with the first edit"
    assert grid.startswith('<div id="call-grid"'), "the whole grid, where the form aimed"
    assert draft.shifts.get(trainee=small.ana, day=day).label == "Day team"
    # Without JavaScript: the same refusal as a message over the fresh page.
    page = second.post(url, {**post, "shift": "N"}, follow=True).content.decode()
    assert "Someone else changed this draft after you loaded it" in page
    with pytest.raises(StaleEdit):
        call_cell_set(schedule=draft, trainee=small.ana, day=day, shift="", locked=False,
                      revision=loaded, by=None)  # fmt: skip


def test_re_solving_keeps_locked_shifts_and_makes_a_new_version(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    _, draft = _built(small)
    coord = client_as("coord.im")
    day = _free_day(draft, small.ana)
    holder = _holder(draft, day)
    _edit(coord, draft, holder.trainee, day, shift="")
    _edit(coord, draft, small.ana, day, shift="C", locked="1")
    night = _holder(draft, day + dt.timedelta(days=3), "Night float")
    _edit(coord, draft, night.trainee, night.day, shift="N", locked="1")
    draft.refresh_from_db()
    before = {(s.trainee_id, s.day, s.label) for s in draft.shifts.all()}
    response = coord.post(reverse("schedules:call_resolve", args=[draft.pk]))
    job = Job.objects.get(kind="call_resolve")
    assert response["Location"] == reverse("schedules:call_job", args=[job.pk])
    job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    new = CallSchedule.objects.get(pk=job.result["schedule"])
    assert new.based_on == draft and new.status == "draft" and new.number == draft.number + 1
    assert new.reason == f"re-solved around 2 locked shift(s) of version {draft.number}"
    kept = new.shifts.filter(locked=True)
    assert {(s.trainee_id, s.day, s.label) for s in kept} == {
        (small.ana.pk, day, "24h call"),
        (night.trainee_id, night.day, "Night float"),
    }
    assert call_grid(new).broken == 0
    assert {(s.trainee_id, s.day, s.label) for s in draft.shifts.all()} == before, "draft kept"
    page = coord.get(reverse("schedules:call_job", args=[job.pk])).content.decode()
    assert "Open the draft" in page and f"See what changed ({job.result['changed']} cell" in page
    compare = coord.get(job.result["compare"]).content.decode()
    assert f"version {draft.number} and version {new.number}" in compare
    assert compare.count('class="changed"') == job.result["changed"]


def test_a_locked_shift_nobody_can_work_is_explained(small: SmallInstitution) -> None:
    x, draft = _built(small)
    shift = draft.shifts.filter(trainee=small.ben).first()
    assert shift is not None
    shift.locked = True
    shift.save()
    # Ben leaves the inpatient pool for the whole month: the lock cannot hold.
    RotationAssignment.objects.filter(schedule=x.published, trainee=small.ben).update(
        rotation=x.clinic
    )
    job = call_resolve_start(schedule=draft, by=small.users["coord.im"], time_limit=5)
    job_run(job.pk)
    job.refresh_from_db()
    assert "schedule" not in job.result
    assert (
        "Ben Baker" in job.result["explanation"][0]
        and "unlock them" in job.result["explanation"][0]
    )


def test_published_never_changes_and_a_change_tells_exactly_who_moved(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, django_capture_on_commit_callbacks
) -> None:
    _, first = _built(small)
    with django_capture_on_commit_callbacks(execute=True):
        told = call_schedule_publish(schedule=first, by=None)
    assert len(told) == first.shifts.values("trainee").distinct().count()
    mail.outbox.clear()
    coord = client_as("coord.im")
    day = _free_day(first, small.ana)
    refused = _edit(coord, first, small.ana, day, shift="C")
    assert "Version 1 is published and cannot change" in refused
    with pytest.raises(ScheduleError, match="Say why the schedule changes"):
        call_version_new(schedule=first, reason=" ", by=None)
    response = coord.post(
        reverse("schedules:call_new_version", args=[first.pk]), {"reason": "Ana covers"}
    )
    draft = CallSchedule.objects.get(based_on=first)
    assert response["Location"] == reverse("schedules:call", args=[draft.pk])
    assert draft.reason == "Ana covers" and draft.shifts.count() == first.shifts.count()
    holder = _holder(draft, day)
    _edit(coord, draft, holder.trainee, day, shift="")
    _edit(coord, draft, small.ana, day, shift="C")
    page = coord.get(reverse("schedules:call", args=[draft.pk])).content.decode()
    assert "what changed" in page
    compare = coord.get(
        reverse("schedules:call_compare", args=[first.pk]), {"other": draft.pk}
    ).content.decode()
    assert "2 cells differ" in compare and compare.count('class="changed"') == 2
    with django_capture_on_commit_callbacks(execute=True):
        seen = {"fingerprint": call_publish_preview(draft).fingerprint}
        response = coord.post(reverse("schedules:call_publish", args=[draft.pk]), seen, follow=True)
    assert "2 trainee(s) whose shifts changed are told by email" in response.content.decode()
    assert {m.to[0] for m in mail.outbox} == {holder.trainee.person.email, "resident@example.org"}
    ana = next(m for m in mail.outbox if m.to == ["resident@example.org"])
    assert f"added: {day:%a %b} {day.day}, 24h call from 07:00" in ana.body
    assert "Reason: Ana covers" in ana.body
    first.refresh_from_db()
    assert first.status == "superseded"
    assert first.shifts.get(day=day, label="24h call").trainee == holder.trainee, "unchanged"


# ---------------------------------------------------------------- every role, every new endpoint

IM_STAFF = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 404}


def _endpoints(
    small: SmallInstitution, draft: CallSchedule, published: CallSchedule
) -> dict[str, Any]:
    cell = {"trainee": small.ana.pk, "day": draft.month.isoformat()}
    job = Job.objects.create(kind="call_resolve", title="t", params={"program": small.im.pk})
    return {
        "gets": [
            (reverse("schedules:call_cell", args=[draft.pk]), cell),
            (reverse("schedules:call_compare", args=[published.pk]), {"other": draft.pk}),
            (reverse("schedules:call_job", args=[job.pk]), {}),
        ],
        "posts": [
            (reverse("schedules:call_cell", args=[draft.pk]),
             {**cell, "shift": "C", "revision": draft.revision}),
            (reverse("schedules:call_resolve", args=[draft.pk]), {}),
            (reverse("schedules:call_new_version", args=[published.pk]), {"reason": "x"}),
            (reverse("schedules:call_publish", args=[draft.pk]), {"reason": "x"}),
            (reverse("schedules:call_job_cancel", args=[job.pk]), {}),
        ],
    }  # fmt: skip


def test_every_role_against_the_call_editing_pages(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    from tests.call_setup import hand_month, shift

    published = hand_month(small, status="published")
    shift(published, small.ana, 2)
    draft = call_version_new(schedule=published, reason="test", by=None)
    endpoints = _endpoints(small, draft, published)
    for url, data in endpoints["gets"]:
        assert "/accounts/login/" in Client().get(url, data)["Location"]
        for username in USERNAMES:
            status = client_as(username).get(url, data).status_code
            assert status == IM_STAFF.get(username, 403), (url, username)
    revision = draft.revision
    for url, data in endpoints["posts"]:
        assert "/accounts/login/" in Client().post(url, data)["Location"]
        for username in ["pd.cards", "faculty", "wellness", "inclusion", "nobody", "resident",
                         "resident2", "fellow"]:  # fmt: skip
            status = client_as(username).post(url, data).status_code
            assert status == (404 if username == "pd.cards" else 403), (url, username)
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.revision == revision and draft.status == "draft"
    assert published.status == "published"
    assert CallSchedule.objects.count() == 2 and not Job.objects.filter(cancel_requested=True)
    assert Job.objects.count() == 1, "no re-solve was queued"
    # The program's own staff may: each answers with the page or a redirect to it.
    coord = client_as("coord.im")
    for url, data in endpoints["posts"]:
        assert coord.post(url, data).status_code in (200, 302), url
