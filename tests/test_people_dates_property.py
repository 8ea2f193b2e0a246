"""Random sequences of real operations on people's dates and schedules; after every step nobody
is scheduled, given call, offered a swap, reminded, emailed or counted outside their dates.

The test keeps its own small model of each trainee's dates (start, last day, leaves, program by
day), updated only when a service accepted the operation, and checks the application against it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import mail
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rounds.engine.clock import WorkClock
from rounds.engine.rotations.problem import Problem
from rounds.engine.rotations.solve import solve
from rounds.imports.services import import_file
from rounds.people.models import Trainee
from rounds.people.services import (
    TrainingError,
    trainee_extend,
    trainee_leave_of_absence_record,
    trainee_transfer,
    trainee_withdraw,
)
from rounds.people.training import count_in_training
from rounds.schedules.calls import call_schedule_build, call_schedule_publish
from rounds.schedules.models import Block, CallAssignment
from rounds.schedules.problem import build_problem, pk_of
from rounds.schedules.services import ScheduleError, schedule_create, schedule_publish
from rounds.schedules.swaps import swap_propose, swap_withdraw
from rounds.workhours.reminders import reminders_due
from tests.call_setup import call_pool
from tests.schedules_setup import YEAR, build_schedules

D = dt.date
JULY = D(YEAR, 7, 1)
PROBES = [JULY + dt.timedelta(days=n) for n in (0, 45, 100, 160, 220, 300, 364, 400)]
HEADER = "email,first_name,last_name,program,pgy,start_date,expected_end_date\n"


@dataclass
class Dates:
    """The test's own model of one trainee's dates."""

    start: dt.date
    last: dt.date
    program: int
    leaves: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    moves: list[tuple[dt.date, int]] = field(default_factory=list)  # transfers
    closed: bool = False

    def program_on(self, day: dt.date) -> int:
        program = self.program
        for since, to in sorted(self.moves):
            if since <= day:
                program = to
        return program

    def in_training(self, day: dt.date, program: int | None = None) -> bool:
        if not self.start <= day <= self.last:
            return False
        if any(a <= day <= b for a, b in self.leaves):
            return False
        return program is None or self.program_on(day) == program


operation = st.one_of(
    st.tuples(st.just("leave"), st.integers(0, 9), st.integers(-30, 360), st.integers(1, 56)),
    st.tuples(st.just("extend"), st.integers(0, 9), st.integers(1, 6)),
    st.tuples(st.just("withdraw"), st.integers(0, 9), st.integers(0, 360)),
    st.tuples(st.just("transfer"), st.integers(0, 9), st.integers(0, 360)),
    st.tuples(st.just("interns"), st.integers(1, 2), st.sampled_from([365, 92, 150])),
    st.tuples(st.just("solve")),
    st.tuples(st.just("call"), st.integers(0, 11)),
)


def test_nobody_is_scheduled_reminded_offered_or_counted_outside_their_dates(
    small, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    call_pool(small, x, extra=5)
    im, cards = small.im, small.cards
    gme = small.users["gme"]
    blocks = {b.number: b for b in Block.objects.filter(program=im, academic_year=YEAR)}

    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    # Every sequence ends with a solve and a call month, so they meet whatever came before.
    @given(st.lists(operation, min_size=1, max_size=5), st.integers(0, 11))
    def run(ops: list[tuple[Any, ...]], month: int) -> None:
        ops = [*ops, ("solve",), ("call", month)]
        with transaction.atomic():
            model = {
                t.pk: Dates(t.start_date, t.expected_end_date, t.program_id)
                for t in Trainee.objects.all()
            }
            mail.outbox = []
            for op in ops:
                step(op, model)
                check(model)
            transaction.set_rollback(True)

    def pick(model: dict[int, Dates], index: int) -> Trainee:
        ids = sorted(model)
        return Trainee.objects.select_related("person").get(pk=ids[index % len(ids)])

    def step(op: tuple[Any, ...], model: dict[int, Dates]) -> None:
        kind = op[0]
        try:
            if kind == "leave":
                t, first = pick(model, op[1]), JULY + dt.timedelta(days=op[2])
                last = first + dt.timedelta(days=op[3] - 1)
                trainee_leave_of_absence_record(trainee=t, first_day=first, last_day=last, by=gme)
                model[t.pk].leaves.append((first, last))
            elif kind == "extend":
                t = pick(model, op[1])
                end = model[t.pk].last + dt.timedelta(days=30 * op[2])
                trainee_extend(trainee=t, new_end=end, decided_on=JULY, by=gme)
                model[t.pk].last = end
            elif kind == "withdraw":
                t, last = pick(model, op[1]), JULY + dt.timedelta(days=op[2])
                trainee_withdraw(trainee=t, last_day=last, by=gme)
                model[t.pk].last, model[t.pk].closed = last, True
            elif kind == "transfer":
                t, first = pick(model, op[1]), JULY + dt.timedelta(days=op[2])
                to = cards if model[t.pk].program_on(first) == im.pk else im
                trainee_transfer(trainee=t, program=to, first_day=first, pgy=4, by=gme)
                model[t.pk].moves.append((first, to.pk))
            elif kind == "interns":
                interns(op[1], JULY + dt.timedelta(days=op[2]), model)
            elif kind == "solve":
                solve_and_publish(model)
            elif kind == "call":
                call_month(op[1], model)
        except (TrainingError, ScheduleError):
            pass  # refused with a reason: the model is unchanged, and so must the dates be

    def interns(n: int, start: dt.date, model: dict[int, Dates]) -> None:
        base = Trainee.objects.count()
        rows = [
            f"new{base + i}@example.org,New{base + i},Intern,{im.name},1,{start},"
            f"{start + dt.timedelta(days=3 * 365)}"
            for i in range(n)
        ]
        outcome = import_file(
            kind="trainees", filename="interns.csv", data=(HEADER + "\n".join(rows)).encode(),
            by=gme,
        )  # fmt: skip
        assert outcome.ok, outcome.problems
        for t in Trainee.objects.filter(person__email__startswith="new").exclude(pk__in=model):
            model[t.pk] = Dates(t.start_date, t.expected_end_date, im.pk)

    def solve_and_publish(model: dict[int, Dates]) -> None:
        data = build_problem([im], YEAR)
        result = solve(Problem.from_json(data), time_limit=1, seed=1, clock=WorkClock())
        if not result.has_schedule:
            return
        for p in result.placements:
            if p.rotation is None:
                continue
            first, last = blocks[p.block].half_range(p.half)
            dates = model[pk_of(p.trainee)]
            day = first
            while day <= last:
                assert dates.in_training(day, im.pk), (p, day)
                day += dt.timedelta(days=1)
        draft = schedule_create(
            program=im, academic_year=YEAR, by=gme, reason="solved", placements=result.placements
        )
        with django_capture_on_commit_callbacks(execute=True):
            schedule_publish(schedule=draft, by=gme)

    def call_month(index: int, model: dict[int, Dates]) -> None:
        month = (JULY + dt.timedelta(days=31 * index)).replace(day=1)
        schedule = call_schedule_build(program=im, month=month, by=gme, time_limit=3)
        for shift in CallAssignment.objects.filter(schedule=schedule):
            assert model[shift.trainee_id].in_training(shift.day, im.pk), (shift, shift.day)
        with django_capture_on_commit_callbacks(execute=True):
            call_schedule_publish(schedule=schedule, by=gme)
        offered = CallAssignment.objects.filter(schedule=schedule).first()
        if offered is None:
            return
        for pk, dates in model.items():
            if pk == offered.trainee_id or dates.program_on(offered.day) != im.pk:
                continue
            colleague = Trainee.objects.select_related("person").get(pk=pk)
            if colleague.program_id != im.pk:
                continue
            try:
                offer = swap_propose(shift=offered, to_trainee=colleague, by=gme)
                accepted = True
                swap_withdraw(proposal=offer, by=gme)  # so the next colleague can be asked
            except ScheduleError:
                accepted = False
            assert accepted == dates.in_training(offered.day), (colleague, offered.day)

    def check(model: dict[int, Dates]) -> None:
        for day in PROBES:
            expected = sum(1 for d in model.values() if d.in_training(day))
            assert count_in_training(day) == expected, day
        for day in PROBES[1:7:2]:
            for reminder in reminders_due(today=day, base_url="https://x"):
                assert model[reminder.trainee.pk].in_training(day), (reminder.trainee, day)
        emails = {t.person.email: t.pk for t in Trainee.objects.select_related("person")}
        year = [JULY + dt.timedelta(days=n) for n in range(365)]
        for message in mail.outbox:
            for address in message.to:
                if address in emails:
                    dates = model[emails[address]]
                    assert any(dates.in_training(d) for d in year), (address, message.subject)

    run()
