"""Writes for conferences. Each runs in a transaction with its audit entry.

History is not rewritten: a session that has started is neither changed nor cancelled, and a
new session cannot be put in the past. A check-in is refused with a sentence saying why (wrong
code, too early, over, cancelled, already in), writes at most one attendance per trainee and
session (the database refuses a second), and refused codes are counted per user: past
ROUNDS_CHECKIN_ATTEMPTS within ROUNDS_CHECKIN_WINDOW_MINUTES, the next try waits (the same
database-held throttle as password resets, rounds/people/reset.py, so every web process counts
together). With 31**6 codes and five tries per ten minutes, guessing one is hopeless.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from rounds.conferences.models import Attendance, CheckInAttempt, Excuse, Series, Session
from rounds.conferences.selectors import check_in_window, has_started, now
from rounds.core.services import audit_record
from rounds.lib.idempotency import submit_once
from rounds.people.models import Trainee
from rounds.people.training import history_of

# No 0/O, 1/I/L: a code read off a projector from the back of the room is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
MAX_GENERATED_DAYS = 366


class ConferenceError(Exception):
    """A write refused, with a sentence the person can act on (and the form field, if one)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normal(code: str) -> str:
    """As stored: capitals, spaces and dashes dropped ("ab3 k7q" matches "AB3K7Q")."""
    return "".join(ch for ch in code.upper() if ch not in "- ")


# --- series and sessions ------------------------------------------------------------------------


def series_create(
    *, program: Any, name: str, required_rate: int, description: str = "", token: str = "", by: Any
) -> Series:
    name = name.strip()
    if not name:
        raise ConferenceError("Give the series a name, e.g. Noon report.", "name")
    if not 0 <= required_rate <= 100:
        raise ConferenceError("The required attendance is a percent from 0 to 100.", "rate")
    if Series.objects.filter(program=program, name__iexact=name).exists():
        raise ConferenceError(f"{program} already has a series called {name}.", "name")

    def write() -> Series:
        series = Series.objects.create(
            program=program, name=name, required_rate=required_rate, description=description
        )
        audit_record(
            by=by,
            action="conferences.series",
            instance=series,
            summary=f"Conference series {name} for {program}, {required_rate} % required",
            changes={"name": name, "required_rate": required_rate},
        )
        return series

    with transaction.atomic():
        series, _ = submit_once(
            token=token, scope="conferences.series", by=by, model=Series, write=write
        )
    return series


@dataclass(frozen=True)
class SessionPlan:
    """What a session form says: the time (institution's wall clock), the place and the topic."""

    start_time: dt.time
    end_time: dt.time
    site: Any = None
    room: str = ""
    video_url: str = ""
    topic: str = ""
    presenter: Any = None
    presenter_name: str = ""


def _check_plan(plan: SessionPlan) -> None:
    if plan.end_time <= plan.start_time:
        raise ConferenceError("The session ends before it starts.", "end_time")
    if plan.site is None and not plan.video_url:
        raise ConferenceError("Give a place: a site and room, or a video link.", "site")
    if not plan.topic.strip():
        raise ConferenceError("Give the topic (and presenter) of the session.", "topic")


def _refuse_past(day: dt.date, start_time: dt.time, what: str) -> None:
    probe = Session(day=day, start_time=start_time, end_time=start_time)
    if has_started(probe):
        raise ConferenceError(
            f"{what} {day:%a %b %-d} at {start_time:%H:%M} has passed; sessions are added for "
            "times to come (what has happened is history).",
            "day",
        )


def _session_new(series: Series, day: dt.date, plan: SessionPlan) -> Session:
    for _ in range(5):  # a clash of random codes is rare; try another
        try:
            with transaction.atomic():
                return Session.objects.create(
                    series=series,
                    day=day,
                    code=code_new(),
                    start_time=plan.start_time,
                    end_time=plan.end_time,
                    site=plan.site,
                    room=plan.room,
                    video_url=plan.video_url,
                    topic=plan.topic.strip(),
                    presenter=plan.presenter,
                    presenter_name=plan.presenter_name,
                )
        except IntegrityError:
            if Session.objects.filter(series=series, day=day, start_time=plan.start_time).exists():
                raise ConferenceError(
                    f"{series.name} already has a session on {day:%a %b %-d} at "
                    f"{plan.start_time:%H:%M}.",
                    "day",
                ) from None
    raise ConferenceError("Could not draw a free check-in code; try again.")


def session_create(
    *, series: Series, day: dt.date, plan: SessionPlan, token: str = "", by: Any
) -> Session:
    _check_plan(plan)
    _refuse_past(day, plan.start_time, "The session on")

    def write() -> Session:
        session = _session_new(series, day, plan)
        audit_record(
            by=by,
            action="conferences.session",
            instance=session,
            summary=f"{series.name} session on {day} at {plan.start_time:%H:%M}: {plan.topic}",
            changes={"day": str(day), "topic": plan.topic},
        )
        return session

    with transaction.atomic():
        session, _ = submit_once(
            token=token, scope="conferences.session", by=by, model=Session, write=write
        )
    return session


def sessions_generate(
    *,
    series: Series,
    weekday: int,
    first: dt.date,
    last: dt.date,
    plan: SessionPlan,
    by: Any,
) -> list[Session]:
    """A weekly pattern: a session on `weekday` (0 = Monday) of every week from `first` to
    `last`. Days that already have this series' session at that time are skipped, so sending the
    same pattern twice makes each session once; days already past are refused."""
    _check_plan(plan)
    if last < first:
        raise ConferenceError("The last day is before the first.", "last")
    if (last - first).days > MAX_GENERATED_DAYS:
        raise ConferenceError("A pattern covers at most a year at a time.", "last")
    days = [
        first + dt.timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + dt.timedelta(days=n)).weekday() == weekday
    ]
    if not days:
        raise ConferenceError("No day of the range falls on that weekday.", "weekday")
    _refuse_past(days[0], plan.start_time, "The first session, on")
    made: list[Session] = []
    with transaction.atomic():
        Series.objects.select_for_update().filter(pk=series.pk).first()
        taken = set(
            Session.objects.filter(
                series=series, day__in=days, start_time=plan.start_time
            ).values_list("day", flat=True)
        )
        for day in days:
            if day not in taken:
                made.append(_session_new(series, day, plan))
        audit_record(
            by=by,
            action="conferences.generate",
            instance=series,
            summary=f"{len(made)} weekly sessions of {series.name} from {first} to {last}",
            changes={"weekday": weekday, "first": str(first), "last": str(last)},
        )
    return made


def _locked_future(session: Session, what: str) -> Session:
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if has_started(locked):
        raise ConferenceError(
            f"This session started on {locked.day:%a %b %-d} at {locked.start_time:%H:%M}: "
            f"it is history and {what}."
        )
    return locked


def session_change(*, session: Session, day: dt.date, plan: SessionPlan, by: Any) -> Session:
    _check_plan(plan)
    with transaction.atomic():
        locked = _locked_future(session, "can no longer be changed")
        if locked.is_cancelled:
            raise ConferenceError("This session is cancelled; add a new one instead.")
        _refuse_past(day, plan.start_time, "The new time,")
        before = {"day": str(locked.day), "start": str(locked.start_time), "topic": locked.topic}
        locked.day, locked.start_time, locked.end_time = day, plan.start_time, plan.end_time
        locked.site, locked.room, locked.video_url = plan.site, plan.room, plan.video_url
        locked.topic, locked.presenter = plan.topic.strip(), plan.presenter
        locked.presenter_name = plan.presenter_name
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise ConferenceError(
                f"{locked.series.name} already has a session at that day and time.", "day"
            ) from None
        audit_record(
            by=by,
            action="conferences.change",
            instance=locked,
            summary=f"{locked.series.name} session changed",
            changes={"before": before, "day": str(day), "start": str(plan.start_time)},
        )
    return locked


def session_cancel(*, session: Session, reason: str, by: Any) -> Session:
    reason = reason.strip()
    if not reason:
        raise ConferenceError("Say why the session is cancelled (trainees see it).", "reason")
    with transaction.atomic():
        locked = _locked_future(session, "can no longer be cancelled")
        if locked.is_cancelled:
            return locked  # a second click changes nothing
        locked.status, locked.cancel_reason = Session.Status.CANCELLED, reason[:300]
        locked.save(update_fields=["status", "cancel_reason"])
        audit_record(
            by=by,
            action="conferences.cancel",
            instance=locked,
            summary=f"{locked.series.name} on {locked.day} cancelled: {reason}",
            changes={"reason": reason},
        )
    return locked


# --- check-in and excuses -----------------------------------------------------------------------


def _throttle(user: Any, at: dt.datetime) -> None:
    window = dt.timedelta(minutes=settings.ROUNDS_CHECKIN_WINDOW_MINUTES)
    CheckInAttempt.objects.filter(created_at__lt=at - window).delete()
    refused = CheckInAttempt.objects.filter(user=user, created_at__gte=at - window).count()
    if refused >= settings.ROUNDS_CHECKIN_ATTEMPTS:
        raise ConferenceError(
            f"Too many codes that did not work. Wait {settings.ROUNDS_CHECKIN_WINDOW_MINUTES} "
            "minutes, then type the code from the screen again, or ask the coordinator.",
            "throttled",
        )


def _refuse(user: Any, at: dt.datetime, message: str) -> ConferenceError:
    """Note a refused try (for the throttle) in its own transaction, kept whatever follows."""
    CheckInAttempt.objects.create(user=user, created_at=at)
    return ConferenceError(message, "code")


def _session_for_code(code: str, trainee: Trainee, at: dt.datetime) -> Session | None:
    """The session with this code of the trainee's program on that day; another program's code
    is "no session" to them, as a wrong one is."""
    session = Session.objects.select_related("series__program").filter(code=code).first()
    if session is None:
        return None
    if history_of(trainee).program_on(session.day) != session.series.program_id:
        return None
    return session


def check_in(*, trainee: Trainee, code: str, by: Any, at: dt.datetime | None = None) -> Attendance:
    """Check the trainee in with the code shown in the room; refused with a clear sentence."""
    at = at or now()
    code = code_normal(code)
    _throttle(by, at)
    session = _session_for_code(code, trainee, at) if code else None
    if session is None:
        raise _refuse(by, at, "No session of your program has this code. Check it on the screen.")
    when = f"{session.series.name} ({session.day:%a %b %-d}, {session.start_time:%H:%M})"
    if session.is_cancelled:
        raise _refuse(by, at, f"{when} was cancelled: {session.cancel_reason}")
    earlier = Attendance.objects.filter(session=session, trainee=trainee).first()
    if earlier is not None:
        return earlier  # the view says "already checked in at ..." from checked_in_at
    opens, closes = check_in_window(session)
    if at < opens:
        raise _refuse(
            by, at, f"Check-in for {when} opens at {opens:%H:%M}, a few minutes before the start."
        )
    if at >= closes:
        raise _refuse(by, at, f"{when} ended at {closes:%H:%M}; check-in is closed.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(
                    session=session, trainee=trainee, checked_in_at=at
                )
        except IntegrityError:  # a second tap at the same moment: the first one counts
            return Attendance.objects.get(session=session, trainee=trainee)
        audit_record(
            by=by,
            action="conferences.check_in",
            instance=attendance,
            summary=f"{trainee.person} checked in to {when}",
            changes={},
        )
    return attendance


def excuse_record(*, session: Session, trainee: Trainee, reason: str, by: Any) -> Excuse:
    """Excuse a trainee from a session with a reason; a second excuse replaces the reason
    (both are in the audit log)."""
    reason = reason.strip()
    if not reason:
        raise ConferenceError("Say why the trainee is excused.", "reason")
    if history_of(trainee).program_on(session.day) != session.series.program_id:
        raise ConferenceError(f"{trainee.person} was not in {session.series.program} that day.")
    with transaction.atomic():
        excuse, created = Excuse.objects.select_for_update().get_or_create(
            session=session, trainee=trainee, defaults={"reason": reason[:200], "by": by}
        )
        before = "" if created else excuse.reason
        if not created:
            excuse.reason, excuse.by = reason[:200], by
            excuse.save(update_fields=["reason", "by"])
        audit_record(
            by=by,
            action="conferences.excuse",
            instance=excuse,
            summary=f"{trainee.person} excused from {session}: {reason}",
            changes={"reason": reason, "before": before},
        )
    return excuse
