"""Reads for conferences: when a session's code works, who was expected, who came, who is
excused and why, and each trainee's attendance rate.

The rate is worked out in two layers. `trainees_facts` reads, once per period, what
the schedule says about them (training dates, leave, published rotations and shifts); `tally`
is a pure function of those facts, the sessions, the check-ins and the coordinators' excuses,
so the invariant (each session that concerns a trainee is exactly one of attended, excused,
missed; the rate is attended / expected) is tested on random inputs without a database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from rounds.conferences.models import Attendance, Excuse, Series, Session, institution_zone
from rounds.lib.today import academic_year_of, today
from rounds.people.models import Trainee
from rounds.people.training import History, history_of, trainees_in_training

# --- time -------------------------------------------------------------------------------------


def now() -> dt.datetime:
    """The moment now; on a pinned day (ROUNDS_TODAY, a demo or a test) the same wall-clock time
    on that day, so "the session happening now" exists in a demo built for another date."""
    zone = institution_zone()
    real = timezone.now().astimezone(zone)
    pinned = today(zone)
    if pinned == real.date():
        return real
    return dt.datetime.combine(pinned, real.time(), tzinfo=zone)


def check_in_window(session: Session) -> tuple[dt.datetime, dt.datetime]:
    """From ROUNDS_CHECKIN_EARLY_MINUTES before the start to the end."""
    early = dt.timedelta(minutes=settings.ROUNDS_CHECKIN_EARLY_MINUTES)
    return session.starts_at - early, session.ends_at


def is_open_for_check_in(session: Session, at: dt.datetime) -> bool:
    opens, closes = check_in_window(session)
    return not session.is_cancelled and opens <= at < closes


def has_started(session: Session, at: dt.datetime | None = None) -> bool:
    """A started session is history: it is not edited or cancelled any more."""
    return session.starts_at <= (at or now())


def year_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    year = academic_year_of(day)
    return dt.date(year, 7, 1), dt.date(year + 1, 6, 30)


# --- facts from the schedule --------------------------------------------------------------------


@dataclass(frozen=True)
class SessionFact:
    pk: int
    series_id: int
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    site_id: int | None  # None: video only, nobody is away from it


@dataclass(frozen=True)
class Placement:
    first: dt.date
    last: dt.date
    site_id: int
    site_name: str
    kind: str  # a rotation kind: "clinical", "night_float", "vacation", ...


@dataclass(frozen=True)
class Shift:
    start: dt.datetime
    end: dt.datetime
    site_id: int
    site_name: str


@dataclass
class TraineeFacts:
    """What the schedule says about one trainee over a period, enough to excuse a session."""

    trainee_id: int
    out_of_training: set[dt.date] = field(default_factory=set)  # session days not in training
    leave_days: set[dt.date] = field(default_factory=set)
    placements: list[Placement] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)


NIGHT_STARTS = dt.time(16, 0)  # a shift starting this late on the day is a night: they sleep


def automatic_excuse(facts: TraineeFacts, session: SessionFact) -> str | None:
    """Why the schedule says the trainee could not be at the session, or None."""
    day = session.day
    if day in facts.out_of_training:
        return "Not in training that day"
    if day in facts.leave_days:
        return "On leave"
    zone = session.starts_at.tzinfo
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    for shift in facts.shifts:
        if shift.start < midnight < shift.end:
            return "Post-call (on a night or call that ended that day)"
        local = shift.start.astimezone(zone)
        if local.date() == day and local.time() >= NIGHT_STARTS:
            return "On a night shift that day"
        elsewhere = session.site_id is not None and shift.site_id != session.site_id
        if elsewhere and shift.start < session.ends_at and shift.end > session.starts_at:
            return f"On a shift at {shift.site_name} during the session"
    for place in facts.placements:
        if not place.first <= day <= place.last:
            continue
        if place.kind == "vacation":
            return "On vacation"
        if place.kind == "night_float":
            return "On night float"
        if session.site_id is not None and place.site_id != session.site_id:
            return f"On a rotation at {place.site_name}"
    return None


# --- the tally --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    session_id: int
    state: str  # "attended", "excused" or "missed"
    reason: str = ""


@dataclass
class Tally:
    """One trainee's attendance at one series' sessions that concern them."""

    trainee_id: int
    required_rate: int
    outcomes: list[Outcome] = field(default_factory=list)

    def _count(self, state: str) -> int:
        return sum(1 for o in self.outcomes if o.state == state)

    @property
    def attended(self) -> int:
        return self._count("attended")

    @property
    def excused(self) -> int:
        return self._count("excused")

    @property
    def missed(self) -> int:
        return self._count("missed")

    @property
    def expected(self) -> int:
        """Sessions the trainee was expected at: every one not excused."""
        return self.attended + self.missed

    @property
    def rate(self) -> float | None:
        """Attended / expected, or None when nothing was expected yet."""
        return self.attended / self.expected if self.expected else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)

    @property
    def below(self) -> bool:
        # In whole numbers, so 7 of 10 against 70 % is never below by a rounding error.
        return self.expected > 0 and self.attended * 100 < self.required_rate * self.expected


def tally(
    facts: TraineeFacts,
    sessions: Iterable[SessionFact],
    required_rate: int,
    attended: set[int],
    excuses: dict[int, str],
) -> Tally:
    """Each session is attended (a check-in wins over any excuse: they came), else excused (a
    coordinator's reason first, then the schedule's), else missed."""
    result = Tally(facts.trainee_id, required_rate)
    for session in sessions:
        if session.pk in attended:
            result.outcomes.append(Outcome(session.pk, "attended"))
            continue
        reason = excuses.get(session.pk) or automatic_excuse(facts, session)
        state = "excused" if reason else "missed"
        result.outcomes.append(Outcome(session.pk, state, reason or ""))
    return result


# --- reading it all from the database -------------------------------------------------------------


def session_fact(session: Session) -> SessionFact:
    return SessionFact(
        session.pk,
        session.series_id,
        session.day,
        session.starts_at,
        session.ends_at,
        session.site_id,
    )


def held_sessions(series: Iterable[Series], first: dt.date, last: dt.date) -> list[Session]:
    """Sessions that took place (not cancelled, already ended) from `first` to `last`."""
    moment = now()
    rows = Session.objects.filter(
        series__in=list(series), day__gte=first, day__lte=min(last, moment.date())
    ).exclude(status=Session.Status.CANCELLED)
    return [s for s in rows.select_related("series") if s.ends_at <= moment]


def trainees_facts(
    trainees: Sequence[Trainee],
    histories: dict[int, History],
    days: Sequence[dt.date],
    first: dt.date,
    last: dt.date,
) -> dict[int, TraineeFacts]:
    """What the schedule says about each trainee from `first` to `last`, in four queries
    whatever the number of trainees (a program page asks it for all of them)."""
    from rounds.schedules.models import CallAssignment, CallSchedule, VacationRequest
    from rounds.schedules.selectors import rotation_days_of
    from rounds.workhours.models import LeaveSpan

    found = {t.pk: TraineeFacts(t.pk) for t in trainees}
    for trainee in trainees:
        history = histories[trainee.pk]
        found[trainee.pk].out_of_training = {d for d in days if not history.in_training_on(d)}
    for span in LeaveSpan.objects.filter(trainee__in=trainees, start__lte=last, end__gte=first):
        found[span.trainee_id].leave_days |= _days(max(span.start, first), min(span.end, last))
    vacations = VacationRequest.objects.filter(
        trainee__in=trainees,
        status=VacationRequest.Status.APPROVED,
        block__start__lte=last,
        block__end__gte=first,
    ).select_related("block")
    for request in vacations:
        block = request.block
        found[request.trainee_id].leave_days |= _days(max(block.start, first), min(block.end, last))
    for trainee_id, spans in rotation_days_of(list(trainees), first, last).items():
        found[trainee_id].placements = [
            Placement(start, end, rotation.site_id, rotation.site.name, rotation.kind)
            for start, end, rotation in spans
        ]
    calls = CallAssignment.objects.filter(
        schedule__status=CallSchedule.Status.PUBLISHED,
        trainee__in=trainees,
        day__gte=first - dt.timedelta(days=1),
        day__lte=last,
    ).select_related("site")
    for c in calls:
        found[c.trainee_id].shifts.append(Shift(c.start, c.end, c.site_id, c.site.name))
    return found


def _days(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=n) for n in range((last - first).days + 1)}


@dataclass
class TraineeRow:
    """One trainee's tally in one series, with what a page shows beside it."""

    trainee: Trainee
    series: Series
    tally: Tally


def series_rows(
    series_list: Sequence[Series],
    first: dt.date,
    last: dt.date,
    trainees: Sequence[Trainee] | None = None,
) -> list[TraineeRow]:
    """Every trainee's tally in every series of the list (all of one program), below the
    requirement first, then by rate and name."""
    if not series_list:
        return []
    program = series_list[0].program
    sessions = held_sessions(series_list, first, last)
    if trainees is None:
        trainees = trainees_in_training([program], first, last)
    days = sorted({s.day for s in sessions})
    attended = _attended(sessions)
    excuses = _excuses(sessions)
    rows: list[TraineeRow] = []
    histories = {t.pk: history_of(t) for t in trainees}
    # The schedule is read only for the days that had sessions, not the whole year.
    span = (days[0], days[-1]) if days else (first, first)
    all_facts = trainees_facts(trainees, histories, days, *span)
    for trainee in trainees:
        history, facts = histories[trainee.pk], all_facts[trainee.pk]
        mine = [s for s in sessions if history.program_on(s.day) == program.pk]
        for series in series_list:
            facts_in = [session_fact(s) for s in mine if s.series_id == series.pk]
            rows.append(
                TraineeRow(
                    trainee,
                    series,
                    tally(
                        facts,
                        facts_in,
                        series.required_rate,
                        attended.get(trainee.pk, set()),
                        excuses.get(trainee.pk, {}),
                    ),
                )
            )
    return sorted(rows, key=_row_order)


def _row_order(row: TraineeRow) -> tuple[bool, float, str, str]:
    rate = row.tally.rate
    return (
        not row.tally.below,
        2.0 if rate is None else rate,
        row.trainee.person.last_name,
        row.series.name,
    )


def _attended(sessions: Sequence[Session]) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for trainee_id, session_id in Attendance.objects.filter(session__in=sessions).values_list(
        "trainee_id", "session_id"
    ):
        found[trainee_id].add(session_id)
    return found


def _excuses(sessions: Sequence[Session]) -> dict[int, dict[int, str]]:
    found: dict[int, dict[int, str]] = defaultdict(dict)
    for row in Excuse.objects.filter(session__in=sessions):
        found[row.trainee_id][row.session_id] = f"Excused by the program: {row.reason}"
    return found


def program_series(program_id: int) -> list[Series]:
    return list(Series.objects.filter(program_id=program_id).select_related("program"))


def trainee_rows(trainee: Trainee, first: dt.date, last: dt.date) -> list[TraineeRow]:
    """The trainee's own tallies, one per series of their program."""
    return series_rows(program_series(trainee.program_id), first, last, [trainee])


def session_outcomes(session: Session) -> list[tuple[Trainee, Outcome]]:
    """Who was expected at one held session and how it went for each, missed first."""
    day = session.day
    attended, excuses = _attended([session]), _excuses([session])
    trainees = trainees_in_training([session.series.program], day, day)
    histories = {t.pk: history_of(t) for t in trainees}
    all_facts = trainees_facts(trainees, histories, [day], day, day)
    rows = []
    for trainee in trainees:
        facts = all_facts[trainee.pk]
        result = tally(
            facts,
            [session_fact(session)],
            session.series.required_rate,
            attended.get(trainee.pk, set()),
            excuses.get(trainee.pk, {}),
        )
        rows.append((trainee, result.outcomes[0]))
    order = {"missed": 0, "excused": 1, "attended": 2}
    return sorted(rows, key=lambda r: (order[r[1].state], r[0].person.last_name))


def sessions_to_come(program_id: int, days: int = 14) -> list[Session]:
    """The program's sessions that have not ended, in the coming `days` (cancelled ones too:
    a trainee should see that a session is off)."""
    moment = now()
    rows = Session.objects.filter(
        series__program_id=program_id,
        day__gte=moment.date(),
        day__lte=moment.date() + dt.timedelta(days=days),
    ).select_related("series", "site", "presenter")
    return [s for s in rows if s.ends_at > moment]


def attended_periods(
    trainee: Trainee, first: dt.date, last: dt.date
) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """(start, end, label) of the sessions the trainee checked in to, for the hours week."""
    rows = Attendance.objects.filter(
        trainee=trainee, session__day__gte=first, session__day__lte=last
    ).select_related("session__series")
    return [
        (a.session.starts_at, a.session.ends_at, f"{a.session.series.name}: {a.session.topic}")
        for a in rows
        if not a.session.is_cancelled
    ]
