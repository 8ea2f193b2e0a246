"""Version checks are made again on the locked row, inside the save's transaction: a save that
passed its form's check a moment before someone else's save is still refused, with a page that
says why (409), never a silent overwrite."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from rounds.core.middleware import StaleRecordMiddleware
from rounds.core.models import Program
from rounds.core.services import StaleRecord, form_save
from rounds.schedules.models import RotationSchedule
from rounds.schedules.services import StaleEdit, check_editable
from rounds.staff.forms import ProgramTextForm
from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

STALE = "Someone else saved this record after you opened it."


def _form(program: Program, description: str) -> ProgramTextForm:
    opened = ProgramTextForm(instance=program)
    data = {"contact_email": "im@example.org", "description": description,
            "how_to_apply": "ERAS", "version": opened.initial["version"]}  # fmt: skip
    return ProgramTextForm(data, instance=Program.objects.get(pk=program.pk))


def test_a_save_made_between_check_and_save_refuses_the_second(small: SmallInstitution) -> None:
    form = _form(small.im, "Mine.")
    assert form.is_valid()  # checked before the other save
    Program.objects.filter(pk=small.im.pk).update(description="Theirs.")
    with pytest.raises(StaleRecord, match=STALE):
        form_save(form=form, by=small.users["pd.im"])
    assert Program.objects.get(pk=small.im.pk).description == "Theirs."


def test_an_unchanged_record_saves(small: SmallInstitution) -> None:
    form = _form(small.im, "Mine.")
    assert form.is_valid()
    form_save(form=form, by=small.users["pd.im"])
    assert Program.objects.get(pk=small.im.pk).description == "Mine."


def test_the_refusal_is_a_409_page_saying_why(small: SmallInstitution) -> None:
    request = RequestFactory().post("/staff/programs/1/public-page/")
    request.user = small.users["pd.im"]
    middleware = StaleRecordMiddleware(lambda _request: HttpResponse())
    response = middleware.process_exception(request, StaleRecord(STALE))
    assert response is not None and response.status_code == 409
    page = response.content.decode()
    assert STALE in page and 'href="/staff/programs/1/public-page/"' in page
    assert middleware.process_exception(request, ValueError("other")) is None


def test_the_draft_revision_is_read_again_under_the_lock(small: SmallInstitution) -> None:
    x = build_schedules(small)
    seen = RotationSchedule.objects.get(pk=x.draft.pk)  # as the page loaded it
    loaded = seen.revision
    RotationSchedule.objects.filter(pk=x.draft.pk).update(revision=loaded + 1)
    with transaction.atomic(), pytest.raises(StaleEdit, match="Someone else changed this draft"):
        check_editable(seen, loaded)
    with transaction.atomic():
        check_editable(seen, loaded + 1)  # made against the current revision: editable
