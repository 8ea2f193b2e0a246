"""People's dates rule: dated training history, and every consumer reads it for its day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from rounds.core.models import AuditEntry
from rounds.people.models import Person, Trainee, TrainingEvent
from rounds.people.services import (
    TrainingError,
    trainee_complete,
    trainee_event_preview,
    trainee_extend,
    trainee_leave_of_absence_record,
    trainee_promote,
    trainee_start_set,
    trainee_transfer,
    trainee_withdraw,
    training_event_draft,
)
from rounds.people.training import count_in_training, history_of, trainees_in_training
from rounds.schedules.calls import call_problem
from rounds.schedules.models import CallAssignment, CallSchedule, RotationProgram
from rounds.schedules.problem import build_problem, tid
from rounds.schedules.swaps import swap_propose
from rounds.workhours.reminders import reminders_due
from tests.call_setup import call_pool, shift
from tests.people import SmallInstitution
from tests.schedules_setup import YEAR, build_schedules

D = dt.date


def intern(small: SmallInstitution, name: str, start: dt.date, pgy: int = 1) -> Trainee:
    person = Person.objects.create(
        kind=Person.Kind.TRAINEE, first_name=name, last_name="Newcomb",
        email=f"{name.lower()}@example.org",
    )  # fmt: skip
    return Trainee.objects.create(
        person=person, program=small.im, pgy=pgy, start_date=start,
        expected_end_date=D(start.year + 3, 6, 30),
    )  # fmt: skip


def test_a_leave_of_absence_takes_its_days_out_and_is_kept_as_history(small) -> None:
    gme = small.users["gme"]
    trainee_leave_of_absence_record(
        trainee=small.ana, first_day=D(2026, 10, 1), last_day=D(2026, 11, 11),
        reason="medical leave", by=gme,
    )  # fmt: skip
    history = history_of(small.ana)
    assert history.in_training_on(D(2026, 9, 30))
    assert not history.in_training_on(D(2026, 10, 1))
    assert not history.in_training_on(D(2026, 11, 11))
    assert history.in_training_on(D(2026, 11, 12))
    assert history.status_on(D(2026, 10, 15)) == "leave"
    assert len(history.days_in(D(2026, 10, 1), D(2026, 10, 31))) == 0
    event = TrainingEvent.objects.get(trainee=small.ana)
    assert (event.kind, event.reason, event.recorded_by) == ("leave", "medical leave", gme)
    audit = AuditEntry.objects.get(object_type="trainingevent")
    assert "Out of training: Oct 1, 2026 to Nov 11, 2026 (42 days)" in audit.changes["changes"][0]


def test_overlapping_leave_and_leave_past_the_end_are_refused_with_a_reason(small) -> None:
    gme = small.users["gme"]
    trainee_leave_of_absence_record(
        trainee=small.ana, first_day=D(2026, 10, 1), last_day=D(2026, 10, 31), by=gme
    )
    with pytest.raises(TrainingError, match="overlaps these days"):
        trainee_leave_of_absence_record(
            trainee=small.ana, first_day=D(2026, 10, 20), last_day=D(2026, 11, 5), by=gme
        )
    with pytest.raises(TrainingError, match="record an extension first"):
        trainee_leave_of_absence_record(
            trainee=small.ana, first_day=D(2029, 6, 1), last_day=D(2029, 8, 1), by=gme
        )
    assert TrainingEvent.objects.count() == 1


def test_extension_completion_and_withdrawal_move_the_last_day(small) -> None:
    gme = small.users["gme"]
    trainee_extend(trainee=small.ana, new_end=D(2029, 12, 31), decided_on=D(2026, 12, 1), by=gme)
    small.ana.refresh_from_db()
    assert small.ana.expected_end_date == D(2029, 12, 31)
    assert history_of(small.ana).in_training_on(D(2029, 10, 1))
    with pytest.raises(TrainingError, match="must move the expected end past Dec 31, 2029"):
        trainee_extend(trainee=small.ana, new_end=D(2029, 7, 1), decided_on=D(2026, 12, 2), by=gme)
    trainee_complete(trainee=small.ana, last_day=D(2029, 12, 31), by=gme)
    small.ana.refresh_from_db()
    assert small.ana.status == "graduated"
    assert history_of(small.ana).status_on(D(2030, 1, 1)) == "graduated"
    with pytest.raises(TrainingError, match="was closed"):
        trainee_leave_of_absence_record(
            trainee=small.ana, first_day=D(2027, 1, 1), last_day=D(2027, 1, 5), by=gme
        )
    trainee_withdraw(trainee=small.ben, last_day=D(2027, 2, 28), reason="left medicine", by=gme)
    ben = history_of(small.ben)
    assert ben.in_training_on(D(2027, 2, 28)) and not ben.in_training_on(D(2027, 3, 1))
    assert ben.status_on(D(2027, 3, 1)) == "withdrawn"


def test_pgy_and_program_are_the_ones_in_force_on_each_day(small) -> None:
    gme = small.users["gme"]
    trainee_promote(trainee=small.ana, pgy=3, first_day=D(2027, 7, 1), by=gme)
    trainee_transfer(trainee=small.ana, program=small.cards, first_day=D(2027, 9, 1), pgy=4, by=gme)
    history = history_of(small.ana)
    assert [history.pgy_on(d) for d in (D(2027, 6, 30), D(2027, 7, 1), D(2027, 9, 1))] == [2, 3, 4]
    assert history.program_on(D(2027, 8, 31)) == small.im.pk
    assert history.program_on(D(2027, 9, 1)) == small.cards.pk
    small.ana.refresh_from_db()
    assert (small.ana.pgy, small.ana.program) == (4, small.cards)
    # Still one of IM's trainees in August, one of cardiology's from September.
    assert small.ana in trainees_in_training([small.im], D(2027, 8, 1), D(2027, 8, 31))
    assert small.ana not in trainees_in_training([small.im], D(2027, 9, 1), D(2027, 9, 30))
    assert small.ana in trainees_in_training([small.cards], D(2027, 9, 1), D(2027, 9, 30))


def test_preview_says_what_changes_and_what_rests_on_the_days(small) -> None:
    build_schedules(small)
    event = training_event_draft(
        trainee=small.ana, kind="leave", first_day=D(2026, 7, 1), last_day=D(2026, 7, 10)
    )
    preview = trainee_event_preview(trainee=small.ana, event=event)
    assert preview.changes == ["Out of training: Jul 1, 2026 to Jul 10, 2026 (10 days)."]
    assert preview.consequences == [
        "1 published rotation cell falls on these days and will be left out of the next solve: "
        "Block 1 (Jul 1 – Jul 28) on MICU."
    ]
    assert not TrainingEvent.objects.exists()  # a preview records nothing


def test_next_years_interns_and_leave_blocks_are_not_in_this_years_solve(small) -> None:
    x = build_schedules(small)
    # PGY-2s may take clinic for half a block: a block half away is half off for them.
    RotationProgram.objects.filter(program=small.im, rotation=x.clinic).update(half_blocks=True)
    gme = small.users["gme"]
    matched = intern(small, "Nia", D(YEAR + 1, 7, 1))
    october = intern(small, "Otto", D(YEAR, 7, 1))
    trainee_start_set(trainee=october, start=D(YEAR, 10, 1), reason="visa delay", by=gme)
    trainee_leave_of_absence_record(
        trainee=small.ana, first_day=D(YEAR + 1, 1, 1), last_day=D(YEAR + 1, 2, 20), by=gme
    )
    problem = build_problem([small.im], YEAR)
    ids = {t["id"] for t in problem["trainees"]}
    assert tid(matched.pk) not in ids  # starts next July: nothing this year
    off = {(v["trainee"], v["block"], v.get("half", 0)) for v in problem["vacations"]}
    # Otto starts Oct 1: blocks 1-3 (Jul 1 - Sep 22) and block 4 (Sep 23 - Oct 20), which he
    # misses the first half of and, a PGY-1, may not take by halves.
    assert {(b, h) for t, b, h in off if t == tid(october.pk)} == {(1, 0), (2, 0), (3, 0), (4, 0)}
    # Ana's leave, Jan 1 - Feb 20: block 7 (Dec 16 - Jan 12) second half, block 8 whole, block 9
    # (Feb 10 - Mar 9) first half.
    assert {(b, h) for t, b, h in off if t == tid(small.ana.pk)} == {(7, 2), (8, 0), (9, 1)}
    assert all(v["weight"] is None for v in problem["vacations"])
    next_year = build_problem([small.im], YEAR + 1)
    assert tid(matched.pk) in {t["id"] for t in next_year["trainees"]}


def test_no_call_outside_dates_or_on_leave_and_no_swap_to_someone_away(small) -> None:
    x = build_schedules(small)
    pool = call_pool(small, x)
    gme = small.users["gme"]
    month = D(YEAR + 1, 1, 1)
    trainee_leave_of_absence_record(
        trainee=pool[0], first_day=D(YEAR + 1, 1, 10), last_day=D(YEAR + 1, 1, 20), by=gme
    )
    later = intern(small, "Lia", D(YEAR + 1, 7, 1))
    problem, _ = call_problem(small.im, month)
    assert f"t{later.pk}" not in {p["id"] for p in problem["people"]}
    leave = [item for item in problem["leave"] if item["person"] == f"t{pool[0].pk}"]
    assert {"person": f"t{pool[0].pk}", "start": "2027-01-10", "end": "2027-01-20"} in leave
    schedule = CallSchedule.objects.create(
        program=small.im, month=month, number=1, status="published", problem=problem
    )
    given: CallAssignment = shift(schedule, pool[1], 14)
    with pytest.raises(Exception, match="is not in training on Fri Jan 15"):
        swap_propose(shift=given, to_trainee=pool[0], by=small.users["coord.im"])


def test_nobody_outside_their_dates_is_reminded_or_counted(small) -> None:
    gme = small.users["gme"]
    intern(small, "Nia", D(2027, 7, 1))
    trainee_leave_of_absence_record(
        trainee=small.ben, first_day=D(2026, 11, 1), last_day=D(2026, 12, 31), by=gme
    )
    today = D(2026, 12, 9)
    reminded = {r.trainee for r in reminders_due(today=today, base_url="https://x/")}
    assert small.ana in reminded and small.cara in reminded
    assert small.ben not in reminded  # on leave today
    assert not any(r.trainee.person.first_name == "Nia" for r in reminders_due(
        today=today, base_url="https://x/"))  # fmt: skip
    assert count_in_training(today) == 2
    assert count_in_training(D(2027, 7, 1)) == 4
    assert mail.outbox == []


def test_the_trainee_page_previews_then_records_an_event(small, client_as) -> None:
    coord = client_as("coord.im")
    url = f"/staff/trainees/{small.ana.pk}/events/"
    fields = {"kind": "leave", "first_day": "2027-01-04", "last_day": "2027-02-14",
              "reason": "parental leave"}  # fmt: skip
    page = coord.post(url, {**fields, "preview": "1"}).content.decode()
    assert "Out of training: Jan 4, 2027 to Feb 14, 2027 (42 days)." in page
    assert not TrainingEvent.objects.exists()
    # A changed field after the preview is previewed again, not recorded.
    previewed = page.split('name="previewed" value="')[1].split('"')[0]
    again = coord.post(url, {**fields, "last_day": "2027-02-15", "previewed": previewed,
                             "confirm": "1"})  # fmt: skip
    assert "(43 days)" in again.content.decode() and not TrainingEvent.objects.exists()
    done = coord.post(url, {**fields, "previewed": previewed, "confirm": "1"}, follow=True)
    page = done.content.decode()
    assert "Recorded: Leave of absence from 2027-01-04." in page
    assert "parental leave" in page and "Leave of absence" in page
    # Another program's director may not record, and a trainee sees no form.
    assert client_as("pd.cards").post(url, {**fields, "confirm": "1"}).status_code == 404
    own = client_as("resident").get(f"/staff/trainees/{small.ana.pk}/").content.decode()
    assert "Record a change" not in own and "Training history" in own


def test_the_page_names_what_is_wrong(small, client_as) -> None:
    page = (
        client_as("gme")
        .post(
            f"/staff/trainees/{small.ana.pk}/events/",
            {"kind": "transfer", "first_day": "2027-01-04", "reason": "x", "preview": "1"},
        )
        .content.decode()
    )
    assert "Choose the program the trainee transfers to." in page


def test_an_import_repeats_dated_history_but_does_not_rewrite_it(small) -> None:
    from rounds.imports.services import import_file

    trainee_extend(trainee=small.ana, new_end=D(2029, 12, 31), decided_on=D(2026, 12, 1), by=None)
    header = "email,first_name,last_name,program,pgy,start_date,expected_end_date\n"
    row = "resident@example.org,Ana,Alvarez,Internal Medicine Residency,2,2025-07-01,{end}\n"
    same = import_file(
        kind="trainees", filename="roster.csv",
        data=(header + row.format(end="2029-12-31")).encode(), by=None,
    )  # fmt: skip
    assert same.ok
    rewrite = import_file(
        kind="trainees", filename="roster.csv",
        data=(header + row.format(end="2029-06-30")).encode(), by=None,
    )  # fmt: skip
    assert [str(p) for p in rewrite.problems] == [
        "roster.csv, row 2, column expected_end_date: differs from the trainee's dated training "
        "history; record the change (with its date) on the trainee's page"
    ]
    assert history_of(small.ana).expected_end == D(2029, 12, 31)


def test_the_trainee_list_shows_each_trainees_state_today(small, client_as) -> None:
    intern(small, "Nia", D(2027, 7, 1))
    page = client_as("gme").get("/staff/trainees/").content.decode()
    row = page.split("Nia Newcomb")[1].split("</tr>")[0]
    assert "Starts later" in row


def test_nobody_is_told_about_a_year_they_are_not_in_training_for(
    small, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from rounds.engine.rotations.check import Placement
    from rounds.schedules.services import schedule_create, schedule_publish

    x = build_schedules(small)
    nia = intern(small, "Nia", D(YEAR + 1, 7, 1))
    # A version made before dates ruled wrongly holds next July's intern in this year.
    placements = [Placement(tid(nia.pk), b, f"r{x.wards.pk}") for b in range(1, 14)]
    placements += [Placement(tid(small.ben.pk), b, f"r{x.wards.pk}") for b in range(1, 14)]
    draft = schedule_create(
        program=small.im, academic_year=YEAR, by=None, reason="old", placements=placements
    )
    with django_capture_on_commit_callbacks(execute=True):
        told = schedule_publish(schedule=draft, by=small.users["gme"])
    assert nia not in told and small.ben in told
    assert "nia@example.org" not in {address for m in mail.outbox for address in m.to}


def test_a_part_year_cohort_bends_its_curriculum_rather_than_leave_no_schedule(small) -> None:
    from rounds.engine.clock import WorkClock
    from rounds.engine.rotations.problem import Problem
    from rounds.engine.rotations.solve import solve

    call_pool(small, build_schedules(small), extra=5)
    # Ben (PGY-1) leaves after block 1: he cannot have the two ICU blocks PGY-1s need.
    trainee_withdraw(trainee=small.ben, last_day=D(YEAR, 7, 28), by=None)
    data = build_problem([small.im], YEAR)
    weights = {(r["pgy"], r["weight"]) for r in data["requirements"]}
    assert weights == {(1, 100), (2, None)}  # the PGY-2 line stays hard
    result = solve(Problem.from_json(data), time_limit=1, seed=1, clock=WorkClock())
    assert result.has_schedule
    ben = [p for p in result.placements if p.trainee == tid(small.ben.pk) and p.rotation]
    assert {p.block for p in ben} == {1}
    assert any("Ben Baker" in line and "short" in line for line in result.explanation + [
        str(b) for b in result.bent])  # fmt: skip


def test_a_call_logged_on_a_day_of_leave_of_absence_is_a_named_warning(small) -> None:
    from zoneinfo import ZoneInfo

    from rounds.workhours.models import Finding, LoggedPeriod
    from rounds.workhours.services import findings_refresh

    trainee_leave_of_absence_record(
        trainee=small.ana, first_day=D(2026, 10, 5), last_day=D(2026, 10, 18), by=None
    )
    ny = ZoneInfo("America/New_York")
    start = dt.datetime(2026, 10, 7, 7, 0, tzinfo=ny)
    LoggedPeriod.objects.create(
        trainee=small.ana, kind="in_house_call", start=start, end=start + dt.timedelta(hours=24)
    )
    findings_refresh(trainee=small.ana, day=D(2026, 10, 7))
    warning = Finding.objects.get(trainee=small.ana, rule="work-on-leave")
    assert (warning.severity, warning.start) == ("warning", "2026-10-07")
    assert warning.detail.startswith(
        "Work logged on Wed Oct 7, 2026, a day of leave: in house call"
    )
