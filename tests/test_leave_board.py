"""Leave against the program's policy and the specialty board's rules: one reading of leave days,
balances per academic year, the board's allowance over training, and an extension that makes up
the days over, recorded in the dated history so schedules follow."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from rounds.core.models import AuditEntry
from rounds.leave.management.commands.load_boards import SHIPPED
from rounds.leave.models import Board, LeaveExtension, LeaveKind, LeavePolicy
from rounds.leave.selectors import balances, board_excess, leave_days, standings
from rounds.people.models import Trainee, TrainingEvent
from rounds.people.training import history_of
from rounds.schedules.models import Block, VacationRequest
from rounds.staff.todos import todos_for
from tests.leave_setup import im_policy, leave, over_abim
from tests.people import SmallInstitution


def _fresh(trainee: Trainee) -> Trainee:
    return (
        Trainee.objects.prefetch_related("training_events")
        .select_related("person")
        .get(pk=trainee.pk)
    )


# ---------------------------------------------------------------- the board file


def test_the_shipped_boards_file_loads_and_each_board_allows_the_acgme_six_weeks(db: None) -> None:
    out = io.StringIO()
    call_command("load_boards", stdout=out)
    assert "5 boards loaded (5 new, 0 updated)" in out.getvalue()
    assert all(b.family_medical_days >= 42 for b in Board.objects.all())
    call_command("load_boards", stdout=out)  # again: updated, not doubled
    assert Board.objects.count() == 5


def test_a_bad_boards_file_loads_nothing_and_says_what_is_wrong_where(
    db: None, tmp_path: Path
) -> None:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["boards"][1]["family_medical_days"] = 28
    data["boards"][3]["checked_on"] = "30/11/2026"
    bad = tmp_path / "boards.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_boards", str(bad))
    said = str(refused.value)
    assert "2 problem(s)" in said
    assert "board 2 (abp): family_medical_days must be at least 42" in said
    assert "board 4 (abfm): checked_on must be a date written YYYY-MM-DD" in said
    assert Board.objects.count() == 0


# ---------------------------------------------------------------- reading leave days


def test_a_day_of_leave_counts_once_logged_leave_first_then_absence_then_vacation_block(
    small: SmallInstitution,
) -> None:
    block = Block.objects.create(
        program=small.im, academic_year=2026, number=5,
        start=date(2026, 10, 1), end=date(2026, 10, 28),
    )  # fmt: skip
    VacationRequest.objects.create(trainee=small.ana, block=block, status="approved")
    TrainingEvent.objects.create(
        trainee=small.ana, kind=TrainingEvent.Kind.LEAVE,
        effective_date=date(2026, 10, 20), end_date=date(2026, 11, 5),
    )  # fmt: skip
    leave(small.ana, "sick", date(2026, 10, 25), 3)
    days = leave_days([_fresh(small.ana)], date(2026, 7, 1), date(2027, 6, 30))[small.ana.pk]
    assert len(days) == 28 + 8  # Oct 1 to Nov 5, each once
    assert days[date(2026, 10, 1)] == LeaveKind.VACATION
    assert days[date(2026, 10, 21)] == LeaveKind.ABSENCE
    assert days[date(2026, 10, 26)] == LeaveKind.SICK
    assert days[date(2026, 11, 5)] == LeaveKind.ABSENCE


# ---------------------------------------------------------------- properties

spans = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3 * 365),
        st.integers(min_value=1, max_value=60),
        st.sampled_from(LeaveKind.values),
    ),
    max_size=8,
)


def _days_of(leaves: list[tuple[int, int, str]], start: date) -> dict[date, str]:
    days: dict[date, str] = {}
    for offset, length, kind in leaves:  # a later record of a day wins, as in leave_days
        for n in range(length):
            days[start + timedelta(days=offset + n)] = kind
    return days


@hsettings(max_examples=80, deadline=None)
@given(leaves=spans)
def test_each_balance_is_the_policy_less_the_days_of_that_kind_in_the_year(
    leaves: list[tuple[int, int, str]],
) -> None:
    policy = LeavePolicy(vacation_days=20, sick_days=10, parental_days=42, medical_days=42)
    days = _days_of(leaves, date(2026, 7, 1))
    today = date(2027, 1, 15)
    for balance in balances(policy, days, today, today):
        in_year = [d for d, k in days.items() if k == balance.kind and d.year * 12 + d.month
                   in range(2026 * 12 + 7, 2027 * 12 + 7)]  # fmt: skip
        assert balance.used + balance.booked == len(in_year)
        assert balance.remaining == policy.days_for(balance.kind) - len(in_year)
        assert balance.over == (len(in_year) > policy.days_for(balance.kind))


@hsettings(max_examples=80, deadline=None)
@given(leaves=spans, per_year=st.one_of(st.none(), st.integers(min_value=14, max_value=60)))
def test_the_days_over_are_never_more_than_the_days_counted_and_the_six_weeks_are_free(
    leaves: list[tuple[int, int, str]], per_year: int | None
) -> None:
    board = Board(per_year_days=per_year, per_training_year_days=35, family_medical_days=42)
    days = _days_of(leaves, date(2026, 7, 1))
    excess = board_excess(days, board, 3)
    family = sum(1 for k in days.values() if k in ("parental", "medical"))
    assert excess.family_medical == min(family, 42)
    assert excess.away == len(days) - excess.family_medical
    assert 0 <= excess.days_over <= excess.away
    assert excess.over_in_total == max(0, excess.away - 105)


def test_the_flagged_new_end_is_the_old_end_plus_the_days_over_on_the_training_calendar(
    small: SmallInstitution,
) -> None:
    im_policy(small)

    @hsettings(max_examples=15, deadline=None)
    @given(over=st.integers(min_value=1, max_value=90), absent=st.integers(0, 30))
    def check(over: int, absent: int) -> None:
        with transaction.atomic():
            over_abim(small, by=over)
            if absent:  # a leave of absence inside the parental leave: each day counts once
                TrainingEvent.objects.create(
                    trainee=small.ana, kind=TrainingEvent.Kind.LEAVE,
                    effective_date=date(2025, 10, 1), end_date=date(2025, 10, absent),
                )  # fmt: skip
            (standing,) = standings([_fresh(small.ana)], date(2026, 6, 30))
            assert standing.days_to_add == over
            assert standing.new_end == date(2029, 6, 30) + timedelta(days=over)
            assert history_of(_fresh(small.ana)).expected_end == date(2029, 6, 30)
            transaction.set_rollback(True)

    check()


# ---------------------------------------------------------------- flag, preview, confirm


def test_the_coordinator_previews_and_confirms_the_extension_and_the_history_follows(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    im_policy(small)
    over_abim(small, by=10)
    Block.objects.create(
        program=small.im, academic_year=2029, number=1,
        start=date(2029, 7, 1), end=date(2029, 7, 28),
    )  # fmt: skip
    coord = client_as("coord.im")
    listing = coord.get(reverse("leave:home")).content.decode()
    assert "10 days over" in listing and "new end 10 Jul 2029" in listing
    url = reverse("leave:extend", args=[small.ana.pk])
    preview = coord.get(url).content.decode()
    assert "to <strong>10 Jul 2029</strong>" in preview
    assert "2029–2030 Block 1" in preview and "call months July 2029" in preview
    assert not TrainingEvent.objects.filter(kind="extension").exists()  # the preview wrote nothing
    form = {
        "days": "10",
        "reason": "Parental leave beyond the ABIM allowance",
        "submit_token": "t" * 32,
    }
    first = coord.post(url, form)
    assert first.status_code == 302
    coord.post(url, form)  # a double click: extended once
    event = TrainingEvent.objects.get(trainee=small.ana, kind="extension")
    assert event.end_date == date(2029, 7, 10)
    assert LeaveExtension.objects.get().days == 10
    assert AuditEntry.objects.filter(action="leave.extension").count() == 1
    after = history_of(_fresh(small.ana))
    assert after.expected_end == date(2029, 7, 10)
    # What the schedules and the engine read: the ten days are now days in training.
    assert after.count_days_in(date(2029, 7, 1), date(2029, 7, 31), small.im.pk) == 10
    (standing,) = standings([_fresh(small.ana)], date(2026, 6, 30))
    assert not standing.flagged  # made up: no longer asked
    page = coord.get(reverse("leave:trainee", args=[small.ana.pk])).content.decode()
    assert "10 days of leave were made up by extending training" in page


def test_a_preview_gone_stale_is_refused_and_nothing_is_written(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    im_policy(small)
    over_abim(small, by=10)
    url = reverse("leave:extend", args=[small.ana.pk])
    refused = client_as("coord.im").post(url, {"days": "7", "reason": "Leave"})
    assert refused.status_code == 400
    assert "10 days to make up now, not 7" in refused.content.decode()
    no_reason = client_as("coord.im").post(url, {"days": "10", "reason": "  "})
    assert no_reason.status_code == 400
    assert not TrainingEvent.objects.filter(kind="extension").exists()


def test_the_trainee_sees_their_balances_and_flag_but_cannot_extend(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    im_policy(small)
    over_abim(small, by=10)
    ana = client_as("resident")
    assert ana.get(reverse("leave:home"))["Location"] == reverse(
        "leave:trainee", args=[small.ana.pk]
    )
    page = ana.get(reverse("leave:trainee", args=[small.ana.pk])).content.decode()
    assert "10 days of leave past the board" in page
    assert "Preview the extension" not in page
    assert "Remediation" not in page
    assert (
        ana.post(
            reverse("leave:extend", args=[small.ana.pk]), {"days": "10", "reason": "x"}
        ).status_code
        == 403
    )


def test_the_gme_office_sees_trainees_past_their_allowance_on_its_to_do_list(
    small: SmallInstitution,
) -> None:
    im_policy(small)
    label = "trainee past their board's leave allowance"  # one: told in the singular
    assert label not in [t.label for t in todos_for(small.users["gme"])]
    over_abim(small, by=3)
    (todo,) = [t for t in todos_for(small.users["gme"]) if t.label == label]
    assert todo.count == 1 and todo.url == reverse("leave:home")
