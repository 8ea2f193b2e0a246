"""API endpoints of the training apps: conferences, moonlighting and case logs. Thin like the
other endpoints (views.py): rows come from the apps' access rules and selectors, writes go
through the same services as their pages, and the services' refusals become problems."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rounds.api import scopes
from rounds.api.models import ApiToken
from rounds.api.problems import problem
from rounds.api.serializers import (
    MAX_ID,
    AttendanceFilterSerializer,
    AttendanceSerializer,
    CaseLogCreateSerializer,
    CaseLogFilterSerializer,
    CaseLogSerializer,
    CaseLogWriteSerializer,
    CheckInResultSerializer,
    CheckInSerializer,
    MoonlightingFilterSerializer,
    MoonlightingRequestSerializer,
    MoonlightingRequestWriteSerializer,
    SeriesFilterSerializer,
    SeriesSerializer,
    SessionFilterSerializer,
    SessionSerializer,
)
from rounds.api.services import api_write_audit
from rounds.api.views import IDEMPOTENCY_KEY, StrictQuery, _client_key, query_params
from rounds.caselogs import access as caselogs_access
from rounds.caselogs.models import CaseLog
from rounds.caselogs.selectors import (
    prefill_for,
    procedure_named,
    procedures_for,
    supervisors_for,
)
from rounds.caselogs.services import caselog_log, caselog_resubmit
from rounds.conferences import access as conferences_access
from rounds.conferences import selectors as conferences
from rounds.conferences.models import Series, Session
from rounds.conferences.services import ConferenceError, check_in
from rounds.core.models import Program, Site
from rounds.lib.idempotency import made_earlier, submit_once
from rounds.moonlighting import access as moonlighting_access
from rounds.moonlighting.models import MoonlightingRequest
from rounds.moonlighting.selectors import licences_of, requests_for
from rounds.moonlighting.services import RequestDraft, request_submit
from rounds.people.access import can_manage_program, can_view_trainee, trainee_of
from rounds.people.models import Trainee


def _token(request: Request) -> ApiToken:
    token = request.auth
    assert isinstance(token, ApiToken)  # TokenScope let only tokens through to a write
    return token


def _visible_trainee(request: Request, trainee_id: int) -> Trainee:
    """A trainee the caller may see; anyone else is a 404, as on the pages."""
    trainee = Trainee.objects.select_related("person", "program").filter(pk=trainee_id).first()
    if trainee is None or not can_view_trainee(request.user, trainee):
        raise exceptions.NotFound("No such trainee.")
    return trainee


def _own_trainee(request: Request, what: str) -> Trainee:
    """The caller's own trainee record, for writes a trainee makes only for themself."""
    trainee = trainee_of(request.user)
    if trainee is None:
        raise exceptions.PermissionDenied(f"Only trainees {what}.")
    return trainee


# --- conferences ------------------------------------------------------------------------------


@extend_schema(tags=["conferences"], parameters=[SeriesFilterSerializer])
class ConferenceSeriesList(StrictQuery, generics.ListAPIView):
    """Conference series: program staff their programs', a trainee their program's, a
    presenter the series they present in."""

    serializer_class = SeriesSerializer
    query_serializer = SeriesFilterSerializer
    scopes = {"GET": scopes.CONFERENCES_READ}
    allowed = staticmethod(conferences_access.may_use_conferences)

    def get_queryset(self) -> QuerySet[Series]:
        found = query_params(SeriesFilterSerializer, self.request)
        rows = Series.objects.filter(conferences_access.series_visible_to(self.request.user))
        if "program" in found:
            rows = rows.filter(program_id=found["program"])
        return rows.order_by("name", "pk")


@extend_schema(tags=["conferences"], parameters=[SessionFilterSerializer])
class ConferenceSessionList(StrictQuery, generics.ListAPIView):
    """Sessions on days of the range (cancelled ones too, with the reason), seen as the series
    are; never the check-in code, which is shown in the room."""

    serializer_class = SessionSerializer
    query_serializer = SessionFilterSerializer
    scopes = {"GET": scopes.CONFERENCES_READ}
    allowed = staticmethod(conferences_access.may_use_conferences)

    def get_queryset(self) -> QuerySet[Session]:
        found = query_params(SessionFilterSerializer, self.request)
        rows = Session.objects.filter(
            conferences_access.sessions_visible_to(self.request.user),
            day__gte=found["start"],
            day__lte=found["end"],
        )
        if "program" in found:
            rows = rows.filter(series__program_id=found["program"])
        if "series" in found:
            rows = rows.filter(series_id=found["series"])
        return rows.select_related("series", "site", "presenter").order_by(
            "day", "start_time", "pk"
        )


@extend_schema(tags=["conferences"], parameters=[AttendanceFilterSerializer])
class ConferenceAttendance(StrictQuery, generics.ListAPIView):
    """Attendance rates per trainee and series, as the attendance pages count them: each held
    session that concerned the trainee is attended, excused (by the schedule or the program)
    or missed. A trainee's own (leave out `trainee` and `program`), a trainee's of your
    program (`trainee`), or a whole program's (`program`), below the requirement first."""

    serializer_class = AttendanceSerializer
    query_serializer = AttendanceFilterSerializer
    scopes = {"GET": scopes.CONFERENCES_READ}
    allowed = staticmethod(conferences_access.may_read_attendance)

    def get_queryset(self) -> list[conferences.TraineeRow]:
        found = query_params(AttendanceFilterSerializer, self.request)
        first, last = found["start"], found["end"]
        if "program" in found:
            program = Program.objects.filter(pk=found["program"]).first()
            if program is None or not can_manage_program(self.request.user, program):
                raise exceptions.NotFound("No such program.")
            return conferences.series_rows(conferences.program_series(program.pk), first, last)
        if "trainee" in found:
            trainee = _visible_trainee(self.request, found["trainee"])
        else:
            own = trainee_of(self.request.user)
            if own is None:
                raise exceptions.ValidationError({"program": "Say which program or trainee."})
            trainee = own
        return conferences.trainee_rows(trainee, first, last)


@extend_schema(
    tags=["conferences"],
    request=CheckInSerializer,
    responses={201: CheckInResultSerializer, 200: CheckInResultSerializer},
)
class ConferenceCheckIn(StrictQuery, APIView):
    """Check in to a session with the code shown in the room, as the check-in page does: the
    same checks (your program's session, open from a few minutes before the start to its end,
    not cancelled) and the same throttle on codes that did not work (429). Once per trainee
    and session: a second POST answers 200 with the first check-in."""

    scopes = {"POST": scopes.CONFERENCES_WRITE}
    allowed = staticmethod(conferences_access.may_check_in)

    def post(self, request: Request) -> Response:
        trainee = _own_trainee(request, "check in")
        sent = CheckInSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        at = conferences.now()
        try:
            # Not inside a transaction of ours: a refused try the service notes for its
            # throttle must stay written when the refusal is raised.
            attendance = check_in(
                trainee=trainee, code=sent.validated_data["code"], by=request.user, at=at
            )
        except ConferenceError as error:
            return _refused_check_in(error)
        # The service answers an earlier check-in with that one; one made now is new.
        new = attendance.checked_in_at == at
        if new:
            api_write_audit(
                token=_token(request), action="conferences.check_in",
                summary=f"{trainee.person} checked in to session {attendance.session_id}",
                changes={"attendance": attendance.pk},
            )  # fmt: skip
        return Response(
            CheckInResultSerializer(attendance).data,
            status=status.HTTP_201_CREATED if new else status.HTTP_200_OK,
        )


def _refused_check_in(error: ConferenceError) -> Response:
    errors = [{"field": "code", "message": error.message}]
    if error.field != "throttled":
        return problem(400, error.message, errors)
    answer = problem(429, error.message, errors)
    answer["Retry-After"] = str(settings.ROUNDS_CHECKIN_WINDOW_MINUTES * 60)
    return answer


# --- moonlighting -----------------------------------------------------------------------------


@extend_schema(tags=["moonlighting"])
class MoonlightingRequests(StrictQuery, generics.ListCreateAPIView):
    """Moonlighting requests, newest first: a trainee's own; program staff their programs';
    the GME office every one. A trainee requests moonlighting with the request page's checks."""

    query_serializer = MoonlightingFilterSerializer
    scopes = {"GET": scopes.MOONLIGHTING_READ, "POST": scopes.MOONLIGHTING_WRITE}
    allowed = staticmethod(moonlighting_access.may_use_moonlighting)

    def get_serializer_class(self) -> type:
        return (
            MoonlightingRequestWriteSerializer
            if self.request.method == "POST"
            else MoonlightingRequestSerializer
        )

    def get_queryset(self) -> QuerySet[MoonlightingRequest]:
        found = query_params(MoonlightingFilterSerializer, self.request)
        rows = requests_for(self.request.user)
        if "trainee" in found:
            rows = rows.filter(trainee=_visible_trainee(self.request, found["trainee"]))
        if "status" in found:
            rows = rows.filter(status=found["status"])
        return rows

    @extend_schema(parameters=[MoonlightingFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        responses={201: MoonlightingRequestSerializer, 200: MoonlightingRequestSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Request moonlighting for yourself, through the request page's service: refused with
        the rule named for a PGY-1, and with what is missing for a lapsed or missing licence,
        each as a 400 naming the field. A retry with the same Idempotency-Key answers 200 with
        the request the first one made."""
        trainee = _own_trainee(request, "request moonlighting")
        token = _token(request)
        key = _client_key(request, token)
        earlier = made_earlier(
            token=key, scope="moonlighting.request", by=request.user, model=MoonlightingRequest
        )
        if earlier is not None:
            return Response(MoonlightingRequestSerializer(earlier).data)
        sent = MoonlightingRequestWriteSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = dict(sent.validated_data)
        licence = None
        if data["licence"] is not None:
            # The form offers the trainee's own licences only; any other id is not one.
            licence = licences_of(trainee).filter(pk=data["licence"]).first()
            if licence is None:
                raise exceptions.ValidationError({"licence": "Choose one of your own licences."})
        draft = RequestDraft(**(data | {"licence": licence}))
        with transaction.atomic():
            made = request_submit(trainee=trainee, draft=draft, by=request.user, token=key)
            api_write_audit(
                token=token, action="moonlighting.request", summary=f"{trainee} requested {made}",
                changes={"request": made.pk},
            )  # fmt: skip
        return Response(MoonlightingRequestSerializer(made).data, status=status.HTTP_201_CREATED)


# --- case logs --------------------------------------------------------------------------------


def _entries(where: Q) -> QuerySet[CaseLog]:
    replaced = CaseLog.objects.filter(corrects=OuterRef("pk"), status=CaseLog.Status.VERIFIED)
    return (
        CaseLog.objects.filter(where)
        .select_related("procedure", "site", "supervisor__person", "trainee__person")
        .annotate(replaced=Exists(replaced))
    )


def _entry_fields(trainee: Trainee, data: dict[str, Any]) -> dict[str, Any]:
    """The write's fields as the log form would clean them: the procedure from the program's
    list, the site and supervisor from the schedule of the day unless given, and a supervisor
    only from those the form offers (the program's faculty and the day's attending)."""
    procedure = procedure_named(list(procedures_for(trainee.program)), data["procedure"])
    if procedure is None:
        raise exceptions.ValidationError(
            {"procedure": "Not on your program's procedure list (give its code or name)."}
        )
    prefill = prefill_for(trainee, data["day"])
    site = prefill.site
    if data["site"] is not None:
        site = Site.objects.filter(slug=data["site"]).first()
        if site is None:
            raise exceptions.ValidationError({"site": "No such site; see /api/sites/."})
    offered = {f.pk: f for f in supervisors_for(trainee, prefill)}
    supervisor = prefill.supervisor
    if data["supervisor"] is not None:
        supervisor = offered.get(data["supervisor"])
        if supervisor is None:
            raise exceptions.ValidationError(
                {"supervisor": "Name a faculty member of your program, or that day's attending."}
            )
    if supervisor is None:
        raise exceptions.ValidationError(
            {"supervisor": "The schedule names no attending that day: name the supervisor."}
        )
    return {"day": data["day"], "procedure": procedure, "role": data["role"], "site": site,
            "supervisor": supervisor, "note": data["note"]}  # fmt: skip


@extend_schema(tags=["case logs"])
class CaseLogEntries(StrictQuery, generics.ListCreateAPIView):
    """Case log entries, newest first: a trainee's own; program staff their programs'
    trainees'; a faculty member those waiting for their verification. A trainee logs their
    own procedures, with the log form's checks."""

    query_serializer = CaseLogFilterSerializer
    scopes = {"GET": scopes.CASELOGS_READ, "POST": scopes.CASELOGS_WRITE}
    allowed = staticmethod(caselogs_access.is_case_log_user)

    def get_serializer_class(self) -> type:
        return CaseLogCreateSerializer if self.request.method == "POST" else CaseLogSerializer

    def get_queryset(self) -> QuerySet[CaseLog]:
        found = query_params(CaseLogFilterSerializer, self.request)
        rows = _entries(caselogs_access.entries_visible_to(self.request.user))
        if "trainee" in found:
            rows = rows.filter(trainee=_visible_trainee(self.request, found["trainee"]))
        if "status" in found:
            rows = rows.filter(status=found["status"])
        if "start" in found:
            rows = rows.filter(day__gte=found["start"])
        if "end" in found:
            rows = rows.filter(day__lte=found["end"])
        return rows.order_by("-day", "-pk")

    @extend_schema(parameters=[CaseLogFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        responses={201: CaseLogSerializer, 200: CaseLogSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Log a procedure (or, with `corrects`, a correction of a verified entry): it waits
        for the supervisor's verification. Refused, as on the page, for a day in the future or
        outside training, a procedure not on the list, or a note that seems to identify a
        patient. A retry with the same Idempotency-Key answers 200 with the first entry."""
        trainee = _own_trainee(request, "log procedures")
        token = _token(request)
        key = _client_key(request, token)
        scope = f"caselogs.log.{trainee.pk}"  # the log page's, so the two never write twice
        earlier = made_earlier(token=key, scope=scope, by=request.user, model=CaseLog)
        if earlier is not None:
            return Response(CaseLogSerializer(_entries(Q(pk=earlier.pk)).get()).data)
        sent = CaseLogCreateSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        fields = _entry_fields(trainee, sent.validated_data)
        corrects = None
        if sent.validated_data["corrects"] is not None:
            corrects = CaseLog.objects.filter(
                pk=sent.validated_data["corrects"], trainee=trainee, status=CaseLog.Status.VERIFIED
            ).first()
            if corrects is None:
                raise exceptions.ValidationError({"corrects": "Name a verified entry of your own."})

        def write() -> CaseLog:
            entry = caselog_log(trainee=trainee, by=request.user, corrects=corrects, **fields)
            api_write_audit(
                token=token, action="caselog_log", summary=f"{trainee} logged {entry}",
                changes={"entry": entry.pk},
            )  # fmt: skip
            return entry

        entry, _ = submit_once(token=key, scope=scope, by=request.user, model=CaseLog, write=write)
        answer = CaseLogSerializer(_entries(Q(pk=entry.pk)).get()).data
        return Response(answer, status=status.HTTP_201_CREATED)


@extend_schema(tags=["case logs"])
class CaseLogEntry(StrictQuery, generics.RetrieveUpdateAPIView):
    """One entry; PUT edits a returned one and sends it again to be verified (its trainee
    only). A verified entry is locked, and one waiting is not edited: both are refused."""

    serializer_class = CaseLogSerializer
    scopes = {"GET": scopes.CASELOGS_READ, "PUT": scopes.CASELOGS_WRITE}
    allowed = staticmethod(caselogs_access.is_case_log_user)
    http_method_names = ["get", "put", "head", "options"]

    def get_object(self) -> CaseLog:
        pk = self.kwargs["pk"]
        where = caselogs_access.entries_visible_to(self.request.user)
        entry = _entries(where & Q(pk=pk)).first() if pk <= MAX_ID else None
        if entry is None:
            raise exceptions.NotFound("No such entry.")
        return entry

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        request=CaseLogWriteSerializer,
        responses={200: CaseLogSerializer},
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send a returned entry again with its fields put right, through the edit page's
        service (the same checks as logging, audited with the fields before and after). A
        retry with the same Idempotency-Key answers with the entry as the first one left it."""
        token = _token(request)
        key = _client_key(request, token)
        scope = f"caselogs.resubmit.{kwargs['pk']}"  # the edit page's
        earlier = made_earlier(token=key, scope=scope, by=request.user, model=CaseLog)
        if earlier is None:
            entry = self.get_object()
            if not caselogs_access.may_log_for(request.user, entry.trainee):
                raise exceptions.PermissionDenied("Only the trainee edits their own entries.")
            sent = CaseLogWriteSerializer(data=request.data)
            sent.is_valid(raise_exception=True)
            fields = _entry_fields(entry.trainee, sent.validated_data)

            def write() -> CaseLog:
                sent_again = caselog_resubmit(entry=entry, by=request.user, **fields)
                api_write_audit(
                    token=token, action="caselog_resubmit",
                    summary=f"{entry.trainee} sent entry {entry.pk} again",
                    changes={"entry": entry.pk},
                )  # fmt: skip
                return sent_again

            earlier, _ = submit_once(
                token=key, scope=scope, by=request.user, model=CaseLog, write=write
            )
        return Response(CaseLogSerializer(_entries(Q(pk=earlier.pk)).get()).data)
