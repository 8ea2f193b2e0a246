"""The week page reads the trainee's log once (selectors.TraineeLog) and answers every question
from it: what it shows must be what each question asked of the database gives."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rounds.lib.today import today_is
from rounds.people.models import Trainee
from rounds.workhours import selectors
from rounds.workhours.models import LeaveSpan, LoggedPeriod, WeekConfirmation
from tests.people import SmallInstitution

NY = ZoneInfo("America/New_York")
# Days of a year's log to try: its first days, a clock change, the middle, its last days.
TODAYS = [date(2025, 7, 3), date(2025, 11, 5), date(2026, 3, 11), date(2026, 6, 29)]

entries = st.lists(
    st.tuples(
        st.integers(-100, 6),  # the day, from today
        st.sampled_from([7, 19]),  # the hour it starts
        st.sampled_from([4, 12, 24]),  # hours
        st.sampled_from(["clinical", "in_house_call", "home_call", "moonlighting_internal"]),
    ),
    max_size=40,
)
leaves = st.lists(st.tuples(st.integers(-100, 6), st.integers(0, 9)), max_size=3)
confirmations = st.lists(st.integers(-15, 0), max_size=4)


def _write_log(
    trainee: Trainee,
    today: date,
    shifts: list[tuple[int, int, int, str]],
    spans: list[tuple[int, int]],
    weeks: list[int],
) -> None:
    taken: list[tuple[datetime, datetime]] = []
    for offset, hour, hours, kind in shifts:
        start = datetime.combine(today + timedelta(days=offset), datetime.min.time(), NY)
        start = start.replace(hour=hour)
        end = start + timedelta(hours=hours)
        if kind != "home_call":  # work never overlaps work (PostgreSQL refuses it)
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
        LoggedPeriod.objects.create(trainee=trainee, kind=kind, start=start, end=end)
    away: list[tuple[date, date]] = []
    for offset, days in spans:
        first = today + timedelta(days=offset)
        if any(first <= e and s <= first + timedelta(days=days) for s, e in away):
            continue  # leave never overlaps leave either
        away.append((first, first + timedelta(days=days)))
        LeaveSpan.objects.create(
            trainee=trainee, kind="vacation", start=first, end=first + timedelta(days=days)
        )
    monday = selectors.monday_of(today)
    for back in set(weeks):
        WeekConfirmation.objects.create(trainee=trainee, week_start=monday + timedelta(weeks=back))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(  # a night shift from Sunday into a week with nothing else: that week is not logged
    today=date(2026, 3, 11), weeks_back=0, shifts=[(-10, 19, 12, "clinical")], spans=[], weeks=[]
)
@example(  # leave starting on the last day asked about: today, and the week's Sunday
    today=date(2026, 3, 11), weeks_back=0, shifts=[(-1, 7, 12, "clinical")], spans=[(0, 0), (4, 1)],
    weeks=[],
)  # fmt: skip
@given(
    today=st.sampled_from(TODAYS),
    weeks_back=st.integers(0, 3),
    shifts=entries,
    spans=leaves,
    weeks=confirmations,
)
def test_the_week_page_s_answers_from_the_log_are_the_database_s(
    small: SmallInstitution,
    today: date,
    weeks_back: int,
    shifts: list[tuple[int, int, int, str]],
    spans: list[tuple[int, int]],
    weeks: list[int],
) -> None:
    with transaction.atomic(), today_is(today):
        trainee = Trainee.objects.select_related("program").get(pk=small.ana.pk)
        _write_log(trainee, today, shifts, spans, weeks)
        prefetch_related_objects([trainee], "training_events")
        monday = selectors.monday_of(today) - timedelta(weeks=weeks_back)
        log = selectors.week_page_log(trainee)
        assert selectors.week_view(trainee, monday, log) == selectors.week_view(trainee, monday)
        assert selectors.outlook(trainee, today, log) == selectors.outlook(trainee, today)
        assert selectors.missing_weeks(trainee, today, log) == selectors.missing_weeks(
            trainee, today
        )
        transaction.set_rollback(True)


def test_a_week_outside_the_log_is_read_from_the_database(small: SmallInstitution) -> None:
    with today_is(date(2026, 3, 11)):
        trainee = Trainee.objects.select_related("program").get(pk=small.ana.pk)
        _write_log(trainee, date(2024, 3, 11), [(0, 7, 12, "clinical")], [], [0])
        monday = selectors.monday_of(date(2024, 3, 11))
        log = selectors.week_page_log(trainee)
        assert not log.covers(monday, monday + timedelta(days=6))
        shown = selectors.week_view(trainee, monday, log)
        assert [p.hours for d in shown.days for p in d.periods] == [12.0] and shown.confirmed


def test_the_week_page_reads_the_log_once(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    today = date(2026, 3, 11)
    with today_is(today):
        _write_log(
            small.ana, today, [(-1, 7, 12, "clinical"), (-9, 7, 24, "in_house_call")], [], []
        )
        client = client_as("resident")
        url = reverse("workhours:week", args=[selectors.monday_of(today).isoformat()])
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
    assert page.status_code == 200
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries if " FROM " in q["sql"]]
    assert tables.count('"workhours_loggedperiod"') == 1
    # The log's leave once, and the training dates (events, and leave from training) once.
    log_leave = [
        q for q in queries if '"workhours_leavespan"' in q["sql"] and '"kind" IN (' not in q["sql"]
    ]
    assert tables.count('"workhours_leavespan"') == 2 and len(log_leave) == 1
    assert tables.count('"people_trainingevent"') == 1
