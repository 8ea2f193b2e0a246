"""Calendar feeds (iCalendar, private revocable links) and Excel export and import of a schedule."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event
from openpyxl import Workbook
from openpyxl.styles import Font

from rounds.core.services import audit_record
from rounds.imports.tables import UnreadableFile, read_table
from rounds.imports.uploads import upload_keep, upload_size_problem
from rounds.lib import today as clock
from rounds.lib.exports import xlsx_append
from rounds.lib.params import id_or_none, key_or_none
from rounds.people.access import trainee_of, trainees_visible_to, user_roles
from rounds.schedules import selectors
from rounds.schedules.access import clinical_required, manage_or_404, staff_required
from rounds.schedules.import_job import schedule_import_start
from rounds.schedules.models import (
    CalendarFeed,
    CallAssignment,
    CallSchedule,
    Rotation,
    RotationAssignment,
    RotationSchedule,
)
from rounds.schedules.services import ScheduleError, StaleEdit

FEED_DAYS_BACK, FEED_DAYS_AHEAD = 60, 400


# ---------------------------------------------------------------- calendar feeds


def _feeds_of(request: HttpRequest) -> list[CalendarFeed]:
    return list(
        CalendarFeed.objects.filter(created_by_id=_user_id(request), revoked_at__isnull=True)
        .select_related("trainee__person", "rotation__site")
        .order_by("-created_at")
    )


@clinical_required
def feed_list(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    rotations = (
        Rotation.objects.filter(is_active=True)
        .exclude(kind=Rotation.Kind.VACATION)
        .select_related("site")
    )
    if not roles.is_gme_office:
        rotations = rotations.filter(uses__program__in=_program_ids(request)).distinct()
    context = {
        "feeds": [(f, request.build_absolute_uri(_ics_url(f))) for f in _feeds_of(request)],
        "trainee": trainee_of(request.user),
        "rotations": rotations[:300],
    }
    return render(request, "schedules/feeds.html", context)


def _user_id(request: HttpRequest) -> int:
    assert request.user.pk is not None  # the decorators let only signed-in users through
    return int(request.user.pk)


def _program_ids(request: HttpRequest) -> set[int]:
    roles = user_roles(request.user)
    return set(roles.staffed_program_ids) | {pid for pid, r in roles.by_program.items() if r}


def _ics_url(feed: CalendarFeed) -> str:
    from django.urls import reverse

    return reverse("schedules:ics", args=[feed.token])


@clinical_required
@require_POST
def feed_new(request: HttpRequest) -> HttpResponse:
    rotation_id = request.POST.get("rotation")
    if rotation_id:
        rotation = get_object_or_404(Rotation, pk=id_or_none(rotation_id))
        roles = user_roles(request.user)
        mine = (
            roles.is_gme_office or rotation.uses.filter(program__in=_program_ids(request)).exists()
        )
        if not mine:
            raise Http404("No such service.")
        feed = CalendarFeed.objects.create(rotation=rotation, created_by_id=_user_id(request))
    else:
        trainee = trainee_of(request.user)
        if trainee is None:
            raise Http404("You have no trainee schedule.")
        feed = CalendarFeed.objects.create(trainee=trainee, created_by_id=_user_id(request))
    audit_record(
        by=request.user, action="create", instance=feed, summary=f"{feed} created", changes={}
    )
    messages.success(request, "Your private calendar link is ready. Keep it to yourself.")
    return redirect("schedules:feeds")


@clinical_required
@require_POST
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed, pk=pk, created_by=request.user, revoked_at__isnull=True)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit_record(
        by=request.user, action="update", instance=feed, summary=f"{feed} revoked", changes={}
    )
    messages.success(request, "The link no longer works. Calendars subscribed to it stop updating.")
    return redirect("schedules:feeds")


def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar itself. No sign-in (calendar apps cannot); the token is the key."""
    if key_or_none(token) is None:
        raise Http404("This calendar link was revoked or never existed.")
    feed = (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("trainee__person", "rotation__site", "created_by")
        .first()
    )
    if feed is None:
        raise Http404("This calendar link was revoked or never existed.")
    # A link outlives nothing: if its maker lost the right to see it, it stops.
    if feed.trainee is not None and feed.trainee.person.user_id != feed.created_by_id:
        raise Http404("This calendar link is no longer valid.")
    today = clock.today()
    start, end = (
        today - dt.timedelta(days=FEED_DAYS_BACK),
        today + dt.timedelta(days=FEED_DAYS_AHEAD),
    )
    cal = Calendar()
    cal.add("prodid", "-//Rounds//schedules//EN")
    cal.add("version", "2.0")
    if feed.trainee is not None:
        cal.add("x-wr-calname", f"{feed.trainee.person.full_name}: schedule")
        _trainee_events(cal, feed, start, end)
    elif feed.rotation is not None:
        # A service link stops when its maker no longer belongs to a program using the service.
        maker = user_roles(feed.created_by)
        programs = {pid for pid, roles in maker.by_program.items() if roles}
        if not maker.is_gme_office and not feed.rotation.uses.filter(program__in=programs).exists():
            raise Http404("This calendar link is no longer valid.")
        cal.add("x-wr-calname", f"{feed.rotation.name}, {feed.rotation.site.name}")
        _service_events(cal, feed, start, end)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    return response


def _event(uid: str, summary: str, start: object, end: object, location: str) -> Event:
    event = Event()
    event.add("uid", f"{uid}@rounds")
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("dtstamp", timezone.now())
    if location:
        event.add("location", location)
    return event


def _trainee_events(cal: Calendar, feed: CalendarFeed, start: dt.date, end: dt.date) -> None:
    assert feed.trainee is not None
    for first, last, rotation in selectors.rotation_days(feed.trainee, start, end):
        cal.add_component(
            _event(
                f"rot-{feed.trainee.pk}-{first.isoformat()}",
                rotation.name,
                first,
                last + dt.timedelta(days=1),  # all-day events end the day after
                rotation.site.name,
            )
        )
    for shift in CallAssignment.objects.filter(
        trainee=feed.trainee,
        schedule__status=CallSchedule.Status.PUBLISHED,
        day__gte=start,
        day__lte=end,
    ).select_related("site"):
        cal.add_component(
            _event(f"shift-{shift.pk}", shift.label, shift.start, shift.end, shift.site.name)
        )


def _service_events(cal: Calendar, feed: CalendarFeed, start: dt.date, end: dt.date) -> None:
    """Who is on the service, limited when the feed is read (not when it was made) to the
    trainees its maker may see now (rounds.people.access): all for the GME office, their
    programs' for program leadership, only themselves for a trainee. The link needs no sign-in,
    so it must never show more than its maker could see signed in."""
    assert feed.rotation is not None
    visible = trainees_visible_to(feed.created_by).values("pk")
    rows = RotationAssignment.objects.filter(
        trainee__in=visible,
        rotation=feed.rotation,
        schedule__status=RotationSchedule.Status.PUBLISHED,
        block__start__lte=end,
        block__end__gte=start,
    ).select_related("block", "trainee__person")
    for a in rows:
        first, last = a.block.half_range(a.half)
        cal.add_component(
            _event(
                f"svc-{a.pk}",
                f"{feed.rotation.name}: {a.trainee.person.full_name}",
                first,
                last + dt.timedelta(days=1),
                feed.rotation.site.name,
            )
        )
    for shift in CallAssignment.objects.filter(
        trainee__in=visible,
        schedule__status=CallSchedule.Status.PUBLISHED,
        service=feed.rotation.service,
        site=feed.rotation.site,
        day__gte=start,
        day__lte=end,
    ).select_related("trainee__person"):
        cal.add_component(
            _event(
                f"shift-{shift.pk}",
                f"{shift.label}: {shift.trainee.person.full_name}",
                shift.start,
                shift.end,
                feed.rotation.site.name,
            )
        )


# ---------------------------------------------------------------- Excel


def _schedule(request: HttpRequest, pk: int) -> RotationSchedule:
    schedule = get_object_or_404(RotationSchedule.objects.select_related("program"), pk=pk)
    manage_or_404(request.user, schedule.program)
    return schedule


@staff_required
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    grid = selectors.schedule_grid(schedule)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Version {schedule.number}"
    header = ["trainee_id", "trainee", "pgy", *[f"block {b.number}" for b in grid.blocks]]
    xlsx_append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in grid.rows:
        xlsx_append(
            sheet,
            [
                row.trainee.pk,
                row.trainee.person.full_name,
                row.trainee.pgy,
                *[_cell_text(c) for c in row.cells],
            ],
        )
    sheet.freeze_panes = "D2"
    out = io.BytesIO()
    book.save(out)
    name = f"{schedule.program.slug}-{schedule.academic_year}-v{schedule.number}.xlsx"
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cell_text(cell: selectors.GridCell) -> str:
    """A whole block by its rotation's name; a block in halves as "first / second"."""
    if cell.halves:
        return cell.split_label
    return cell.rotation.name if cell.rotation else ""


@staff_required
@require_POST
def import_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a workbook to import.")
        return redirect("schedules:grid", pk=pk)
    too_large = upload_size_problem(upload.size or 0)
    if too_large:
        messages.error(request, too_large)
        return redirect("schedules:grid", pk=pk)
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    by = request.user
    stored = upload_keep(filename=upload.name or "upload.xlsx", data=upload.read(), by=by)
    job = schedule_import_start(schedule=schedule, upload=stored, revision=revision, by=by)
    return redirect("schedules:job", pk=job.pk)


class ImportProblems(ScheduleError):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("; ".join(lines[:3]))


def schedule_import(
    *, schedule: RotationSchedule, filename: str, data: bytes, revision: int, by: object
) -> int:
    """Replace the draft's cells from a workbook laid out like the export; all or nothing."""
    from rounds.schedules.services import check_editable, half_block_rotations

    try:
        table = read_table(filename, data)
    except UnreadableFile as error:
        raise ImportProblems([f"{filename}: {error}"]) from None
    grid = selectors.schedule_grid(schedule)
    blocks = {f"block_{b.number}": b for b in grid.blocks}
    rows = {str(r.trainee.pk): r for r in grid.rows}
    problems: list[str] = []
    if "trainee_id" not in table.columns:
        problems.append(
            f"{filename}: the column trainee_id is missing; export a workbook to see the layout"
        )
    for column in table.columns:
        if column.startswith("block_") and column not in blocks:
            problems.append(f"{filename}, column {column}: this year has no such block")
    halves_ok = half_block_rotations(schedule.program_id)
    wanted: dict[tuple[int, int], dict[int, Rotation]] = {}
    for row in table.rows:
        key = row.values.get("trainee_id", "").strip().removesuffix(".0")
        grid_row = rows.get(key)
        if grid_row is None:
            problems.append(
                f"{filename}, row {row.number}, column trainee_id: "
                f"no trainee {key!r} in {schedule.program}"
            )
            continue
        for column, block in blocks.items():
            where = f"{filename}, row {row.number}, column {column}"
            cell = _read_cell(row.values.get(column, ""), grid_row, halves_ok, where, problems)
            if cell:
                wanted[grid_row.trainee.pk, block.pk] = cell
    if problems:
        raise ImportProblems(problems)
    with transaction.atomic():
        locked_schedule = RotationSchedule.objects.select_for_update().get(pk=schedule.pk)
        check_editable(locked_schedule, revision)
        current: dict[tuple[int, int], list[RotationAssignment]] = {}
        for a in RotationAssignment.objects.filter(schedule=schedule):
            current.setdefault((a.trainee_id, a.block_id), []).append(a)
        _import_keeps_history(schedule, wanted, current, grid)
        changed = 0
        for (trainee_id, block_id), parts in wanted.items():
            existing = current.get((trainee_id, block_id), [])
            if {a.half: a.rotation_id for a in existing} == {h: r.pk for h, r in parts.items()}:
                continue
            if any(a.locked for a in existing):
                raise StaleEdit("A locked cell would change; unlock it first, then import again.")
            RotationAssignment.objects.filter(
                schedule=schedule, trainee_id=trainee_id, block_id=block_id
            ).delete()
            RotationAssignment.objects.bulk_create(
                RotationAssignment(
                    schedule=schedule,
                    trainee_id=trainee_id,
                    block_id=block_id,
                    half=half,
                    rotation=rotation,
                )
                for half, rotation in parts.items()
            )
            changed += 1
        locked_schedule.revision += 1
        locked_schedule.save(update_fields=["revision"])
        audit_record(
            by=by,
            action="import",
            instance=schedule,
            summary=f"{schedule} imported from {filename}: {changed} cells",
            changes={"cells": changed},
        )
    return changed


def _import_keeps_history(
    schedule: RotationSchedule,
    wanted: dict[tuple[int, int], dict[int, Rotation]],
    current: dict[tuple[int, int], list[RotationAssignment]],
    grid: selectors.Grid,
) -> None:
    """All or nothing: a workbook that would change a block already started is refused, each
    such cell named (history changes only as a correction, one cell at a time, with a reason)."""
    from rounds.schedules.history import started

    blocks = {b.pk: b for b in grid.blocks}
    names = {r.trainee.pk: r.trainee.person.full_name for r in grid.rows}
    problems = []
    for (trainee_id, block_id), parts in wanted.items():
        block = blocks[block_id]
        was = {k: a.rotation_id for a in current.get((trainee_id, block_id), [])
               for k in ((1, 2) if not a.half else (a.half,))}  # fmt: skip
        will = {k: r.pk for h, r in parts.items() for k in ((1, 2) if not h else (h,))}
        if any(was.get(k) != will.get(k) and started(block, k) for k in (1, 2)):
            problems.append(
                f"{names[trainee_id]}, column block_{block.number}: {block.label} started on "
                f"{block.start:%b %-d, %Y} and is history; leave it as it is (correct it on the "
                "grid, with a reason, if it is wrong)"
            )
    if problems:
        raise ImportProblems(problems)


def _read_cell(
    text: str,
    row: selectors.GridRow,
    halves_ok: set[int],
    where: str,
    problems: list[str],
) -> dict[int, Rotation]:
    """One cell of the workbook as {half: rotation}: "Wards" is the whole block (half 0),
    "Clinic / Elective" its two halves. Problems are added to `problems`, naming the cell."""
    names = [name.strip() for name in text.split("/")] if text.strip() else []
    if len(names) > 2:
        problems.append(f"{where}: at most two rotations, one per half, as 'first / second'")
        return {}
    options = {r.name.lower(): r for r in row.options}
    who = f"{row.trainee.person.full_name} (PGY-{row.trainee.pgy})"
    cell: dict[int, Rotation] = {}
    before = len(problems)
    for half, name in enumerate(names, start=1 if len(names) == 2 else 0):
        if name in ("", "—"):
            continue  # a half left empty, as the export writes it
        rotation = options.get(name.lower())
        if rotation is None:
            problems.append(f"{where}: {who} may not rotate on {name!r}")
        elif half and rotation.pk not in halves_ok:
            problems.append(f"{where}: {rotation.name} is not taken for half a block")
        else:
            cell[half] = rotation
    if len(problems) > before:
        return {}
    if len(cell) == 2 and cell[1] == cell[2]:
        return {0: cell[1]}  # one rotation in both halves is the whole block
    return cell
