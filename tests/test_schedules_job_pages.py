"""One job page serves every schedule job: a program's rotation solve, the institution-wide solve,
and a call month built or re-solved. Each shows its progress with a cancel button while it runs,
polls its own address, goes back to where it was started, and is seen only by those who may: a
program's staff and the GME office (another program's staff get 404), the institution-wide solve
the GME office alone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from rounds.jobs.models import Job
from tests.people import USERNAMES, SmallInstitution

YEAR = 2026


@dataclass(frozen=True)
class Kind:
    kind: str
    page: str  # URL name of its page; its cancel is page + "_cancel"
    back: str  # the breadcrumb link back, as the page shows it
    step: str
    who: dict[str, int]  # GET status per user; everyone else 403


IM_STAFF = {"gme": 200, "pd.im": 200, "coord.im": 200, "pd.cards": 404}
GME_ONLY = {"gme": 200, "pd.im": 404, "coord.im": 404, "pd.cards": 404}
KINDS = [
    Kind("rotation_solve", "schedules:job", "Internal Medicine Residency", "Solve", IM_STAFF),
    Kind("rotation_solve_all", "schedules:job", "Schedules", "Every program’s year", GME_ONLY),
    Kind("call_build", "schedules:call_job", "Internal Medicine Residency call", "Build", IM_STAFF),
    Kind("call_resolve", "schedules:call_job", "Internal Medicine Residency call", "Re-solve",
         IM_STAFF),
]  # fmt: skip


def _job(small: SmallInstitution, kind: Kind, **fields: object) -> Job:
    params = {"academic_year": YEAR, "month": f"{YEAR}-11"}
    if kind.kind != "rotation_solve_all":
        params["program"] = small.im.pk
    return Job.objects.create(kind=kind.kind, title=f"A {kind.step} job", params=params, **fields)


def _back_href(small: SmallInstitution, kind: Kind) -> str:
    if kind.kind == "rotation_solve_all":
        return f"{reverse('schedules:home')}?year={YEAR}"
    if kind.page == "schedules:job":
        return reverse("schedules:program", args=[small.im.pk, YEAR])
    return reverse("schedules:calls", args=[small.im.pk])


@pytest.mark.parametrize("kind", KINDS, ids=[k.kind for k in KINDS])
def test_a_running_job_shows_progress_polls_itself_and_goes_back(
    small: SmallInstitution, client_as, kind: Kind
) -> None:
    job = _job(small, kind, status=Job.Status.RUNNING, progress=0.4, message="searching")
    url = reverse(kind.page, args=[job.pk])
    page = client_as("gme").get(url).content.decode()
    assert "<h1>A " + kind.step + " job</h1>" in page
    assert f'<a href="{_back_href(small, kind)}">{kind.back}</a></li><li>{kind.step}</li>' in page
    assert '<progress max="100" value="40"' in page and "searching" in page
    assert f'hx-get="{url}"' in page
    assert f'action="{reverse(kind.page + "_cancel", args=[job.pk])}"' in page
    # What htmx fetches every second is the card alone, still polling while the job runs.
    card = client_as("gme").get(url, HTTP_HX_REQUEST="true").content.decode()
    assert card.startswith('<div id="job-status"') and "<h1>" not in card
    assert f'hx-get="{url}"' in card
    # Once finished it stops polling and offers no cancel.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.SUCCEEDED, progress=1.0)
    done = client_as("gme").get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Finished" in done and "hx-get" not in done and "Cancel" not in done


@pytest.mark.parametrize("kind", KINDS, ids=[k.kind for k in KINDS])
def test_only_those_who_may_see_a_job_see_or_cancel_it(
    small: SmallInstitution, client_as, kind: Kind
) -> None:
    job = _job(small, kind)
    url = reverse(kind.page, args=[job.pk])
    cancel = reverse(kind.page + "_cancel", args=[job.pk])
    for username in USERNAMES:
        assert client_as(username).get(url).status_code == kind.who.get(username, 403), username
        if kind.who.get(username) != 200:
            expected = kind.who.get(username, 403)
            assert client_as(username).post(cancel).status_code == expected, username
    job.refresh_from_db()
    assert not job.cancel_requested, "nobody who may not see it stopped it"
    # Those who see it can stop it, by a POST, and are sent back to its page.
    staff = "gme" if kind.kind == "rotation_solve_all" else "coord.im"
    assert client_as(staff).get(cancel).status_code == 405
    response = client_as(staff).post(cancel)
    assert response.status_code == 302 and response["Location"] == url
    job.refresh_from_db()
    assert job.cancel_requested


def test_a_job_is_found_only_at_its_own_kind_of_address(small: SmallInstitution, client_as) -> None:
    solve = _job(small, KINDS[0])
    call = _job(small, KINDS[2])
    gme = client_as("gme")
    assert gme.get(reverse("schedules:call_job", args=[solve.pk])).status_code == 404
    assert gme.get(reverse("schedules:job", args=[call.pk])).status_code == 404
    assert gme.post(reverse("schedules:job_cancel", args=[call.pk])).status_code == 404
    assert gme.post(reverse("schedules:call_job_cancel", args=[solve.pk])).status_code == 404
    call.refresh_from_db()
    solve.refresh_from_db()
    assert not call.cancel_requested and not solve.cancel_requested
