"""API endpoints. Thin like the pages' views: the token's user and scope are checked by the
permission classes, rows come from the apps' access rules and selectors, writes go through the
apps' services. Errors become problem details in problems.py."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rounds.api import scopes
from rounds.api.models import ApiToken
from rounds.api.problems import problem
from rounds.api.serializers import (
    MAX_ID,
    CallShiftSerializer,
    DateRangeSerializer,
    EvaluationRequestFilterSerializer,
    EvaluationRequestSerializer,
    ImportResultSerializer,
    OnCallAnswerSerializer,
    OnCallFilterSerializer,
    PersonSerializer,
    ProgramSerializer,
    RotationAssignmentSerializer,
    SiteSerializer,
    TeachingAssignmentSerializer,
    TeachingBatchResultSerializer,
    TeachingBatchSerializer,
    TeachingFilterSerializer,
    TraineeFilterSerializer,
    TraineeImportSerializer,
    TraineeSerializer,
    WorkHourEntrySerializer,
    WorkHourEntryWriteSerializer,
    WorkHourFilterSerializer,
)
from rounds.api.services import api_write_audit
from rounds.assessment import access as assessment_access
from rounds.assessment.models import EvaluationRequest, TeachingAssignment
from rounds.assessment.teaching import IMPORT_COLUMNS, teaching_import
from rounds.core.models import AuditEntry, Program, Site
from rounds.imports.services import import_file
from rounds.lib.idempotency import AlreadySubmitted, made_earlier, submit_once
from rounds.people.access import (
    can_manage_program,
    can_view_trainee,
    is_gme_office,
    people_visible_to,
    trainees_visible_to,
    user_roles,
)
from rounds.people.models import Person, Trainee
from rounds.people.training import trainees_in_training
from rounds.schedules import oncall
from rounds.schedules.access import (
    ContactViewer,
    may_read_schedules,
    may_see_on_call,
    schedule_rows_visible_to,
)
from rounds.schedules.models import (
    CallAssignment,
    CallSchedule,
    RotationAssignment,
    RotationSchedule,
)
from rounds.workhours.access import may_use_hours, periods_visible_to
from rounds.workhours.models import LoggedPeriod
from rounds.workhours.record import program_zone
from rounds.workhours.selectors import local_bounds
from rounds.workhours.services import period_log

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class StrictQuery:
    """Unknown query parameters are refused (400), not ignored: `?progam=3` is a typing
    mistake, and ignoring it would answer with every program's rows."""

    query_serializer: type | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        allowed: set[str] = set()
        if request.method in ("GET", "HEAD"):
            if self.query_serializer is not None:
                allowed |= set(self.query_serializer().fields)
            paginator = getattr(self, "paginator", None)
            if paginator is not None:
                allowed |= {paginator.page_query_param, paginator.page_size_query_param}
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError(dict.fromkeys(unknown, "Unknown query parameter."))


def query_params(serializer_class: type, request: Request) -> dict[str, Any]:
    """The request's query parameters, checked; bad ones are a 400 naming each."""
    # A plain dict, not the QueryDict: DRF reads an empty value in a QueryDict as "not sent",
    # and `?site=` is a mistake to point out, not a filter to drop.
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _program_or_404(user: Any, program_id: int) -> Program:
    """A program the user may ask about: staff of it, or a trainee in it (for their own rows).
    Others do not exist for this user, as on the pages."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise exceptions.NotFound("No such program.")
    own = Trainee.objects.filter(person__user_id=user.pk, program=program).exists()
    if not (own or can_manage_program(user, program)):
        raise exceptions.NotFound("No such program.")
    return program


# --- catalogue: facts the public program finder shows already -------------------------------


@extend_schema(tags=["catalogue"])
class ProgramList(StrictQuery, generics.ListAPIView):
    """Programs of the institution (public facts)."""

    serializer_class = ProgramSerializer
    queryset = Program.objects.select_related("specialty").order_by("name")


@extend_schema(tags=["catalogue"])
class SiteList(StrictQuery, generics.ListAPIView):
    """Sites: the sponsoring hospital and its affiliates (public facts)."""

    serializer_class = SiteSerializer
    queryset = Site.objects.order_by("name")


# --- people -----------------------------------------------------------------------------------


@extend_schema(tags=["people"])
class PersonList(StrictQuery, generics.ListAPIView):
    """People the caller may see: themselves; program staff their programs' trainees and
    faculty; the GME office everyone."""

    serializer_class = PersonSerializer
    scopes = {"GET": scopes.PEOPLE_READ}

    def get_queryset(self) -> QuerySet[Person]:
        return people_visible_to(self.request.user).order_by("last_name", "first_name", "pk")


@extend_schema(tags=["people"], parameters=[TraineeFilterSerializer])
class TraineeList(StrictQuery, generics.ListAPIView):
    """Trainees the caller may see (a trainee: themselves)."""

    serializer_class = TraineeSerializer
    query_serializer = TraineeFilterSerializer
    scopes = {"GET": scopes.PEOPLE_READ}

    def get_queryset(self) -> QuerySet[Trainee]:
        found = query_params(TraineeFilterSerializer, self.request)
        visible = trainees_visible_to(self.request.user)
        if "program" in found:
            visible = visible.filter(program_id=found["program"])
        if "in_training_on" in found:
            day = found["in_training_on"]
            ids = [t.pk for t in trainees_in_training(None, day, day)]
            visible = visible.filter(pk__in=ids)
        return visible.order_by("person__last_name", "person__first_name", "pk")


@extend_schema(tags=["people"])
class TraineeDetail(StrictQuery, generics.RetrieveAPIView):
    """One trainee; someone the caller may not see is a 404, as on the pages."""

    serializer_class = TraineeSerializer
    scopes = {"GET": scopes.PEOPLE_READ}

    def get_object(self) -> Trainee:
        pk = self.kwargs["pk"]
        trainee = (
            Trainee.objects.select_related("person", "program").filter(pk=pk).first()
            if pk <= MAX_ID
            else None
        )
        if trainee is None or not can_view_trainee(self.request.user, trainee):
            raise exceptions.NotFound("No such trainee.")
        return trainee


# --- schedules --------------------------------------------------------------------------------

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of an earlier answer: 304 and no body if nothing changed.",
)


class ETagged(StrictQuery, generics.ListAPIView):
    """A list answered with an ETag (a digest of the answer itself, so any change to what the
    caller sees changes it) and a 304 when the caller already has this answer."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        body = json.dumps(response.data, sort_keys=True, cls=DjangoJSONEncoder)
        tag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
        asked = {
            t.strip().removeprefix("W/")
            for t in request.headers.get("If-None-Match", "").split(",")
        }
        if tag in asked or "*" in asked:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        response["ETag"] = tag
        return response


def _rows_query(request: Request, found: dict[str, Any]) -> Q:
    where = schedule_rows_visible_to(request.user)
    if "program" in found:
        where &= Q(schedule__program=_program_or_404(request.user, found["program"]))
    return where


@extend_schema(
    tags=["schedules"],
    parameters=[DateRangeSerializer, IF_NONE_MATCH],
    responses={
        200: RotationAssignmentSerializer(many=True),
        304: OpenApiResponse(description="Not modified"),
    },
)
class RotationScheduleList(ETagged):
    """Published rotation placements overlapping the date range: program staff their programs',
    a trainee their own."""

    serializer_class = RotationAssignmentSerializer
    query_serializer = DateRangeSerializer
    scopes = {"GET": scopes.SCHEDULES_READ}
    allowed = staticmethod(may_read_schedules)

    def get_queryset(self) -> QuerySet[RotationAssignment]:
        found = query_params(DateRangeSerializer, self.request)
        return (
            RotationAssignment.objects.filter(
                _rows_query(self.request, found),
                schedule__status=RotationSchedule.Status.PUBLISHED,
                block__start__lte=found["end"],
                block__end__gte=found["start"],
            )
            .select_related("block", "rotation__site", "trainee__person", "schedule")
            .order_by("block__start", "half", "trainee__person__last_name", "pk")
        )


@extend_schema(
    tags=["schedules"],
    parameters=[DateRangeSerializer, IF_NONE_MATCH],
    responses={
        200: CallShiftSerializer(many=True),
        304: OpenApiResponse(description="Not modified"),
    },
)
class CallScheduleList(ETagged):
    """Published call and shift assignments on days of the range: program staff their
    programs', a trainee their own."""

    serializer_class = CallShiftSerializer
    query_serializer = DateRangeSerializer
    scopes = {"GET": scopes.SCHEDULES_READ}
    allowed = staticmethod(may_read_schedules)

    def get_queryset(self) -> QuerySet[CallAssignment]:
        found = query_params(DateRangeSerializer, self.request)
        return (
            CallAssignment.objects.filter(
                _rows_query(self.request, found),
                schedule__status=CallSchedule.Status.PUBLISHED,
                day__gte=found["start"],
                day__lte=found["end"],
            )
            .select_related("site", "trainee__person", "schedule")
            .order_by("start", "site__name", "service", "pk")
        )


@extend_schema(
    tags=["schedules"], parameters=[OnCallFilterSerializer], responses=OnCallAnswerSerializer
)
class OnCall(StrictQuery, APIView):
    """Who is on call now (or at `at`), by site and service: published shifts in progress.
    Each service comes with its attendings (from the teaching assignments), grouped as on the
    switchboard page, with phone and pager only where the caller may see them. Open to
    everyone who works shifts or runs programs and to the switchboard, as the on-call page is."""

    query_serializer = OnCallFilterSerializer
    scopes = {"GET": scopes.SCHEDULES_READ}
    allowed = staticmethod(may_see_on_call)

    def get(self, request: Request) -> Response:
        found = query_params(OnCallFilterSerializer, request)
        site = None
        if "site" in found:
            site = Site.objects.filter(slug=found["site"]).first()
            if site is None:
                raise exceptions.NotFound(f"No site {found['site']!r}; see /api/sites/.")
        at = found.get("at") or timezone.now()
        shifts = oncall.shifts_at(site, at)
        if "service" in found:
            wanted = found["service"].casefold()
            shifts = [s for s in shifts if s.service.casefold() == wanted]
        # The switchboard page's grouping: each service with its attendings on the local day,
        # numbers only as ContactViewer allows this caller.
        day = oncall.local_now(site, at).date()
        services = oncall.board(shifts, day, ContactViewer(request.user))
        answer = {"at": at, "shifts": shifts, "services": services}
        return Response(OnCallAnswerSerializer(answer).data)


# --- work hours -------------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="A key the client makes for this entry (16-64 letters, digits, - or _). "
    "Sending the same key again returns the entry made the first time instead of a second one.",
)


IDEMPOTENCY_BATCH_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="A key the client makes for this batch (16-64 letters, digits, - or _). "
    "Sending the same key again answers with the first result instead of writing twice.",
)


def _client_key(request: Request, token: ApiToken) -> str:
    """The client's key, made unique to the token: two clocks using the same key never meet."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not (16 <= len(key) <= 64) or not all(c.isalnum() or c in "-_" for c in key):
        raise exceptions.ValidationError(
            {"Idempotency-Key": "Send a header Idempotency-Key of 16-64 letters, digits, - or _."}
        )
    digest = hashlib.sha256(f"api:{token.pk}:{key}".encode()).hexdigest()
    return digest[:48]


def _writable_trainee(request: Request, trainee_id: int | None) -> Trainee:
    """Whose hours a token may write: a trainee their own; a service token (a time clock) of
    an account that runs the trainee's program, that program's trainees."""
    user = request.user
    if trainee_id is None:
        trainee = (
            Trainee.objects.select_related("person", "program")
            .filter(person__user_id=user.pk)
            .first()
        )
        if trainee is None:
            raise exceptions.ValidationError({"trainee": "Say whose hours these are."})
        return trainee
    trainee = Trainee.objects.select_related("person", "program").filter(pk=trainee_id).first()
    if trainee is None or not can_view_trainee(user, trainee):
        raise exceptions.NotFound("No such trainee.")
    if trainee.person.user_id == user.pk:
        return trainee
    token = request.auth
    if isinstance(token, ApiToken) and token.kind == ApiToken.Kind.SERVICE:
        return trainee
    raise exceptions.PermissionDenied(
        "Only the trainee, or a service token (a time clock) of their program, logs their hours."
    )


@extend_schema(tags=["work hours"])
class WorkHourEntries(StrictQuery, generics.ListCreateAPIView):
    """Logged work-hour entries: a trainee's own; program staff read their programs'."""

    query_serializer = WorkHourFilterSerializer
    scopes = {"GET": scopes.HOURS_READ, "POST": scopes.HOURS_WRITE}
    allowed = staticmethod(may_use_hours)

    def get_serializer_class(self) -> type:
        return (
            WorkHourEntryWriteSerializer
            if self.request.method == "POST"
            else WorkHourEntrySerializer
        )

    def get_queryset(self) -> QuerySet[LoggedPeriod]:
        found = query_params(WorkHourFilterSerializer, self.request)
        where = periods_visible_to(self.request.user)
        zone = timezone.get_current_timezone()
        if "trainee" in found:
            trainee = (
                Trainee.objects.select_related("person", "program")
                .filter(pk=found["trainee"])
                .first()
            )
            if trainee is None or not can_view_trainee(self.request.user, trainee):
                raise exceptions.NotFound("No such trainee.")
            where &= Q(trainee=trainee)
            zone = program_zone(trainee.program)
        if "program" in found:
            where &= Q(trainee__program=_program_or_404(self.request.user, found["program"]))
        lo, hi = local_bounds(found["start"], found["end"], zone)
        return LoggedPeriod.objects.filter(where, start__lt=hi, end__gt=lo).order_by("start", "pk")

    @extend_schema(parameters=[WorkHourFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        responses={201: WorkHourEntrySerializer, 200: WorkHourEntrySerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Log an entry (a time clock, or a trainee's own script), with the same checks as the
        page (no overlap, at most 36 hours, not in the future). A retried POST with the same
        Idempotency-Key returns the first entry with 200 instead of making a second."""
        token = request.auth
        assert isinstance(token, ApiToken)  # TokenScope let only tokens through
        key = _client_key(request, token)
        earlier = made_earlier(
            token=key, scope="workhours.log", by=request.user, model=LoggedPeriod
        )
        if earlier is not None:
            return Response(WorkHourEntrySerializer(earlier).data, status=status.HTTP_200_OK)
        data = WorkHourEntryWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = dict(data.validated_data)
        trainee = _writable_trainee(request, entry.get("trainee"))
        source = (
            LoggedPeriod.Source.CLOCK
            if token.kind == ApiToken.Kind.SERVICE
            else LoggedPeriod.Source.TYPED
        )
        with transaction.atomic():
            period = period_log(
                trainee=trainee, kind=entry["kind"], start=entry["start"], end=entry["end"],
                note=entry.get("note", ""), source=source, token=key, by=request.user,
            )  # fmt: skip
            api_write_audit(
                token=token, action="workhours.log", summary=f"{trainee} hours logged",
                changes={"entry": period.pk},
            )  # fmt: skip
        return Response(WorkHourEntrySerializer(period).data, status=status.HTTP_201_CREATED)


# --- imports ----------------------------------------------------------------------------------


@extend_schema(
    tags=["imports"],
    request={"multipart/form-data": TraineeImportSerializer},
    responses={201: ImportResultSerializer},
)
class TraineeImport(StrictQuery, APIView):
    """Import trainees from a CSV or XLSX file with the columns of the import page: every row
    is checked first; if any has a problem nothing is written and each is listed (row, column).
    The GME office's, as the import page is."""

    scopes = {"POST": scopes.TRAINEES_IMPORT}
    allowed = staticmethod(is_gme_office)
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request: Request) -> Response:
        form = TraineeImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise exceptions.ValidationError({"file": "The file is over 5 MB; split it."})
        token = request.auth
        assert isinstance(token, ApiToken)
        name = upload.name or "upload.csv"
        with transaction.atomic():
            outcome = import_file(
                kind="trainees", filename=name, data=upload.read(), by=request.user
            )
            if outcome.ok:
                api_write_audit(
                    token=token, action="import", summary=f"Trainees imported from {name}",
                    changes={"created": outcome.created, "updated": outcome.updated},
                )  # fmt: skip
        if not outcome.ok:
            errors = [
                {"field": _where(p.row, p.column), "message": p.message} for p in outcome.problems
            ]
            return problem(
                400, f"Nothing was imported: {len(errors)} problem(s) in {name}.", errors
            )
        return Response(
            {"created": outcome.created, "updated": outcome.updated}, status=status.HTTP_201_CREATED
        )


def _where(row: int | None, column: str | None) -> str:
    parts = [f"row {row}" if row is not None else "", column or ""]
    return ", ".join(p for p in parts if p) or "file"


# --- assessment: teaching assignments and evaluation requests --------------------------------


class TeachingRefused(Exception):
    """The batch had problems: raised inside the idempotent write so its claim rolls back
    with it, and the client may correct the batch and send it again with the same key."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("teaching batch refused")
        self.errors = errors


def _teaching_csv(rows: list[dict[str, Any]]) -> bytes:
    """The batch as the teaching import file: the JSON rows go through the very same checks
    and write (rounds/assessment/teaching.py) as a file uploaded on the teaching page."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS)
    for row in rows:
        last = row.get("last_day")
        writer.writerow([
            row["faculty_email"], row["rotation"], row.get("site") or "",
            row["first_day"].isoformat(), last.isoformat() if last else "",
        ])  # fmt: skip
    return out.getvalue().encode()


def _batch_field(row: int | None, column: str | None) -> str:
    """A problem of the file (row 2 is the first data row) as a field of the JSON batch."""
    if row is None or row < 2:
        return f"assignments.{column}" if column else "assignments"
    return f"assignments.{row - 2}.{column}" if column else f"assignments.{row - 2}"


@extend_schema(tags=["assessment"])
class TeachingAssignments(StrictQuery, generics.ListAPIView):
    """Faculty teaching assignments (who attends which rotation on which days): program staff
    and the GME office their programs', a faculty member their own. Written in batches by an
    integration (`teaching:write`), all or nothing, like the teaching page's file import."""

    serializer_class = TeachingAssignmentSerializer
    query_serializer = TeachingFilterSerializer
    scopes = {"GET": scopes.SCHEDULES_READ, "POST": scopes.TEACHING_WRITE}
    allowed = staticmethod(assessment_access.may_read_teaching)
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[TeachingAssignment]:
        found = query_params(TeachingFilterSerializer, self.request)
        where = assessment_access.teaching_visible_to(self.request.user)
        if "program" in found:
            where &= Q(program=self._program(found["program"]))
        if "faculty" in found:
            where &= Q(faculty_id=found["faculty"])
        return (
            TeachingAssignment.objects.filter(
                where, first_day__lte=found["end"], last_day__gte=found["start"]
            )
            .select_related("faculty__person", "rotation__site")
            .order_by("first_day", "rotation__name", "faculty__person__last_name", "pk")
        )

    def _program(self, program_id: int) -> Program:
        """A program whose teaching the caller may read: staff of it, or a faculty member
        attending in it (their own rows). Others answer 404, as on the pages."""
        program = Program.objects.filter(pk=program_id).first()
        user = self.request.user
        if program is not None and (
            assessment_access.may_manage_assessment(user, program)
            or TeachingAssignment.objects.filter(
                program=program, faculty__person__user_id=user.pk
            ).exists()
        ):
            return program
        raise exceptions.NotFound("No such program.")

    @extend_schema(parameters=[TeachingFilterSerializer])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        parameters=[IDEMPOTENCY_BATCH_KEY],
        request=TeachingBatchSerializer,
        responses={201: TeachingBatchResultSerializer, 200: TeachingBatchResultSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Write a batch of attending spans for one program, with the checks of the teaching
        page's import: every row first, and any problem (naming `assignments.N.column`) writes
        nothing. Each span replaces the days it covers on its rotation. A retry with the same
        Idempotency-Key answers 200 with the first result and writes nothing more."""
        if not user_roles(request.user).is_staff_member:
            raise exceptions.PermissionDenied("Teaching assignments are written by program staff.")
        token = request.auth
        assert isinstance(token, ApiToken)
        key = _client_key(request, token)
        batch = TeachingBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        program = Program.objects.filter(pk=batch.validated_data["program"]).first()
        if program is None or not assessment_access.may_manage_assessment(request.user, program):
            raise exceptions.NotFound("No such program.")
        rows = batch.validated_data["assignments"]

        def write() -> AuditEntry:
            outcome = teaching_import(
                program=program, filename="api.csv", data=_teaching_csv(rows), by=request.user
            )
            if not outcome.ok:
                raise TeachingRefused([
                    {"field": _batch_field(p.row, p.column), "message": p.message}
                    for p in outcome.problems
                ])  # fmt: skip
            return api_write_audit(
                token=token, action="teaching.import",
                summary=f"{program} teaching assignments: {outcome.created} spans",
                changes={"program": program.pk, "created": outcome.created},
            )  # fmt: skip

        try:
            entry, first = submit_once(
                token=key, scope="api.teaching", by=request.user, model=AuditEntry, write=write
            )
        except TeachingRefused as refused:
            return problem(
                400,
                f"Nothing was written: {len(refused.errors)} problem(s) in the batch.",
                refused.errors,
            )
        except AlreadySubmitted as error:
            return problem(409, error.message)
        return Response(
            {"created": entry.changes["created"]},
            status=status.HTTP_201_CREATED if first else status.HTTP_200_OK,
        )


@extend_schema(tags=["assessment"], parameters=[EvaluationRequestFilterSerializer])
class EvaluationRequests(StrictQuery, generics.ListAPIView):
    """Evaluation requests with their status, never their answers. Without `program`: the
    requests addressed to you (your queue). With `program`: that program's requests, for its
    director and coordinators; trainees judging faculty or rotations are not named."""

    serializer_class = EvaluationRequestSerializer
    query_serializer = EvaluationRequestFilterSerializer
    scopes = {"GET": scopes.EVALUATIONS_READ}

    def get_queryset(self) -> QuerySet[EvaluationRequest]:
        found = query_params(EvaluationRequestFilterSerializer, self.request)
        user = self.request.user
        if "program" in found:
            if not assessment_access.is_program_staff(user, found["program"]):
                raise exceptions.NotFound("No such program.")
            rows = EvaluationRequest.objects.filter(program_id=found["program"])
        else:
            rows = EvaluationRequest.objects.filter(evaluator__user_id=user.pk)
        if "status" in found:
            rows = rows.filter(status=found["status"])
        return rows.select_related(
            "evaluator", "trainee__person", "faculty__person", "rotation__site"
        ).order_by("expires_on", "pk")


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Any /api/ address that is no endpoint: a problem, not the site's HTML 404 page."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def _answer(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return problem(404, f"No API endpoint at {request.path}.")

    get = post = put = patch = delete = _answer
