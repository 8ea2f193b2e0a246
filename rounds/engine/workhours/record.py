"""One trainee's work-hour record: validated dataclasses with JSON both ways.

Times in JSON are local wall-clock times in the record's IANA time zone; inside the engine every
time is an aware datetime in UTC, so every duration is real elapsed time. A wall-clock time that
daylight saving makes ambiguous (the repeated hour in autumn) or nonexistent (the skipped hour in
spring) is read so that a period is never shorter than the trainee could have worked: a start is
the earliest instant the wall clock could mean, an end the latest. An explicit UTC offset
(`2026-11-01T01:30-05:00`) always wins. See docs/workhours.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rounds.engine.errors import ProblemError
from rounds.engine.workhours.rules import check_rotations_disjoint

PERIOD_KINDS: tuple[str, ...] = (
    "clinical",
    "in_house_call",
    "education",
    "home_call_work",
    "moonlighting_internal",
    "moonlighting_external",
)
MOONLIGHTING_KINDS = frozenset({"moonlighting_internal", "moonlighting_external"})
MAX_WEEKLY_LIMIT_HOURS = 88  # the most a Review Committee may approve

Side = Literal["start", "end"]
T = TypeVar("T")


# --- time helpers -----------------------------------------------------------------------------


def zone_named(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ProblemError("timezone", f"unknown time zone {name!r}") from error


def resolve_wall_clock(naive: datetime, zone: ZoneInfo, side: Side) -> datetime:
    """The UTC instant a local wall-clock time stands for.

    Where daylight saving makes the wall clock mean two instants (repeated hour) or none
    (skipped hour; zoneinfo then offers the instants either side of the jump), a start takes the
    earliest and an end the latest, so no logged work is ever shortened.
    """
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return min(first, second) if side == "start" else max(first, second)


def local_iso(instant: datetime, zone: ZoneInfo, side: Side = "start") -> str:
    """Local wall-clock ISO text for an instant; with its UTC offset when the wall clock alone
    would be read back as a different instant (the repeated autumn hour)."""
    local = instant.astimezone(zone)
    naive = local.replace(tzinfo=None)
    spec = "minutes" if naive.second == 0 and naive.microsecond == 0 else "seconds"
    if resolve_wall_clock(naive, zone, side) == instant.astimezone(UTC):
        return naive.isoformat(timespec=spec)
    return local.isoformat(timespec=spec)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local calendar day begins.

    fold=0 gives the first midnight when it repeats, and the moment of the jump when clocks skip
    midnight itself, so consecutive days tile time exactly (23 or 25 hours on change days).
    """
    return datetime(day.year, day.month, day.day, tzinfo=zone, fold=0).astimezone(UTC)


# --- JSON reading helpers ---------------------------------------------------------------------


def _object(value: object, path: str, allowed: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ProblemError(path, "must be an object")
    for key in value:
        if key not in allowed:
            raise ProblemError(
                _join(path, str(key)), f"unknown field (expected one of {', '.join(allowed)})"
            )
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _required(data: Mapping[str, Any], path: str, key: str) -> Any:
    if key not in data:
        raise ProblemError(_join(path, key), "is required")
    return data[key]


def _list(data: Mapping[str, Any], key: str, read: Callable[[object, str], T]) -> tuple[T, ...]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ProblemError(key, "must be a list")
    return tuple(read(item, f"{key}[{index}]") for index, item in enumerate(value))


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProblemError(path, "must be a non-empty string")
    return value


def _date(value: object, path: str) -> date:
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
    raise ProblemError(path, f"must be a date like 2026-07-01, not {value!r}")


def _datetime(value: object, path: str, zone: ZoneInfo, side: Side) -> datetime:
    parsed: datetime | None = None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise ProblemError(
            path, f"must be a local date and time like 2026-07-01T07:00, not {value!r}"
        )
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    return resolve_wall_clock(parsed, zone, side)


def _check_order(start: date | datetime, end: date | datetime, path: str, *, strict: bool) -> None:
    if end < start:
        raise ProblemError(path, "end is before start")
    if strict and end == start:
        raise ProblemError(path, "end is the same as start (a period must last some time)")


def _require_aware(instant: datetime, path: str) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ProblemError(path, "must be an aware datetime (resolve local times with the record)")


# --- record parts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Trainee:
    id: str
    pgy: int

    def __post_init__(self) -> None:
        if isinstance(self.pgy, bool) or not isinstance(self.pgy, int) or not 1 <= self.pgy <= 10:
            raise ProblemError("trainee.pgy", "must be a whole number from 1 to 10")

    @classmethod
    def from_json(cls, data: object, path: str = "trainee") -> Trainee:
        fields_ = _object(data, path, ("id", "pgy"))
        raw_id = _required(fields_, path, "id")
        if isinstance(raw_id, int) and not isinstance(raw_id, bool):
            raw_id = str(raw_id)  # database keys are numbers; the engine only needs a label
        trainee_id = _text(raw_id, _join(path, "id"))
        return cls(id=trainee_id, pgy=_required(fields_, path, "pgy"))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "pgy": self.pgy}


@dataclass(frozen=True)
class Rotation:
    """A rotation, whole local days with `end` inclusive; rotations define averaging windows."""

    name: str
    start: date
    end: date

    @classmethod
    def from_json(cls, data: object, path: str) -> Rotation:
        fields_ = _object(data, path, ("name", "start", "end"))
        name = _text(_required(fields_, path, "name"), _join(path, "name"))
        start = _date(_required(fields_, path, "start"), _join(path, "start"))
        end = _date(_required(fields_, path, "end"), _join(path, "end"))
        _check_order(start, end, path, strict=False)
        return cls(name, start, end)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Leave:
    """Vacation, sick or parental leave: whole local days, `end` inclusive."""

    start: date
    end: date

    @classmethod
    def from_json(cls, data: object, path: str) -> Leave:
        fields_ = _object(data, path, ("start", "end"))
        start = _date(_required(fields_, path, "start"), _join(path, "start"))
        end = _date(_required(fields_, path, "end"), _join(path, "end"))
        _check_order(start, end, path, strict=False)
        return cls(start, end)

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Period:
    """A logged or scheduled stretch of work; `start` and `end` are aware datetimes."""

    start: datetime
    end: datetime
    kind: str

    def __post_init__(self) -> None:
        _require_aware(self.start, "period.start")
        _require_aware(self.end, "period.end")
        if self.kind not in PERIOD_KINDS:
            raise ProblemError("kind", f"must be one of {', '.join(PERIOD_KINDS)}")

    @classmethod
    def from_json(cls, data: object, path: str, zone: ZoneInfo) -> Period:
        fields_ = _object(data, path, ("start", "end", "kind"))
        start = _datetime(_required(fields_, path, "start"), _join(path, "start"), zone, "start")
        end = _datetime(_required(fields_, path, "end"), _join(path, "end"), zone, "end")
        kind = _required(fields_, path, "kind")
        if kind not in PERIOD_KINDS:
            raise ProblemError(_join(path, "kind"), f"must be one of {', '.join(PERIOD_KINDS)}")
        _check_order(start, end, path, strict=True)
        return cls(start, end, kind)

    def to_json(self, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "start": local_iso(self.start, zone, "start"),
            "end": local_iso(self.end, zone, "end"),
            "kind": self.kind,
        }


@dataclass(frozen=True)
class HomeCall:
    """Time on at-home call: on call, not necessarily working (work is a home_call_work period)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "home_call.start")
        _require_aware(self.end, "home_call.end")

    @classmethod
    def from_json(cls, data: object, path: str, zone: ZoneInfo) -> HomeCall:
        fields_ = _object(data, path, ("start", "end"))
        start = _datetime(_required(fields_, path, "start"), _join(path, "start"), zone, "start")
        end = _datetime(_required(fields_, path, "end"), _join(path, "end"), zone, "end")
        _check_order(start, end, path, strict=True)
        return cls(start, end)

    def to_json(self, zone: ZoneInfo) -> dict[str, Any]:
        return {
            "start": local_iso(self.start, zone, "start"),
            "end": local_iso(self.end, zone, "end"),
        }


RECORD_FIELDS = (
    "timezone",
    "trainee",
    "weekly_limit_hours",
    "rotations",
    "leave",
    "periods",
    "home_call",
)


@dataclass(frozen=True)
class Record:
    """One trainee's record for a span of time: what the checker reads."""

    trainee: Trainee
    timezone: str = "UTC"
    weekly_limit_hours: float | None = None  # None: the program's Limits apply
    rotations: tuple[Rotation, ...] = ()
    leave: tuple[Leave, ...] = ()
    periods: tuple[Period, ...] = ()
    home_call: tuple[HomeCall, ...] = field(default=())

    def __post_init__(self) -> None:
        zone_named(self.timezone)
        if self.weekly_limit_hours is not None:
            _check_weekly_limit(self.weekly_limit_hours)
        check_rotations_disjoint(self.rotations)

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.timezone)

    @classmethod
    def from_json(cls, data: object) -> Record:
        fields_ = _object(data, "", RECORD_FIELDS)
        timezone = fields_.get("timezone", "UTC")
        if not isinstance(timezone, str):
            raise ProblemError("timezone", "must be an IANA time zone name like America/New_York")
        zone = zone_named(timezone)
        return cls(
            trainee=Trainee.from_json(_required(fields_, "", "trainee")),
            timezone=timezone,
            weekly_limit_hours=fields_.get("weekly_limit_hours"),
            rotations=_list(fields_, "rotations", Rotation.from_json),
            leave=_list(fields_, "leave", Leave.from_json),
            periods=_list(fields_, "periods", lambda d, p: Period.from_json(d, p, zone)),
            home_call=_list(fields_, "home_call", lambda d, p: HomeCall.from_json(d, p, zone)),
        )

    def to_json(self) -> dict[str, Any]:
        zone = self.zone
        data: dict[str, Any] = {"timezone": self.timezone, "trainee": self.trainee.to_json()}
        if self.weekly_limit_hours is not None:
            data["weekly_limit_hours"] = self.weekly_limit_hours
        data["rotations"] = [rotation.to_json() for rotation in self.rotations]
        data["leave"] = [leave.to_json() for leave in self.leave]
        data["periods"] = [period.to_json(zone) for period in self.periods]
        data["home_call"] = [call.to_json(zone) for call in self.home_call]
        return data


def _check_weekly_limit(value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_WEEKLY_LIMIT_HOURS
    ):
        raise ProblemError(
            "weekly_limit_hours",
            f"must be a number of hours above 0 and at most {MAX_WEEKLY_LIMIT_HOURS} "
            "(the most a Review Committee may approve)",
        )
