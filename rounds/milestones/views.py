"""Milestone and CCC pages. Thin: ask rounds.milestones.access, read a selector or call a service,
render. Reviews and residents a user may not see answer 404, so a page never confirms that they
exist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rounds.core.models import Program
from rounds.lib.exports import csv_response
from rounds.lib.today import today
from rounds.milestones import access, selectors, services
from rounds.milestones.levels import CHOICES, LevelError, level_parse
from rounds.milestones.models import CommitteeMember, CommitteeReview, Subcompetency, TraineeReview
from rounds.milestones.periods import Period, PeriodError, period_of, period_parse
from rounds.people.models import Person, Trainee
from rounds.people.training import history_of, history_prefetch


def _review(request: HttpRequest, pk: int) -> CommitteeReview:
    review = get_object_or_404(
        CommitteeReview.objects.select_related("program", "milestone_set", "signed_off_by"), pk=pk
    )
    if not access.may_see_review(request.user, review):
        raise Http404("No such review.")
    return review


def _resident(review: CommitteeReview, pk: int) -> Trainee:
    trainee = get_object_or_404(
        Trainee.objects.select_related("person", "program").prefetch_related(*history_prefetch()),
        pk=pk,
    )
    period = selectors.review_period(review)
    history = history_of(trainee)  # uses the prefetched events; the page reads them again
    if not history.in_training_during(period.start, period.end, review.program_id):
        raise Http404("Not a resident of this review.")
    return trainee


def _back_to_resident(review: CommitteeReview, trainee: Trainee) -> HttpResponse:
    return redirect("milestones:resident", review.pk, trainee.pk)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    programs = access.ccc_programs(user)
    if access.may_see_summary(user) and not programs:
        return summary(request)
    own = Trainee.objects.filter(person__user_id=user.pk or 0).first()
    if own is not None and not programs:
        return redirect("milestones:mine")
    if (
        not programs
        and not Person.objects.filter(user_id=user.pk or 0, kind=Person.Kind.FACULTY).exists()
    ):
        raise PermissionDenied("Your roles do not include the CCC.")
    reviews = selectors.reviews_of(programs)
    by_program: dict[int, list[CommitteeReview]] = {p.pk: [] for p in programs}
    for review in reviews:
        by_program[review.program_id].append(review)
    rows = [(p, by_program[p.pk], access.may_open_review(user, p)) for p in programs]
    return render(
        request,
        "milestones/home.html",
        {"rows": rows, "open_periods": _openable(), "gme": access.may_see_summary(user)},
    )


def _openable() -> list[Period]:
    """Periods a review may be opened for now: the current half and the one before."""
    current = period_of(today())
    return [current.previous(), current]


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    if not access.may_see_summary(request.user):
        raise PermissionDenied("The summary across programs is the GME office's.")
    try:
        period = (
            period_parse(request.GET.get("period", ""))
            if request.GET.get("period")
            else selectors.latest_reviewed_period(today())
        )
    except PeriodError as error:
        messages.error(request, error.args[0])
        period = selectors.latest_reviewed_period(today())
    choices = [period_of(today())]
    while len(choices) < 6:
        choices.append(choices[-1].previous())
    return render(
        request,
        "milestones/summary.html",
        {"period": period, "rows": selectors.gme_summary(period), "choices": choices},
    )


@login_required
def program(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=slug)
    if not access.may_see_program(request.user, program):
        raise Http404("No such program.")
    manage = access.may_manage_committee(request.user, program)
    seated = {m.person_id for m in selectors.committee_of(program)}
    candidates = (
        selectors.faculty_of(program).exclude(pk__in=seated) if manage else Person.objects.none()
    )
    return render(
        request,
        "milestones/program.html",
        {
            "program": program,
            "reviews": selectors.reviews_of([program]),
            "members": selectors.committee_history(program),
            "candidates": candidates,
            "manage": manage,
            "may_open": access.may_open_review(request.user, program),
            "open_periods": _openable(),
        },
    )


@require_POST
@login_required
def appoint(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=slug)
    if not access.may_manage_committee(request.user, program):
        raise Http404("No such program.")
    person = Person.objects.filter(pk=request.POST.get("person") or 0).first()
    if person is None:
        messages.error(request, "Choose a faculty member to appoint.")
        return redirect("milestones:program", slug)
    try:
        services.member_appoint(
            program=program,
            person=person,
            by=request.user,
            is_chair=bool(request.POST.get("chair")),
        )
        messages.success(request, f"{person} now sits on the committee.")
    except services.ReviewError as error:
        messages.error(request, error.message)
    return redirect("milestones:program", slug)


@require_POST
@login_required
def end_seat(request: HttpRequest, pk: int) -> HttpResponse:
    seat = get_object_or_404(CommitteeMember.objects.select_related("program", "person"), pk=pk)
    if not access.may_manage_committee(request.user, seat.program):
        raise Http404("No such seat.")
    services.member_end(seat=seat, by=request.user)
    messages.success(request, f"{seat.person} has left the committee.")
    return redirect("milestones:program", seat.program.slug)


@require_POST
@login_required
def open_review(request: HttpRequest, slug: str) -> HttpResponse:
    program = get_object_or_404(Program, slug=slug)
    if not access.may_open_review(request.user, program):
        raise Http404("No such program.")
    try:
        period = period_parse(request.POST.get("period", ""))
        review = services.review_open(program=program, period=period, by=request.user)
    except PeriodError as error:
        messages.error(request, error.args[0])
        return redirect("milestones:program", slug)
    except services.ReviewError as error:
        messages.error(request, error.message)
        return redirect("milestones:program", slug)
    return redirect("milestones:review", review.pk)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    rows = selectors.meeting_list(review)
    done = sum(1 for r in rows if r.agreed == r.total)
    return render(
        request,
        "milestones/review.html",
        {
            "review": review,
            "period": selectors.review_period(review),
            "rows": rows,
            "flagged": sum(1 for r in rows if r.flagged),
            "done": done,
            "members": selectors.committee_of(review.program),
            "may_sign": access.may_sign_off(request.user, review),
            "may_export": access.may_export(request.user, review),
        },
    )


@require_POST
@login_required
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if not access.may_sign_off(request.user, review):
        raise Http404("No such review.")
    try:
        services.review_sign_off(review=review, by=request.user)
        messages.success(
            request, f"The {review.period} review is signed off; its levels are final."
        )
    except services.ReviewError as error:
        messages.error(request, error.message)
    return redirect("milestones:review", review.pk)


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    review = _review(request, pk)
    if not access.may_export(request.user, review):
        raise Http404("No such review.")
    response, writer = csv_response(f"milestones-{review.program.slug}-{review.period}.csv")
    writer.writerow(selectors.EXPORT_COLUMNS)
    writer.writerows(selectors.export_rows(review))
    return response


@login_required
def resident(request: HttpRequest, pk: int, trainee_pk: int) -> HttpResponse:
    review = _review(request, pk)
    trainee = _resident(review, trainee_pk)
    seat = selectors.seat_of(request.user, review.program)
    page = selectors.resident_page(review, trainee, seat)
    user = request.user
    return render(
        request,
        "milestones/resident.html",
        {
            "p": page,
            "review": review,
            "level_choices": CHOICES,
            "level_values": [value for value, _ in CHOICES],
            "may_propose": seat is not None and not review.is_signed_off,
            "may_agree": access.may_record_consensus(user, review) and not review.is_signed_off,
            "may_correct": access.may_sign_off(user, review) and review.is_signed_off,
            "may_meet": access.may_sign_off(user, review) and review.is_signed_off,
            "today": today(),
        },
    )


def _posted_levels(
    request: HttpRequest, review: CommitteeReview, prefix: str
) -> tuple[dict[Subcompetency, Decimal | None], list[str]]:
    """Levels posted as `<prefix><subcompetency id>`; a blank choice means "leave as it is"."""
    levels: dict[Subcompetency, Decimal | None] = {}
    problems = []
    for sub in selectors.set_subcompetencies(review.milestone_set):
        raw = request.POST.get(f"{prefix}{sub.pk}", "")
        if not raw:
            continue
        try:
            levels[sub] = level_parse(raw)
        except LevelError as error:
            problems.append(f"{sub.code}: {error}")
    return levels, problems


@require_POST
@login_required
def propose(request: HttpRequest, pk: int, trainee_pk: int) -> HttpResponse:
    review = _review(request, pk)
    trainee = _resident(review, trainee_pk)
    seat = selectors.seat_of(request.user, review.program)
    if seat is None:
        raise Http404("Only committee members propose levels.")
    levels, problems = _posted_levels(request, review, "propose_")
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return _back_to_resident(review, trainee)
    try:
        n = services.proposals_save(
            review=review, trainee=trainee, seat=seat, levels=levels, by=request.user
        )
        messages.success(request, f"Your proposals are saved ({n} changed).")
    except services.ReviewError as error:
        messages.error(request, error.message)
    return _back_to_resident(review, trainee)


@require_POST
@login_required
def consensus(request: HttpRequest, pk: int, trainee_pk: int) -> HttpResponse:
    review = _review(request, pk)
    trainee = _resident(review, trainee_pk)
    if not access.may_record_consensus(request.user, review):
        raise Http404("No such review.")
    levels, problems = _posted_levels(request, review, "agree_")
    seen: dict[int, int | None] = {}
    for sub in levels:
        raw = request.POST.get(f"seen_{sub.pk}", "")
        seen[sub.pk] = int(raw) if raw.isdigit() else None
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return _back_to_resident(review, trainee)
    try:
        n = services.consensus_save(
            review=review, trainee=trainee, levels=levels, seen=seen, by=request.user
        )
        messages.success(request, f"Consensus recorded ({n} level{'s' if n != 1 else ''}).")
    except services.ReviewError as error:
        messages.error(request, error.message)
    return _back_to_resident(review, trainee)


@require_POST
@login_required
def summary_edit(request: HttpRequest, pk: int, trainee_pk: int) -> HttpResponse:
    review = _review(request, pk)
    trainee = _resident(review, trainee_pk)
    if not access.may_record_consensus(request.user, review):
        raise Http404("No such review.")
    try:
        services.summary_save(
            review=review, trainee=trainee, text=request.POST.get("summary", ""), by=request.user
        )
        messages.success(request, "The committee's summary is saved.")
    except services.ReviewError as error:
        messages.error(request, error.message)
    return _back_to_resident(review, trainee)


@require_POST
@login_required
def correct(request: HttpRequest, pk: int, trainee_pk: int) -> HttpResponse:
    review = _review(request, pk)
    trainee = _resident(review, trainee_pk)
    if not access.may_sign_off(request.user, review):
        raise Http404("No such review.")
    subs = {str(s.pk): s for s in selectors.set_subcompetencies(review.milestone_set)}
    sub = subs.get(request.POST.get("subcompetency", ""))
    try:
        if sub is None:
            raise services.ReviewError("Choose the subcompetency to correct.")
        level = level_parse(request.POST.get("level", ""))
        services.consensus_correct(
            review=review,
            trainee=trainee,
            subcompetency=sub,
            level=level,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
        messages.success(
            request, f"{sub.code} corrected; the signed-off level is kept in the history."
        )
    except LevelError as error:
        messages.error(request, str(error))
    except services.ReviewError as error:
        messages.error(request, error.message)
    return _back_to_resident(review, trainee)


@require_POST
@login_required
def meeting(request: HttpRequest, pk: int, trainee_pk: int) -> HttpResponse:
    review = _review(request, pk)
    trainee = _resident(review, trainee_pk)
    if not access.may_sign_off(request.user, review):
        raise Http404("No such review.")
    try:
        met_on = date.fromisoformat(request.POST.get("met_on", ""))
    except ValueError:
        messages.error(request, "Meeting date: give the day as YYYY-MM-DD.")
        return _back_to_resident(review, trainee)
    try:
        services.meeting_record(
            review=review,
            trainee=trainee,
            met_on=met_on,
            note=request.POST.get("note", ""),
            by=request.user,
        )
        messages.success(
            request, "The review meeting is recorded; the resident can acknowledge it."
        )
    except services.ReviewError as error:
        messages.error(request, error.message)
    return _back_to_resident(review, trainee)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    trainee = (
        Trainee.objects.filter(person__user_id=request.user.pk or 0)
        .select_related("person")
        .first()
    )
    if trainee is None:
        raise PermissionDenied("Only residents have milestone results.")
    return render(
        request,
        "milestones/mine.html",
        {"results": selectors.own_results(trainee), "trainee": trainee},
    )


@require_POST
@login_required
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        TraineeReview.objects.select_related("trainee__person", "review"), pk=pk
    )
    if not access.is_own_result(request.user, found):
        raise Http404("No such result.")
    try:
        services.acknowledge(
            trainee_review=found, comment=request.POST.get("comment", ""), by=request.user
        )
        messages.success(
            request, "Thank you: your acknowledgement and comment are kept with the result."
        )
    except services.ReviewError as error:
        messages.error(request, error.message)
    return redirect("milestones:mine")
