"""Pages of the training record. Thin: access.py decides, services write, selectors read."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rounds.imports.uploads import max_upload_bytes
from rounds.lib import today as clock
from rounds.lib.idempotency import made_earlier, submit_once, token_from
from rounds.people.access import trainee_of, user_roles
from rounds.people.auth import client_address
from rounds.people.models import Trainee
from rounds.record.access import (
    is_credentials_reader,
    may_complete_onboarding,
    may_open_record_home,
    may_record_credential_for,
    may_see_record_of,
    may_sign_letter_for,
    record_programs,
)
from rounds.record.forms import CredentialForm
from rounds.record.models import Credential, OnboardingTask, VerificationLetter, VerifyAttempt
from rounds.record.pdf import letter_sentences
from rounds.record.selectors import (
    EXPIRING_SOON_DAYS,
    credential_gaps,
    credentials_of,
    letter_facts,
    letters_in,
    letters_of,
    onboarding_missing,
    onboarding_tasks_of,
    trainees_to_credential,
)
from rounds.record.services import (
    RecordError,
    code_digest,
    credential_record,
    letter_issue,
    onboarding_complete,
)

SEARCH_LIMIT = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Staff: recent letters of their programs and a trainee search. A trainee: their record."""
    if not may_open_record_home(request.user):
        raise PermissionDenied("Your roles do not include the training record.")
    programs = record_programs(request.user)
    if not programs.exists():
        trainee = trainee_of(request.user)
        if trainee is None:
            raise PermissionDenied("Your roles do not include the training record.")
        return redirect("record:trainee", trainee.pk)
    query = request.GET.get("q", "").strip()[:80]
    found: list[Trainee] = []
    if query:
        found = list(
            Trainee.objects.select_related("person", "program")
            .filter(program__in=programs)
            .filter(person__last_name__icontains=query)
            .order_by("person__last_name", "person__first_name")[:SEARCH_LIMIT]
        )
    context = {"query": query, "found": found, "letters": letters_in(programs)[:30]}
    return render(request, "record/home.html", context)


def _trainee_for(request: HttpRequest, pk: int) -> Trainee:
    trainee = get_object_or_404(Trainee.objects.select_related("person", "program"), pk=pk)
    if not may_see_record_of(request.user, trainee):
        raise Http404
    return trainee


def _record_context(request: HttpRequest, trainee: Trainee) -> dict[str, Any]:
    day = clock.today()
    may_sign = may_sign_letter_for(request.user, trainee, day)
    gaps = credential_gaps([trainee], day)
    return {
        "trainee": trainee,
        "letters": letters_of(trainee),
        "may_sign": may_sign,
        "preview": letter_sentences(letter_facts(trainee, day)) if may_sign else [],
        "credentials": credentials_of(trainee),
        "gaps": gaps,
        "today": day,
        "credential_form": CredentialForm(),
        "onboarding": list(onboarding_tasks_of(trainee)),
        "completes_onboarding": may_complete_onboarding(request.user, trainee),
    }


@login_required
def trainee_record(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee_for(request, pk)
    return render(request, "record/trainee.html", _record_context(request, trainee))


@login_required
@require_POST
def credential_add(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee_for(request, pk)
    if not may_record_credential_for(request.user, trainee):
        raise Http404
    form = CredentialForm(request.POST)
    token, scope = token_from(request.POST), f"record.credential.{trainee.pk}"
    if form.is_valid():
        data = form.cleaned_data
        try:
            submit_once(
                token=token,
                scope=scope,
                by=request.user,
                model=Credential,
                write=lambda: credential_record(trainee=trainee, by=request.user, **data),
            )
        except RecordError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{data['credential_type']} recorded.")
            return redirect("record:trainee", trainee.pk)
    context = _record_context(request, trainee) | {"credential_form": form}
    return render(request, "record/trainee.html", context, status=400)


@login_required
def credentials(request: HttpRequest) -> HttpResponse:
    """Who is missing or expiring what, in the programs the user manages: worst first."""
    if not is_credentials_reader(user_roles(request.user)):
        raise PermissionDenied("Your roles do not include credentials.")
    day = clock.today()
    gaps = credential_gaps(trainees_to_credential(record_programs(request.user), day), day)
    rows = [(gap, gap.days_left(day)) for gap in gaps]
    context = {"rows": rows, "today": day, "soon": EXPIRING_SOON_DAYS}
    return render(request, "record/credentials.html", context)


@login_required
@require_POST
def letter_sign(request: HttpRequest, pk: int) -> HttpResponse:
    trainee = _trainee_for(request, pk)
    if not may_sign_letter_for(request.user, trainee, clock.today()):
        raise PermissionDenied("Only the program director signs a verification letter.")
    token, scope = token_from(request.POST), f"record.letter.{trainee.pk}"
    issued: dict[str, str] = {}

    def write() -> VerificationLetter:
        letter, issued["code"] = letter_issue(trainee=trainee, by=request.user)
        return letter

    try:
        letter, first = submit_once(
            token=token, scope=scope, by=request.user, model=VerificationLetter, write=write
        )
    except RecordError as error:
        earlier = made_earlier(token=token, scope=scope, by=request.user, model=VerificationLetter)
        if earlier is None:
            context = _record_context(request, trainee) | {"error": error.message}
            return render(request, "record/trainee.html", context, status=400)
        letter, first = earlier, False
    if not first:
        return redirect("record:trainee", trainee.pk)
    return render(request, "record/signed.html", {"letter": letter, "code": issued["code"]})


@login_required
def letter_download(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(
        VerificationLetter.objects.select_related("trainee__person", "trainee__program"), pk=pk
    )
    if not may_see_record_of(request.user, letter.trainee):
        raise Http404
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    name = f"training-letter-{letter.trainee.pk}-{letter.issued_on:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The public check: look-ups per address per window, counted in the database so every web
# process shares the count. A code has 100 random bits; the limit only stops a flood.
VERIFY_PER_ADDRESS = 30
VERIFY_WINDOW = timedelta(minutes=10)


def _verify_allowed(request: HttpRequest) -> bool:
    now = timezone.now()
    key = settings.SECRET_KEY.encode()
    address = hmac.new(key, client_address(request).encode(), hashlib.sha256).hexdigest()
    with transaction.atomic():
        VerifyAttempt.objects.filter(created_at__lt=now - VERIFY_WINDOW).delete()
        recent = VerifyAttempt.objects.filter(address_digest=address).count()
        if recent >= VERIFY_PER_ADDRESS:
            return False
        VerifyAttempt.objects.create(address_digest=address, created_at=now)
    return True


@never_cache
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Confirms a letter's facts to whoever holds its code; any other code is a plain 404."""
    if not _verify_allowed(request):
        response = render(request, "record/verify_throttled.html", status=429)
        response["Retry-After"] = str(int(VERIFY_WINDOW.total_seconds()))
        return response
    letter = VerificationLetter.objects.defer("pdf").filter(code_digest=code_digest(code)).first()
    if letter is None:
        raise Http404
    context = {"letter": letter, "sentences": letter_sentences(letter.facts)}
    response = render(request, "record/verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    """Staff: who is missing what, most overdue first. A trainee: their own checklist."""
    day = clock.today()
    if is_credentials_reader(user_roles(request.user)):
        rows = onboarding_missing(record_programs(request.user), day)
        return render(request, "record/onboarding_staff.html", {"rows": rows, "today": day})
    trainee = trainee_of(request.user)
    if trainee is None:
        raise PermissionDenied("Your roles do not include onboarding.")
    return _checklist(request, trainee, day)


def _checklist(
    request: HttpRequest, trainee: Trainee, day: date, error: str = "", status: int = 200
) -> HttpResponse:
    tasks = list(onboarding_tasks_of(trainee))
    context = {
        "trainee": trainee,
        "open_tasks": [t for t in tasks if t.done_at is None],
        "done_tasks": [t for t in tasks if t.done_at is not None],
        "today": day,
        "error": error,
        "max_mb": max_upload_bytes() // (1024 * 1024),
    }
    return render(request, "record/onboarding_trainee.html", context, status=status)


@login_required
@require_POST
def onboarding_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        OnboardingTask.objects.select_related("item", "trainee__person"), pk=pk
    )
    if not may_complete_onboarding(request.user, task.trainee):
        raise Http404
    upload = request.FILES.get("document")
    try:
        onboarding_complete(
            task=task,
            by=request.user,
            name=(upload.name or "") if upload else "",
            data=upload.read(max_upload_bytes() + 1) if upload else None,
        )
    except RecordError as error:
        return _checklist(request, task.trainee, clock.today(), error.message, status=400)
    messages.success(request, f"“{task.item.title}” is done.")
    return redirect("record:onboarding")


@login_required
def onboarding_file(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        OnboardingTask.objects.select_related("trainee__person", "trainee__program"), pk=pk
    )
    if not may_see_record_of(request.user, task.trainee) or not task.file_data:
        raise Http404
    response = HttpResponse(bytes(task.file_data), content_type=task.file_type)
    response["Content-Disposition"] = f'attachment; filename="onboarding-{task.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
