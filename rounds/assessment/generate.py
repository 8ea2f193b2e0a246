"""Requests made from the schedules: the daily job (`manage.py evaluation_requests`).

For every placement of a published rotation schedule that ended in the window (the last
`lookback_days` up to `day`), the program's settings and forms decide what is asked:

- faculty evaluate the trainee, and the trainee evaluates those faculty, when they shared at
  least `min_contact_days` (contact.py); a program on the shifts trigger asks instead after
  every `shifts_together` shifts together (counted within the academic year);
- the trainee evaluates the rotation; peers on the same rotation evaluate each other and the
  trainee evaluates themselves when the program has those forms.

Each such unit is a `RequestSource` with a unique key: a unit already considered is skipped, so
running the job twice (or over overlapping windows) makes nothing new. A unit whose evaluator
already has an open request about the same subject ending at most MERGE_GAP before it is merged
into that request instead of making another. New requests count against the evaluator's monthly
cap, best-aimed (most contact) first; units past the cap are recorded as held back, so the
burden report can say how many the cap saved. Units about, or asked of, a trainee no longer in
training make nothing and are recorded as such. Everything of one run is written in one
transaction: a run that fails (or loses a race with another) writes nothing.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from rounds.assessment.contact import (
    Placement,
    ScheduleFacts,
    facts_load,
    placement_contacts,
    together_all,
    working_count,
)
from rounds.assessment.models import (
    EvaluationRequest,
    EvaluatorKind,
    FormVersion,
    ProgramEvaluationSettings,
    RequestSource,
)
from rounds.lib.today import academic_year_of
from rounds.people.models import Faculty, Trainee
from rounds.people.training import History

K = EvaluatorKind
MERGE_GAP = timedelta(days=7)
CHUNK = 500  # keys per IN (...) query: SQLite allows a few hundred parameters comfortably
ENDED = ("graduated", "withdrawn", "ended")


@dataclass
class Candidate:
    key: str
    program_id: int
    kind: str
    form_version_id: int
    evaluator_id: int  # a Person
    trainee_id: int | None
    faculty_id: int | None
    rotation_id: int | None
    period_start: date
    period_end: date
    contact_days: int = 0
    contact_shifts: int = 0
    people_in_training: tuple[int, ...] = ()  # trainees who must still be in training

    @property
    def merge_key(self) -> tuple[Any, ...]:
        if self.kind == K.TRAINEE_OF_ROTATION:
            return (self.evaluator_id, self.kind, self.rotation_id)
        return (self.evaluator_id, self.kind, self.trainee_id, self.faculty_id)


@dataclass
class GenerationResult:
    created: int = 0
    merged: int = 0
    capped: int = 0
    not_in_training: int = 0
    already_done: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def lines(self) -> list[str]:
        return [
            f"{self.created} requests created, {self.merged} merged into open ones, "
            f"{self.capped} held back by the monthly cap, {self.not_in_training} skipped "
            f"(no longer in training), {self.already_done} considered before"
        ]


def _settings(program_ids: Iterable[int]) -> dict[int, ProgramEvaluationSettings]:
    found = {
        s.program_id: s for s in ProgramEvaluationSettings.objects.filter(program__in=program_ids)
    }
    return {pid: found.get(pid) or ProgramEvaluationSettings(program_id=pid) for pid in program_ids}


class _Forms:
    """The published version to use for (program, kind, rotation): the rotation's own form,
    else the program's form for every rotation."""

    def __init__(self) -> None:
        self.latest: dict[tuple[int, str, int | None], int] = {}
        rows = FormVersion.objects.filter(published_at__isnull=False, form__is_active=True)
        for version_id, program_id, kind, rotation_id in rows.order_by("number").values_list(
            "pk", "form__program_id", "form__evaluator_kind", "form__rotation_id"
        ):
            self.latest[(program_id, kind, rotation_id)] = version_id

    def version(self, program_id: int, kind: str, rotation_id: int) -> int | None:
        return self.latest.get((program_id, kind, rotation_id)) or self.latest.get(
            (program_id, kind, None)
        )


def requests_generate(
    *, day: date, lookback_days: int = 7, program_ids: Iterable[int] | None = None
) -> GenerationResult:
    window_start = day - timedelta(days=max(1, lookback_days) - 1)
    ids = list(program_ids) if program_ids is not None else None
    # Placements ending in the window began at most a block (a month) before it.
    facts = facts_load(window_start - timedelta(days=62), day, program_ids=ids)
    # Shifts together are counted from the start of the academic year, for the programs on the
    # shifts trigger only: the daily run of a block-end program reads two months, not a year.
    shift_ids = set(
        ProgramEvaluationSettings.objects.filter(
            trigger=ProgramEvaluationSettings.Trigger.SHIFTS
        ).values_list("program_id", flat=True)
    )
    if ids is not None:
        shift_ids &= set(ids)
    year_start = date(academic_year_of(window_start), 7, 1)
    shift_facts = facts_load(year_start, day, program_ids=sorted(shift_ids)) if shift_ids else None
    programs = {p.program_id for p in facts.placements} | shift_ids
    settings = _settings(programs)
    candidates = list(_candidates(facts, shift_facts, settings, _Forms(), window_start, day))
    histories = facts.histories | (shift_facts.histories if shift_facts else {})
    return _write(candidates, settings, histories, day)


def _candidates(
    facts: ScheduleFacts,
    shift_facts: ScheduleFacts | None,
    settings: dict[int, ProgramEvaluationSettings],
    forms: _Forms,
    window_start: date,
    day: date,
) -> Iterator[Candidate]:
    faculty_person = dict(Faculty.objects.values_list("pk", "person_id"))
    trainee_ids = set(facts.histories) | set(shift_facts.histories if shift_facts else ())
    trainee_person = dict(Trainee.objects.filter(pk__in=trainee_ids).values_list("pk", "person_id"))
    ended = [
        p for p in facts.placements if window_start <= p.ends_on <= day and p.last_day == p.ends_on
    ]
    by_rotation_span: dict[tuple[int, int, date], list[Placement]] = defaultdict(list)
    for p in ended:
        by_rotation_span[(p.program_id, p.rotation.pk, p.ends_on)].append(p)
    for p in ended:
        if p.rotation.is_off:
            continue
        rules = settings[p.program_id]
        yield from _rotation_and_self(p, forms, trainee_person)
        yield from _peers(p, by_rotation_span, forms, trainee_person, rules, facts)
        if rules.trigger == ProgramEvaluationSettings.Trigger.BLOCK_END:
            yield from _faculty_pairs(p, facts, forms, trainee_person, faculty_person, rules)
    shift_programs = {
        pid for pid, s in settings.items() if s.trigger == ProgramEvaluationSettings.Trigger.SHIFTS
    }
    if shift_programs and shift_facts is not None:
        yield from _shift_pairs(
            shift_facts,
            shift_programs,
            settings,
            forms,
            trainee_person,
            faculty_person,
            window_start,
            day,
        )


def _rotation_and_self(
    p: Placement, forms: _Forms, trainee_person: dict[int, int]
) -> Iterator[Candidate]:
    person = trainee_person[p.trainee_id]
    for kind, prefix in ((K.TRAINEE_OF_ROTATION, "tr"), (K.SELF, "self")):
        version = forms.version(p.program_id, kind, p.rotation.pk)
        if version is None:
            continue
        yield Candidate(
            key=f"{prefix}:{p.trainee_id}:{p.rotation.pk}:{p.ends_on}",
            program_id=p.program_id,
            kind=kind,
            form_version_id=version,
            evaluator_id=person,
            trainee_id=p.trainee_id,
            faculty_id=None,
            rotation_id=p.rotation.pk,
            period_start=p.first_day,
            period_end=p.ends_on,
            contact_days=working_count(p.rotation, p.first_day, p.last_day),
            people_in_training=(p.trainee_id,),
        )


def _peers(
    p: Placement,
    spans: dict[tuple[int, int, date], list[Placement]],
    forms: _Forms,
    trainee_person: dict[int, int],
    rules: ProgramEvaluationSettings,
    facts: ScheduleFacts,
) -> Iterator[Candidate]:
    version = forms.version(p.program_id, K.PEER, p.rotation.pk)
    if version is None:
        return
    for other in spans[(p.program_id, p.rotation.pk, p.ends_on)]:
        if other.trainee_id == p.trainee_id:
            continue
        first, last = max(p.first_day, other.first_day), min(p.last_day, other.last_day)
        if first > last or working_count(p.rotation, first, last) < rules.min_contact_days:
            continue
        yield Candidate(
            key=f"peer:{other.trainee_id}:{p.trainee_id}:{p.rotation.pk}:{p.ends_on}",
            program_id=p.program_id,
            kind=K.PEER,
            form_version_id=version,
            evaluator_id=trainee_person[other.trainee_id],
            trainee_id=p.trainee_id,
            faculty_id=None,
            rotation_id=p.rotation.pk,
            period_start=first,
            period_end=last,
            contact_days=working_count(p.rotation, first, last),
            people_in_training=(p.trainee_id, other.trainee_id),
        )


def _faculty_pairs(
    p: Placement,
    facts: ScheduleFacts,
    forms: _Forms,
    trainee_person: dict[int, int],
    faculty_person: dict[int, int],
    rules: ProgramEvaluationSettings,
) -> Iterator[Candidate]:
    of_trainee = forms.version(p.program_id, K.FACULTY_OF_TRAINEE, p.rotation.pk)
    of_faculty = forms.version(p.program_id, K.TRAINEE_OF_FACULTY, p.rotation.pk)
    for faculty_id, together in placement_contacts(facts, p).items():
        if len(together.days) < rules.min_contact_days:
            continue
        common = dict(
            program_id=p.program_id,
            trainee_id=p.trainee_id,
            faculty_id=faculty_id,
            rotation_id=p.rotation.pk,
            period_start=date.fromordinal(min(together.days)),
            period_end=date.fromordinal(max(together.days)),
            contact_days=len(together.days),
            contact_shifts=len(together.shift_days),
            people_in_training=(p.trainee_id,),
        )
        if of_trainee is not None:
            yield Candidate(
                key=f"ft:{faculty_id}:{p.trainee_id}:{p.rotation.pk}:{p.ends_on}",
                kind=K.FACULTY_OF_TRAINEE,
                form_version_id=of_trainee,
                evaluator_id=faculty_person[faculty_id],
                **common,  # type: ignore[arg-type]
            )
        if of_faculty is not None:
            yield Candidate(
                key=f"tf:{p.trainee_id}:{faculty_id}:{p.rotation.pk}:{p.ends_on}",
                kind=K.TRAINEE_OF_FACULTY,
                form_version_id=of_faculty,
                evaluator_id=trainee_person[p.trainee_id],
                **common,  # type: ignore[arg-type]
            )


def _shift_pairs(
    facts: ScheduleFacts,
    shift_programs: set[int],
    settings: dict[int, ProgramEvaluationSettings],
    forms: _Forms,
    trainee_person: dict[int, int],
    faculty_person: dict[int, int],
    window_start: date,
    day: date,
) -> Iterator[Candidate]:
    """Every `shifts_together`-th shift a pair worked together, when it fell in the window."""
    program_of = {p.trainee_id: p.program_id for p in facts.placements}
    shift_days: dict[tuple[int, int], set[int]] = defaultdict(set)
    rotation_of: dict[tuple[int, int], int] = {}
    for together in together_all(facts).values():
        if program_of.get(together.trainee_id) in shift_programs and together.shift_days:
            pair = (together.trainee_id, together.faculty_id)
            shift_days[pair] |= together.shift_days
            rotation_of[pair] = together.rotation_id
    for (trainee_id, faculty_id), days in shift_days.items():
        program_id = program_of[trainee_id]
        every = max(1, settings[program_id].shifts_together)
        ordered = [date.fromordinal(d) for d in sorted(days)]
        for n in range(every, len(ordered) + 1, every):
            nth = ordered[n - 1]
            if not window_start <= nth <= day:
                continue
            first = ordered[n - every]
            rotation_id = rotation_of[(trainee_id, faculty_id)]
            for kind, prefix, evaluator in (
                (K.FACULTY_OF_TRAINEE, "fs", faculty_person[faculty_id]),
                (K.TRAINEE_OF_FACULTY, "ts", trainee_person[trainee_id]),
            ):
                version = forms.version(program_id, kind, rotation_id)
                if version is None:
                    continue
                yield Candidate(
                    key=f"{prefix}:{trainee_id}:{faculty_id}:{nth}",
                    program_id=program_id,
                    kind=kind,
                    form_version_id=version,
                    evaluator_id=evaluator,
                    trainee_id=trainee_id,
                    faculty_id=faculty_id,
                    rotation_id=rotation_id,
                    period_start=first,
                    period_end=nth,
                    contact_days=every,
                    contact_shifts=every,
                    people_in_training=(trainee_id,),
                )


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


@dataclass
class _NewRequest:
    """A request this run makes, before it has a row (merges may still extend it)."""

    candidate: Candidate
    month: date
    sent_on: date
    expires_on: date
    period_start: date
    period_end: date
    contact_days: int
    contact_shifts: int
    status: str = EvaluationRequest.Status.PENDING
    pk: int | None = None


Target = EvaluationRequest | _NewRequest


@dataclass
class _Source:
    candidate: Candidate
    outcome: str
    target: Target | None = None


def _write(
    candidates: list[Candidate],
    settings: dict[int, ProgramEvaluationSettings],
    histories: dict[int, History],
    day: date,
) -> GenerationResult:
    result = GenerationResult()
    unique = {c.key: c for c in candidates}
    keys = list(unique)
    done: set[str] = set()
    for chunk in _chunks(keys):
        done |= set(RequestSource.objects.filter(key__in=chunk).values_list("key", flat=True))
    result.already_done = len(done)
    todo = sorted(
        (c for k, c in unique.items() if k not in done),
        key=lambda c: (-c.contact_days, c.period_end, c.key),
    )
    if not todo:
        return result
    evaluators = sorted({c.evaluator_id for c in todo})
    open_requests: dict[tuple[Any, ...], list[Target]] = defaultdict(list)
    earliest = min(c.period_start for c in todo) - MERGE_GAP
    open_requests.update(_open_requests(evaluators, earliest))
    load = _monthly_load(evaluators)
    new_requests: list[_NewRequest] = []
    changed: dict[int, EvaluationRequest] = {}
    sources: list[_Source] = []
    spans: dict[int, list[tuple[date, date]]] = {}
    ended = {t for t, h in histories.items() if h.status_on(day) in ENDED}
    for c in todo:
        if not all(
            _still_training(histories.get(t), spans, ended, c) for t in c.people_in_training
        ):
            sources.append(_Source(c, RequestSource.Outcome.NOT_IN_TRAINING))
            result.not_in_training += 1
            continue
        target = _mergeable(open_requests[c.merge_key], c)
        if target is not None:
            _merge(target, c, settings[c.program_id], day)
            if isinstance(target, EvaluationRequest):
                changed[target.pk] = target
            sources.append(_Source(c, RequestSource.Outcome.MERGED, target))
            result.merged += 1
            continue
        month = c.period_end.replace(day=1)
        if load[(c.evaluator_id, month)] >= settings[c.program_id].monthly_cap:
            sources.append(_Source(c, RequestSource.Outcome.CAPPED))
            result.capped += 1
            continue
        load[(c.evaluator_id, month)] += 1
        request = _new_request(c, settings[c.program_id], day, month)
        new_requests.append(request)
        open_requests[c.merge_key].append(request)
        sources.append(_Source(c, RequestSource.Outcome.CREATED, request))
        result.created += 1
        result.by_kind[c.kind] += 1
    with transaction.atomic():
        _insert_requests(new_requests)
        _update_merged(list(changed.values()))
        _insert_sources(sources, day)
    return result


# The rows of one run are written with plain SQL: a year of a whole institution is tens of
# thousands of rows, and the ORM's per-value preparation was most of the run's time.


def _insert(
    model: type[Any], columns: list[str], rows: list[list[Any]], *, ids: bool
) -> list[tuple[Any, ...]]:
    """Insert `rows`; with `ids`, in multi-row statements returning each new row's id with its
    values (the order of returned rows is not promised, so the caller matches them by value),
    else as one statement run for every row (prepared once)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        if not ids:
            if rows:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", rows)
            return out
        per_batch = max(1, min(500, _max_params() // len(columns)))
        for i in range(0, len(rows), per_batch):
            batch = rows[i : i + per_batch]
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(batch))}"
            sql += f" RETURNING {connection.ops.quote_name('id')}, {names}"
            cursor.execute(sql, [value for row in batch for value in row])
            out += [tuple(row) for row in cursor.fetchall()]
    return out


def _max_params() -> int:
    """How many parameters one statement may carry. Django assumes 999 for SQLite, the limit
    of SQLite before 3.32; later versions allow 32766, and fewer, larger statements are
    faster."""
    if connection.vendor == "sqlite":
        import sqlite3

        if sqlite3.sqlite_version_info >= (3, 32, 0):
            return 32766
    return connection.features.max_query_params or 10_000


def _date_adapter() -> Any:
    """The database's own date conversion, remembered per date: a run writes hundreds of
    thousands of dates, but only a few hundred different ones."""
    return functools.lru_cache(maxsize=None)(connection.ops.adapt_datefield_value)


IDENTITY = (
    "evaluator_id",
    "evaluator_kind",
    "trainee_id",
    "faculty_id",
    "rotation_id",
    "period_start",
)


def _insert_requests(requests: list[_NewRequest]) -> None:
    if not requests:
        return
    _d = _date_adapter()
    draft = EvaluationRequest._meta.get_field("draft").get_db_prep_save({}, connection)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = [
        "program_id",
        "form_version_id",
        "evaluator_kind",
        "evaluator_id",
        "evaluator_label",
        "trainee_id",
        "faculty_id",
        "rotation_id",
        "period_start",
        "period_end",
        "month",
        "contact_days",
        "contact_shifts",
        "status",
        "sent_on",
        "expires_on",
        "reminders",
        "draft",
        "revision",
        "created_at",
    ]
    rows = [
        [
            r.candidate.program_id,
            r.candidate.form_version_id,
            r.candidate.kind,
            r.candidate.evaluator_id,
            "",
            r.candidate.trainee_id,
            r.candidate.faculty_id,
            r.candidate.rotation_id,
            _d(r.period_start),
            _d(r.period_end),
            _d(r.month),
            r.contact_days,
            r.contact_shifts,
            r.status,
            _d(r.sent_on),
            _d(r.expires_on),
            0,
            draft,
            0,
            now,
        ]
        for r in requests
    ]
    # Within a run, a request is told apart by its evaluator, kind, subject and first day (the
    # merge rule never leaves two open ones overlapping).
    identity = [columns.index(c) for c in IDENTITY]
    by_identity = {
        tuple(_plain(row[i]) for i in identity): request
        for row, request in zip(rows, requests, strict=True)
    }
    if len(by_identity) != len(requests):  # the merge rule failed; never guess which is which
        raise RuntimeError("two new evaluation requests share evaluator, subject and first day")
    for returned in _insert(EvaluationRequest, columns, rows, ids=True):
        by_identity[tuple(_plain(returned[1 + i]) for i in identity)].pk = returned[0]


def _plain(value: Any) -> Any:
    """A value as sent or as returned compared alike (a backend may hand a date back as text
    or as a date)."""
    return value.isoformat() if isinstance(value, date) else value


def _update_merged(requests: list[EvaluationRequest]) -> None:
    if not requests:
        return
    _d = _date_adapter()
    table = connection.ops.quote_name(EvaluationRequest._meta.db_table)
    sql = (
        f"UPDATE {table} SET period_start = %s, period_end = %s, contact_days = %s, "
        "contact_shifts = %s, expires_on = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [
                    _d(r.period_start),
                    _d(r.period_end),
                    r.contact_days,
                    r.contact_shifts,
                    _d(r.expires_on),
                    r.pk,
                ]
                for r in requests
            ],
        )


def _insert_sources(sources: list[_Source], day: date) -> None:
    _d = _date_adapter()
    columns = [
        "key",
        "request_id",
        "program_id",
        "evaluator_id",
        "outcome",
        "period_start",
        "period_end",
        "considered_on",
    ]
    rows = [
        [
            s.candidate.key,
            s.target.pk if s.target else None,
            s.candidate.program_id,
            s.candidate.evaluator_id,
            s.outcome,
            _d(s.candidate.period_start),
            _d(s.candidate.period_end),
            _d(day),
        ]
        for s in sources
    ]
    _insert(RequestSource, columns, rows, ids=False)


def _still_training(
    history: History | None,
    spans: dict[int, list[tuple[date, date]]],
    ended: set[int],
    c: Candidate,
) -> bool:
    """In training during the period, and not finished by the day of the run (`ended`)."""
    if history is None or history.trainee_id in ended:
        return False
    if history.trainee_id not in spans:
        spans[history.trainee_id] = history.spans()
    return any(a <= c.period_end and b >= c.period_start for a, b in spans[history.trainee_id])


def _open_requests(
    evaluators: list[int], ending_from: date
) -> dict[tuple[Any, ...], list[EvaluationRequest]]:
    """The evaluators' open requests that a unit of this run could merge into."""
    out: dict[tuple[Any, ...], list[EvaluationRequest]] = defaultdict(list)
    for chunk in _chunks(evaluators):
        rows = EvaluationRequest.objects.filter(
            evaluator_id__in=chunk,
            status=EvaluationRequest.Status.PENDING,
            period_end__gte=ending_from,
        )
        for r in rows:
            key: tuple[Any, ...]
            if r.evaluator_kind == K.TRAINEE_OF_ROTATION:
                key = (r.evaluator_id, r.evaluator_kind, r.rotation_id)
            else:
                key = (r.evaluator_id, r.evaluator_kind, r.trainee_id, r.faculty_id)
            out[key].append(r)
    return out


def _monthly_load(evaluators: list[int]) -> dict[tuple[int, date], int]:
    load: dict[tuple[int, date], int] = defaultdict(int)
    for chunk in _chunks(evaluators):
        rows = (
            EvaluationRequest.objects.filter(evaluator_id__in=chunk)
            .exclude(status=EvaluationRequest.Status.CANCELLED)
            .values("evaluator_id", "month")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            load[(row["evaluator_id"], row["month"])] = row["n"]
    return load


def _mergeable(requests: list[Target], c: Candidate) -> Target | None:
    for r in requests:
        if r.status == EvaluationRequest.Status.PENDING and (
            r.period_end >= c.period_start - MERGE_GAP
            and r.period_start <= c.period_end + MERGE_GAP
        ):
            return r
    return None


def _merge(target: Target, c: Candidate, rules: ProgramEvaluationSettings, day: date) -> None:
    target.period_start = min(target.period_start, c.period_start)
    target.period_end = max(target.period_end, c.period_end)
    target.contact_days += c.contact_days
    target.contact_shifts += c.contact_shifts
    target.expires_on = max(target.expires_on, day + timedelta(days=rules.expire_after_days))


def _new_request(
    c: Candidate, rules: ProgramEvaluationSettings, day: date, month: date
) -> _NewRequest:
    return _NewRequest(
        candidate=c,
        month=month,
        sent_on=day,
        expires_on=day + timedelta(days=rules.expire_after_days),
        period_start=c.period_start,
        period_end=c.period_end,
        contact_days=c.contact_days,
        contact_shifts=c.contact_shifts,
    )
