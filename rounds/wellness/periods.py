"""Survey periods: the calendar of a recurring survey, and the only clock its answers carry."""

from __future__ import annotations

from datetime import date, timedelta

from rounds.wellness.models import Survey, SurveyPeriod


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, 1) if day.day == 1 else _clamp(year, month, day.day)


def _clamp(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def period_bounds(survey: Survey, index: int) -> tuple[date, date]:
    start = add_months(survey.starts_on, index * survey.months)
    end = add_months(survey.starts_on, (index + 1) * survey.months) - timedelta(days=1)
    return start, end


def period_index_on(survey: Survey, today: date) -> int | None:
    """The index of the period that contains `today`, or None before the start or after a
    one-off survey's single period (or when the survey was stopped)."""
    if today < survey.starts_on:
        return None
    months = (today.year - survey.starts_on.year) * 12 + today.month - survey.starts_on.month
    index = max(0, months // survey.months)
    while period_bounds(survey, index)[0] > today:
        index -= 1
    while period_bounds(survey, index)[1] < today:
        index += 1
    if survey.recurrence == Survey.Recurrence.ONCE and index > 0:
        return None
    return index


def period_current(survey: Survey, today: date) -> SurveyPeriod | None:
    """The period open on `today`, created when first needed; None when none is open."""
    if survey.stopped:
        return None
    index = period_index_on(survey, today)
    if index is None:
        return None
    start, end = period_bounds(survey, index)
    period, _ = SurveyPeriod.objects.get_or_create(
        survey=survey, index=index, defaults={"starts_on": start, "ends_on": end}
    )
    return period
