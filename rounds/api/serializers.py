"""What the API shows of each record, and the shape of what it accepts. Field lists are explicit:
a new model field is never published by accident."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from rounds.assessment.models import EvaluationRequest, EvaluatorKind
from rounds.caselogs.models import CaseLog, CaseRole
from rounds.conferences.models import Session
from rounds.core.models import Program, Site
from rounds.moonlighting.models import MoonlightingRequest
from rounds.people.models import Person, Trainee
from rounds.schedules.models import CallAssignment, RotationAssignment
from rounds.workhours.models import EntryKind, LoggedPeriod

MAX_RANGE_DAYS = 400
MAX_ID = 2**63 - 1  # the largest id a database column holds; larger ones are a 400, not a 500
# Dates outside these years are typing mistakes; refusing them also keeps date arithmetic and
# time zones (local mean time before 1883) away from the edges of the calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def sensible_date(day: dt.date) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise serializers.ValidationError(f"Give a year from {FIRST_YEAR} to {LAST_YEAR}.")
    return day


def sensible_datetime(instant: dt.datetime) -> dt.datetime:
    sensible_date(instant.date())
    return instant


class DateField(serializers.DateField):
    default_validators = [sensible_date]


class DateTimeField(serializers.DateTimeField):
    default_validators = [sensible_datetime]


class ProgramSerializer(serializers.ModelSerializer):
    specialty = serializers.CharField(source="specialty.name")

    class Meta:
        model = Program
        fields = ["id", "name", "slug", "specialty", "kind", "accreditation", "acgme_number",
                  "length_years", "first_pgy"]  # fmt: skip


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "slug", "kind", "city", "state", "timezone"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "kind", "first_name", "last_name", "email", "title"]


class TraineeSerializer(serializers.ModelSerializer):
    person = PersonSerializer()
    program = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Trainee
        fields = ["id", "person", "program", "pgy", "start_date", "expected_end_date", "status"]


class TraineeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    program = serializers.IntegerField(source="program_id")

    def get_name(self, trainee: Trainee) -> str:
        return f"{trainee.person.first_name} {trainee.person.last_name}"


class RotationAssignmentSerializer(serializers.Serializer):
    trainee = TraineeRefSerializer()
    program = serializers.IntegerField(source="schedule.program_id")
    schedule = serializers.IntegerField(source="schedule_id")
    block = serializers.CharField(source="block.label")
    first_day = serializers.SerializerMethodField()
    last_day = serializers.SerializerMethodField()
    rotation = serializers.CharField(source="rotation.name")
    service = serializers.CharField(source="rotation.service")
    site = serializers.CharField(source="rotation.site.slug")

    def get_first_day(self, row: RotationAssignment) -> dt.date:
        return row.block.half_range(row.half)[0]

    def get_last_day(self, row: RotationAssignment) -> dt.date:
        return row.block.half_range(row.half)[1]


class CallShiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trainee = TraineeRefSerializer()
    program = serializers.IntegerField(source="schedule.program_id")
    schedule = serializers.IntegerField(source="schedule_id")
    day = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=CallAssignment.Kind.choices)
    label = serializers.CharField()
    service = serializers.CharField()
    site = serializers.CharField(source="site.slug")


class WorkHourEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LoggedPeriod
        fields = ["id", "trainee", "kind", "start", "end", "note", "source", "created_at"]
        read_only_fields = fields


class WorkHourEntryWriteSerializer(serializers.Serializer):
    trainee = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Whose hours; leave out for your own.",
    )
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    start = DateTimeField()
    end = DateTimeField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class DateRangeSerializer(serializers.Serializer):
    """Query parameters of the schedule lists: `program`, `start`, `end` (inclusive)."""

    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    start = DateField(required=False, help_text="First day; default today.")
    end = DateField(required=False, help_text="Last day; default 4 weeks on.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from rounds.lib.today import today

        start = attrs.get("start") or today()
        end = attrs.get("end") or start + dt.timedelta(days=27)
        if end < start:
            raise serializers.ValidationError({"end": "The end is before the start."})
        if (end - start).days > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"end": f"Ask for at most {MAX_RANGE_DAYS} days at a time."}
            )
        return attrs | {"start": start, "end": end}


class TraineeFilterSerializer(serializers.Serializer):
    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    in_training_on = DateField(required=False, help_text="Only trainees in training on this day.")


class WorkHourFilterSerializer(DateRangeSerializer):
    trainee = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class OnCallFilterSerializer(serializers.Serializer):
    site = serializers.SlugField(required=False, help_text="A site's slug (see /api/sites/).")
    service = serializers.CharField(required=False, max_length=120)
    at = DateTimeField(required=False, help_text="When; default now.")


class OnCallSerializer(serializers.Serializer):
    trainee = TraineeRefSerializer()
    site = serializers.CharField(source="site.slug")
    service = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=CallAssignment.Kind.choices)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class ContactSerializer(serializers.Serializer):
    """A person on the switchboard: phone and pager are empty when the caller may not see
    them (`numbers_hidden` then says the person has numbers but keeps them from colleagues)."""

    name = serializers.CharField()
    phone = serializers.CharField()
    pager = serializers.CharField()
    numbers_hidden = serializers.BooleanField(source="hidden")


class TraineeOnCallSerializer(serializers.Serializer):
    shift = serializers.IntegerField(source="shift.pk", help_text="The shift's id in `shifts`.")
    name = serializers.CharField(source="trainee.name")
    phone = serializers.CharField(source="trainee.phone")
    pager = serializers.CharField(source="trainee.pager")
    numbers_hidden = serializers.BooleanField(source="trainee.hidden")


class ServiceOnCallSerializer(serializers.Serializer):
    site = serializers.CharField(source="site.slug")
    service = serializers.CharField()
    attendings = ContactSerializer(many=True, help_text="Empty: attending not recorded.")
    trainees = TraineeOnCallSerializer(many=True, source="people")


class OnCallAnswerSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    shifts = OnCallSerializer(many=True)
    services = ServiceOnCallSerializer(
        many=True, help_text="The shifts by site and service, with attendings and numbers."
    )


class TraineeImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV or XLSX with the columns of the import page.")


class ImportProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


# --- assessment -------------------------------------------------------------------------------


def _one_line(value: str) -> str:
    if any(ch in value for ch in "\r\n\t"):
        raise serializers.ValidationError("Give it on one line.")
    return value


class TeachingFilterSerializer(DateRangeSerializer):
    faculty = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class TeachingAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = serializers.IntegerField(source="program_id")
    faculty = serializers.IntegerField(source="faculty_id")
    faculty_name = serializers.CharField(source="faculty.person.full_name")
    faculty_email = serializers.EmailField(source="faculty.person.email")
    rotation = serializers.CharField(source="rotation.name")
    service = serializers.CharField(source="rotation.service")
    site = serializers.CharField(source="rotation.site.slug")
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class TeachingRowSerializer(serializers.Serializer):
    """One attending span, the columns of the teaching import file."""

    faculty_email = serializers.EmailField(max_length=254)
    rotation = serializers.CharField(max_length=120, validators=[_one_line])
    site = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", validators=[_one_line],
        help_text="The site's name; needed only when the program has the rotation at several.",
    )  # fmt: skip
    first_day = DateField()
    last_day = DateField(
        required=False, allow_null=True, default=None, help_text="Default: first_day."
    )


class TeachingBatchSerializer(serializers.Serializer):
    program = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    assignments = TeachingRowSerializer(many=True, allow_empty=False, max_length=5000)


class TeachingBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="Attending spans written.")


class EvaluationRequestFilterSerializer(serializers.Serializer):
    program = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,
        help_text="A program you run: its requests. Left out: the requests addressed to you.",
    )  # fmt: skip
    status = serializers.ChoiceField(choices=EvaluationRequest.Status.choices, required=False)


class EvaluationRequestSerializer(serializers.Serializer):
    """A request as a queue shows it: who, about whom, when, its status; never answers."""

    id = serializers.IntegerField()
    program = serializers.IntegerField(source="program_id")
    evaluator_kind = serializers.ChoiceField(choices=EvaluatorKind.choices)
    evaluator = serializers.SerializerMethodField()
    subject = serializers.CharField(source="subject_name")
    trainee = serializers.IntegerField(source="trainee_id", allow_null=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    sent_on = serializers.DateField()
    expires_on = serializers.DateField()
    status = serializers.ChoiceField(choices=EvaluationRequest.Status.choices)

    def get_evaluator(self, row: EvaluationRequest) -> str:
        from rounds.assessment.access import evaluator_listed_as

        return evaluator_listed_as(self.context["request"].user, row)


# --- conferences ------------------------------------------------------------------------------


class SeriesFilterSerializer(serializers.Serializer):
    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class SeriesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = serializers.IntegerField(source="program_id")
    name = serializers.CharField()
    required_rate = serializers.IntegerField(help_text="Percent of expected sessions to attend.")
    description = serializers.CharField()


class SessionFilterSerializer(DateRangeSerializer):
    series = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class SessionSerializer(serializers.Serializer):
    """A session as the trainees' page lists it; never its check-in code (shown in the room)."""

    id = serializers.IntegerField()
    series = serializers.IntegerField(source="series_id")
    series_name = serializers.CharField(source="series.name")
    program = serializers.IntegerField(source="series.program_id")
    day = serializers.DateField()
    start = serializers.DateTimeField(source="starts_at")
    end = serializers.DateTimeField(source="ends_at")
    site = serializers.CharField(source="site.slug", allow_null=True, default=None)
    room = serializers.CharField()
    video_url = serializers.CharField()
    topic = serializers.CharField()
    presenter = serializers.CharField(source="presented_by")
    status = serializers.ChoiceField(choices=Session.Status.choices)
    cancel_reason = serializers.CharField()


class AttendanceFilterSerializer(serializers.Serializer):
    """`trainee` or `program` (a trainee may leave both out: their own); `start` and `end`
    default to the academic year so far."""

    program = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    trainee = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    start = DateField(required=False, help_text="First day; default July 1 of this year.")
    end = DateField(required=False, help_text="Last day; default June 30 next.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from rounds.conferences.selectors import now, year_bounds

        if "program" in attrs and "trainee" in attrs:
            raise serializers.ValidationError({"trainee": "Give a program or a trainee, not both."})
        first, last = year_bounds(now().date())
        start, end = attrs.get("start") or first, attrs.get("end") or last
        if end < start:
            raise serializers.ValidationError({"end": "The end is before the start."})
        if (end - start).days > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"end": f"Ask for at most {MAX_RANGE_DAYS} days at a time."}
            )
        return attrs | {"start": start, "end": end}


class AttendanceSerializer(serializers.Serializer):
    """One trainee's attendance at one series' sessions held in the period."""

    trainee = TraineeRefSerializer()
    series = serializers.IntegerField(source="series.pk")
    series_name = serializers.CharField(source="series.name")
    required_rate = serializers.IntegerField(source="series.required_rate")
    attended = serializers.IntegerField(source="tally.attended")
    excused = serializers.IntegerField(
        source="tally.excused", help_text="By the schedule or by the program."
    )
    missed = serializers.IntegerField(source="tally.missed")
    expected = serializers.IntegerField(source="tally.expected", help_text="Attended + missed.")
    percent = serializers.IntegerField(
        source="tally.percent", allow_null=True, help_text="Null: nothing expected yet."
    )
    below = serializers.BooleanField(source="tally.below", help_text="Below the required rate.")


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="The code shown in the room.")


class CheckInResultSerializer(serializers.Serializer):
    session = serializers.IntegerField(source="session_id")
    series_name = serializers.CharField(source="session.series.name")
    topic = serializers.CharField(source="session.topic")
    day = serializers.DateField(source="session.day")
    checked_in_at = serializers.DateTimeField()


# --- moonlighting -----------------------------------------------------------------------------


class MoonlightingFilterSerializer(serializers.Serializer):
    trainee = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=MoonlightingRequest.Status.choices, required=False)


class MoonlightingRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trainee = TraineeRefSerializer()
    setting = serializers.ChoiceField(choices=MoonlightingRequest.Setting.choices)
    where = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    weekly_pattern = serializers.CharField()
    hours_per_week = serializers.IntegerField()
    max_hours_per_week = serializers.IntegerField(allow_null=True)
    licence = serializers.IntegerField(source="licence_id")
    statement = serializers.CharField()
    status = serializers.ChoiceField(choices=MoonlightingRequest.Status.choices)
    revoked_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


class MoonlightingRequestWriteSerializer(serializers.Serializer):
    """What the request page asks, field for field."""

    setting = serializers.ChoiceField(choices=MoonlightingRequest.Setting.choices)
    where = serializers.CharField(max_length=160, validators=[_one_line])
    start = DateField()
    end = DateField()
    hours_per_week = serializers.IntegerField(min_value=1, max_value=32767)
    weekly_pattern = serializers.CharField(
        max_length=160, required=False, allow_blank=True, default="", validators=[_one_line]
    )
    max_hours_per_week = serializers.IntegerField(
        min_value=1, max_value=32767, required=False, allow_null=True, default=None
    )
    licence = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None,
        help_text="The id of one of your licences on your training record.",
    )  # fmt: skip
    statement = serializers.CharField(max_length=4000)


# --- case logs --------------------------------------------------------------------------------


class CaseLogFilterSerializer(serializers.Serializer):
    trainee = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = serializers.ChoiceField(choices=CaseLog.Status.choices, required=False)
    start = DateField(required=False, help_text="Procedures done on or after this day.")
    end = DateField(required=False, help_text="Procedures done on or before this day.")


class CaseLogSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    trainee = TraineeRefSerializer()
    day = serializers.DateField()
    procedure = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name")
    role = serializers.ChoiceField(choices=CaseRole.choices)
    site = serializers.CharField(source="site.slug", allow_null=True, default=None)
    supervisor = serializers.IntegerField(source="supervisor_id")
    supervisor_name = serializers.CharField(source="supervisor.person.full_name")
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseLog.Status.choices)
    comment = serializers.CharField(help_text="Why the faculty returned it.")
    corrects = serializers.IntegerField(source="corrects_id", allow_null=True)
    counts = serializers.SerializerMethodField(
        help_text="Counts towards the minimums: verified and not replaced by a correction."
    )
    logged_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_counts(self, entry: CaseLog) -> bool:
        return entry.status == CaseLog.Status.VERIFIED and not getattr(entry, "replaced", False)


class CaseLogWriteSerializer(serializers.Serializer):
    """The log form's fields; site and supervisor default to the schedule's for the day, as
    the form pre-fills them."""

    day = DateField()
    procedure = serializers.CharField(
        max_length=120, validators=[_one_line], help_text="Its code or name on your program's list."
    )
    role = serializers.ChoiceField(choices=CaseRole.choices)
    site = serializers.SlugField(
        required=False, allow_null=True, default=None,
        help_text="A site's slug; default the site of your rotation that day.",
    )  # fmt: skip
    supervisor = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID,
        help_text="The faculty's id; default the attending of your rotation that day.",
    )  # fmt: skip
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CaseLogCreateSerializer(CaseLogWriteSerializer):
    corrects = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID,
        help_text="A verified entry of yours this one corrects.",
    )  # fmt: skip
