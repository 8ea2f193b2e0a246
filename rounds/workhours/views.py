"""Work-hour pages. Views check access, call a selector or a service, and render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rounds.core.services import audit_record
from rounds.engine.workhours import RULES
from rounds.engine.workhours.rules import WEEKLY_HOURS
from rounds.lib import today as clock
from rounds.lib.exports import csv_response
from rounds.lib.idempotency import token_from
from rounds.lib.params import day_or_none, year_or_none
from rounds.moonlighting.forms import PeriodWithApprovalForm
from rounds.moonlighting.selectors import unapproved_flags
from rounds.moonlighting.services import entry_link
from rounds.people.access import (
    gme_office_required,
    programs_managed_by,
    require_roles,
    staff_required,
    trainees_visible_to,
    user_roles,
)
from rounds.people.training import history_prefetch
from rounds.workhours import selectors, services
from rounds.workhours.access import may_review, may_use_hours, own_trainee, visible_program
from rounds.workhours.forms import LeaveForm, ReviewForm
from rounds.workhours.models import Finding, LeaveSpan, LoggedPeriod
from rounds.workhours.record import academic_year, program_zone
from rounds.workhours.reminders import reminder_for, reminders_send

hours_required = require_roles(may_use_hours)
# Common shapes of a shift: one tap fills the form, a second saves it.
PRESETS = [
    ("Day 07–19", "clinical", "07:00", "19:00"),
    ("Night 19–07", "clinical", "19:00", "07:00"),
    ("24-h call 07–07", "in_house_call", "07:00", "07:00"),
    ("Clinic 08–17", "clinical", "08:00", "17:00"),
    ("Conference 12–13", "education", "12:00", "13:00"),
    ("Called in 22–01", "home_call_work", "22:00", "01:00"),
]
SOURCE_WORDS = {"schedule": "as scheduled", "last week": "the same as last week"}
RULE_SHORT = {
    "weekly-hours": "80-hour average",
    "one-day-off-in-seven": "Day off in 7",
    "max-continuous-hours": "24 + 4 hours",
    "rest-after-24h": "14 h off after 24",
    "call-every-third-night": "Call every 3rd night",
    "pgy1-moonlighting": "PGY-1 moonlighting",
    "rest-8h": "8 h between shifts",
    "overlapping-periods": "Overlapping entries",
    "work-on-leave": "Work on a leave day",
}
RULE_NAMES = {rule: text for rule, (_, text) in RULES.items()}


def _day(text: str) -> date:
    day = day_or_none(text)
    if day is None:
        raise Http404(f"{text[:20]!r} is not a day Rounds keeps hours for (YYYY-MM-DD).")
    return day


def _week_url(day: date) -> str:
    monday = selectors.monday_of(day)
    return reverse("workhours:week", args=[monday.isoformat()]) + f"#day-{day.isoformat()}"


def _as_of(request: HttpRequest) -> tuple[date, list[dict[str, Any]]]:
    """The day the year's figures run to: today, or the end of an earlier academic year chosen
    with ?year=2025 (the year it starts in). Also the links to the years around it."""
    today = clock.today()
    current = academic_year(today)[0].year
    year = year_or_none(request.GET.get("year", current)) or current
    year = min(max(year, current - 10), current)
    as_of = today if year == current else date(year + 1, 6, 30)
    years = [
        {"year": y, "label": f"{y}-{str(y + 1)[2:]}", "current": y == year}
        for y in range(current - 2, current + 1)
    ]
    return as_of, years


@hours_required
def home(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    if roles.is_gme_office:
        return redirect("workhours:institution")
    if roles.is_staff_member:
        programs = list(programs_managed_by(request.user))
        if len(programs) == 1:
            return redirect("workhours:program_hours", pk=programs[0].pk)
        return render(request, "workhours/programs.html", {"programs": programs})
    return redirect("workhours:week", day=selectors.monday_of(clock.today()).isoformat())


# --- the trainee's own log --------------------------------------------------------------------


@hours_required
def week(request: HttpRequest, day: str) -> HttpResponse:
    trainee = own_trainee(request)
    monday = selectors.monday_of(_day(day))
    if monday.isoformat() != day:
        return redirect("workhours:week", day=monday.isoformat())
    # The page asks six questions of the same log and history: each is read once.
    prefetch_related_objects([trainee], *history_prefetch())
    log = selectors.week_page_log(trainee)
    view = selectors.week_view(trainee, monday, log)
    today = clock.today(view.zone)
    context = {
        "trainee": trainee,
        "view": view,
        "outlook": selectors.outlook(trainee, today, log) if monday <= today else None,
        "missing": selectors.missing_weeks(trainee, today, log),
        "findings": selectors.week_findings(trainee, monday),
        "violation_weeks": selectors.violation_weeks(trainee, today),
        "previous": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat()
        if monday + timedelta(days=7) <= today
        else None,
        "this_week": selectors.monday_of(today).isoformat(),
        "is_this_week": monday == selectors.monday_of(today),
        "is_past": view.sunday < today,
        "from_schedule": view.suggestion_source == "schedule",
    }
    return render(request, "workhours/week.html", context)


@hours_required
@require_POST
def day_as_scheduled(request: HttpRequest, day: str) -> HttpResponse:
    trainee = own_trainee(request)
    when = _day(day)
    if when > clock.today(program_zone(trainee.program)):
        messages.error(request, "You can log a day once it has started.")
        return redirect(_week_url(when))
    shifts, source = selectors.day_suggestions(trainee, when)
    shifts = [s for s in shifts if s.start <= timezone.now()]
    try:
        created = services.day_log_as_scheduled(trainee=trainee, shifts=shifts, by=request.user)
    except services.WorkHoursError as error:
        messages.error(request, f"{when:%a %b %-d}: {error.message}")
        return redirect(_week_url(when))
    if created:
        total = sum(p.hours for p in created)
        messages.success(
            request,
            f"{when:%a %b %-d}: logged {total:g} hours {SOURCE_WORDS[source]}.",
        )
    else:
        messages.info(request, f"{when:%a %b %-d}: nothing new to log.")
    return redirect(_week_url(when))


@hours_required
@require_POST
def week_as_scheduled(request: HttpRequest, day: str) -> HttpResponse:
    """One tap for the week: every day so far that has something to log."""
    trainee = own_trainee(request)
    monday = selectors.monday_of(_day(day))
    view = selectors.week_view(trainee, monday)
    days = view.days_to_tap
    shifts = [s for d in days for s in d.open_suggestions]
    try:
        created = services.day_log_as_scheduled(trainee=trainee, shifts=shifts, by=request.user)
    except services.WorkHoursError as error:
        messages.error(request, f"Nothing was logged: {error.message}")
    else:
        total = sum(p.hours for p in created)
        words = SOURCE_WORDS[view.suggestion_source]
        messages.success(
            request,
            f"Logged {len(days)} day{'s' if len(days) != 1 else ''}, {total:g} hours {words}.",
        )
    return redirect("workhours:week", day=monday.isoformat())


def _period_form_page(
    request: HttpRequest, trainee: Any, period: LoggedPeriod | None
) -> HttpResponse:
    zone = program_zone(trainee.program)
    if request.method == "POST":
        form = PeriodWithApprovalForm(request.POST, zone=zone, trainee=trainee, period=period)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if period is None:
                    saved = services.period_log(
                        trainee=trainee,
                        kind=data["kind"],
                        start=data["start"],
                        end=data["end"],
                        note=data["note"],
                        token=token_from(request.POST),
                        by=request.user,
                    )
                else:
                    saved = services.period_update(
                        period=period,
                        kind=data["kind"],
                        start=data["start"],
                        end=data["end"],
                        note=data["note"],
                        version=form.version_time(),
                        by=request.user,
                    )
            except services.WorkHoursError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                entry_link(period=saved, approval=form.approval)
                messages.success(
                    request, f"Saved: {saved.get_kind_display()}, {saved.hours:g} hours."
                )
                return redirect(_week_url(saved.start.astimezone(zone).date()))
    elif period is not None:
        start, end = period.start.astimezone(zone), period.end.astimezone(zone)
        form = PeriodWithApprovalForm(
            zone=zone,
            trainee=trainee,
            period=period,
            initial={
                "kind": period.kind,
                "day": start.date(),
                "start_time": start.time(),
                "end_time": end.time(),
                "note": period.note,
                "version": period.updated_at.isoformat(),
            },
        )
    else:
        day = request.GET.get("day")
        form = PeriodWithApprovalForm(
            zone=zone,
            trainee=trainee,
            initial={
                "day": day or clock.today(),
                "kind": request.GET.get("kind", "clinical"),
                "start_time": request.GET.get("start"),
                "end_time": request.GET.get("end"),
            },
        )
    back = _week_url(period.start.astimezone(zone).date() if period else clock.today())
    presets = [
        {"label": label, "kind": kind, "start": start, "end": end}
        for label, kind, start, end in PRESETS
    ]
    day_text = request.GET.get("day", "")
    return render(
        request,
        "workhours/entry.html",
        {
            "form": form,
            "period": period,
            "trainee": trainee,
            "back": back,
            "presets": presets if period is None else [],
            "day": day_text,
        },
    )


@hours_required
def entry_new(request: HttpRequest) -> HttpResponse:
    return _period_form_page(request, own_trainee(request), None)


@hours_required
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = own_trainee(request)
    period = get_object_or_404(LoggedPeriod, pk=pk, trainee=trainee)
    return _period_form_page(request, trainee, period)


@hours_required
@require_POST
def entry_remove(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = own_trainee(request)
    period = get_object_or_404(LoggedPeriod, pk=pk, trainee=trainee)
    day = period.start.astimezone(program_zone(trainee.program)).date()
    services.period_remove(period=period, by=request.user)
    messages.success(request, "Entry removed.")
    return redirect(_week_url(day))


@hours_required
def leave_new(request: HttpRequest) -> HttpResponse:
    trainee = own_trainee(request)
    form = LeaveForm(request.POST or None, initial={"start": request.GET.get("day")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            span = services.leave_record(
                trainee=trainee,
                kind=data["kind"],
                start=data["start"],
                end=data["end"],
                token=token_from(request.POST),
                by=request.user,
            )
        except services.WorkHoursError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"Leave recorded: {span}.")
            return redirect(_week_url(span.start))
    return render(request, "workhours/leave.html", {"form": form, "trainee": trainee})


@hours_required
@require_POST
def leave_remove(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = own_trainee(request)
    span = get_object_or_404(LeaveSpan, pk=pk, trainee=trainee)
    services.leave_remove(span=span, by=request.user)
    messages.success(request, "Leave removed.")
    return redirect(_week_url(span.start))


@hours_required
@require_POST
def week_confirm(request: HttpRequest, day: str) -> HttpResponse:
    trainee = own_trainee(request)
    monday = selectors.monday_of(_day(day))
    if monday > clock.today():
        raise Http404("That week has not started.")
    services.week_confirm(trainee=trainee, week_start=monday, by=request.user)
    messages.success(request, f"Week of {monday:%b %-d} marked complete.")
    return redirect("workhours:week", day=monday.isoformat())


# --- program leadership -----------------------------------------------------------------------


@staff_required
def program(request: HttpRequest, pk: int) -> HttpResponse:
    found = visible_program(request, pk)
    as_of, years = _as_of(request)
    compliance = selectors.program_compliance(found, as_of)
    return render(
        request,
        "workhours/program.html",
        {
            "c": compliance,
            "program": found,
            "rule_names": RULE_NAMES,
            "moonlighting_flags": unapproved_flags(
                [row.trainee for row in compliance.rows], compliance.first, compliance.last
            ),
            "chart": chart(compliance.trend, limit=found.weekly_hours_limit),
            "can_review": may_review(request.user, found),
            "years": years,
        },
    )


@staff_required
def trainee_log(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = get_object_or_404(trainees_visible_to(request.user), pk=pk)
    zone = program_zone(trainee.program)
    today = clock.today(zone)
    first = today - timedelta(days=27)
    periods = LoggedPeriod.objects.filter(
        trainee=trainee, start__gte=selectors.local_bounds(first, today, zone)[0]
    ).order_by("-start")
    findings = Finding.objects.filter(trainee=trainee).prefetch_related("reviews__reviewed_by")
    return render(
        request,
        "workhours/trainee.html",
        {
            "trainee": trainee,
            "periods": periods,
            "findings": findings[:100],
            "leave": LeaveSpan.objects.filter(trainee=trainee).order_by("-start")[:20],
            "missing": selectors.missing_weeks(trainee, today),
            "outlook": selectors.outlook(trainee, today),
            "zone": zone,
        },
    )


@staff_required
@require_POST
def trainee_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Program staff email one trainee the weeks they have not logged."""
    trainee = get_object_or_404(trainees_visible_to(request.user), pk=pk)
    weeks = selectors.missing_weeks(trainee)
    if not weeks:
        messages.info(request, f"{trainee.person.full_name} has no weeks to log.")
    elif not trainee.person.email:
        messages.error(request, f"{trainee.person.full_name} has no email address on record.")
    else:
        reminder = reminder_for(trainee, weeks)
        reminders_send([reminder])
        audit_record(
            by=request.user,
            action="workhours.remind",
            instance=trainee,
            summary=f"Reminder about {len(weeks)} unlogged week(s) sent to {trainee}",
            changes={"weeks": [w.isoformat() for w in weeks]},
        )
        messages.success(request, f"Reminder sent to {trainee.person.email}.")
    return redirect("workhours:trainee", pk=trainee.pk)


@staff_required
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        Finding.objects.select_related("trainee__person", "trainee__program"), pk=pk
    )
    program_ = found.trainee.program
    visible_program(request, program_.pk)
    can_review = may_review(request.user, program_)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied("Only the program director or the GME office records reviews.")
        if form.is_valid():
            try:
                services.violation_review(
                    finding=found,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except services.WorkHoursError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, "Review recorded.")
                return redirect("workhours:finding", pk=found.pk)
    return render(
        request,
        "workhours/finding.html",
        {
            "f": found,
            "reviews": found.reviews.select_related("reviewed_by").order_by("-reviewed_at", "-pk"),
            "form": form,
            "can_review": can_review,
            "rule_text": RULE_NAMES.get(found.rule, ""),
            # The block's average as the compliance grid shows it: one selector for both pages.
            "block_average": selectors.block_average(found.trainee, found.starts_on)
            if found.rule == WEEKLY_HOURS
            else None,
            "today": clock.today(),
        },
    )


# --- GME office -------------------------------------------------------------------------------


@gme_office_required
def institution(request: HttpRequest) -> HttpResponse:
    as_of, years = _as_of(request)
    summary = selectors.institution_summary(as_of)
    logging = sorted(
        (p for p in summary.programs if p.trainees_logging),
        key=lambda p: (-(p.rate or 0), -p.violations, p.program.name),
    )
    return render(
        request,
        "workhours/institution.html",
        {
            "s": summary,
            "logging": logging,
            "silent": [p for p in summary.programs if not p.trainees_logging],
            "totals": {
                "violations": sum(p.violations for p in summary.programs),
                "unreviewed": sum(p.unreviewed for p in summary.programs),
                "trainee_weeks": round(sum(p.trainee_weeks for p in summary.programs)),
            },
            "rule_names": RULE_NAMES,
            "rule_short": RULE_SHORT,
            "printable": request.path.endswith("/print/"),
            "years": years,
        },
    )


@gme_office_required
def institution_csv(request: HttpRequest) -> HttpResponse:
    summary = selectors.institution_summary(_as_of(request)[0])
    response, writer = csv_response(f"work-hours-{summary.first.year}-{summary.last.year}.csv")
    writer.writerow(
        [
            "program",
            "trainees",
            "trainees logging",
            "trainee-weeks logged",
            "average weekly hours",
            "violations",
            "violations per 100 trainee-weeks",
            "not yet reviewed",
            *summary.rules,
            *[b.name for b in summary.blocks],
        ]
    )
    for p in summary.programs:
        writer.writerow(
            [
                p.program.name,
                p.trainees,
                p.trainees_logging,
                p.trainee_weeks,
                "" if p.average_hours is None else p.average_hours,
                p.violations,
                "" if p.rate is None else p.rate,
                p.unreviewed,
                *[p.by_rule[r] for r in summary.rules],
                *p.by_block,
            ]
        )
    return response


def chart(trend: list[selectors.TrendPoint], *, limit: float) -> dict[str, Any]:
    """Coordinates for the inline SVG trend: average weekly hours per block and violations."""
    width, height, left, bottom, top = 640, 220, 44, 30, 12
    n = max(len(trend), 1)
    step = (width - left - 10) / n
    top_hours = max([limit + 10, *[p.average_hours or 0 for p in trend]])
    most = max([1, *[p.violations for p in trend]])

    def y(hours: float) -> float:
        return round(height - bottom - hours / top_hours * (height - bottom - top), 1)

    points, bars = [], []
    for i, p in enumerate(trend):
        x = round(left + step * i + step / 2, 1)
        if p.average_hours is not None:
            points.append(
                {"x": x, "y": y(p.average_hours), "value": p.average_hours, "label": p.block.name}
            )
        bar_h = round(p.violations / most * (height - bottom - top) * 0.5, 1)
        bars.append(
            {
                "x": round(x - step * 0.3, 1),
                "w": round(step * 0.6, 1),
                "y": round(height - bottom - bar_h, 1),
                "h": bar_h,
                "n": p.violations,
                "label": p.block.number,
            }
        )
    return {
        "width": width,
        "height": height,
        "left": left,
        "base": height - bottom,
        "limit_y": y(limit),
        "limit": limit,
        "path": " ".join(f"{pt['x']},{pt['y']}" for pt in points),
        "points": points,
        "bars": bars,
        "ticks": [{"y": y(v), "v": v} for v in (0, 40, 80) if v <= top_hours],
    }
