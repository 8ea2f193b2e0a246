"""Onboarding: checklists per program and per institution assigned to incoming trainees with due
dates, completed by the trainee (documents checked before anything is written, served only to
those allowed), and a coordinator view of who is missing what."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from rounds.record.models import OnboardingItem, OnboardingTask
from rounds.record.services import onboarding_assign
from tests.people import USERNAMES, SmallInstitution

DAY = date(2026, 6, 30)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def checklist(small: SmallInstitution) -> dict[str, OnboardingItem]:
    return {
        "licence": OnboardingItem.objects.create(
            program=small.im, title="Training licence copy", kind="document", days_before_start=7
        ),
        "hipaa": OnboardingItem.objects.create(
            program=None, title="HIPAA module", kind="module", days_before_start=0
        ),
        "echo": OnboardingItem.objects.create(
            program=small.cards, title="Echo lab badge form", kind="form"
        ),
    }


@pytest.mark.django_db
def test_incoming_trainees_get_their_program_and_institution_items_once(
    small: SmallInstitution,
) -> None:
    checklist(small)
    call_command("onboarding_assign", stdout=None)
    call_command("onboarding_assign", stdout=None)  # again: nothing doubles
    tasks = OnboardingTask.objects.select_related("item", "trainee")
    # Ben starts on July 1 (incoming); Ana and Cara are already in training.
    assert sorted((t.trainee.pk, t.item.title, t.due_on) for t in tasks) == [
        (small.ben.pk, "HIPAA module", date(2026, 7, 1)),
        (small.ben.pk, "Training licence copy", DAY),  # 7 days before: already past, so today
    ]


@pytest.mark.django_db
def test_the_intern_uploads_a_document_and_bad_files_are_refused_with_nothing_written(
    client_as, small
) -> None:
    items = checklist(small)
    onboarding_assign(day=DAY)
    task = OnboardingTask.objects.get(item=items["licence"])
    client = client_as("resident2")
    url = f"/record/onboarding/{task.pk}/done/"
    refusals = {
        "not a PDF, PNG or JPEG": SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 an exe"),
        "is empty": SimpleUploadedFile("licence.pdf", b""),
        "documents up to 1 MB": SimpleUploadedFile("big.pdf", PDF + b"0" * 1_100_000),
    }
    with pytest.MonkeyPatch.context() as patch:
        from django.conf import settings

        patch.setattr(settings, "ROUNDS_UPLOAD_MAX_BYTES", 1024 * 1024, raising=False)
        for message, upload in refusals.items():
            page = client.post(url, {"document": upload})
            assert page.status_code == 400 and message in page.content.decode(), message
        assert "needs a file" in client.post(url).content.decode()
    task.refresh_from_db()
    assert task.done_at is None and not task.file_data
    page = client.post(url, {"document": SimpleUploadedFile("../../licence.pdf", PDF)})
    assert page.status_code == 302
    task.refresh_from_db()
    assert task.done_at and task.file_name == "licence.pdf" and task.file_type == "application/pdf"
    assert "already done" in client.post(url).content.decode()


@pytest.mark.django_db
def test_the_coordinator_sees_who_is_missing_what_overdue_first(client_as, small) -> None:
    items = checklist(small)
    onboarding_assign(day=DAY)
    page = client_as("coord.im").get("/record/onboarding/").content.decode()
    assert "Ben Baker" in page and "Training licence copy" in page and "0 of 2 done" in page
    OnboardingTask.objects.filter(trainee=small.ben, item=items["hipaa"]).update(
        done_at="2026-06-29T10:00Z"
    )
    page = client_as("coord.im").get("/record/onboarding/").content.decode()
    assert "1 of 2 done" in page and "HIPAA module" not in page
    assert "Ben Baker" not in client_as("pd.cards").get("/record/onboarding/").content.decode()


@pytest.mark.django_db
def test_every_role_against_the_onboarding_pages(small: SmallInstitution) -> None:
    items = checklist(small)
    onboarding_assign(day=DAY)
    task = OnboardingTask.objects.get(item=items["licence"])
    task.file_data, task.file_name, task.file_type = PDF, "licence.pdf", "application/pdf"
    task.save()
    staff = {"gme", "pd.im", "coord.im", "pd.cards"}
    file_readers = {"gme", "pd.im", "coord.im", "resident2"}
    failures = []
    for username in USERNAMES:
        client = Client()
        client.force_login(small.users[username])
        status = client.get("/record/onboarding/").status_code
        expected = 200 if username in staff | {"resident", "resident2", "fellow"} else 403
        if status != expected:
            failures.append(f"onboarding as {username}: {status}")
        status = client.get(f"/record/onboarding/{task.pk}/file/").status_code
        if status != (200 if username in file_readers else 404):
            failures.append(f"file as {username}: {status}")
        if username != "resident2":
            status = client.post(f"/record/onboarding/{task.pk}/done/").status_code
            if status != 404:
                failures.append(f"complete as {username}: {status}")
    for path in ("/record/onboarding/", f"/record/onboarding/{task.pk}/file/"):
        assert Client().get(path).status_code == 302
    assert failures == []
    task.refresh_from_db()
    assert task.done_at is None
