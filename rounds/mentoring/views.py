"""Mentoring and coaching pages. Thin: check access, validate, call a service, render.

Records of other people answer 404, not 403, so a page never confirms that a pair, a cycle or a
coaching booking exists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rounds.core.services import form_save
from rounds.lib import today as clock
from rounds.lib.idempotency import token_from
from rounds.lib.languages import language_name
from rounds.mentoring import access, selectors, services
from rounds.mentoring.forms import (
    ApplicationForm,
    AssignForm,
    CoachForm,
    CycleForm,
    CycleMentorForm,
    GoalForm,
    MeetingForm,
    MentorProfileForm,
    NoteForm,
    RematchForm,
    SlotForm,
)
from rounds.mentoring.models import (
    Application,
    Coach,
    CoachingNote,
    CoachingSlot,
    Cycle,
    CycleMentor,
    Goal,
    MentorProfile,
    Pair,
    RematchRequest,
)
from rounds.people.access import (
    gme_office_required,
    person_of,
    programs_managed_by,
    require_roles,
    staff_required,
    trainee_of,
    user_roles,
)
from rounds.people.models import SpokenLanguage


def _fail(request: HttpRequest, error: Exception) -> None:
    messages.error(request, str(error))


# ---------------------------------------------------------------- home and profile


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    trainee = trainee_of(user)
    roles = user_roles(user)
    context: dict[str, Any] = {
        "pairs": selectors.pairs_of(user),
        "trainee": trainee,
        "profile": access.mentor_profile_of(user),
        "may_mentor": access.may_mentor(user),
        "coach": access.coach_of(user),
        "open_cycles": access.cycles_open_to(trainee) if trainee else [],
        "mentor_cycles": Cycle.objects.filter(status=Cycle.Status.OPEN)
        if access.mentor_profile_of(user)
        else [],
        "is_staff": roles.is_staff_member,
        "managed_cycles": access.cycles_managed_by(user)[:10] if roles.is_staff_member else [],
        "quiet_count": len(selectors.quiet_pairs(user)) if roles.is_staff_member else 0,
        "open_rematch": _rematch_requests(user).filter(resolved_at=None).count()
        if roles.is_staff_member
        else 0,
    }
    return render(request, "mentoring/home.html", context)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    if not access.may_mentor(request.user):
        raise Http404("Mentor profiles are for faculty and trainees past their first year.")
    person = person_of(request.user)
    instance = MentorProfile.objects.filter(person=person).first() or MentorProfile(person=person)
    form = MentorProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, "Your mentor profile is saved.")
        return redirect("mentoring:home")
    languages = [
        f"{language_name(code)} ({label.lower()})"
        for code, label in (
            (row.language, row.get_proficiency_display())
            for row in SpokenLanguage.objects.filter(person=person)
        )
    ]
    return render(
        request,
        "mentoring/profile.html",
        {"form": form, "instance": instance, "languages": languages},
    )


# ---------------------------------------------------------------- cycles (coordinator side)


@staff_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    cycles = access.cycles_managed_by(request.user)
    return render(request, "mentoring/cycle_list.html", {"cycles": cycles})


@staff_required
def cycle_new(request: HttpRequest) -> HttpResponse:
    gme = user_roles(request.user).is_gme_office
    form = CycleForm(
        request.POST or None, programs=programs_managed_by(request.user).order_by("name"), gme=gme
    )
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        cycle = form_save(form=form, by=request.user)
        messages.success(request, "Cycle created as a draft. Open it when mentors have joined.")
        return redirect("mentoring:cycle", pk=cycle.pk)
    return render(request, "mentoring/cycle_form.html", {"form": form})


def _cycle_for_viewer(request: HttpRequest, pk: int) -> tuple[Cycle, bool]:
    cycle = get_object_or_404(Cycle.objects.select_related("program", "job"), pk=pk)
    manager = access.can_manage_cycle(request.user, cycle)
    if manager:
        return cycle, True
    is_mentee = access.can_join_as_mentee(request.user, cycle)
    is_mentor = access.mentor_profile_of(request.user) is not None
    if cycle.status == Cycle.Status.DRAFT or not (is_mentee or is_mentor):
        raise Http404("No such cycle")
    return cycle, False


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle, manager = _cycle_for_viewer(request, pk)
    if not manager:
        if access.can_join_as_mentee(request.user, cycle):
            return redirect("mentoring:apply", pk=cycle.pk)
        return redirect("mentoring:mentor_join", pk=cycle.pk)
    return render(request, "mentoring/cycle.html", _cycle_context(cycle))


def _cycle_context(cycle: Cycle, assign_form: AssignForm | None = None) -> dict[str, Any]:
    pairs = list(selectors.proposed_pairs(cycle))
    applications = list(cycle.applications.select_related("trainee__person", "trainee__program"))
    mentors = list(cycle.mentors.select_related("profile__person", "profile__specialty"))
    load = selectors.mentor_load(cycle)
    paired = {p.mentee_id for p in pairs if p.status != Pair.Status.ENDED}
    unmatched_reasons = {
        u["mentee"]: u["reason"] for u in (cycle.result or {}).get("unmatched", [])
    }
    waiting = [
        (a, unmatched_reasons.get(selectors.mentee_key(a), "not matched yet"))
        for a in applications
        if a.trainee_id not in paired
    ]
    form = assign_form or AssignForm(
        mentees=_assignable(cycle, applications), mentors=[m.profile for m in mentors]
    )
    return {
        "cycle": cycle,
        "pairs": pairs,
        "applications": applications,
        "mentors": [(m, load.get(m.profile_id, 0)) for m in mentors],
        "waiting": waiting,
        "assign_form": form,
        "job": cycle.job,
        "result": cycle.result or {},
        "running": bool(cycle.job and not cycle.job.is_finished),
    }


def _assignable(cycle: Cycle, applications: list[Application]) -> list[Any]:
    """Mentees a coordinator may pair by hand: anyone before publication, afterwards only
    those without an active mentor in this cycle."""
    if cycle.status != Cycle.Status.PUBLISHED:
        return [a.trainee for a in applications]
    active = set(cycle.pairs.filter(status=Pair.Status.ACTIVE).values_list("mentee_id", flat=True))
    return [a.trainee for a in applications if a.trainee_id not in active]


def _managed_cycle(request: HttpRequest, pk: int) -> Cycle:
    cycle = get_object_or_404(Cycle.objects.select_related("program", "job"), pk=pk)
    if not access.can_manage_cycle(request.user, cycle):
        raise Http404("No such cycle")
    return cycle


@staff_required
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _managed_cycle(request, pk)
    gme = user_roles(request.user).is_gme_office
    form = CycleForm(
        request.POST or None,
        instance=cycle,
        programs=programs_managed_by(request.user).order_by("name"),
        gme=gme,
    )
    if request.method == "POST" and form.is_valid():
        form_save(form=form, by=request.user)
        messages.success(request, "Cycle saved.")
        return redirect(cycle)
    return render(request, "mentoring/cycle_form.html", {"form": form, "cycle": cycle})


@staff_required
@require_POST
def cycle_status(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _managed_cycle(request, pk)
    try:
        services.cycle_set_status(
            cycle=cycle, status=request.POST.get("status", ""), by=request.user
        )
        messages.success(request, f"The cycle is now {cycle.get_status_display().lower()}.")
    except (services.MentoringError, ValueError) as error:
        _fail(request, error)
    return redirect(cycle)


@staff_required
@require_POST
def cycle_run(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _managed_cycle(request, pk)
    try:
        services.matching_start(cycle=cycle, by=request.user)
        messages.info(request, "The matcher is running; this page updates when it is done.")
    except services.MentoringError as error:
        _fail(request, error)
    return redirect(cycle)


@staff_required
def cycle_job(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx poll: the matcher's progress; when it ends, the client reloads the page."""
    cycle = _managed_cycle(request, pk)
    response = render(request, "mentoring/_job.html", {"cycle": cycle, "job": cycle.job})
    if cycle.job and cycle.job.is_finished:
        response["HX-Refresh"] = "true"
    return response


@staff_required
@require_POST
def cycle_assign(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _managed_cycle(request, pk)
    applications = list(cycle.applications.select_related("trainee__person"))
    mentors = [m.profile for m in cycle.mentors.select_related("profile__person")]
    form = AssignForm(request.POST, mentees=_assignable(cycle, applications), mentors=mentors)
    if form.is_valid():
        trainee = next(
            a.trainee for a in applications if a.trainee_id == form.cleaned_data["mentee"]
        )
        profile = next(p for p in mentors if p.pk == form.cleaned_data["mentor"])
        try:
            pair = services.pair_assign(
                cycle=cycle, trainee=trainee, profile=profile, by=request.user
            )
            done = (
                "is now the mentor of" if pair.status == Pair.Status.ACTIVE else "is proposed for"
            )
            messages.success(request, f"{profile} {done} {trainee.person}.")
            return redirect(cycle)
        except services.MentoringError as error:
            form.add_error(None, str(error))
    return render(request, "mentoring/cycle.html", _cycle_context(cycle, form), status=400)


@staff_required
@require_POST
def pair_remove(request: HttpRequest, pk: int) -> HttpResponse:
    pair = get_object_or_404(Pair.objects.select_related("cycle"), pk=pk)
    if pair.cycle is None or not access.can_manage_cycle(request.user, pair.cycle):
        raise Http404("No such pair")
    try:
        services.pair_unassign(pair=pair, by=request.user)
        messages.success(request, "Proposal removed.")
    except services.MentoringError as error:
        _fail(request, error)
    return redirect(pair.cycle)


@staff_required
@require_POST
def cycle_publish(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = _managed_cycle(request, pk)
    try:
        n = services.cycle_publish(cycle=cycle, by=request.user)
        messages.success(
            request,
            f"Published {n} pair{'' if n == 1 else 's'}; mentees and mentors have been emailed.",
        )
    except services.MentoringError as error:
        _fail(request, error)
    return redirect(cycle)


# ---------------------------------------------------------------- sign-up (both sides)


def _languages_offered(cycle: Cycle) -> list[str]:
    people = cycle.mentors.values_list("profile__person_id", flat=True)
    codes = SpokenLanguage.objects.filter(
        person_id__in=people, proficiency__in=selectors.WORKING_LEVELS
    ).values_list("language", flat=True)
    return sorted({language_name(c) for c in codes} - {"English"})


@login_required
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle, pk=pk)
    if cycle.status == Cycle.Status.DRAFT or not access.can_join_as_mentee(request.user, cycle):
        raise Http404("No such cycle")
    trainee = trainee_of(request.user)
    assert trainee is not None
    application = Application.objects.filter(cycle=cycle, trainee=trainee).first()
    mentors = [
        m.profile
        for m in cycle.mentors.select_related("profile__person", "profile__specialty").filter(
            capacity__gt=0
        )
        if m.profile.person_id != trainee.person_id
    ]
    form = ApplicationForm(
        request.POST or None,
        initial=ApplicationForm.initial_from(application),
        mentors=mentors,
        languages=_languages_offered(cycle),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_save(
                cycle=cycle,
                trainee=trainee,
                data=form.to_application(),
                by=request.user,
                token=token_from(request.POST),
            )
            messages.success(
                request,
                "Thank you: your wishes are saved. You can change them until sign-up closes.",
            )
            return redirect("mentoring:home")
        except services.MentoringError as error:
            form.add_error(None, str(error))
    my_pair = cycle.pairs.filter(mentee=trainee, status=Pair.Status.ACTIVE).first()
    return render(
        request,
        "mentoring/apply.html",
        {
            "cycle": cycle,
            "form": form,
            "application": application,
            "my_pair": my_pair,
            "closed": cycle.status != Cycle.Status.OPEN
            or (cycle.signup_closes is not None and clock.today() > cycle.signup_closes),
        },
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = trainee_of(request.user)
    cycle = get_object_or_404(Cycle, pk=pk)  # by the cycle's own key, so 2**63 is a plain 404
    application = get_object_or_404(Application, cycle=cycle, trainee=trainee)
    try:
        services.application_withdraw(application=application, by=request.user)
        messages.success(request, "You have withdrawn from this cycle.")
    except services.MentoringError as error:
        _fail(request, error)
    return redirect("mentoring:home")


@login_required
def mentor_join(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.mentor_profile_of(request.user)
    cycle = get_object_or_404(Cycle, pk=pk)
    if profile is None or cycle.status == Cycle.Status.DRAFT:
        raise Http404("No such cycle")
    entry = CycleMentor.objects.filter(cycle=cycle, profile=profile).first()
    applications = [
        a
        for a in cycle.applications.select_related("trainee__person", "trainee__program")
        if a.trainee.person_id != profile.person_id
    ]
    initial: dict[str, Any] = {"capacity": entry.capacity if entry else profile.capacity}
    if entry:
        initial |= {f"rate_{k}": str(v) for k, v in entry.ratings.items()}
    form = CycleMentorForm(request.POST or None, initial=initial, applications=applications)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_mentor_save(
                cycle=cycle,
                profile=profile,
                capacity=form.cleaned_data["capacity"],
                ratings=form.ratings(),
                by=request.user,
                token=token_from(request.POST),
            )
            messages.success(request, "Saved: you are taking part in this cycle.")
            return redirect("mentoring:home")
        except services.MentoringError as error:
            form.add_error(None, str(error))
    return render(
        request, "mentoring/mentor_join.html", {"cycle": cycle, "form": form, "entry": entry}
    )


# ---------------------------------------------------------------- pairs


def _party_pair(request: HttpRequest, pk: int) -> tuple[Pair, str]:
    pair = get_object_or_404(
        Pair.objects.select_related("mentor__person", "mentee__person", "mentee__program"), pk=pk
    )
    side = access.pair_side(request.user, pair)
    if side is None or pair.status == Pair.Status.PROPOSED:
        raise Http404("No such pair")
    return pair, side


@login_required
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pair, side = _party_pair(request, pk)
    return render(request, "mentoring/pair.html", _pair_context(request, pair, side))


def _pair_context(request: HttpRequest, pair: Pair, side: str, **forms: Any) -> dict[str, Any]:
    return {
        "pair": pair,
        "side": side,
        "goals": pair.goals.all(),
        "meetings": pair.meetings.all(),
        "goal_form": forms.get("goal_form") or GoalForm(),
        "meeting_form": forms.get("meeting_form") or MeetingForm(initial={"date": clock.today()}),
        "rematch_form": forms.get("rematch_form") or RematchForm(),
        # Only the asker's own request is shown back to them, never the other side's.
        "my_request": RematchRequest.objects.filter(
            pair=pair, requested_by_id=request.user.pk, resolved_at=None
        ).first(),
    }


@login_required
@require_POST
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    pair, side = _party_pair(request, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        services.goal_add(
            pair=pair,
            text=form.cleaned_data["text"],
            target_date=form.cleaned_data["target_date"],
            by=request.user,
        )
        messages.success(request, "Goal added.")
        return redirect(pair)
    return render(
        request,
        "mentoring/pair.html",
        _pair_context(request, pair, side, goal_form=form),
        status=400,
    )


@login_required
@require_POST
def goal_toggle(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    pair, _ = _party_pair(request, pk)
    goal = get_object_or_404(Goal, pk=goal_pk, pair=pair)
    services.goal_toggle(goal=goal, by=request.user)
    return redirect(pair)


@login_required
@require_POST
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    pair, side = _party_pair(request, pk)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_log(
                pair=pair,
                when=form.cleaned_data["date"],
                minutes=form.cleaned_data["minutes"],
                topics=form.cleaned_data["topics"],
                by=request.user,
            )
            messages.success(request, "Meeting logged.")
            return redirect(pair)
        except services.MentoringError as error:
            form.add_error("date", str(error))
    context = _pair_context(request, pair, side, meeting_form=form)
    return render(request, "mentoring/pair.html", context, status=400)


@login_required
@require_POST
def rematch(request: HttpRequest, pk: int) -> HttpResponse:
    pair, side = _party_pair(request, pk)
    form = RematchForm(request.POST)
    if form.is_valid():
        try:
            services.rematch_request(
                pair=pair, side=side, reason=form.cleaned_data["reason"], by=request.user
            )
            messages.success(
                request,
                "Your request has been sent privately to the coordinator. "
                "The other person is not told.",
            )
        except services.MentoringError as error:
            _fail(request, error)
    return redirect(pair)


# ---------------------------------------------------------------- program oversight


def _rematch_requests(user: Any) -> Any:
    return RematchRequest.objects.filter(
        pair__mentee__program__in=programs_managed_by(user)
    ).select_related(
        "pair__mentor__person", "pair__mentee__person", "pair__mentee__program", "requested_by"
    )


@staff_required
def quiet(request: HttpRequest) -> HttpResponse:
    rows = selectors.quiet_pairs(request.user)
    return render(request, "mentoring/quiet.html", {"rows": rows, "days": selectors.QUIET_DAYS})


@staff_required
def rematch_list(request: HttpRequest) -> HttpResponse:
    requests = _rematch_requests(request.user)
    return render(request, "mentoring/rematch_list.html", {"requests": requests})


@staff_required
@require_POST
def rematch_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_rematch_requests(request.user), pk=pk)
    services.rematch_resolve(request=item, end_pair=request.POST.get("end") == "1", by=request.user)
    messages.success(request, "Request marked as handled.")
    return redirect("mentoring:rematch_list")


# ---------------------------------------------------------------- coaching


@login_required
def coaching(request: HttpRequest) -> HttpResponse:
    trainee = trainee_of(request.user)
    coach = access.coach_of(request.user)
    context: dict[str, Any] = {"trainee": trainee, "coach": coach}
    if trainee:
        context["open_slots"] = selectors.open_slots()[:40]
        mine = CoachingSlot.objects.filter(booked_by=trainee).select_related("coach__person")
        context["my_sessions"] = mine.filter(starts_at__gte=timezone.now())
        context["past_sessions"] = mine.filter(starts_at__lt=timezone.now()).order_by("-starts_at")
    if coach:
        context["coach_slots"] = coach.slots.filter(starts_at__gte=timezone.now()).select_related(
            "booked_by__person"
        )
        context["slot_form"] = SlotForm()
    context["is_staff"] = user_roles(request.user).is_staff_member
    if not (trainee or coach or context["is_staff"]):
        raise Http404("Coaching is for trainees and coaches.")
    return render(request, "mentoring/coaching.html", context)


def _coach_required(request: HttpRequest) -> Any:
    coach = access.coach_of(request.user)
    if coach is None:
        raise Http404("Not a coach")
    return coach


@login_required
@require_POST
def slot_add(request: HttpRequest) -> HttpResponse:
    coach = _coach_required(request)
    form = SlotForm(request.POST)
    if form.is_valid():
        try:
            services.slot_offer(coach=coach, by=request.user, **form.cleaned_data)
            messages.success(request, "Session offered.")
        except services.MentoringError as error:
            _fail(request, error)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    return redirect("mentoring:coaching")


@login_required
@require_POST
def slot_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    coach = _coach_required(request)
    slot = get_object_or_404(CoachingSlot, pk=pk, coach=coach)
    try:
        services.slot_withdraw(slot=slot, by=request.user)
        messages.success(request, "Session withdrawn.")
    except services.MentoringError as error:
        _fail(request, error)
    return redirect("mentoring:coaching")


def _trainee_required(request: HttpRequest) -> Any:
    trainee = trainee_of(request.user)
    if trainee is None:
        raise Http404("Coaching bookings are for trainees.")
    return trainee


@login_required
@require_POST
def slot_book(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee_required(request)
    slot = get_object_or_404(CoachingSlot, pk=pk)
    try:
        services.slot_book(slot=slot, trainee=trainee, by=request.user)
        messages.success(request, f"Booked with {slot.coach}. Only you and your coach know.")
    except services.MentoringError as error:
        _fail(request, error)
    return redirect("mentoring:coaching")


@login_required
@require_POST
def slot_release(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee_required(request)
    slot = get_object_or_404(CoachingSlot, pk=pk, booked_by=trainee)
    try:
        services.slot_release(slot=slot, trainee=trainee, by=request.user)
        messages.success(request, "Booking cancelled; the session is open to others again.")
    except services.MentoringError as error:
        _fail(request, error)
    return redirect("mentoring:coaching")


@login_required
def notes(request: HttpRequest) -> HttpResponse:
    """The trainee's own coaching notes. Nobody else has a page that reads them."""
    trainee = _trainee_required(request)
    sessions = list(CoachingSlot.objects.filter(booked_by=trainee).select_related("coach__person"))
    form = NoteForm(request.POST or None, sessions=sessions)
    if request.method == "POST" and form.is_valid():
        session = next((s for s in sessions if s.pk == form.cleaned_data["session"]), None)
        services.note_add(
            trainee=trainee, text=form.cleaned_data["text"], session=session, by=request.user
        )
        messages.success(request, "Note saved. Only you can read it.")
        return redirect("mentoring:notes")
    items = CoachingNote.objects.filter(trainee=trainee).select_related("session__coach__person")
    return render(request, "mentoring/notes.html", {"form": form, "notes": items})


@login_required
@require_POST
def note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee_required(request)
    note = get_object_or_404(CoachingNote, pk=pk, trainee=trainee)
    services.note_delete(note=note)
    messages.success(request, "Note deleted.")
    return redirect("mentoring:notes")


def _academic_year_start(today: date) -> date:
    return date(today.year if today.month >= 7 else today.year - 1, 7, 1)


@require_roles(lambda roles: roles.is_staff_member)
def participation(request: HttpRequest) -> HttpResponse:
    since = _academic_year_start(clock.today())
    rows, total = selectors.coaching_participation(request.user, since=since)
    return render(
        request, "mentoring/participation.html", {"rows": rows, "total": total, "since": since}
    )


@gme_office_required
def coaches(request: HttpRequest) -> HttpResponse:
    """The GME office designates trained faculty as coaches (and stands them down)."""
    form = CoachForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        coach = form_save(form=form, by=request.user)
        messages.success(request, f"{coach} is now a coach and can offer sessions.")
        return redirect("mentoring:coaches")
    rows = Coach.objects.select_related("person").annotate(
        upcoming=Count("slots", filter=Q(slots__starts_at__gte=timezone.now()))
    )
    return render(request, "mentoring/coaches.html", {"form": form, "coaches": rows})


@gme_office_required
@require_POST
def coach_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    coach = get_object_or_404(Coach, pk=pk)
    services.coach_set_active(coach=coach, active=not coach.active, by=request.user)
    messages.success(request, f"{coach} is {'active' if coach.active else 'stood down'}.")
    return redirect("mentoring:coaches")
