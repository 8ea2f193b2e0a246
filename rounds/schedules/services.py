"""Writes to schedules. Each runs in a transaction with its audit entry; errors say what to do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol, cast

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Max, Q
from django.forms import ModelForm
from django.utils import timezone

from rounds.core.models import Program, ProgramSite, Site
from rounds.core.services import audit_record, form_save, object_delete
from rounds.engine.rotations.check import Placement
from rounds.lib.idempotency import AlreadySubmitted, submit_once
from rounds.lib.links import absolute_url
from rounds.people.models import Trainee
from rounds.people.training import history_of, history_prefetch
from rounds.schedules.consequences import rotation_fingerprint
from rounds.schedules.history import history_differences, refuse_text, started
from rounds.schedules.models import (
    Block,
    CallSchedule,
    CurriculumRequirement,
    FixedAssignment,
    Preference,
    Rotation,
    RotationAssignment,
    RotationProgram,
    RotationSchedule,
    VacationRequest,
)
from rounds.schedules.problem import pk_of


class ScheduleError(Exception):
    """A schedule change that cannot be made; the message says why and what to do."""


class StaleEdit(ScheduleError):
    pass


# ---------------------------------------------------------------- blocks and rotations


def blocks_create(
    *, program: Program, academic_year: int, scheme: str = Block.Scheme.FOUR_WEEK, by: Any
) -> list[Block]:
    """Cut July 1 – June 30 into 13 four-week blocks (the last takes the spare day) or 12 months."""
    if Block.objects.filter(program=program, academic_year=academic_year).exists():
        raise ScheduleError(
            f"{program} already has blocks for {academic_year}–{academic_year + 1}."
        )
    first, last = dt.date(academic_year, 7, 1), dt.date(academic_year + 1, 6, 30)
    spans: list[tuple[dt.date, dt.date]] = []
    if scheme == Block.Scheme.MONTH:
        for i in range(12):
            month = (6 + i) % 12 + 1
            year = academic_year + (1 if month < 7 else 0)
            start = dt.date(year, month, 1)
            nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
            spans.append((start, nxt - dt.timedelta(days=1)))
    else:
        for i in range(13):
            start = first + dt.timedelta(days=28 * i)
            end = last if i == 12 else start + dt.timedelta(days=27)
            spans.append((start, end))
    with transaction.atomic():
        blocks = [
            Block.objects.create(
                program=program,
                academic_year=academic_year,
                number=n,
                scheme=scheme,
                start=start,
                end=end,
            )
            for n, (start, end) in enumerate(spans, start=1)
        ]
        audit_record(
            by=by,
            action="create",
            instance=program,
            summary=f"{len(blocks)} blocks for {program} {academic_year}–{academic_year + 1}",
            changes={"scheme": scheme},
        )
    return blocks


def vacation_rotation(program: Program) -> Rotation:
    """The program's 'Vacation' rotation, where off blocks are stored."""
    existing = Rotation.objects.filter(kind=Rotation.Kind.VACATION, uses__program=program).first()
    if existing is not None:
        return existing
    link = ProgramSite.objects.filter(program=program).order_by("-is_primary").first()
    site = link.site if link else Site.objects.order_by("pk").first()
    if site is None:
        raise ScheduleError("Add a site before scheduling: every rotation happens somewhere.")
    rotation, _ = Rotation.objects.get_or_create(
        site=site,
        name=f"Vacation ({program.slug})",
        defaults={"service": "Vacation", "kind": Rotation.Kind.VACATION, "day_hours": 0},
    )
    RotationProgram.objects.get_or_create(rotation=rotation, program=program)
    return rotation


# ---------------------------------------------------------------- versions


def require_reason(previous: Versioned | None, reason: str) -> None:
    """A version that replaces a published one says why, so the people affected know."""
    if previous is not None and not reason.strip():
        raise ScheduleError(
            f"Version {previous.number} is published already: say why it changes, so the "
            "people affected know."
        )


class StalePreview(ScheduleError):
    """What would be published is not what the coordinator previewed."""


def require_fingerprint(seen: str, now: str) -> None:
    if seen != now:
        raise StalePreview(
            "This draft, or the version it replaces, changed after you previewed it. Look at "
            "the preview again: it shows what publishing would change now."
        )


def publish_replacing(
    previous: RotationSchedule | CallSchedule | None,
    schedule: RotationSchedule | CallSchedule,
    reason: str,
) -> None:
    """The step publishing shares for rotation years and call months: the version published so
    far (if any) is superseded, this one published with its reason. Inside the caller's
    transaction, after `require_reason`."""
    if previous is not None:
        previous.status = previous.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    schedule.status = schedule.Status.PUBLISHED
    schedule.published_at = timezone.now()
    schedule.reason = reason[:300]
    schedule.save(update_fields=["status", "published_at", "reason"])


def lock_program(program: Program) -> None:
    """Inside a transaction: wait for any other version being made for this program. Two
    coordinators making a new version at once then get numbers one after the other, not the
    same number and an error page (PostgreSQL; SQLite writes one transaction at a time)."""
    list(Program.objects.select_for_update().filter(pk=program.pk).values_list("pk", flat=True))


def year_open_check(academic_year: int) -> None:
    """A year closed by the year rollover is archived: no schedule of it changes again."""
    from rounds.people.rollover import year_archived

    if year_archived(academic_year):
        raise ScheduleError(
            f"{academic_year}–{academic_year + 1} was rolled over and is archived read-only; "
            "its schedules can be read and exported, not changed."
        )


def _next_number(program: Program, academic_year: int) -> int:
    year_open_check(academic_year)
    lock_program(program)
    top = RotationSchedule.objects.filter(program=program, academic_year=academic_year).aggregate(
        n=Max("number")
    )["n"]
    return (top or 0) + 1


def schedule_create(
    *,
    program: Program,
    academic_year: int,
    by: Any,
    reason: str = "",
    based_on: RotationSchedule | None = None,
    placements: Iterable[Placement] | None = None,
    solve_input: dict[str, Any] | None = None,
    solve_result: dict[str, Any] | None = None,
) -> RotationSchedule:
    """A new draft: a copy of `based_on` (with its locks), or the solver's placements."""
    with transaction.atomic():
        schedule = RotationSchedule.objects.create(
            program=program,
            academic_year=academic_year,
            number=_next_number(program, academic_year),
            reason=reason[:300],
            based_on=based_on,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            solve_input=solve_input or {},
            solve_result=solve_result or {},
        )
        if based_on is not None and placements is None:
            RotationAssignment.objects.bulk_create(
                RotationAssignment(
                    schedule=schedule,
                    trainee_id=a.trainee_id,
                    block_id=a.block_id,
                    half=a.half,
                    rotation_id=a.rotation_id,
                    locked=a.locked,
                    correction=a.correction,
                )
                for a in based_on.assignments.all()
            )
        if placements is not None:
            _write_placements(schedule, placements, based_on)
        audit_record(
            by=by,
            action="create",
            instance=schedule,
            summary=f"draft {schedule} created" + (f": {reason}" if reason else ""),
            changes={"based_on": based_on.pk if based_on else None},
        )
    return schedule


def _write_placements(
    schedule: RotationSchedule, placements: Iterable[Placement], based_on: RotationSchedule | None
) -> None:
    blocks = {
        b.number: b
        for b in Block.objects.filter(
            program=schedule.program, academic_year=schedule.academic_year
        )
    }
    off = vacation_rotation(schedule.program)
    locked = set()
    corrected: dict[tuple[int, int, int, int], str] = {}
    if based_on is not None:
        locked = set(
            based_on.assignments.filter(locked=True).values_list("trainee_id", "block__number")
        )
        # A correction stays marked on the cell it made, as long as the cell keeps it.
        for t, number, half, rotation, why in based_on.assignments.exclude(
            correction=""
        ).values_list("trainee_id", "block__number", "half", "rotation_id", "correction"):
            corrected[t, number, half, rotation] = why
    RotationAssignment.objects.bulk_create(
        RotationAssignment(
            schedule=schedule,
            trainee_id=pk_of(p.trainee),
            block=blocks[p.block],
            half=p.half,
            rotation_id=(rotation := pk_of(p.rotation) if p.rotation else off.pk),
            locked=(pk_of(p.trainee), p.block) in locked,
            correction=corrected.get((pk_of(p.trainee), p.block, p.half, rotation), ""),
        )
        for p in placements
        if p.block in blocks
    )


class Versioned(Protocol):
    """A schedule version that is edited by hand: a rotation year or a call month."""

    pk: Any
    number: int
    status: str
    revision: int

    def get_status_display(self) -> str: ...

    def save(self, *, update_fields: list[str]) -> None: ...


def check_editable(schedule: Versioned, revision: int) -> None:
    """Refuse an edit to a published version, or one made against an older revision of the draft
    (someone else saved in between): never a silent overwrite.

    Call it inside the edit's transaction. It reads the status and revision again under a row
    lock (select_for_update) held until that transaction ends, so of two edits made against
    the same revision the second waits for the first to commit, then sees the revision it
    raised and is refused. (SQLite has no row locks; its IMMEDIATE transactions let one writer
    in at a time, which serializes the same way.)"""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("check_editable runs inside the edit's transaction.atomic()")
    manager = cast(Any, type(schedule))._default_manager
    fresh = manager.select_for_update().values_list("status", "revision").get(pk=schedule.pk)
    schedule.status, schedule.revision = fresh
    if schedule.status != "draft":
        raise ScheduleError(
            f"Version {schedule.number} is {schedule.get_status_display().lower()} and cannot "
            "change. Start a new version from it, with the reason for the change."
        )
    if schedule.revision != revision:
        raise StaleEdit(
            "Someone else changed this draft after you loaded it. The grid now shows their "
            "change; make yours again if it still applies."
        )


def require_correctable(schedule: Versioned, revision: int | None, what: str) -> None:
    """A correction of history goes into a draft only (rotation cells and call days alike): the
    revision the person saw is checked when given, and a published version is refused."""
    if revision is not None:
        check_editable(schedule, revision)
    elif schedule.status != "draft":
        raise ScheduleError(
            f"Version {schedule.number} is {schedule.get_status_display().lower()} and never "
            f"changes. Start a new version from it and correct the {what} there."
        )


def revision_bump(schedule: Versioned) -> None:
    """Every saved edit raises the revision, so edits made against the old one are refused.
    Runs after `check_editable` in the same transaction, so the row is still locked."""
    schedule.revision += 1
    schedule.save(update_fields=["revision"])


def assignment_set(
    *,
    schedule: RotationSchedule,
    trainee: Trainee,
    block: Block,
    rotation: Rotation,
    revision: int,
    by: Any,
    second: Rotation | None = None,
) -> RotationAssignment:
    """Put a trainee on a rotation for a whole block of a draft, or on `rotation` then `second`
    for half a block each, if nobody edited it meanwhile."""
    if second == rotation:
        second = None  # one rotation in both halves is the whole block
    catalogue = program_rotations(schedule.program_id)
    for part in (rotation, second):
        if part is not None and part.pk not in catalogue:
            raise ScheduleError(
                f"{part.name} is not one of {schedule.program}'s rotations; "
                "add it on the program's setup page first."
            )
    if second is not None:
        allowed = half_block_rotations(schedule.program_id)
        for part in (rotation, second):
            if part.pk not in allowed:
                raise ScheduleError(
                    f"{part.name} is not taken for half a block in {schedule.program}; "
                    "allow half-blocks for it on the program's setup page first."
                )
    with transaction.atomic():
        schedule = RotationSchedule.objects.select_for_update().get(pk=schedule.pk)
        check_editable(schedule, revision)
        if trainee.program_id != schedule.program_id or block.program_id != schedule.program_id:
            raise ScheduleError("That trainee or block belongs to another program.")
        cell = RotationAssignment.objects.filter(
            schedule=schedule, trainee=trainee, block=block
        ).select_related("rotation")
        before = [a.rotation.name for a in cell]
        if any(a.locked for a in cell):
            raise ScheduleError(
                f"{trainee.person} in {block.label} is locked. Unlock the cell to change it."
            )
        parts = [(0, rotation)] if second is None else [(1, rotation), (2, second)]
        _keep_history(list(cell), block, parts)
        cell.delete()
        created = [
            RotationAssignment.objects.create(
                schedule=schedule, trainee=trainee, block=block, half=half, rotation=part
            )
            for half, part in parts
        ]
        revision_bump(schedule)
        label = " / ".join(part.name for _half, part in parts)
        audit_record(
            by=by,
            action="update",
            instance=schedule,
            summary=f"{trainee.person} in {block.label}: {label}",
            changes={"from": before, "to": label},
        )
    return created[0]


def _keep_history(
    cell: list[RotationAssignment], block: Block, parts: list[tuple[int, Rotation]]
) -> None:
    """Refuse a hand edit that would change a half of the block that has started."""
    was = {k: a.rotation_id for a in cell for k in ((1, 2) if not a.half else (a.half,))}
    will = {k: r.pk for half, r in parts for k in ((1, 2) if not half else (half,))}
    for k in (1, 2):
        if was.get(k) != will.get(k) and started(block, k):
            raise ScheduleError(refuse_text(block, 0 if started(block, 2) else 1))


def program_rotations(program_id: int) -> set[int]:
    """The program's catalogue: the active rotations its trainees may be placed on."""
    return set(
        RotationProgram.objects.filter(program_id=program_id, rotation__is_active=True).values_list(
            "rotation_id", flat=True
        )
    )


def half_block_rotations(program_id: int) -> set[int]:
    """Rotations the program's trainees may take for half a block."""
    return set(
        RotationProgram.objects.filter(program_id=program_id, half_blocks=True).values_list(
            "rotation_id", flat=True
        )
    )


def assignment_lock(
    *,
    schedule: RotationSchedule,
    trainee: Trainee,
    block: Block,
    locked: bool,
    revision: int,
    by: Any,
) -> None:
    if locked and started(block):
        raise ScheduleError(
            f"{block.label} has started: what was worked there is kept without a lock."
        )
    with transaction.atomic():
        schedule = RotationSchedule.objects.select_for_update().get(pk=schedule.pk)
        check_editable(schedule, revision)
        changed = RotationAssignment.objects.filter(
            schedule=schedule, trainee=trainee, block=block
        ).update(locked=locked)
        if not changed:
            raise ScheduleError(f"{trainee.person} has no rotation in {block.label} to lock.")
        revision_bump(schedule)
        audit_record(
            by=by,
            action="update",
            instance=schedule,
            summary=f"{trainee.person} in {block.label} {'locked' if locked else 'unlocked'}",
            changes={"locked": locked},
        )


def assignment_correct(
    *,
    schedule: RotationSchedule,
    trainee: Trainee,
    block: Block,
    half: int,
    rotation: Rotation,
    reason: str,
    by: Any,
    revision: int | None = None,
) -> RotationAssignment:
    """Correct history: what a trainee really worked in a block (or one half of it) that has
    started, with the reason. Only on a draft: the correction is marked on the cell, audited, and
    reaches the published schedule (and the work-hour pre-fill and checks that read it) when the
    draft is published."""
    reason = reason.strip()
    if not reason:
        raise ScheduleError("Say why history is corrected; the correction is kept with it.")
    if half not in (0, 1, 2):
        raise ScheduleError("Choose the whole block or one of its halves.")
    if not started(block, half):
        raise ScheduleError(
            f"{block.label} has not started yet: change it on the grid, no correction needed."
        )
    with transaction.atomic():
        schedule = RotationSchedule.objects.select_for_update().get(pk=schedule.pk)
        require_correctable(schedule, revision, "cell")
        if trainee.program_id != schedule.program_id or block.program_id != schedule.program_id:
            raise ScheduleError("That trainee or block belongs to another program.")
        cell = list(
            RotationAssignment.objects.filter(
                schedule=schedule, trainee=trainee, block=block
            ).select_related("rotation")
        )
        was = {k: a.rotation for a in cell for k in ((1, 2) if not a.half else (a.half,))}
        names = [was[k].name for k in ((1, 2) if not half else (half,)) if k in was]
        before = " / ".join(dict.fromkeys(names)) or "nothing"
        RotationAssignment.objects.filter(schedule=schedule, trainee=trainee, block=block).delete()
        other = 3 - half if half else 0
        if other and other in was:
            RotationAssignment.objects.create(
                schedule=schedule, trainee=trainee, block=block, half=other, rotation=was[other]
            )
        corrected = RotationAssignment.objects.create(
            schedule=schedule,
            trainee=trainee,
            block=block,
            half=half,
            rotation=rotation,
            correction=reason[:300],
        )
        revision_bump(schedule)
        where = half_text(block, half)
        audit_record(
            by=by,
            action="correct",
            instance=schedule,
            summary=f"{trainee.person} in {where} corrected: {before} → {rotation.name} ({reason})"[
                :300
            ],
            changes={"from": before, "to": rotation.name, "half": half, "reason": reason},
        )
    return corrected


def half_text(block: Block, half: int) -> str:
    if not half:
        return block.label
    return f"the {'first' if half == 1 else 'second'} half of {block.label}"


def history_keep(previous: RotationSchedule | None, schedule: RotationSchedule) -> None:
    """Refuse to publish a version that rewrites history other than by marked corrections."""
    lines = history_differences(previous, schedule)
    if lines:
        more = f" and {len(lines) - 3} more" if len(lines) > 3 else ""
        assert previous is not None
        raise ScheduleError(
            f"This draft differs from version {previous.number} in blocks that have started: "
            f"{'; '.join(lines[:3])}{more}. History changes only as a correction with a reason: "
            "correct those cells, or start a new version from the published one."
        )


def schedule_publish(
    *,
    schedule: RotationSchedule,
    by: Any,
    reason: str = "",
    notify: bool = True,
    fingerprint: str | None = None,
) -> list[Trainee]:
    """Publish a draft; the version it replaces is superseded. Returns the trainees told.

    `fingerprint` is the one of the preview the coordinator saw (`consequences`): publishing is
    refused if the draft or the version in force changed since, so nothing is published unseen.
    """
    with transaction.atomic():
        schedule = RotationSchedule.objects.select_for_update().get(pk=schedule.pk)
        if not schedule.is_draft:
            raise ScheduleError(f"Version {schedule.number} is already {schedule.status}.")
        if not schedule.assignments.exists():
            raise ScheduleError("This draft is empty; solve it or fill it in before publishing.")
        previous = RotationSchedule.objects.filter(
            program=schedule.program,
            academic_year=schedule.academic_year,
            status=RotationSchedule.Status.PUBLISHED,
        ).first()
        if fingerprint is not None:
            require_fingerprint(fingerprint, rotation_fingerprint(schedule, previous))
        reason = reason.strip() or schedule.reason
        require_reason(previous, reason)
        history_keep(previous, schedule)
        affected = _changed_trainees(previous, schedule)
        publish_replacing(previous, schedule, reason)
        from rounds.record.site_access import site_access_assign

        site_access_assign(schedule=schedule)  # badges and EHR access before each new site
        audit_record(
            by=by,
            action="publish",
            instance=schedule,
            summary=f"{schedule} published; {len(affected)} trainee(s) affected",
            changes={"superseded": previous.pk if previous else None, "reason": schedule.reason},
        )
        if notify and affected:
            transaction.on_commit(lambda: _tell(schedule, affected))
    return affected


def _changed_trainees(
    previous: RotationSchedule | None, schedule: RotationSchedule
) -> list[Trainee]:
    def cells(s: RotationSchedule) -> dict[int, set[tuple[int, int, int]]]:
        out: dict[int, set[tuple[int, int, int]]] = {}
        for t, b, h, r in s.assignments.values_list(
            "trainee_id", "block_id", "half", "rotation_id"
        ):
            out.setdefault(t, set()).add((b, h, r))
        return out

    new = cells(schedule)
    old = cells(previous) if previous is not None else {}
    changed = [t for t in set(new) | set(old) if new.get(t) != old.get(t)]
    # Nobody is told about a year they are not in training for (next July's interns dropped
    # from a version that wrongly held them).
    year = dt.date(schedule.academic_year, 7, 1), dt.date(schedule.academic_year + 1, 6, 30)
    return [
        t
        for t in Trainee.objects.filter(pk__in=changed)
        .select_related("person")
        .prefetch_related(*history_prefetch())
        if history_of(t).in_training_during(*year)
    ]


def _tell(schedule: RotationSchedule, trainees: list[Trainee]) -> None:
    url = absolute_url("schedules:mine")
    subject = f"Your rotation schedule changed: {schedule.program} {schedule.academic_year}"
    why = f"\nReason: {schedule.reason}\n" if schedule.reason else "\n"
    messages = [
        (
            subject,
            f"Dear {t.person.first_name},\n\nVersion {schedule.number} of the "
            f"{schedule.program} rotation schedule was published and your blocks changed.{why}"
            f"See your schedule: {url}\n",
            settings.DEFAULT_FROM_EMAIL,
            [t.person.email],
        )
        for t in trainees
        if t.person.email
    ]
    send_mass_mail(messages, fail_silently=True)


def schedule_compare(
    a: RotationSchedule, b: RotationSchedule
) -> list[tuple[Trainee, Block, str, str]]:
    """Cells that differ: (trainee, block, rotation in a, rotation in b); a block split in
    halves reads "first / second"."""

    def cells(s: RotationSchedule) -> dict[tuple[int, int], str]:
        parts: dict[tuple[int, int], dict[int, str]] = {}
        for x in s.assignments.select_related("rotation"):
            parts.setdefault((x.trainee_id, x.block_id), {})[x.half] = x.rotation.name
        return {key: " / ".join(names[h] for h in sorted(names)) for key, names in parts.items()}

    ca, cb = cells(a), cells(b)
    keys = sorted(k for k in set(ca) | set(cb) if ca.get(k) != cb.get(k))
    trainees = Trainee.objects.in_bulk({k[0] for k in keys})
    blocks = Block.objects.in_bulk({k[1] for k in keys})
    rows = [(trainees[t], blocks[bl], ca.get((t, bl), "—"), cb.get((t, bl), "—")) for t, bl in keys]
    return sorted(rows, key=lambda r: (r[0].person.last_name, r[1].number))


def vacation_request(
    *, trainee: Trainee, block: Block, note: str, by: Any, token: str = ""
) -> VacationRequest:
    """Ask for a block off; the same form (`token`) sent twice asks once, and says so twice."""
    if block.program_id != trainee.program_id:
        raise ScheduleError("That block belongs to another program's year.")

    def create() -> VacationRequest:
        request, created = VacationRequest.objects.get_or_create(
            trainee=trainee, block=block, defaults={"note": note[:200]}
        )
        if not created:
            raise ScheduleError(f"You already asked for {block.label} ({request.status}).")
        audit_record(by=by, action="create", instance=request, summary=str(request), changes={})
        return request

    with transaction.atomic():
        try:
            request, _first = submit_once(
                token=token, scope="schedules.vacation", by=by, model=VacationRequest, write=create
            )
        except AlreadySubmitted as error:
            raise ScheduleError(error.message) from None
    return request


def vacation_decide(*, request: VacationRequest, approve: bool, by: Any) -> None:
    with transaction.atomic():
        request.status = (
            VacationRequest.Status.APPROVED if approve else VacationRequest.Status.DECLINED
        )
        request.save(update_fields=["status"])
        audit_record(by=by, action="update", instance=request, summary=str(request), changes={})


def vacations_decide(
    *, program: Program, pks: Iterable[int], approve: bool, by: Any
) -> list[VacationRequest]:
    """Decide several of a program's requests at once, all or none. Only those still waiting
    are decided, so a second submit of the same form changes (and tells) nobody again."""
    with transaction.atomic():
        waiting = list(
            VacationRequest.objects.select_for_update()
            .filter(
                pk__in=list(pks),
                block__program=program,
                status=VacationRequest.Status.REQUESTED,
            )
            .select_related("trainee__person", "block")
        )
        for request in waiting:
            vacation_decide(request=request, approve=approve, by=by)
    return waiting


# ---------------------------------------------------------------- a program's rotations and wishes


def rotation_save(
    *, rotation_form: ModelForm[Any], use_form: ModelForm[Any], program: Program, by: Any
) -> RotationProgram:
    """Save a rotation and this program's use of it together, each with its audit entry."""
    with transaction.atomic():
        rotation = form_save(form=rotation_form, by=by)
        use_form.instance.rotation = rotation
        use_form.instance.program = program
        use = form_save(form=use_form, by=by)
    assert isinstance(use, RotationProgram)
    return use


def rotation_join_save(*, form: ModelForm[Any], program: Program, by: Any) -> RotationProgram:
    """This program starts using an existing rotation (its own PGY range and numbers)."""
    with transaction.atomic():
        form.instance.program = program
        use = form_save(form=form, by=by)
    assert isinstance(use, RotationProgram)
    return use


def rotation_in_published(use: RotationProgram) -> RotationSchedule | None:
    """The newest published (or superseded) version of the program that places anyone there."""
    return (
        RotationSchedule.objects.filter(
            program_id=use.program_id,
            assignments__rotation_id=use.rotation_id,
        )
        .exclude(status=RotationSchedule.Status.DRAFT)
        .order_by("-academic_year", "-number")
        .first()
    )


def rotation_remove(*, use: RotationProgram, by: Any) -> None:
    """Take a rotation out of a program. Refused while a published schedule or a curriculum line
    uses it; the rotation itself goes too once nothing else refers to it."""
    rotation = use.rotation
    published = rotation_in_published(use)
    if published is not None:
        raise ScheduleError(
            f"{rotation.name} cannot be removed: version {published.number} of the "
            f"{published.academic_year}–{published.academic_year + 1} schedule "
            f"({published.get_status_display().lower()}) places trainees there, and published "
            "schedules never change."
        )
    line = CurriculumRequirement.objects.filter(
        program_id=use.program_id, rotation=rotation
    ).first()
    if line is not None:
        raise ScheduleError(
            f"{rotation.name} cannot be removed: the curriculum line '{line.sentence}' needs it. "
            "Change or delete that line first."
        )
    with transaction.atomic():
        object_delete(instance=use, by=by)
        orphan = not (
            RotationProgram.objects.filter(rotation=rotation).exists()
            or RotationAssignment.objects.filter(rotation=rotation).exists()
            or FixedAssignment.objects.filter(rotation=rotation).exists()
            or CurriculumRequirement.objects.filter(rotation=rotation).exists()
        )
        if orphan:
            object_delete(instance=rotation, by=by)


def preferences_set(
    *,
    trainee: Trainee,
    academic_year: int,
    wishes: list[tuple[Rotation, Block | None, int]],
    by: Any,
) -> list[Preference]:
    """Replace a trainee's wishes for a year (and their wishes for any block) with `wishes`."""
    with transaction.atomic():
        old = Preference.objects.filter(trainee=trainee).filter(
            Q(block__isnull=True) | Q(block__academic_year=academic_year)
        )
        before = [str(p) for p in old.select_related("rotation", "block", "trainee__person")]
        old.delete()
        created = Preference.objects.bulk_create(
            Preference(trainee=trainee, rotation=rotation, block=block, weight=weight)
            for rotation, block, weight in wishes
        )
        audit_record(
            by=by,
            action="update",
            instance=trainee,
            summary=f"{trainee.person}: {len(created)} rotation wish(es) for {academic_year}",
            changes={
                "from": before,
                "to": [f"{r.name}{f' in {b.label}' if b else ''} ({w:+d})" for r, b, w in wishes],
            },
        )
    return created
