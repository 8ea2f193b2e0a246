"""Publishing shows its consequences first. A rotation version is published only from its preview:
the cells and trainees that change, the published call months it breaks, hours logged "as
scheduled" on changed blocks, site arrivals that change. A month it breaks is rebuilt in the same
step (only where needed) or flagged until a replacement is published; a draft edited after its
preview is previewed again; the emails carry absolute links."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rounds.jobs.models import Job
from rounds.jobs.services import job_run
from rounds.lib.today import today
from rounds.schedules.consequences import (
    call_months_broken,
    call_publish_preview,
    rotation_publish_preview,
)
from rounds.schedules.models import (
    Block,
    CallSchedule,
    Rotation,
    RotationAssignment,
    RotationProgram,
    RotationSchedule,
)
from rounds.schedules.selectors import trainees_at_site
from rounds.schedules.services import StalePreview, schedule_create, schedule_publish
from rounds.workhours.models import LoggedPeriod
from tests.call_setup import call_pool, hand_month, shift
from tests.people import SmallInstitution
from tests.schedules_setup import SmallSchedules, build_schedules

NY = zoneinfo.ZoneInfo("America/New_York")


MID_YEAR = "2026-12-07"  # block 6 (Nov 18 - Dec 15) is under way; the hand-made month is January


@pytest.fixture(autouse=True)
def mid_year(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROUNDS_TODAY = MID_YEAR


def _block(x: SmallSchedules, day: dt.date) -> Block:
    return next(b for b in x.im_blocks if b.start <= day <= b.end)


def _world(small: SmallInstitution) -> tuple[SmallSchedules, CallSchedule, RotationSchedule]:
    """A published IM call month resting on the published rotations, and a new rotation draft
    that sends Ana to an elective over one of her calls and Ben to it in the block under way."""
    x = build_schedules(small)
    call_pool(small, x)
    elective = Rotation.objects.create(
        name="Elective", service="Electives", site=small.affiliate, kind="elective"
    )
    RotationProgram.objects.create(rotation=elective, program=small.im)
    month = hand_month(small, status="published")
    month.published_at = timezone.now()
    month.save()
    shift(month, small.ana, 2)
    shift(month, small.ben, 3)
    draft = schedule_create(
        program=small.im, academic_year=x.published.academic_year, by=None,
        reason="Electives", based_on=x.published,
    )  # fmt: skip
    x.draft.delete()  # the setup's own draft: not this story
    call_day = month.month + dt.timedelta(days=2)
    RotationAssignment.objects.filter(
        schedule=draft, trainee=small.ana, block=_block(x, call_day)
    ).update(rotation=elective)
    # The block under way has started: Ben's change there is a correction of history.
    RotationAssignment.objects.filter(
        schedule=draft, trainee=small.ben, block=_block(x, today())
    ).update(rotation=elective, correction="Ben went to the elective")
    # Ben pressed "worked as scheduled" on the first day of that block.
    start = dt.datetime.combine(_block(x, today()).start, dt.time(7), NY)
    LoggedPeriod.objects.create(trainee=small.ben, kind="clinical", start=start,
                                end=start + dt.timedelta(hours=11), source="scheduled")  # fmt: skip
    return x, month, draft


def test_the_preview_counts_the_difference_and_what_it_breaks(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x, month, draft = _world(small)
    preview = rotation_publish_preview(draft)
    assert (preview.cells, preview.trainees, preview.started_cells) == (2, 2, 1)
    assert [m.month for m in preview.broken_months] == [month]
    call_day = month.month + dt.timedelta(days=2)
    when = f"{call_day:%a %b} {call_day.day}"
    assert preview.broken_months[0].sentences == [
        f"Ana Alvarez is on Elective, not an inpatient rotation, on {when}"
    ]
    assert preview.broken_months[0].kept == 1
    assert [(h.trainee, h.why) for h in preview.logged] == [
        (small.ben, f"{_block(x, today()).label}: Wards → Elective")
    ]
    assert {s.site.name: len(s.arrivals) for s in preview.sites} == {
        "Harbor VA": 2, small.sponsor.name: 2,
    }  # fmt: skip
    page = client_as("coord.im").get(reverse("schedules:publish_preview", args=[draft.pk]))
    text = page.content.decode()
    assert "<strong>2</strong> blocks change for <strong>2</strong> trainees" in text
    assert "1 of them" not in text and "</strong> of them in blocks already begun" in text
    assert f"Ana Alvarez is on Elective, not an inpatient rotation, on {when}" in text
    assert f'name="rebuild" value="{month.pk}" checked' in text
    assert f'name="fingerprint" value="{preview.fingerprint}"' in text
    assert "worked as scheduled" in text and "No longer comes: Ben Baker" in text
    # Nothing is published by looking.
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_publish_without_its_preview_or_after_an_edit_is_refused(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as
) -> None:
    x, month, draft = _world(small)
    coord = client_as("coord.im")
    url = reverse("schedules:publish", args=[draft.pk])
    response = coord.post(url, {"reason": "Electives"})
    assert response["Location"] == reverse("schedules:publish_preview", args=[draft.pk])
    seen = rotation_publish_preview(draft).fingerprint
    # Someone edits the draft after the preview was loaded.
    RotationAssignment.objects.filter(schedule=draft, trainee=small.ben,
                                      block=x.im_blocks[-1]).update(rotation=x.micu)  # fmt: skip
    page = coord.post(url, {"reason": "Electives", "fingerprint": seen}, follow=True)
    assert "changed after you previewed it. Look at the preview again" in page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("schedules:publish_preview", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.is_draft
    with pytest.raises(StalePreview, match="changed after you previewed it"):
        schedule_publish(schedule=draft, by=None, reason="x", fingerprint=seen)
    # The same holds for a call month.
    month_draft = CallSchedule.objects.create(
        program=small.im, month=dt.date(2027, 3, 1), problem=month.problem
    )
    shift(month_draft, small.ana, 1)
    seen_call = call_publish_preview(month_draft).fingerprint
    shift(month_draft, small.ben, 2)
    response = coord.post(
        reverse("schedules:call_publish", args=[month_draft.pk]), {"fingerprint": seen_call},
        follow=True,
    )  # fmt: skip
    assert "changed after you previewed it" in response.content.decode()
    month_draft.refresh_from_db()
    assert month_draft.is_draft


def test_publishing_rebuilds_the_broken_month_only_where_needed(  # type: ignore[no-untyped-def]
    small: SmallInstitution, client_as, settings, django_capture_on_commit_callbacks
) -> None:
    settings.ROUNDS_SITE_URL = "https://gme.example.org"
    _, month, draft = _world(small)
    coord = client_as("coord.im")
    previewed = rotation_publish_preview(draft)
    seen = previewed.fingerprint
    with django_capture_on_commit_callbacks(execute=True):
        page = coord.post(
            reverse("schedules:publish", args=[draft.pk]),
            {"reason": "Electives", "fingerprint": seen, "rebuild": [str(month.pk)]},
            follow=True,
        ).content.decode()
    draft.refresh_from_db()
    assert draft.status == "published"
    # The arrivals the preview announced are what each site's page now lists.
    for site in previewed.sites:
        for a in site.arrivals:
            here = trainees_at_site(site.site, a.first_day, a.first_day)
            listed = (a.trainee, a.rotation) in {(s.trainee, s.rotation) for s in here}
            assert listed == a.arriving, a
    label = f"{month.month:%B %Y}"
    assert f"Call for {label}: draft version 2 keeps 1 shift(s) locked" in page
    # The emails link to the site itself, not to a bare path.
    told = {m.to[0]: m.body for m in mail.outbox}
    assert "https://gme.example.org/schedules/me/" in told[small.ana.person.email]
    # The draft keeps Ben's call (locked) and takes out Ana's, which no longer holds.
    kept = CallSchedule.objects.get(program=small.im, month=month.month, number=2)
    assert [(s.trainee, s.locked) for s in kept.shifts.all()] == [(small.ben, True)]
    # Until a replacement is published, the broken month is flagged on the program's pages.
    assert [(b.month, b.shifts, b.draft) for b in call_months_broken(small.im.pk)] == [
        (month, 1, kept)
    ]
    for url in (
        reverse("schedules:program", args=[small.im.pk, draft.academic_year]),
        reverse("schedules:calls", args=[small.im.pk]),
        reverse("schedules:grid", args=[draft.pk]),
    ):
        text = coord.get(url).content.decode()
        assert "1 published call month no longer matches the published rotation" in text, url
        assert "Replacement under way" in text
    # The re-solve fills the gap around the kept shift; its result is previewed and published.
    job = Job.objects.get(kind="call_resolve")
    job_run(job.pk)
    rebuilt = CallSchedule.objects.get(program=small.im, month=month.month, number=3)
    call_day = month.month + dt.timedelta(days=2)
    when = f"{call_day:%a %b} {call_day.day}"
    assert not rebuilt.shifts.filter(trainee=small.ana, day=call_day).exists()
    assert rebuilt.shifts.filter(trainee=small.ben, day=call_day + dt.timedelta(days=1),
                                 label="24h call", locked=True).exists()  # fmt: skip
    preview = call_publish_preview(rebuilt)
    assert preview.previous == month and preview.cells >= 1
    text = coord.get(reverse("schedules:call_publish_preview", args=[rebuilt.pk])).content.decode()
    assert f"Publish version 3 of Internal Medicine Residency call for {label}?" in text
    assert f"{when}: 24h call → <strong>off</strong>" in text, "Ana's call taken out"
    assert f'name="fingerprint" value="{preview.fingerprint}"' in text
    coord.post(reverse("schedules:call_publish", args=[rebuilt.pk]),
               {"fingerprint": preview.fingerprint})  # fmt: skip
    rebuilt.refresh_from_db()
    assert rebuilt.status == "published"
    assert call_months_broken(small.im.pk) == []
    text = coord.get(reverse("schedules:calls", args=[small.im.pk])).content.decode()
    assert "no longer match" not in text


def test_the_previews_are_for_the_programs_staff_only(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    _, month, draft = _world(small)
    month_draft = CallSchedule.objects.create(
        program=small.im, month=dt.date(2027, 3, 1), problem=month.problem
    )
    for url in (
        reverse("schedules:publish_preview", args=[draft.pk]),
        reverse("schedules:call_publish_preview", args=[month_draft.pk]),
    ):
        assert "/accounts/login/" in Client().get(url)["Location"]
        assert client_as("pd.cards").get(url).status_code == 404
        assert client_as("resident").get(url).status_code == 403
        assert client_as("pd.im").get(url).status_code == 200
