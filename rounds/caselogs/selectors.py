"""Reads of case logs: the program's procedure list, what to pre-fill, queues and progress.

Progress counts only *standing* verified entries: verified, and not replaced by a verified
correction. A pending or returned entry never counts; a correction counts from the day it is
verified, in place of the entry it corrects.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from rounds.caselogs.models import CaseLog, CaseRole, Minimum, Procedure, roles_at_least
from rounds.people.models import Faculty, Trainee
from rounds.people.training import history_of, trainees_in_training

if TYPE_CHECKING:
    from rounds.core.models import Program, Site

Key = tuple[int, str]  # (procedure id, role)


def procedures_for(program: Program) -> QuerySet[Procedure]:
    """The procedures a program's trainees log: its specialty's list, still offered."""
    return Procedure.objects.filter(specialty_id=program.specialty_id, active=True).order_by(
        "category", "name"
    )


def procedure_named(procedures: list[Procedure], typed: str) -> Procedure | None:
    """The procedure of the list a person typed, by its name (any case and spacing) or code."""
    wanted = " ".join(typed.split()).casefold()
    return next((p for p in procedures if wanted in (p.name.casefold(), p.code)), None)


# ---------------------------------------------------------------- pre-filling the form


@dataclass(frozen=True)
class Prefill:
    site: Site | None
    supervisor: Faculty | None
    rotation: str  # what the schedule says the trainee was on, "" when it says nothing


def prefill_for(trainee: Trainee, day: date) -> Prefill:
    """Where the published schedule had the trainee on `day`, and who attended there."""
    from rounds.assessment.selectors import attending_on
    from rounds.schedules.selectors import rotation_days

    spans = [s for s in rotation_days(trainee, day, day) if not s[2].is_off]
    if not spans:
        return Prefill(None, None, "")
    rotation = spans[0][2]
    attending = attending_on(rotation.site, rotation, day)
    return Prefill(rotation.site, attending[0] if attending else None, rotation.name)


def supervisors_for(trainee: Trainee, prefill: Prefill) -> list[Faculty]:
    """Who may be named as supervisor: the program's faculty, and the attending of the day
    (who may belong to another program), by name."""
    found = {
        f.pk: f
        for f in Faculty.objects.select_related("person").filter(
            primary_program_id=trainee.program_id
        )
    }
    if prefill.supervisor is not None:
        found.setdefault(prefill.supervisor.pk, prefill.supervisor)
    return sorted(found.values(), key=lambda f: (f.person.last_name, f.person.first_name))


# ---------------------------------------------------------------- entries and queues


def _loaded(entries: QuerySet[CaseLog]) -> QuerySet[CaseLog]:
    return entries.select_related(
        "procedure", "site", "supervisor__person", "trainee__person", "trainee__program"
    )


def entries_of(trainee: Trainee) -> QuerySet[CaseLog]:
    return _loaded(CaseLog.objects.filter(trainee=trainee)).annotate(
        replaced=Exists(
            CaseLog.objects.filter(corrects=OuterRef("pk"), status=CaseLog.Status.VERIFIED)
        )
    )


def queue_of(faculty: Faculty | None) -> QuerySet[CaseLog]:
    """Entries waiting for `faculty` to verify, oldest first."""
    if faculty is None:
        return CaseLog.objects.none()
    pending = CaseLog.objects.filter(supervisor=faculty, status=CaseLog.Status.PENDING)
    return _loaded(pending).order_by("day", "pk")


def queue_count(faculty: Faculty) -> int:
    return CaseLog.objects.filter(supervisor=faculty, status=CaseLog.Status.PENDING).count()


def standing(entries: QuerySet[CaseLog]) -> QuerySet[CaseLog]:
    """Verified entries not replaced by a verified correction: what counts."""
    replaced = CaseLog.objects.filter(corrects=OuterRef("pk"), status=CaseLog.Status.VERIFIED)
    return entries.filter(status=CaseLog.Status.VERIFIED).exclude(Exists(replaced))


def counts_of(trainee: Trainee) -> tuple[Counter[Key], Counter[Key]]:
    """(standing verified, pending) entries per (procedure, role)."""
    mine = CaseLog.objects.filter(trainee=trainee)
    verified: Counter[Key] = Counter(standing(mine).values_list("procedure_id", "role"))
    pending: Counter[Key] = Counter(
        mine.filter(status=CaseLog.Status.PENDING).values_list("procedure_id", "role")
    )
    return verified, pending


# ---------------------------------------------------------------- progress towards minimums


@dataclass(frozen=True)
class MinimumProgress:
    minimum: Minimum
    verified: int
    pending: int
    due: bool  # by the end of the trainee's current training year or earlier
    overdue: bool  # by the end of a year already finished

    @property
    def met(self) -> bool:
        return self.verified >= self.minimum.count

    @property
    def short(self) -> int:
        return max(0, self.minimum.count - self.verified)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.verified / self.minimum.count))

    @property
    def pending_percent(self) -> int:
        return min(100 - self.percent, round(100 * self.pending / self.minimum.count))


@dataclass
class ProcedureProgress:
    procedure: Procedure
    by_role: list[tuple[str, int, int]]  # (role label, verified, pending), roles logged only
    minimums: list[MinimumProgress] = field(default_factory=list)


def progress_of(trainee: Trainee, day: date) -> list[ProcedureProgress]:
    """Per procedure of the program's list (and any other the trainee logged): counts by role
    and each minimum, with what is verified and what still waits for verification."""
    verified, pending = counts_of(trainee)
    logged = {pk for pk, _ in verified | pending}
    procedures = Procedure.objects.filter(
        specialty_id=trainee.program.specialty_id, active=True
    ) | Procedure.objects.filter(pk__in=logged)
    listed = list(procedures.prefetch_related("minimums").order_by("category", "name"))
    return _progress(listed, verified, pending, history_of(trainee).pgy_on(day))


def _progress(
    procedures: list[Procedure], verified: Counter[Key], pending: Counter[Key], pgy: int
) -> list[ProcedureProgress]:
    rows = []
    for procedure in procedures:
        by_role = [
            (CaseRole(role).label, verified[(procedure.pk, role)], pending[(procedure.pk, role)])
            for role in CaseRole.values
            if verified[(procedure.pk, role)] or pending[(procedure.pk, role)]
        ]
        minimums = [
            MinimumProgress(
                minimum,
                sum(verified[(procedure.pk, r)] for r in roles_at_least(minimum.role)),
                sum(pending[(procedure.pk, r)] for r in roles_at_least(minimum.role)),
                due=minimum.by_pgy <= pgy,
                overdue=minimum.by_pgy < pgy,
            )
            for minimum in procedure.minimums.all()
            if procedure.active  # a procedure dropped from the list has no minimum any more
        ]
        rows.append(ProcedureProgress(procedure, by_role, minimums))
    return rows


@dataclass(frozen=True)
class Standing:
    """A trainee's place against the minimums due at their level."""

    trainee: Trainee
    pgy: int
    overdue_short: int  # entries missing for minimums of years already finished
    due_short: int  # entries missing for minimums due by the end of this year (overdue too)
    verified: int
    pending: int

    @property
    def behind(self) -> bool:
        return self.due_short > 0


def _standing(
    trainee: Trainee,
    pgy: int,
    procedures: list[Procedure],
    verified: Counter[Key],
    pending: Counter[Key],
) -> Standing:
    minimums = [m for row in _progress(procedures, verified, pending, pgy) for m in row.minimums]
    return Standing(
        trainee,
        pgy,
        overdue_short=sum(m.short for m in minimums if m.overdue),
        due_short=sum(m.short for m in minimums if m.due),
        verified=sum(verified.values()),
        pending=sum(pending.values()),
    )


def program_standings(program: Program, day: date) -> list[Standing]:
    """The program's trainees in training today, furthest behind first. A few queries for the
    whole program: the list and its minimums once, the counts of every trainee at once."""
    trainees = [t for t in trainees_in_training([program], day, day) if t.program_id == program.pk]
    procedures = list(procedures_for(program).prefetch_related("minimums"))
    theirs = CaseLog.objects.filter(trainee__in=[t.pk for t in trainees])
    verified: dict[int, Counter[Key]] = defaultdict(Counter)
    for trainee_id, procedure_id, role in standing(theirs).values_list(
        "trainee_id", "procedure_id", "role"
    ):
        verified[trainee_id][(procedure_id, role)] += 1
    pending: dict[int, Counter[Key]] = defaultdict(Counter)
    for trainee_id, procedure_id, role in theirs.filter(status=CaseLog.Status.PENDING).values_list(
        "trainee_id", "procedure_id", "role"
    ):
        pending[trainee_id][(procedure_id, role)] += 1
    standings = [
        _standing(t, history_of(t).pgy_on(day), procedures, verified[t.pk], pending[t.pk])
        for t in trainees
    ]
    return sorted(
        standings,
        key=lambda s: (-s.overdue_short, -s.due_short, s.trainee.person.last_name, s.trainee.pk),
    )


@dataclass(frozen=True)
class LevelSummary:
    pgy: int
    total: int
    behind: int | None  # None: hidden, the group is too small to show (disclosure control)
    on_track: int | None


def level_summaries(standings: list[Standing]) -> list[LevelSummary]:
    """How many are behind at each level: an aggregate about groups, so small cells hide."""
    from rounds.lib.disclosure import hidden_cells

    out = []
    for pgy in sorted({s.pgy for s in standings}):
        level = [s for s in standings if s.pgy == pgy]
        counts = {
            "behind": sum(s.behind for s in level),
            "on_track": sum(not s.behind for s in level),
        }
        hidden = hidden_cells(counts)
        out.append(
            LevelSummary(
                pgy,
                len(level),
                None if "behind" in hidden else counts["behind"],
                None if "on_track" in hidden else counts["on_track"],
            )
        )
    return out


# ---------------------------------------------------------------- export

EXPORT_COLUMNS = [
    "entry_id", "trainee_id", "trainee", "pgy", "date", "specialty", "category",
    "procedure_code", "procedure", "role", "site", "supervisor", "status", "counts",
    "decided_on", "decided_by", "corrects_entry", "comment", "note",
]  # fmt: skip


def export_rows(program: Program) -> list[list[object]]:
    """One row per entry of the program's trainees, oldest first (docs/case-logs.md)."""
    entries = _loaded(CaseLog.objects.filter(trainee__program=program)).select_related(
        "procedure__specialty", "decided_by"
    )
    counting = set(
        standing(CaseLog.objects.filter(trainee__program=program)).values_list("pk", flat=True)
    )
    histories: dict[int, object] = {}
    rows: list[list[object]] = []
    for entry in entries.order_by("day", "pk"):
        trainee = entry.trainee
        if trainee.pk not in histories:
            histories[trainee.pk] = history_of(trainee)
        history = histories[trainee.pk]
        decider = entry.decided_by
        rows.append([
            entry.pk, trainee.pk, trainee.person.full_name,
            history.pgy_on(entry.day),  # type: ignore[attr-defined]
            entry.day.isoformat(), entry.procedure.specialty.name, entry.procedure.category,
            entry.procedure.code, entry.procedure.name, entry.role,
            entry.site.name if entry.site else "", entry.supervisor.person.full_name,
            entry.status, "yes" if entry.pk in counting else "no",
            timezone.localdate(entry.decided_at).isoformat() if entry.decided_at else "",
            (decider.get_full_name() or decider.get_username()) if decider else "",
            entry.corrects_id or "", entry.comment, entry.note,
        ])  # fmt: skip
    return rows
