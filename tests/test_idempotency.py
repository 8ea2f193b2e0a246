"""A form sent twice writes once: every form that creates something carries a one-time token, and
the database itself refuses overlapping hours and leave (on PostgreSQL, by exclusion
constraints; on SQLite the service checks under its write lock)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rounds.concerns.models import Concern, ConcernHandler
from rounds.concerns.services import concern_notices_send
from rounds.core.models import AuditEntry, SubmitToken
from rounds.jobs.models import Job
from rounds.lib.idempotency import new_token, submit_once
from rounds.lib.today import today
from rounds.schedules.models import VacationRequest
from rounds.workhours import selectors, services
from rounds.workhours.models import LeaveSpan, LoggedPeriod
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

NY = ZoneInfo("America/New_York")
TOKEN = re.compile(r'<input type="hidden" name="submit_token" value="([A-Za-z0-9_-]{32})">')


def _token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "the form carries no submit_token"
    return found.group(1)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), NY).replace(hour=hour)


def _monday() -> date:
    return selectors.monday_of(today()) - timedelta(days=7)


def _entry(day: date, start: str, end: str, token: str, kind: str = "clinical") -> dict[str, str]:
    return {"kind": kind, "day": day.isoformat(), "start_time": start, "end_time": end,
            "note": "", "submit_token": token}  # fmt: skip


def test_an_hours_form_sent_twice_logs_once_and_says_saved_twice(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    resident = client_as("resident")
    token = _token(resident.get(reverse("workhours:entry_new")).content.decode())
    form = _entry(_monday(), "07:00", "19:00", token)
    first = resident.post(reverse("workhours:entry_new"), form, follow=True)
    again = resident.post(reverse("workhours:entry_new"), form, follow=True)
    for page in (first, again):
        assert "Saved: Clinical work, 12 hours." in page.content.decode()
    assert LoggedPeriod.objects.filter(trainee=small.ana).count() == 1
    # A fresh page is a fresh token.
    assert _token(resident.get(reverse("workhours:entry_new")).content.decode()) != token


def test_a_refused_send_leaves_its_token_for_the_corrected_form(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    resident = client_as("resident")
    monday = _monday()
    resident.post(reverse("workhours:entry_new"), _entry(monday, "07:00", "19:00", new_token()))
    token = new_token()
    clash = resident.post(reverse("workhours:entry_new"), _entry(monday, "18:00", "22:00", token))
    assert "This overlaps your clinical work from" in clash.content.decode()
    fixed = resident.post(reverse("workhours:entry_new"), _entry(monday, "19:00", "22:00", token))
    assert fixed.status_code == 302
    assert LoggedPeriod.objects.filter(trainee=small.ana).count() == 2


def test_leave_sent_twice_is_recorded_once(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    resident = client_as("resident")
    token = _token(resident.get(reverse("workhours:leave_new")).content.decode())
    day = _monday().isoformat()
    form = {"kind": "vacation", "start": day, "end": day, "submit_token": token}
    for _ in range(2):
        page = resident.post(reverse("workhours:leave_new"), form, follow=True).content.decode()
        assert "Leave recorded: Vacation" in page
    assert LeaveSpan.objects.filter(trainee=small.ana).count() == 1


def test_a_concern_by_name_sent_twice_is_one_concern_and_one_notice(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    ConcernHandler.objects.create(user=small.users["gme"])
    resident = client_as("resident")
    token = _token(resident.get(reverse("concerns:raise")).content.decode())
    form = {"anonymous": "0", "category": "workload", "subject": "Nights", "program": "",
            "body": "Three night floats in a row.", "submit_token": token}  # fmt: skip
    answers = [resident.post(reverse("concerns:raise"), form) for _ in range(2)]
    concern = Concern.objects.get(reporter=small.users["resident"])
    assert {a["Location"] for a in answers} == {
        reverse("concerns:mine_detail", args=[concern.reference])
    }
    # Handlers hear of it in the next daily notice (never at the moment of writing), once.
    assert concern_notices_send(today=date(2026, 6, 30)) == 1
    assert len(mail.outbox) == 1


def test_an_anonymous_concern_stores_no_token(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    """A stored token would tie the concern to the reporter's account: it is not kept."""
    resident = client_as("resident")
    form = {"anonymous": "1", "category": "other", "subject": "Quiet", "body": "Something.",
            "program": "", "submit_token": new_token()}  # fmt: skip
    assert resident.post(reverse("concerns:raise"), form).status_code == 200
    assert Concern.objects.count() == 1 and not SubmitToken.objects.exists()


def test_a_solve_and_a_call_month_started_twice_are_one_job_each(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    build_schedules(small)
    coord = client_as("coord.im")
    program = reverse("schedules:program", args=[small.im.pk, 2026])
    solve = {"submit_token": _token(coord.get(program).content.decode())}
    url = reverse("schedules:solve", args=[small.im.pk, 2026])
    assert len({coord.post(url, solve)["Location"] for _ in range(2)}) == 1
    calls = reverse("schedules:calls", args=[small.im.pk])
    build = {"month": "2026-12", "submit_token": _token(coord.get(calls).content.decode())}
    url = reverse("schedules:call_build", args=[small.im.pk])
    assert len({coord.post(url, build)["Location"] for _ in range(2)}) == 1
    assert Job.objects.filter(kind="rotation_solve").count() == 1
    assert Job.objects.filter(kind="call_build").count() == 1


def test_a_vacation_request_sent_twice_is_asked_once(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    resident = client_as("resident")
    mine = resident.get(reverse("schedules:mine") + "?year=2026").content.decode()
    form = {"block": x.im_blocks[7].pk, "note": "wedding", "submit_token": _token(mine)}
    for _ in range(2):
        page = resident.post(reverse("schedules:vacation_new"), form, follow=True)
        assert f"Vacation in {x.im_blocks[7].label} requested" in page.content.decode()
    assert VacationRequest.objects.filter(trainee=small.ana).count() == 1


def test_a_token_belongs_to_its_form_and_its_person(small: SmallInstitution) -> None:
    token = new_token()
    made = []

    def write() -> Job:
        made.append(Job.objects.create(kind="x", title="x", params={}))
        return made[-1]

    first, created = submit_once(
        token=token, scope="a", by=small.users["gme"], model=Job, write=write
    )
    again, created_again = submit_once(
        token=token, scope="a", by=small.users["gme"], model=Job, write=write
    )
    assert created and not created_again and again == first and len(made) == 1
    for scope, user in (("b", small.users["gme"]), ("a", small.users["pd.im"])):
        with pytest.raises(Exception, match="This form was already used"):
            submit_once(token=token, scope=scope, by=user, model=Job, write=write)
    assert len(made) == 1


def test_a_persons_old_tokens_are_forgotten(small: SmallInstitution) -> None:
    gme = small.users["gme"]
    old = SubmitToken.objects.create(token=new_token(), scope="a", user=gme)
    SubmitToken.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    submit_once(
        token=new_token(), scope="a", by=gme, model=Job,
        write=lambda: Job.objects.create(kind="x", title="x", params={}),
    )  # fmt: skip
    assert not SubmitToken.objects.filter(pk=old.pk).exists()
    assert SubmitToken.objects.filter(user=gme).count() == 1


def test_work_on_home_call_and_touching_shifts_are_not_overlaps(small: SmallInstitution) -> None:
    """What "overlap" means: two stretches of work sharing a moment. A shift ending at 19:00 and
    the next starting at 19:00 only touch; a call across midnight is one stretch; time on at-home
    call is a window that work done from home sits inside."""
    monday = _monday()
    log = {"trainee": small.ana, "by": small.users["resident"]}
    services.period_log(kind="clinical", start=_at(monday, 7), end=_at(monday, 19), **log)
    services.period_log(
        kind="in_house_call", start=_at(monday, 19), end=_at(monday, 7) + timedelta(days=1), **log
    )
    tuesday = monday + timedelta(days=1)
    services.period_log(
        kind="home_call", start=_at(tuesday, 17), end=_at(tuesday, 7) + timedelta(days=1), **log
    )
    services.period_log(kind="home_call_work", start=_at(tuesday, 22), end=_at(tuesday, 23), **log)
    assert LoggedPeriod.objects.filter(trainee=small.ana).count() == 4


def test_the_database_refuses_overlapping_hours_and_leave(small: SmallInstitution) -> None:
    """The service refuses by name everywhere; on PostgreSQL the table refuses too, even a write
    that goes round the service, and the service turns that refusal into the same sentence."""
    monday = _monday()
    log = {"trainee": small.ana, "by": small.users["resident"]}
    services.period_log(kind="clinical", start=_at(monday, 7), end=_at(monday, 19), **log)
    with pytest.raises(services.WorkHoursError, match="overlaps your clinical work from Mon"):
        services.period_log(kind="education", start=_at(monday, 12), end=_at(monday, 13), **log)
    services.leave_record(kind="vacation", start=monday, end=monday + timedelta(days=4), **log)
    friday = monday + timedelta(days=4)
    with pytest.raises(services.WorkHoursError, match="You already have vacation leave from"):
        services.leave_record(kind="sick", start=friday, end=friday + timedelta(days=1), **log)
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="logged_period_no_overlap"), transaction.atomic():
            LoggedPeriod.objects.create(
                trainee=small.ana, kind="education", start=_at(monday, 12), end=_at(monday, 13)
            )
        with pytest.raises(IntegrityError, match="leave_span_no_overlap"), transaction.atomic():
            LeaveSpan.objects.create(trainee=small.ana, start=friday, end=friday)
        bypass = LoggedPeriod(
            trainee=small.ana, kind="education", start=_at(monday, 12), end=_at(monday, 13)
        )
        with pytest.raises(services.WorkHoursError, match="overlaps your clinical work from Mon"):
            services._period_save(bypass)
    assert LoggedPeriod.objects.filter(trainee=small.ana).count() == 1
    assert LeaveSpan.objects.filter(trainee=small.ana).count() == 1


def test_removing_an_entry_twice_removes_it_once(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    resident: Client = client_as("resident")
    monday = _monday()
    period = services.period_log(
        trainee=small.ana, kind="clinical", start=_at(monday, 7), end=_at(monday, 19),
        by=small.users["resident"],
    )  # fmt: skip
    url = reverse("workhours:entry_remove", args=[period.pk])
    assert resident.post(url).status_code == 302
    assert resident.post(url).status_code == 404  # the second press finds nothing to remove
    services.period_remove(period=period, by=small.users["resident"])  # nor does a late one
    assert not LoggedPeriod.objects.exists()
    assert AuditEntry.objects.filter(action="workhours.remove").count() == 1


def test_worked_as_scheduled_tapped_twice_logs_once(small: SmallInstitution) -> None:
    """The second tap waits for the first (the trainee's lock), then finds its shifts logged."""
    monday = _monday()
    shift = SimpleNamespace(
        kind="clinical", start=_at(monday, 7), end=_at(monday, 19), label="Wards day"
    )
    by = small.users["resident"]
    assert len(services.day_log_as_scheduled(trainee=small.ana, shifts=[shift], by=by)) == 1
    assert services.day_log_as_scheduled(trainee=small.ana, shifts=[shift], by=by) == []
    assert LoggedPeriod.objects.filter(trainee=small.ana).count() == 1
