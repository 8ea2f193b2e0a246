"""Conference series and sessions on top of the small institution (and its schedules)."""

from __future__ import annotations

import datetime as dt

from rounds.conferences.models import Series, Session
from rounds.conferences.services import code_new
from tests.people import SmallInstitution

TODAY = dt.date(2026, 12, 9)  # a Wednesday in block 6 of academic year 2026


def noon_report(small: SmallInstitution, rate: int = 70) -> Series:
    series, _ = Series.objects.get_or_create(
        program=small.im, name="Noon report", defaults={"required_rate": rate}
    )
    return series


def session_on(
    series: Series,
    day: dt.date,
    start: dt.time = dt.time(12, 0),
    end: dt.time = dt.time(13, 0),
    site: object = None,
    **extra: object,
) -> Session:
    """A session written straight to the table (the services refuse past ones, as they should)."""
    if site is None:
        site = series.program.sites.first()
    return Session.objects.create(
        series=series,
        day=day,
        start_time=start,
        end_time=end,
        site=site,
        room="Conference room 3",
        topic=extra.pop("topic", "Hyponatremia"),  # type: ignore[arg-type]
        code=code_new(),
        **extra,  # type: ignore[arg-type]
    )


def session_all_day(series: Series, day: dt.date, **extra: object) -> Session:
    """A session open for check-in whatever the clock says on `day` (for page tests)."""
    return session_on(series, day, dt.time(0, 0), dt.time(23, 59, 59), **extra)
