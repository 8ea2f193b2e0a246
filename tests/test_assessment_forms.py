"""The form builder: items added to a draft, published versions frozen, a change is a new
version, and answers keep pointing at the version they answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from rounds.assessment.errors import AssessmentError
from rounds.assessment.forms_service import draft_of, item_add
from rounds.assessment.generate import requests_generate
from rounds.assessment.models import EvaluationRequest, EvaluatorKind, FormVersion
from rounds.assessment.services import evaluation_submit
from rounds.lib.today import today_is
from tests.assessment_setup import GOOD_ANSWERS, build_assessment
from tests.people import SmallInstitution

K = EvaluatorKind


def test_build_a_form_through_the_pages(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    build_assessment(small)
    client = client_as("coord.im")
    created = client.post(
        reverse("assessment:forms", args=[small.im.pk]),
        {"name": "Peer feedback", "evaluator_kind": K.PEER},
    )
    form_url = created["Location"]
    version = FormVersion.objects.get(form__name="Peer feedback")
    client.post(form_url, {"action": "add", "version": version.pk, "kind": "rating",
                           "text": "Shares the work", "scale_min": "1", "scale_max": "9",
                           "scale_step": "1", "required": "on"})  # fmt: skip
    client.post(form_url, {"action": "add", "version": version.pk, "kind": "narrative",
                           "text": "One thing to keep doing"})  # fmt: skip
    client.post(form_url, {"action": "publish", "version": version.pk})
    version.refresh_from_db()
    assert not version.is_draft
    assert [(i.text, i.scale_max, i.required) for i in version.items.all()] == [
        ("Shares the work", 9, True),
        ("One thing to keep doing", 5, False),
    ]
    refused = client.post(
        form_url, {"action": "add", "version": version.pk, "kind": "yes_no", "text": "Late?"},
        follow=True,
    )  # fmt: skip
    assert "is published and answered against; edit a new draft" in refused.content.decode()
    assert version.items.count() == 2


def test_a_new_version_leaves_answers_on_the_old_one(small: SmallInstitution) -> None:
    a = build_assessment(small)
    requests_generate(day=a.block(1)[1])
    form = a.forms[K.FACULTY_OF_TRAINEE]
    old = form.published_version()
    request = EvaluationRequest.objects.get(evaluator_kind=K.FACULTY_OF_TRAINEE, trainee=small.ana)
    with today_is(a.block(1)[1] + timedelta(days=1)):
        evaluation = evaluation_submit(request=request, posted=GOOD_ANSWERS, by=None)
    draft = draft_of(form, by=None)
    assert draft.number == 2 and draft.items.count() == old.items.count()  # type: ignore[union-attr]
    item_add(version=draft, kind="yes_no", text="Ready for more autonomy?", by=None)
    assert evaluation.form_version == old
    assert [a.item.version_id for a in evaluation.answers.all()] == [old.pk] * 4  # type: ignore[union-attr]
    with pytest.raises(AssessmentError, match="does not work"):
        item_add(version=draft, kind="rating", text="Odd", scale=(5, 1, 1), by=None)  # type: ignore[arg-type]


def test_settings_are_checked_and_saved(small: SmallInstitution, client_as) -> None:  # type: ignore[no-untyped-def]
    build_assessment(small)
    url = reverse("assessment:settings", args=[small.im.pk])
    values = {"trigger": "shifts", "min_contact_days": "3", "shifts_together": "4",
              "monthly_cap": "6", "remind_every_days": "5", "expire_after_days": "14",
              "release_after_days": "0", "aggregate_delay_days": "30"}  # fmt: skip
    bad = client_as("pd.im").post(url, values | {"monthly_cap": "-2"})
    assert bad.status_code == 400 and "A whole number from 0 to 365." in bad.content.decode()
    assert client_as("pd.im").post(url, values).status_code == 302
    rules = small.im.evaluation_settings
    assert (rules.trigger, rules.monthly_cap, rules.shifts_together) == ("shifts", 6, 4)
