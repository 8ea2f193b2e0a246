"""Leave flags on the program staff's to-do list: the leave page's flags (past the board's
allowance, near or over the program's policy), counted by the database in a fixed number of
queries, and equal to what the leave page computes day by day."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.leave.selectors import leave_flags, program_leave
from rounds.lib.today import today_is
from rounds.people.services import TrainingError, trainee_leave_of_absence_record
from rounds.schedules.models import VacationRequest
from rounds.staff.todos import program_todos
from rounds.workhours.models import LeaveSpan
from tests.call_setup import call_pool
from tests.leave_setup import im_policy, leave, over_abim
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

D = dt.date
TODAY = D(2026, 12, 9)  # Ana (PGY-2) and Ben (PGY-1) both in training
KINDS = ["vacation", "sick", "parental", "medical", "other"]


def test_the_to_do_list_counts_the_leave_pages_flags(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    im_policy(small)
    over_abim(small)  # Ana: past the board's allowance
    leave(small.ben, "sick", D(2026, 10, 5), 9)  # Ben: 9 of 10 sick days, near the policy
    with today_is(TODAY):
        page = client_as("coord.im").get("/staff/start/", follow=True).content.decode()
        todos = {t.label: t for t in program_todos([small.im]) if t.count}
    assert todos["trainee past their board's leave allowance"].urgent
    assert todos["trainee near or over the leave policy"].count == 1
    urgent = '<li class="is-urgent"><a href="/record/leave/"><span class="todo-count">1</span>'
    assert urgent + ' <span class="todo-label">trainee past their board&#x27;s leave' in page
    assert '<span class="todo-label">trainee near or over the leave policy</span>' in page
    rows = {r.trainee: r for r in program_leave([small.im], TODAY)}
    assert rows[small.ana].standing.flagged and not rows[small.ben].standing.flagged
    assert rows[small.ben].attention


def test_the_flags_take_the_same_queries_however_many_trainees_and_spans(
    small: SmallInstitution,
) -> None:
    x = build_schedules(small)
    im_policy(small)
    over_abim(small)

    def count() -> int:
        with today_is(TODAY), CaptureQueriesContext(connection) as captured:
            leave_flags([small.im], TODAY)
        return len(captured)

    before = count()
    for trainee in call_pool(small, x, extra=6):
        for n in range(8):  # eight spans each, a week apart
            leave(trainee, KINDS[n % len(KINDS)], D(2026, 7, 6) + dt.timedelta(weeks=2 * n), 3)
    assert count() == before <= 9


span = st.tuples(st.integers(0, 1000), st.integers(1, 60), st.sampled_from(KINDS))


def test_the_flags_are_the_leave_pages_for_any_leave(small: SmallInstitution) -> None:
    """Random logged leave, leaves of absence and approved vacation blocks, overlapping one
    another: the database's counts give each trainee the leave page's flags."""
    x = build_schedules(small)
    im_policy(small)
    gme = small.users["gme"]
    people = [small.ana, small.ben]

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        st.lists(st.tuples(st.integers(0, 1), span), max_size=8),
        st.lists(st.tuples(st.integers(0, 1), span), max_size=3),
        st.lists(st.tuples(st.integers(0, 1), st.integers(0, 12)), max_size=5),
        st.integers(0, 700),
    )
    def run(
        logged: list[tuple[int, tuple[int, int, str]]],
        absences: list[tuple[int, tuple[int, int, str]]],
        vacations: list[tuple[int, int]],
        day: int,
    ) -> None:
        start = D(2025, 7, 1)
        with transaction.atomic():
            for who, (offset, days, kind) in logged:
                first = start + dt.timedelta(days=offset)
                last = first + dt.timedelta(days=days - 1)
                mine = LeaveSpan.objects.filter(trainee=people[who])
                if not mine.filter(start__lte=last, end__gte=first).exists():
                    LeaveSpan.objects.create(trainee=people[who], kind=kind, start=first, end=last)
            for who, (offset, days, _) in absences:
                first = start + dt.timedelta(days=offset)
                with contextlib.suppress(TrainingError):  # overlapping, or past the end
                    trainee_leave_of_absence_record(
                        trainee=people[who], first_day=first,
                        last_day=first + dt.timedelta(days=days - 1), by=gme,
                    )  # fmt: skip
            for who, block in vacations:
                VacationRequest.objects.get_or_create(
                    trainee=people[who], block=x.im_blocks[block], status="approved"
                )
            today = D(2026, 7, 1) + dt.timedelta(days=day)
            with today_is(today):
                flags = {f.trainee_id: f for f in leave_flags([small.im], today)}
                rows = program_leave([small.im], today)
            assert set(flags) == {r.trainee.pk for r in rows}
            for row in rows:
                flag = flags[row.trainee.pk]
                assert flag.days_to_add == row.standing.days_to_add
                assert flag.near_or_over == any(b.over or b.near for b in row.balances)
            transaction.set_rollback(True)

    run()
