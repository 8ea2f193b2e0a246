"""Pages of conferences. Thin: access.py decides, services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from rounds.conferences import selectors, services
from rounds.conferences.access import (
    conference_programs,
    may_check_in,
    may_manage_program_conferences,
    may_manage_series,
    may_see_attendance_of,
    may_show_code,
    may_use_conferences,
    sessions_presented_by,
)
from rounds.conferences.forms import (
    CancelForm,
    CheckInForm,
    ExcuseForm,
    PatternForm,
    SeriesForm,
    SessionForm,
)
from rounds.conferences.models import Series, Session
from rounds.conferences.qr import qr_svg
from rounds.conferences.services import ConferenceError
from rounds.core.models import Program
from rounds.lib.idempotency import made_earlier, token_from
from rounds.people.access import trainee_of, user_roles
from rounds.people.models import Trainee


def _refused(form: Form, error: ConferenceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff: their programs. A trainee: check-in and their attendance. Faculty (and anyone
    presenting): the sessions they present."""
    if not may_use_conferences(user_roles(request.user)):
        raise PermissionDenied("Your roles do not include conferences.")
    programs = list(conference_programs(request.user).order_by("name"))
    moment = selectors.now()
    presenting = sessions_presented_by(request.user).filter(day__gte=moment.date())
    context = {
        "programs": programs,
        "presenting": presenting[:50],
        "trainee": trainee_of(request.user),
    }
    return render(request, "conferences/home.html", context)


def _managed_program(request: HttpRequest, pk: int) -> Program:
    program = get_object_or_404(Program, pk=pk)
    if not may_manage_program_conferences(request.user, program):
        raise PermissionDenied("Conferences of this program are managed by its own staff.")
    return program


@login_required
def program_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The program's series, a form for a new one, and every trainee's rates this year."""
    program = _managed_program(request, pk)
    form = SeriesForm(request.POST or None)
    token = token_from(request.POST)
    earlier = made_earlier(token=token, scope="conferences.series", by=request.user, model=Series)
    if earlier is not None:  # the same form sent twice: answer as the first time
        return redirect("conferences:series", earlier.pk)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.series_create(
                program=program,
                name=form.cleaned_data["name"],
                required_rate=form.cleaned_data["rate"],
                description=form.cleaned_data["description"],
                token=token,
                by=request.user,
            )
        except ConferenceError as error:
            _refused(form, error)
        else:
            messages.success(request, f"Series {series.name} created. Now add its sessions.")
            return redirect("conferences:series", series.pk)
    first, last = selectors.year_bounds(selectors.now().date())
    series_list = selectors.program_series(program.pk)
    rows = selectors.series_rows(series_list, first, last)
    status = 400 if form.errors else 200
    context = {"program": program, "series_list": series_list, "rows": rows, "form": form}
    context |= {"first": first, "last": last, "below": sum(1 for r in rows if r.tally.below)}
    return render(request, "conferences/program.html", context, status=status)


def _managed_series(request: HttpRequest, pk: int) -> Series:
    series = get_object_or_404(Series.objects.select_related("program"), pk=pk)
    if not may_manage_series(request.user, series):
        raise Http404
    return series


@login_required
def series_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Sessions to come and held, a single session, a weekly pattern, and the rates."""
    series = _managed_series(request, pk)
    action = request.POST.get("action", "")
    single = SessionForm(request.POST if action == "single" else None, prefix="one")
    weekly = PatternForm(request.POST if action == "weekly" else None, prefix="week")
    if request.method == "POST":
        done = _series_post(request, series, single if action == "single" else weekly)
        if done is not None:
            return done
    moment = selectors.now()
    sessions = list(series.sessions.select_related("site", "presenter"))
    first, last = selectors.year_bounds(moment.date())
    context: dict[str, Any] = {
        "series": series,
        "program": series.program,
        "upcoming": [s for s in sessions if s.ends_at > moment],
        "past": [s for s in sessions if s.ends_at <= moment][::-1],
        "single": single,
        "weekly": weekly,
        "rows": selectors.series_rows([series], first, last),
    }
    status = 400 if single.errors or weekly.errors else 200
    return render(request, "conferences/series.html", context, status=status)


def _series_post(request: HttpRequest, series: Series, form: Any) -> HttpResponse | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if isinstance(form, SessionForm):
            session = services.session_create(
                series=series,
                day=data["day"],
                plan=form.plan(),
                token=token_from(request.POST),
                by=request.user,
            )
            messages.success(request, f"Session on {session.day:%a %b %-d} added.")
        else:
            made = services.sessions_generate(
                series=series,
                weekday=data["weekday"],
                first=data["first"],
                last=data["last"],
                plan=form.plan(),
                by=request.user,
            )
            messages.success(request, f"{len(made)} weekly sessions added.")
    except ConferenceError as error:
        _refused(form, error)
        return None
    return redirect("conferences:series", series.pk)


def _visible_session(request: HttpRequest, pk: int) -> Session:
    session = get_object_or_404(
        Session.objects.select_related("series__program", "site", "presenter"), pk=pk
    )
    if not may_show_code(request.user, session):
        raise Http404
    return session


@login_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One session: details, its code page, change or cancel before it starts; once held, who
    came, who is excused and why, who missed it, and an excuse form."""
    session = _visible_session(request, pk)
    manages = may_manage_series(request.user, session.series)
    action = request.POST.get("action", "")
    if request.method == "POST" and not manages:
        raise PermissionDenied("Only the program's staff change a session.")
    edit = SessionForm(
        request.POST if action == "edit" else None, prefix="edit", initial=_initial(session)
    )
    cancel = CancelForm(request.POST if action == "cancel" else None, prefix="cancel")
    excuse = ExcuseForm(request.POST if action == "excuse" else None, prefix="excuse")
    forms = {"edit": edit, "cancel": cancel, "excuse": excuse}
    posted = request.method == "POST" and action in forms
    if posted and _session_post(request, session, action, forms[action]):
        return redirect("conferences:session", session.pk)
    moment = selectors.now()
    held = session.ends_at <= moment and not session.is_cancelled
    context = {
        "session": session,
        "series": session.series,
        "program": session.series.program,
        "manages": manages,
        "started": selectors.has_started(session, moment),
        "held": held,
        "outcomes": selectors.session_outcomes(session) if held and manages else [],
        "edit": edit,
        "cancel": cancel,
        "excuse": excuse,
    }
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "conferences/session.html", context, status=status)


def _initial(session: Session) -> dict[str, Any]:
    return {
        "day": session.day,
        "start_time": session.start_time,
        "end_time": session.end_time,
        "site": session.site_id,
        "room": session.room,
        "video_url": session.video_url,
        "topic": session.topic,
        "presenter_name": session.presenter_name,
    }


def _session_post(request: HttpRequest, session: Session, action: str, form: Any) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if action == "edit":
            services.session_change(
                session=session,
                day=data["day"],
                plan=form.plan(presenter=session.presenter),
                by=request.user,
            )
            messages.success(request, "Session changed.")
        elif action == "cancel":
            services.session_cancel(session=session, reason=data["reason"], by=request.user)
            messages.success(request, "Session cancelled.")
        else:
            trainee = get_object_or_404(
                Trainee.objects.select_related("person"), pk=data["trainee"]
            )
            services.excuse_record(
                session=session, trainee=trainee, reason=data["reason"], by=request.user
            )
            messages.success(request, f"{trainee.person} excused.")
    except ConferenceError as error:
        _refused(form, error)
        return False
    return True


@never_cache
@login_required
def session_code(request: HttpRequest, pk: int) -> HttpResponse:
    """The code to show in the room, large, with a QR code leading to the check-in page."""
    session = _visible_session(request, pk)
    moment = selectors.now()
    opens, closes = selectors.check_in_window(session)
    url = request.build_absolute_uri(reverse("conferences:check_in") + f"?code={session.code}")
    context = {
        "session": session,
        "open": selectors.is_open_for_check_in(session, moment),
        "opens": opens,
        "closes": closes,
        "too_early": moment < opens,
        "url": url,
        "qr": qr_svg(url, f"QR code for checking in to {session.series.name}"),
    }
    return render(request, "conferences/code.html", context)


@never_cache
@login_required
def check_in_page(request: HttpRequest) -> HttpResponse:
    """A trainee types the code (or arrives from the QR code with it filled in) and taps once."""
    if not may_check_in(user_roles(request.user)):
        raise PermissionDenied("Check-in is for trainees.")
    trainee = trainee_of(request.user)
    if trainee is None:
        raise PermissionDenied("Check-in is for trainees.")
    initial = {"code": request.GET.get("code", "")[:12]}
    form = CheckInForm(request.POST or None, initial=initial)
    attendance = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            attendance = services.check_in(
                trainee=trainee, code=form.cleaned_data["code"], by=request.user
            )
        except ConferenceError as error:
            form.add_error("code", error.message)
            status = 429 if error.field == "throttled" else 400
    elif form.errors:
        status = 400
    context = {"form": form, "attendance": attendance, "trainee": trainee}
    return render(request, "conferences/check_in.html", context, status=status)


@login_required
def trainee_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One trainee's attendance this academic year, series by series and session by session."""
    trainee = get_object_or_404(Trainee.objects.select_related("person", "program"), pk=pk)
    if not may_see_attendance_of(request.user, trainee):
        raise Http404
    first, last = selectors.year_bounds(selectors.now().date())
    rows = selectors.trainee_rows(trainee, first, last)
    ids = [o.session_id for row in rows for o in row.tally.outcomes]
    sessions = Session.objects.select_related("series", "site").in_bulk(ids)
    details = [
        (row, [(sessions[o.session_id], o) for o in reversed(row.tally.outcomes)]) for row in rows
    ]
    context = {
        "trainee": trainee,
        "details": details,
        "coming": selectors.sessions_to_come(trainee.program_id),
        "own": trainee.person.user_id == request.user.pk,
        "first": first,
        "last": last,
    }
    return render(request, "conferences/trainee.html", context)
