"""Two saves at the same moment, with real threads against the real database, each thread on its
own connection as each web process has: 100 pairs of each kind, started together by a barrier.

- Two coordinators save the same cell (rotation grid, call grid) or the same record (a program's
  public page, the URiM definition) from pages loaded at the same version: one is saved, the
  other is told someone else changed it. Never both.
- A form sent twice (double click: the same token) is saved once, and both answers show it.
- The same entry typed in two tabs (two tokens): one is saved, the other is refused by name.

On PostgreSQL the writers wait on row locks (and the exclusion constraints stand behind them);
on SQLite the IMMEDIATE transactions let one writer in at a time. Either way: no lost update,
no duplicate, no server error.
"""

from __future__ import annotations

import datetime as dt
import queue
import re
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse

from rounds.concerns.models import Concern
from rounds.core.models import Program, SubmitToken
from rounds.inclusion.models import DEFAULT_URIM_CATEGORIES, UrimDefinition
from rounds.inclusion.services import urim_definition_get
from rounds.jobs.models import Job
from rounds.lib.idempotency import new_token
from rounds.lib.today import today
from rounds.schedules.models import CallSchedule, RotationAssignment, RotationSchedule
from rounds.staff.forms import fingerprint
from rounds.workhours.models import LeaveSpan, LoggedPeriod
from tests.call_setup import hand_month
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

pytestmark = pytest.mark.django_db(transaction=True)

PAIRS = 100
STALE = "Someone else changed this draft after you loaded it."


Answer = Any  # the test client's response


class Pair:
    """Two threads, each on its own database connection for the whole test (closed when the
    thread ends), that run one call each, released at the same instant by a barrier, as often as
    asked. A call that raises comes back as its exception (a server error)."""

    def __init__(self) -> None:
        self.barrier = threading.Barrier(2)
        self.inboxes: list[queue.Queue[Callable[[], Answer] | None]] = [
            queue.Queue(),
            queue.Queue(),
        ]
        self.answers: queue.Queue[tuple[int, Answer | BaseException]] = queue.Queue()
        self.threads = [threading.Thread(target=self._work, args=(i,)) for i in range(2)]
        for thread in self.threads:
            thread.start()

    def _work(self, index: int) -> None:
        try:
            while (call := self.inboxes[index].get()) is not None:
                try:
                    self.barrier.wait(timeout=60)
                    answer: Answer | BaseException = call()
                except BaseException as error:  # counted as a server error by _answered
                    answer = error
                self.answers.put((index, answer))
        finally:
            connections.close_all()

    def __call__(self, first: Callable[[], Answer], second: Callable[[], Answer]) -> list[Any]:
        for inbox, call in zip(self.inboxes, (first, second), strict=True):
            inbox.put(call)
        got = dict(self.answers.get(timeout=120) for _ in range(2))
        return [got[0], got[1]]

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for thread in self.threads:
            thread.join(timeout=60)


@pytest.fixture
def together() -> Iterator[Pair]:
    pair = Pair()
    yield pair
    pair.close()


def _answered(outcomes: list[Answer | BaseException]) -> list[Answer]:
    """Every outcome is an answer, none a server error."""
    errors = [o for o in outcomes if isinstance(o, BaseException) or o.status_code >= 500]
    assert not errors, f"server errors: {errors}"
    return outcomes


def _messages(response: Answer) -> list[str]:
    """The messages this answer added (the clients drop earlier ones, see `_fresh`)."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def _fresh(*clients: Client) -> None:
    """Forget messages an earlier answer left in the cookie (a browser would show them on the
    page it was redirected to)."""
    for client in clients:
        client.cookies.pop("messages", None)


def _signed_in(small: SmallInstitution, username: str) -> Client:
    client = Client()
    client.force_login(small.users[username])
    return client


def test_two_saves_of_one_rotation_cell_never_both_succeed(
    small: SmallInstitution, together: Pair
) -> None:
    x = build_schedules(small)
    pd, coord = _signed_in(small, "pd.im"), _signed_in(small, "coord.im")
    url = reverse("schedules:cell", args=[x.draft.pk])
    block = x.im_blocks[5]
    cell = RotationAssignment.objects.filter(schedule=x.draft, trainee=small.ana, block=block)
    for _ in range(PAIRS):
        _fresh(pd, coord)
        revision = RotationSchedule.objects.get(pk=x.draft.pk).revision
        current = cell.get().rotation
        first, second = [r for r in (x.wards, x.micu, x.clinic) if r != current][:2]

        data = {"trainee": small.ana.pk, "block": block.pk, "revision": revision}
        answers = _answered(
            together(
                partial(pd.post, url, {**data, "rotation": first.pk}),
                partial(coord.post, url, {**data, "rotation": second.pk}),
            )
        )
        saved = [a for a in answers if not _messages(a)]
        refused = [a for a in answers if any(STALE in m for m in _messages(a))]
        assert len(saved) == 1 and len(refused) == 1, [_messages(a) for a in answers]
        winner = first if saved[0] is answers[0] else second
        assert cell.get().rotation == winner  # the one told "saved" is what is stored
        assert RotationSchedule.objects.get(pk=x.draft.pk).revision == revision + 1


def test_two_saves_of_one_call_cell_never_both_succeed(
    small: SmallInstitution, together: Pair
) -> None:
    build_schedules(small)
    month = hand_month(small)
    pd, coord = _signed_in(small, "pd.im"), _signed_in(small, "coord.im")
    url = reverse("schedules:call_cell", args=[month.pk])
    day = month.month + dt.timedelta(days=10)
    for _ in range(PAIRS):
        _fresh(pd, coord)
        revision = CallSchedule.objects.get(pk=month.pk).revision
        now = [s.label for s in month.shifts.filter(trainee=small.ana, day=day)]
        codes = {"24h call": "C", "Night float": "N", "Day team": "D"}
        current = codes.get(now[0], "") if now else ""
        first, second = [c for c in ("C", "N", "D") if c != current][:2]

        data = {"trainee": small.ana.pk, "day": day.isoformat(), "revision": revision}
        answers = _answered(
            together(
                partial(pd.post, url, {**data, "shift": first}),
                partial(coord.post, url, {**data, "shift": second}),
            )
        )
        said = [_messages(a) for a in answers]
        refused = [i for i, m in enumerate(said) if any(STALE in text for text in m)]
        assert len(refused) == 1, said
        winner = second if refused == [0] else first
        stored = [s.label for s in month.shifts.filter(trainee=small.ana, day=day)]
        assert [codes[label] for label in stored] == [winner]
        assert CallSchedule.objects.get(pk=month.pk).revision == revision + 1


def test_two_saves_of_one_program_page_never_both_succeed(
    small: SmallInstitution, together: Pair
) -> None:
    """The staff edit forms (GuardedModelForm) check the record's version when the form is
    validated, and again under a row lock when it is saved."""
    pd, coord = _signed_in(small, "pd.im"), _signed_in(small, "coord.im")
    url = reverse("staff:program_text", args=[small.im.pk])
    for i in range(PAIRS):
        version = fingerprint(Program.objects.get(pk=small.im.pk))
        texts = [f"Version {i} by the director.", f"Version {i} by the coordinator."]
        page = {"contact_email": "im@example.org", "how_to_apply": "ERAS", "version": version}
        answers = _answered(
            together(
                partial(pd.post, url, {**page, "description": texts[0]}),
                partial(coord.post, url, {**page, "description": texts[1]}),
            )
        )
        saved = [k for k, a in enumerate(answers) if a.status_code == 302]
        assert len(saved) == 1, [a.status_code for a in answers]
        refused = answers[1 - saved[0]]
        assert refused.status_code in (200, 409)  # refused when checked, or when saved
        assert "Someone else saved this record after you opened it." in refused.content.decode()
        assert Program.objects.get(pk=small.im.pk).description == texts[saved[0]]


def test_two_saves_of_the_urim_definition_never_both_succeed(
    small: SmallInstitution, together: Pair
) -> None:
    first, second = _signed_in(small, "inclusion"), _signed_in(small, "inclusion")
    url = reverse("inclusion:definition")
    choices = [[*DEFAULT_URIM_CATEGORIES, extra] for extra in ("Asian", "Other")]
    for _ in range(PAIRS):
        definition = urim_definition_get()
        version = definition.updated_at.isoformat()
        answers = _answered(
            together(
                partial(first.post, url, {"categories": choices[0], "version": version}),
                partial(second.post, url, {"categories": choices[1], "version": version}),
            )
        )
        saved = [k for k, a in enumerate(answers) if a.status_code == 302]
        assert len(saved) == 1, [a.status_code for a in answers]
        refused = answers[1 - saved[0]].content.decode()
        assert "Someone else changed the definition after you opened this page." in refused
        stored = UrimDefinition.objects.get(pk=definition.pk).categories
        assert sorted(stored) == sorted(choices[saved[0]])


def test_an_hours_entry_sent_twice_is_logged_once(small: SmallInstitution, together: Pair) -> None:
    resident = _signed_in(small, "resident")
    url = reverse("workhours:entry_new")
    yesterday = today() - dt.timedelta(days=1)
    for i in range(PAIRS):
        day = yesterday - dt.timedelta(days=i)
        form = {"kind": "clinical", "day": day.isoformat(), "start_time": "08:00",
                "end_time": "12:30", "note": "", "submit_token": new_token()}  # fmt: skip
        _fresh(resident)
        answers = _answered(
            together(partial(resident.post, url, form), partial(resident.post, url, form))
        )
        assert [a.status_code for a in answers] == [302, 302]
        assert answers[0]["Location"] == answers[1]["Location"]
        messages = [_messages(a) for a in answers]
        assert all(m == ["Saved: Clinical work, 4.5 hours."] for m in messages), messages
        assert LoggedPeriod.objects.filter(trainee=small.ana).count() == i + 1


def test_the_same_hours_typed_in_two_tabs_are_logged_once(
    small: SmallInstitution, together: Pair
) -> None:
    resident = _signed_in(small, "resident")
    url = reverse("workhours:entry_new")
    yesterday = today() - dt.timedelta(days=1)
    for i in range(PAIRS):
        day = yesterday - dt.timedelta(days=i)
        tabs = [
            {"kind": kind, "day": day.isoformat(), "start_time": "19:00", "end_time": "07:00",
             "note": "", "submit_token": new_token()}
            for kind in ("in_house_call", "clinical")
        ]  # fmt: skip
        _fresh(resident)
        answers = _answered(
            together(partial(resident.post, url, tabs[0]), partial(resident.post, url, tabs[1]))
        )
        assert sorted(a.status_code for a in answers) == [200, 302]
        refused = next(a for a in answers if a.status_code == 200).content.decode()
        assert "This overlaps your " in refused and "change that entry instead" in refused
        assert LoggedPeriod.objects.filter(trainee=small.ana).count() == i + 1


def test_leave_sent_twice_is_recorded_once(small: SmallInstitution, together: Pair) -> None:
    resident = _signed_in(small, "resident")
    url = reverse("workhours:leave_new")
    tomorrow = today() + dt.timedelta(days=1)
    for i in range(PAIRS):
        day = (tomorrow + dt.timedelta(days=i)).isoformat()
        form = {"kind": "vacation", "start": day, "end": day, "submit_token": new_token()}
        _fresh(resident)
        answers = _answered(
            together(partial(resident.post, url, form), partial(resident.post, url, form))
        )
        assert [a.status_code for a in answers] == [302, 302]
        assert all(_messages(a)[0].startswith("Leave recorded: Vacation") for a in answers)
        assert LeaveSpan.objects.filter(trainee=small.ana).count() == i + 1


def test_leave_typed_in_two_tabs_is_recorded_once(small: SmallInstitution, together: Pair) -> None:
    resident = _signed_in(small, "resident")
    url = reverse("workhours:leave_new")
    tomorrow = today() + dt.timedelta(days=1)
    for i in range(PAIRS):
        first = tomorrow + dt.timedelta(days=2 * i)
        tabs = [
            {"kind": kind, "start": first.isoformat(), "end": last.isoformat(),
             "submit_token": new_token()}
            for kind, last in (("vacation", first), ("sick", first + dt.timedelta(days=1)))
        ]  # fmt: skip
        _fresh(resident)
        answers = _answered(
            together(partial(resident.post, url, tabs[0]), partial(resident.post, url, tabs[1]))
        )
        assert sorted(a.status_code for a in answers) == [200, 302]
        refused = next(a for a in answers if a.status_code == 200).content.decode()
        assert "You already have " in refused and "remove it first to change it" in refused
        assert LeaveSpan.objects.filter(trainee=small.ana).count() == i + 1


def test_a_concern_raised_by_name_twice_is_raised_once(
    small: SmallInstitution, together: Pair
) -> None:
    resident = _signed_in(small, "resident")
    url = reverse("concerns:raise")
    for i in range(PAIRS):
        form = {"anonymous": "0", "category": "workload", "subject": f"Nights {i}",
                "body": "Three night floats in a row without a day off.", "program": "",
                "submit_token": new_token()}  # fmt: skip
        _fresh(resident)
        answers = _answered(
            together(partial(resident.post, url, form), partial(resident.post, url, form))
        )
        assert [a.status_code for a in answers] == [302, 302]
        assert answers[0]["Location"] == answers[1]["Location"]
        assert Concern.objects.filter(reporter=small.users["resident"]).count() == i + 1


def test_an_anonymous_concern_sent_twice_is_raised_once_and_both_answers_show_its_code(
    small: SmallInstitution, together: Pair
) -> None:
    resident = _signed_in(small, "resident")
    url = reverse("concerns:raise")
    codes: set[str] = set()
    for i in range(PAIRS):
        form = {"anonymous": "1", "category": "mistreatment", "subject": f"Nights {i}",
                "body": "Shouting at interns on nights.", "program": "",
                "submit_token": new_token()}  # fmt: skip
        answers = _answered(
            together(partial(resident.post, url, form), partial(resident.post, url, form))
        )
        assert [a.status_code for a in answers] == [200, 200]
        shown = [_code_shown(a) for a in answers]
        # The browser shows whichever answer came last: both carry the one concern's code.
        assert shown[0] == shown[1] and shown[0] not in codes
        codes.add(shown[0])
        assert Concern.objects.filter(anonymous=True).count() == i + 1
    assert not SubmitToken.objects.exists()  # nothing about the sends is stored


def _code_shown(answer: Answer) -> str:
    page = answer.content.decode()
    match = re.search(r'<p class="code-box" id="code">([A-Z2-7-]+)</p>', page)
    assert match, page
    return match.group(1)


def test_a_solve_started_twice_is_one_job(small: SmallInstitution, together: Pair) -> None:
    build_schedules(small)
    coord = _signed_in(small, "coord.im")
    url = reverse("schedules:solve", args=[small.im.pk, 2026])
    for i in range(PAIRS):
        form = {"submit_token": new_token()}
        answers = _answered(
            together(partial(coord.post, url, form), partial(coord.post, url, form))
        )
        assert [a.status_code for a in answers] == [302, 302]
        assert answers[0]["Location"] == answers[1]["Location"]
        assert Job.objects.filter(kind="rotation_solve").count() == i + 1
