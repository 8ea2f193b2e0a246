"""The privacy check of large tables runs in a worker, never inside a page view: the first view
after the counts change shows the conservative figures (every URiM cell hidden), says why, and
queues exactly one check; once a worker has run it, every page shows the checked figures, in
every process (the decision is shared: the cache, and the job's own result)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from rounds.inclusion.selectors import trainee_composition
from rounds.jobs.models import Job
from rounds.lib import disclosure
from rounds.people.models import Person, SelfIdentification, Trainee
from tests.people import SmallInstitution

CHECKING = "being checked for privacy"


@pytest.fixture(autouse=True)
def checked_in_the_background(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_DISCLOSURE_INLINE_ATOMS = 0  # every table is "large"
    settings.ROUNDS_TODAY = "2026-12-07"  # mid-year: ben (from July 2026) is in training


@pytest.fixture
def audits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every audit run, by thread name: a page view must never run one."""
    runs: list[str] = []
    decide = disclosure.Table.decide

    def counted(table: disclosure.Table, **kwargs: object) -> disclosure.Release:
        runs.append(threading.current_thread().name)
        return decide(table, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(disclosure.Table, "decide", counted)
    return runs


def add_trainees(small: SmallInstitution, urim: bool | None, n: int, tag: str) -> None:
    for i in range(n):
        person = Person.objects.create(
            kind="trainee", first_name=tag, last_name=str(i), email=f"{tag}{i}@example.org"
        )
        Trainee.objects.create(
            person=person,
            program=small.im,
            pgy=small.im.first_pgy,
            start_date=date(2023, 7, 1),
            expected_end_date=date(2027, 6, 30),
        )
        if urim is not None:
            SelfIdentification.objects.create(person=person, urim=urim, race_ethnicity=["x"])


def im_row(page: str) -> str:
    return page.split("Internal Medicine Residency", 1)[1].split("</tr>", 1)[0]


def checks() -> list[Job]:
    return list(Job.objects.filter(kind=disclosure.CHECK_KIND))


def queued_tasks() -> int:
    return DBTaskResult.objects.filter(status="READY").count()


def run_a_worker() -> None:
    """A worker takes what is queued and stops (`db_worker --batch`)."""
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")


def test_a_view_after_a_change_is_conservative_queues_one_check_and_then_shows_checked_figures(
    transactional_db: None,
    small: SmallInstitution,
    client_as: Callable[[str], Client],
    audits: list[str],
) -> None:
    add_trainees(small, True, 6, "u")
    add_trainees(small, False, 20, "o")
    add_trainees(small, None, 5, "n")
    office = client_as("inclusion")

    first = office.get("/inclusion/").content.decode()
    second = office.get("/inclusion/").content.decode()  # a reload, or a double click

    assert audits == []  # no view ran the audit
    assert CHECKING in first and CHECKING in second
    # Conservative: the program's size (no secret) is shown, none of its URiM figures.
    assert "<td>33</td>" in im_row(first)
    assert im_row(first).count('class="suppressed"') == 3
    (check,) = checks()
    assert check.status == Job.Status.QUEUED and check.started_by is None
    assert queued_tasks() == 1
    # The CSV, read meanwhile, hides the same cells and queues nothing more.
    csv = office.get("/inclusion/export.csv").content.decode()
    assert ",6," not in csv and ",20," not in csv
    assert len(checks()) == 1

    run_a_worker()

    check.refresh_from_db()
    assert check.status == Job.Status.SUCCEEDED, check.message
    assert len(audits) == 1
    after = office.get("/inclusion/").content.decode()
    assert CHECKING not in after
    assert "<td>6</td><td>20</td><td>7</td>" in im_row(after).replace("\n", "")
    _, overall = trainee_composition()
    assert not overall.pending

    # Another process, whose cache never saw the decision, reads it from the job's result.
    cache.clear()
    again = office.get("/inclusion/").content.decode()
    assert "<td>6</td><td>20</td><td>7</td>" in im_row(again).replace("\n", "")
    assert len(checks()) == 1 and len(audits) == 1

    # New counts are unchecked counts: conservative again, and one new check.
    add_trainees(small, True, 1, "late")
    changed = office.get("/inclusion/").content.decode()
    assert CHECKING in changed and im_row(changed).count('class="suppressed"') == 3
    assert len(checks()) == 2 and len(audits) == 1


def test_simultaneous_first_views_queue_one_check(
    transactional_db: None, small: SmallInstitution, audits: list[str]
) -> None:
    add_trainees(small, True, 6, "u")
    add_trainees(small, False, 20, "o")
    start = threading.Barrier(4)
    seen: list[bool] = []

    def view() -> None:
        try:
            start.wait()
            _, overall = trainee_composition()
            seen.append(overall.pending)
        finally:
            connection.close()

    threads = [threading.Thread(target=view) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert seen == [True] * 4
    assert len(checks()) == 1 and queued_tasks() == 1
    assert audits == []


def test_the_check_job_can_run_twice_and_decides_the_same(
    transactional_db: None, small: SmallInstitution
) -> None:
    add_trainees(small, True, 6, "u")
    add_trainees(small, False, 20, "o")
    trainee_composition()
    (check,) = checks()
    run_a_worker()
    check.refresh_from_db()
    first = check.result["hidden"]
    cache.clear()
    from rounds.jobs.services import job_start

    repeat = job_start(kind=check.kind, title=check.title, started_by=None, params=check.params)
    run_a_worker()
    repeat.refresh_from_db()
    assert repeat.status == Job.Status.SUCCEEDED
    assert repeat.result["hidden"] == first and first
    assert checks() == [repeat]  # the table's earlier decision is not kept beside it
