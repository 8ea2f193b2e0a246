"""Retry: only the person who started a job that failed because its worker died may start it
again (and only while they may still work on its program); pressed twice, it starts one job;
from a schedule's job page it leads to the new job's page of the same kind."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from rounds.jobs.models import Job
from rounds.people.models import Role, RoleAssignment
from rounds.schedules.jobs import KIND as SOLVE
from tests.people import USERNAMES, SmallInstitution


def lost(small: SmallInstitution, *, by: str = "coord.im", retryable: bool = True) -> Job:
    """A solve of IM's year whose worker died (as the sweep leaves it)."""
    return Job.objects.create(
        kind=SOLVE,
        title="Solve Internal Medicine 2026–2027",
        started_by=small.users[by],
        status=Job.Status.FAILED,
        params={"program": small.im.pk, "academic_year": 2026},
        message="Failed: the worker running it (host:1) stopped. Retry starts it again.",
        result={"retryable": True} if retryable else {},
        finished_at=timezone.now(),
    )


def test_only_the_starter_sees_retry_and_may_press_it(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    job = lost(small)
    page = f"/schedules/solves/{job.pk}/"
    assert ">Retry</button>" in client_as("coord.im").get(page).content.decode()
    assert ">Retry</button>" not in client_as("pd.im").get(page).content.decode()

    assert Client().post(f"/jobs/{job.pk}/retry/")["Location"].startswith("/accounts/login/")
    for username in USERNAMES:
        if username != "coord.im":
            response = client_as(username).post(f"/jobs/{job.pk}/retry/", {"page": page})
            assert response.status_code == 404, username
    assert Job.objects.count() == 1


def test_retry_pressed_twice_starts_one_job_and_opens_its_page(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    job = lost(small)
    coord = client_as("coord.im")
    page = f"/schedules/solves/{job.pk}/"
    first = coord.post(f"/jobs/{job.pk}/retry/", {"page": page})
    second = coord.post(f"/jobs/{job.pk}/retry/", {"page": page})

    (again,) = Job.objects.exclude(pk=job.pk)
    assert first["Location"] == second["Location"] == f"/schedules/solves/{again.pk}/"
    assert (again.status, again.kind, again.params) == (Job.Status.QUEUED, SOLVE, job.params)
    assert again.started_by == small.users["coord.im"]
    assert ">Retry</button>" not in coord.get(page).content.decode()
    # A page that is not this job's (or another site) is not followed.
    job2 = lost(small)
    odd = coord.post(f"/jobs/{job2.pk}/retry/", {"page": "https://elsewhere.example/x/"})
    assert odd["Location"] == Job.objects.latest("pk").get_absolute_url()


def test_a_job_that_failed_on_its_own_terms_is_not_retried(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    job = lost(small, retryable=False)
    coord = client_as("coord.im")
    assert ">Retry</button>" not in coord.get(f"/schedules/solves/{job.pk}/").content.decode()
    coord.post(f"/jobs/{job.pk}/retry/")
    assert Job.objects.count() == 1


def test_a_starter_who_left_the_program_may_not_retry(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    job = lost(small)
    coord = small.users["coord.im"]
    RoleAssignment.objects.filter(user=coord, role=Role.PROGRAM_COORDINATOR).delete()
    assert client_as("coord.im").post(f"/jobs/{job.pk}/retry/").status_code == 404
    assert Job.objects.count() == 1
