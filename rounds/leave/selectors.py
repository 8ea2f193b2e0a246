"""Leave taken, balances and board standing: the one place that reads leave days.

A day of leave comes from one of three records, and counts once whatever else says so:

1. the trainee's logged leave (`workhours.LeaveSpan`): its kind decides (vacation, sick,
   parental or caregiver, medical; "other" is read as a leave of absence or other);
2. a leave of absence in the dated training history (`TrainingEvent` kind leave): a day no
   logged leave covers is a day of leave of absence;
3. an approved vacation block (`schedules.VacationRequest`): a day neither of the above covers
   is a day of vacation.

Days are calendar days; years are academic years (July 1 to June 30), as everywhere in Rounds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Q

from rounds.core.models import Program
from rounds.leave.models import (
    FAMILY_MEDICAL_KINDS,
    FAMILY_MEDICAL_MINIMUM_DAYS,
    Board,
    LeaveExtension,
    LeaveKind,
    LeavePolicy,
    LetterPolicy,
    Remediation,
)
from rounds.people.models import Trainee
from rounds.people.training import history_of, trainees_in_training
from rounds.workhours.record import academic_year

# Logged leave kinds (workhours.LeaveSpan.Kind values) as leave kinds here.
LOGGED_KINDS = {
    "vacation": LeaveKind.VACATION,
    "sick": LeaveKind.SICK,
    "parental": LeaveKind.PARENTAL,
    "medical": LeaveKind.MEDICAL,
    "other": LeaveKind.ABSENCE,
}
NEAR_SHARE = 0.8  # a balance is "near" its limit once this share of it is used or booked

LeaveDays = dict[date, str]  # day -> LeaveKind value


def _days(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=n) for n in range((last - first).days + 1))


def leave_days(trainees: Sequence[Trainee], first: date, last: date) -> dict[int, LeaveDays]:
    """Every day of leave of `trainees` in [first, last], by kind. Pass trainees with
    `training_events` prefetched: three queries for any number of trainees."""
    from rounds.schedules.models import VacationRequest
    from rounds.workhours.models import LeaveSpan

    ids = [t.pk for t in trainees]
    out: dict[int, LeaveDays] = {pk: {} for pk in ids}
    approved = VacationRequest.objects.filter(
        trainee_id__in=ids,
        status=VacationRequest.Status.APPROVED,
        block__start__lte=last,
        block__end__gte=first,
    ).values_list("trainee_id", "block__start", "block__end")
    for pk, a, b in approved:
        for day in _days(max(a, first), min(b, last)):
            out[pk][day] = LeaveKind.VACATION
    for trainee in trainees:
        for a, b in history_of(trainee).leaves:
            for day in _days(max(a, first), min(b, last)):
                out[trainee.pk][day] = LeaveKind.ABSENCE
    logged = LeaveSpan.objects.filter(trainee_id__in=ids, start__lte=last, end__gte=first)
    for pk, kind, a, b in logged.values_list("trainee_id", "kind", "start", "end"):
        for day in _days(max(a, first), min(b, last)):
            out[pk][day] = LOGGED_KINDS.get(kind, LeaveKind.ABSENCE)
    return out


@dataclass(frozen=True)
class Run:
    """Consecutive days of leave of one kind."""

    first: date
    last: date
    kind: str

    @property
    def label(self) -> str:
        return LeaveKind(self.kind).label

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def leave_runs(days: Mapping[date, str]) -> list[Run]:
    """Consecutive days of one kind, in order: what a page lists."""
    runs: list[Run] = []
    for day in sorted(days):
        kind = days[day]
        if runs and runs[-1].kind == kind and runs[-1].last == day - timedelta(days=1):
            runs[-1] = Run(runs[-1].first, day, kind)
        else:
            runs.append(Run(day, day, kind))
    return runs


# ---------------------------------------------------------------- balances


@dataclass(frozen=True)
class Balance:
    kind: str
    allowed: int
    used: int  # days of the year up to today
    booked: int  # days of the year after today

    @property
    def label(self) -> str:
        return LeaveKind(self.kind).label

    @property
    def remaining(self) -> int:
        return self.allowed - self.used - self.booked

    @property
    def over(self) -> bool:
        return self.remaining < 0

    @property
    def near(self) -> bool:
        return not self.over and self.used + self.booked >= NEAR_SHARE * self.allowed > 0


def policy_of(program_id: int) -> LeavePolicy:
    """The program's policy, or the defaults (unsaved) when it has none yet."""
    found = LeavePolicy.objects.filter(program_id=program_id).select_related("board").first()
    return found or LeavePolicy(program_id=program_id)


def balances(
    policy: LeavePolicy, days: Mapping[date, str], year_of: date, today: date
) -> list[Balance]:
    """Per kind, the policy's days for the academic year holding `year_of` less those used and
    booked in it."""
    first, last = academic_year(year_of)
    out = []
    for kind in LeaveKind.values:
        in_year = [d for d, k in days.items() if k == kind and first <= d <= last]
        used = sum(1 for d in in_year if d <= today)
        out.append(Balance(kind, policy.days_for(kind), used, len(in_year) - used))
    return out


# ---------------------------------------------------------------- the board's allowance


@dataclass(frozen=True)
class Excess:
    """Leave measured against a board's rule over a whole training."""

    away: int  # days away that count against the allowance
    family_medical: int  # parental, caregiver and medical days the once-allowance covered
    over_in_years: int  # days beyond the yearly cap, summed over the years
    over_in_total: int  # days beyond the allowance over the whole training

    @property
    def days_over(self) -> int:
        return max(self.over_in_years, self.over_in_total)


def board_excess(days: Mapping[date, str], board: Board, years: int) -> Excess:
    """How far `days` (all leave of a training, by kind) go past `board`'s allowance for a
    training of `years` years. The first parental, caregiver or medical days, up to the board's
    once-in-training allowance, count against nothing; every other day counts in its academic
    year and in the whole."""
    counts = Counter((academic_year(day)[0].year, kind) for day, kind in days.items())
    return excess_of_counts(counts, board, years)


@dataclass(frozen=True)
class Standing:
    """A trainee's leave against their board: the days over, those already made up by a
    confirmed extension, and the expected end once the rest are."""

    trainee: Trainee
    board: Board | None
    excess: Excess | None
    extended: int  # days of leave already made up
    expected_end: date

    @property
    def days_to_add(self) -> int:
        return max(0, self.excess.days_over - self.extended) if self.excess else 0

    @property
    def flagged(self) -> bool:
        return self.days_to_add > 0

    @property
    def new_end(self) -> date:
        return self.expected_end + timedelta(days=self.days_to_add)


def standings(trainees: Sequence[Trainee], today: date) -> list[Standing]:
    """Each trainee's leave from their start to their last day (taken and booked) against the
    board of the program they are in today (or last were in). Five queries for any number."""
    if not trainees:
        return []
    histories = {t.pk: history_of(t) for t in trainees}
    first = min(h.start for h in histories.values())
    last = max(h.last_day for h in histories.values())
    days = leave_days(trainees, first, last)
    program_of = {
        pk: h.program_on(min(max(today, h.start), h.last_day)) for pk, h in histories.items()
    }
    programs = Program.objects.in_bulk(set(program_of.values()))
    policies = {
        p.program_id: p
        for p in LeavePolicy.objects.filter(program_id__in=programs).select_related("board")
    }
    extended: dict[int, int] = {}
    for pk, n in LeaveExtension.objects.filter(trainee__in=trainees).values_list(
        "trainee_id", "days"
    ):
        extended[pk] = extended.get(pk, 0) + n
    out = []
    for trainee in trainees:
        history = histories[trainee.pk]
        mine = {d: k for d, k in days[trainee.pk].items() if history.start <= d <= history.last_day}
        program = programs[program_of[trainee.pk]]
        policy = policies.get(program.pk)
        board = policy.board if policy else None
        excess = board_excess(mine, board, program.length_years) if board else None
        out.append(
            Standing(trainee, board, excess, extended.get(trainee.pk, 0), history.expected_end)
        )
    return out


@dataclass(frozen=True)
class LeaveRow:
    """One trainee on the program view: this year's balances and their board standing."""

    trainee: Trainee
    balances: list[Balance]
    standing: Standing

    @property
    def attention(self) -> bool:
        return self.standing.flagged or any(b.over or b.near for b in self.balances)


def program_leave(programs: Iterable[Program], today: date) -> list[LeaveRow]:
    """Trainees of `programs` in training this academic year: flagged first, then those over or
    near a balance, then by name."""
    first, last = academic_year(today)
    trainees = trainees_in_training(list(programs), first, last)
    by_id = {s.trainee.pk: s for s in standings(trainees, today)}
    days = leave_days(trainees, first, last)
    policies: dict[int, LeavePolicy] = {}
    rows = []
    for trainee in trainees:
        program_id = history_of(trainee).program_on(today)
        if program_id not in policies:
            policies[program_id] = policy_of(program_id)
        rows.append(
            LeaveRow(
                trainee,
                balances(policies[program_id], days[trainee.pk], today, today),
                by_id[trainee.pk],
            )
        )
    return sorted(
        rows,
        key=lambda r: (
            not r.standing.flagged,
            not r.attention,
            r.trainee.person.last_name,
            r.trainee.pk,
        ),
    )


def policies_below_minimum(programs: Iterable[Program]) -> list[LeavePolicy]:
    """Policies giving less than the ACGME's six weeks of paid parental and caregiver, or
    medical, leave (Institutional Requirements IV.H.1): the office should correct them."""
    return list(
        LeavePolicy.objects.filter(program__in=list(programs))
        .filter(
            Q(parental_days__lt=FAMILY_MEDICAL_MINIMUM_DAYS)
            | Q(medical_days__lt=FAMILY_MEDICAL_MINIMUM_DAYS)
        )
        .select_related("program")
        .order_by("program__name")
    )


def flagged_count(programs: Iterable[Program] | None, today: date) -> int:
    """Trainees in training today or later whose leave goes past their board's allowance and is
    not yet made up: the GME office's to-do."""
    far = date.max - timedelta(days=1)
    with_board = Program.objects.filter(leave_policy__board__isnull=False)
    if programs is not None:
        with_board = with_board.filter(pk__in=[p.pk for p in programs])
    trainees = trainees_in_training(list(with_board), today, far)
    return sum(1 for s in standings(trainees, today) if s.flagged)


# ---------------------------------------------------------------- counted in the database


def _sql_dates() -> tuple[Callable[..., str], Callable[..., str], Callable[[str, str], str], str]:
    """The least and greatest of dates, the days from one to the other inclusive, and a date
    parameter, in the database's own SQL (PostgreSQL, or SQLite's dates as ISO text)."""
    if connection.vendor == "postgresql":
        return (
            lambda *xs: f"LEAST({', '.join(xs)})",
            lambda *xs: f"GREATEST({', '.join(xs)})",
            lambda lo, hi: f"({lo} - {hi} + 1)",
            "%s::date",
        )
    return (
        lambda *xs: f"MIN({', '.join(xs)})",
        lambda *xs: f"MAX({', '.join(xs)})",
        lambda lo, hi: f"CAST(julianday({lo}) - julianday({hi}) + 1 AS INTEGER)",
        "%s",
    )


def _overlap(spans: list[str], kind: str, sign: int) -> str:
    """One term of the count: the days the named spans (and the year and the training window)
    share, per trainee and year, as `kind` with `sign`."""
    least, greatest, days, _ = _sql_dates()
    last = least(*[f"{s}.e" for s in spans], "yr.y1", "tw.e")
    first = greatest(*[f"{s}.s" for s in spans], "yr.y0", "tw.s")
    joins = " ".join(f"JOIN {s} ON {s}.tid = tw.tid" for s in spans)
    what = f"{spans[0]}.kind" if spans == ["l"] else f"'{kind}'"
    return (
        f"SELECT tw.tid AS tid, yr.y AS y, {what} AS kind, {sign} * {days(last, first)} AS n "
        f"FROM tw {joins} JOIN yr ON {last} >= {first}"
    )


def leave_day_counts(
    windows: Mapping[int, tuple[date, date]], years: Sequence[int]
) -> dict[tuple[int, int, str], int]:
    """(trainee id, academic year, LeaveKind value) -> days of leave, each day counted once as
    `leave_days` counts it, within each trainee's window (`windows`: first and last day) and
    the academic years `years` (July 1 of each). One query, whatever the number of trainees and
    of their leave spans: the days are counted by the database, by inclusion and exclusion.

    A day of logged leave is of the logged kind; a day of a leave of absence no logged leave
    covers is a leave of absence; a day of an approved vacation block neither covers is
    vacation. Logged leave spans do not overlap one another, nor do leaves of absence (both are
    refused on entry), nor vacation blocks, so: absence = E - E&L, vacation = V - V&L - V&E +
    V&E&L."""
    if not windows or not years:
        return {}
    _, _, _, param = _sql_dates()
    trainees = ", ".join(f"(%s, {param}, {param})" for _ in windows)
    year_rows = ", ".join(f"(%s, {param}, {param})" for _ in years)
    params: list[int | str] = []
    for y in years:
        params += [y, date(y, 7, 1).isoformat(), date(y + 1, 6, 30).isoformat()]
    for pk, (first, last) in windows.items():
        params += [pk, first.isoformat(), last.isoformat()]
    terms = [
        _overlap(["l"], "", 1),
        _overlap(["ev"], LeaveKind.ABSENCE, 1),
        _overlap(["ev", "l"], LeaveKind.ABSENCE, -1),
        _overlap(["v"], LeaveKind.VACATION, 1),
        _overlap(["v", "l"], LeaveKind.VACATION, -1),
        _overlap(["v", "ev"], LeaveKind.VACATION, -1),
        _overlap(["v", "ev", "l"], LeaveKind.VACATION, 1),
    ]
    sql = f"""
        WITH yr(y, y0, y1) AS (VALUES {year_rows}),
        tw(tid, s, e) AS (VALUES {trainees}),
        l AS (SELECT x.trainee_id AS tid, x.kind AS kind, x.start AS s, x."end" AS e
              FROM workhours_leavespan x JOIN tw ON tw.tid = x.trainee_id),
        ev AS (SELECT x.trainee_id AS tid, x.effective_date AS s,
                      COALESCE(x.end_date, tw.e) AS e
               FROM people_trainingevent x JOIN tw ON tw.tid = x.trainee_id
               WHERE x.kind = 'leave'),
        v AS (SELECT x.trainee_id AS tid, b.start AS s, b."end" AS e
              FROM schedules_vacationrequest x JOIN schedules_block b ON b.id = x.block_id
              JOIN tw ON tw.tid = x.trainee_id WHERE x.status = 'approved')
        SELECT tid, y, kind, SUM(n) FROM ({" UNION ALL ".join(terms)}) terms
        GROUP BY tid, y, kind
    """
    out: dict[tuple[int, int, str], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, y, kind, n in cursor.fetchall():
            key = (int(pk), int(y), LOGGED_KINDS[kind] if kind in LOGGED_KINDS else LeaveKind(kind))
            out[key] = out.get(key, 0) + int(n)
    return {k: n for k, n in out.items() if n}


def excess_of_counts(counts: Mapping[tuple[int, str], int], board: Board, years: int) -> Excess:
    """`board_excess` from days per (academic year, kind), as the database counts them
    (`leave_day_counts`): the first parental, caregiver and medical days of the training, up to
    the board's once allowance, are free, so each year's free days are what is left of the
    allowance in that year."""
    free_left = board.family_medical_days
    counted: dict[int, int] = {}
    family = 0
    for year in sorted({y for y, _ in counts}):
        in_year = {k: n for (y, k), n in counts.items() if y == year}
        mine = sum(n for k, n in in_year.items() if k in FAMILY_MEDICAL_KINDS)
        free = min(mine, free_left)
        free_left -= free
        family += free
        counted[year] = sum(in_year.values()) - free
    away = sum(counted.values())
    cap = board.per_year_days
    over_years = sum(max(0, n - cap) for n in counted.values()) if cap is not None else 0
    over_total = max(0, away - board.total_days(years))
    return Excess(away, family, over_years, over_total)


@dataclass(frozen=True)
class LeaveFlag:
    """What a program's staff are told about one trainee's leave."""

    trainee_id: int
    program_id: int  # the program they are in today (their leave page's)
    days_to_add: int  # past the board's allowance, not yet made up by an extension
    near_or_over: bool  # this academic year, near or over one of the policy's balances

    @property
    def flagged(self) -> bool:
        return self.days_to_add > 0


def leave_flags(
    programs: Iterable[Program], today: date, trainees: Sequence[Trainee] | None = None
) -> list[LeaveFlag]:
    """The leave page's flags (`program_leave`: past the board's allowance; near or over a
    balance) for the trainees of `programs` in training this academic year (`trainees`, when
    the caller read them already), counted in the database (`leave_day_counts`): a fixed
    number of queries, and work in Python per trainee and year, not per day or span of leave."""
    programs = list(programs)
    first, last = academic_year(today)
    if trainees is None:
        trainees = trainees_in_training(programs, first, last)
    if not trainees:
        return []
    histories = {t.pk: history_of(t) for t in trainees}
    windows = {pk: (h.start, h.last_day) for pk, h in histories.items()}
    years = range(
        academic_year(min(s for s, _ in windows.values()))[0].year,
        academic_year(max(e for _, e in windows.values()))[0].year + 1,
    )
    counts = leave_day_counts(windows, list(years))
    # The balances count this year's leave whether or not in training, as the leave page does.
    this_year = leave_day_counts({pk: (first, last) for pk in histories}, [first.year])
    board_program = {
        pk: h.program_on(min(max(today, h.start), h.last_day)) for pk, h in histories.items()
    }
    today_program = {pk: h.program_on(today) for pk, h in histories.items()}
    ids = set(board_program.values()) | set(today_program.values())
    lengths = {p.pk: p.length_years for p in programs}
    if ids - lengths.keys():  # someone moved in from another program: its length too
        lengths.update(
            Program.objects.filter(pk__in=ids - lengths.keys()).values_list("pk", "length_years")
        )
    policies = {
        p.program_id: p
        for p in LeavePolicy.objects.filter(program_id__in=ids).select_related("board")
    }
    extended: dict[int, int] = {}
    for pk, n in LeaveExtension.objects.filter(trainee__in=trainees).values_list(
        "trainee_id", "days"
    ):
        extended[pk] = extended.get(pk, 0) + n
    by_trainee: dict[int, dict[tuple[int, str], int]] = {pk: {} for pk in histories}
    for (pk, y, k), n in counts.items():
        by_trainee[pk][y, k] = n
    out = []
    for t in trainees:
        mine = by_trainee[t.pk]
        policy = policies.get(board_program[t.pk])
        days_to_add = 0
        if policy is not None and policy.board is not None:
            excess = excess_of_counts(mine, policy.board, lengths[board_program[t.pk]])
            days_to_add = max(0, excess.days_over - extended.get(t.pk, 0))
        balance_policy = policies.get(today_program[t.pk]) or LeavePolicy(
            program_id=today_program[t.pk]
        )
        near_or_over = any(
            b.over or b.near
            for b in (
                Balance(
                    kind,
                    balance_policy.days_for(kind),
                    this_year.get((t.pk, first.year, kind), 0),
                    0,
                )
                for kind in LeaveKind.values
            )
        )
        out.append(LeaveFlag(t.pk, today_program[t.pk], days_to_add, near_or_over))
    return out


# ---------------------------------------------------------------- extension preview


def blocks_and_months_in(trainee: Trainee, first: date, last: date) -> list[str]:
    """The rotation blocks and call months of the trainee's program that [first, last] touches:
    what the trainee now stays in once training is extended."""
    from rounds.schedules.models import Block

    program_id = history_of(trainee).program_on(first - timedelta(days=1))
    blocks = Block.objects.filter(program_id=program_id, start__lte=last, end__gte=first)
    said = [f"{b.academic_year}–{b.academic_year + 1} {b}" for b in blocks.order_by("start")]
    month = first.replace(day=1)
    months = []
    while month <= last:
        months.append(f"{month:%B %Y}")
        month = (month + timedelta(days=32)).replace(day=1)
    if months:
        said.append("call months " + ", ".join(months))
    return said


# ---------------------------------------------------------------- remediation and letters


def remediations_of(trainee: Trainee) -> list[Remediation]:
    return list(Remediation.objects.filter(trainee=trainee).order_by("start", "pk"))


def letters_state_remediation() -> bool:
    policy = LetterPolicy.objects.first()
    return bool(policy and policy.state_remediation)


def leave_extension_days(trainee: Trainee) -> dict[int, int]:
    """Training event id -> days of leave the extension made up."""
    return dict(LeaveExtension.objects.filter(trainee=trainee).values_list("event_id", "days"))
