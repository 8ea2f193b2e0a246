"""SAML sign-in in Debian's chromium at a phone's width, through the real pysaml2 identity
provider's login form (the provider and its helpers: tests/test_signin_saml.py). It lives with
the other browser tests so it shares their one Playwright session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from rounds.core.models import AuditEntry
from rounds.people.models import Person
from tests.people import SmallInstitution
from tests.saml_idp.running import IDP_PASSWORD, RunningSAMLProvider, saml_identity_provider
from tests.test_signin_saml import PEOPLE


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSAMLProvider]:
    with saml_identity_provider(tmp_path_factory.mktemp("saml-idp"), PEOPLE) as running:
        yield running


@pytest.mark.browser
def test_in_chromium_the_director_signs_in_at_the_providers_form_and_lands_on_her_page(
    transactional_db: None,
    live_server: LiveServer,
    small: SmallInstitution,
    idp: RunningSAMLProvider,
    settings: Any,
    phone_page: Page,
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = idp.rounds_providers()
    Person.objects.filter(user=small.users["pd.im"]).update(employee_id="VA-0042")
    metadata = requests.get(f"{live_server.url}/accounts/saml/affiliate/metadata/", timeout=30)
    idp.register(metadata.content)

    phone_page.goto(f"{live_server.url}/accounts/login/")
    phone_page.get_by_role("button", name="Sign in with Harbor VA").click()
    expect(phone_page.get_by_role("heading", name="Harbor VA sign-in")).to_be_visible()
    phone_page.get_by_label("Username").fill("pd.mfa")
    phone_page.get_by_label("Password").fill(IDP_PASSWORD)
    phone_page.get_by_role("button", name="Sign in").click()
    # The provider's page posts the signed response to Rounds by itself (its script).
    expect(phone_page).to_have_url(f"{live_server.url}/staff/")
    expect(phone_page.get_by_text("Welcome, Pd.Im Tester")).to_be_visible()
    assert AuditEntry.objects.filter(action="signin.linked", actor=small.users["pd.im"]).exists()
