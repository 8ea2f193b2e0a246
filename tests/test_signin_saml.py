"""Sign-in through a real SAML 2.0 identity provider (pysaml2's, tests/saml_idp/).

The test starts the provider in its own process. Rounds reads the provider's metadata over HTTP,
the provider is given Rounds' metadata, and every sign-in goes as in a browser: Rounds redirects
to the provider with its AuthnRequest, the person fills in the provider's login form, and the
provider's page posts its signed Response back to Rounds' assertion consumer service. Mostly a
`requests` session plays the browser at the provider and Django's test client the browser at
Rounds; the last test drives Debian's chromium through the same pages at a phone's width.

Faulty assertions come from the provider itself (another audience, already expired: still
correctly signed), or are altered on their way through the browser where no provider would
produce them (a changed employee number under the signature, a response posted a second time).
No assertion is signed by hand here any more (signxml played the provider before): every case
that stand-in covered, the real provider produces.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from lxml import html

from rounds.core.models import AuditEntry
from rounds.people.models import Person
from tests.people import SmallInstitution
from tests.saml_idp.running import (
    IDP_PASSWORD,
    MFA_CONTEXT,
    PASSWORD_CONTEXT,
    RunningSAMLProvider,
    saml_identity_provider,
)

HOST = "127.0.0.1"
CHROMIUM = "/usr/bin/chromium"  # Debian's (make browser-deps), as in tests/browser/
# The provider's accounts: the director (Rounds knows her by employee number VA-0042) signing in
# with a second factor or a password only; accounts whose assertions the provider gets wrong; and
# an employee Rounds does not know.
DIRECTOR: dict[str, Any] = {
    "employee_id": "VA-0042",
    "email": "pd@va.example",
    "context": MFA_CONTEXT,
}
PEOPLE: dict[str, dict[str, Any]] = {
    "pd.mfa": DIRECTOR,
    "pd.password": DIRECTOR | {"context": PASSWORD_CONTEXT},
    "pd.elsewhere": DIRECTOR | {"audience": "https://elsewhere.example/saml/metadata"},
    "pd.expired": DIRECTOR | {"lifetime_minutes": -10},
    "stranger": {"employee_id": "VA-7777", "email": "who@va.example", "context": MFA_CONTEXT},
}
REFUSED = "Your hospital's sign-in was not accepted"  # the page for an answer Rounds refused


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSAMLProvider]:
    with saml_identity_provider(tmp_path_factory.mktemp("saml-idp"), PEOPLE) as running:
        yield running


@pytest.fixture
def affiliate(small: SmallInstitution, idp: RunningSAMLProvider, settings: Any) -> SmallInstitution:
    """Rounds configured from the provider's metadata, and registered with the provider."""
    settings.SOCIALACCOUNT_PROVIDERS = idp.rounds_providers()
    settings.ROUNDS_MFA_REQUIRED_ROLES = ["program_director", "gme_office"]
    Person.objects.filter(user=small.users["pd.im"]).update(employee_id="VA-0042")
    metadata = Client(HTTP_HOST=HOST).get("/accounts/saml/affiliate/metadata/")
    assert metadata.status_code == 200, metadata.content
    idp.register(metadata.content)
    return small


def _fields(page: str) -> tuple[str, dict[str, str]]:
    form = html.fromstring(page).forms[0]
    return str(form.action), dict(form.form_values())


def _response_from_provider(client: Client, idp: RunningSAMLProvider, username: str) -> dict:
    """Start the sign-in at Rounds and sign in at the provider: the form its page posts back."""
    start = client.post("/accounts/saml/affiliate/login/")
    assert start["Location"].startswith(f"{idp.url}/sso?SAMLRequest=")
    browser = requests.Session()
    login_page = browser.get(start["Location"], timeout=30)
    assert "Harbor VA sign-in" in login_page.text
    _, hidden = _fields(login_page.text)
    credentials = {"username": username, "password": IDP_PASSWORD}
    answer = browser.post(f"{idp.url}/sso/login", data=hidden | credentials, timeout=30)
    action, posted = _fields(answer.text)
    assert action == f"http://{HOST}/accounts/saml/affiliate/acs/"
    return posted


def _post_to_rounds(client: Client, posted: dict[str, str]) -> Any:
    return client.post("/accounts/saml/affiliate/acs/", posted, follow=True)


def _sign_in(
    client: Client,
    idp: RunningSAMLProvider,
    username: str,
    alter: Callable[[bytes], bytes] | None = None,
) -> Any:
    posted = _response_from_provider(client, idp, username)
    if alter is not None:
        xml = alter(base64.b64decode(posted["SAMLResponse"]))
        posted["SAMLResponse"] = base64.b64encode(xml).decode()
    return _post_to_rounds(client, posted)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _logged_reason(caplog: pytest.LogCaptureFixture) -> str:
    """Why Rounds refused the response, as the log tells whoever runs it."""
    return " ".join(r.getMessage() for r in caplog.records if r.levelname == "ERROR")


def test_the_director_signs_in_with_the_providers_second_factor_and_is_linked_once(
    affiliate: SmallInstitution, idp: RunningSAMLProvider
) -> None:
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, idp, "pd.mfa")
    assert page.redirect_chain[-1][0] == "/staff/"
    assert "Welcome, Pd.Im Tester" in page.content.decode()
    director = affiliate.users["pd.im"]
    linked = AuditEntry.objects.get(action="signin.linked", actor=director)
    assert linked.changes == {"provider": "affiliate", "uid": "VA-0042"}
    assert AuditEntry.objects.filter(action="signin", actor=director).count() == 1

    client.post("/accounts/logout/")
    again = _sign_in(Client(HTTP_HOST=HOST), idp, "pd.mfa")
    assert again.redirect_chain[-1][0] == "/staff/"
    assert AuditEntry.objects.filter(action="signin.linked").count() == 1  # the link is kept
    assert AuditEntry.objects.filter(action="signin", actor=director).count() == 2
    assert SocialAccount.objects.get(user=director).uid == "VA-0042"


def test_a_password_only_assertion_leaves_the_director_to_set_up_a_second_factor(
    affiliate: SmallInstitution, idp: RunningSAMLProvider
) -> None:
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, idp, "pd.password")
    assert page.redirect_chain[-1][0] == "/accounts/2fa/"
    assert "needs a second factor" in page.content.decode()
    assert client.get("/staff/")["Location"] == "/accounts/2fa/"


def test_an_assertion_for_another_service_is_refused(
    affiliate: SmallInstitution,
    idp: RunningSAMLProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, idp, "pd.elsewhere")
    assert REFUSED in page.content.decode()
    assert "is not a valid audience for this Response" in _logged_reason(caplog)
    assert not _signed_in(client)
    assert not SocialAccount.objects.exists()


def test_an_expired_assertion_is_refused(
    affiliate: SmallInstitution,
    idp: RunningSAMLProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, idp, "pd.expired")
    assert REFUSED in page.content.decode()
    assert "Could not validate timestamp: expired" in _logged_reason(caplog)
    assert not _signed_in(client)


def test_an_assertion_altered_after_signing_is_refused(
    affiliate: SmallInstitution,
    idp: RunningSAMLProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Someone holding the GME office's employee number rewrites the director's assertion to it.
    Person.objects.filter(user=affiliate.users["gme"]).update(employee_id="VA-0099")
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, idp, "pd.mfa", alter=lambda xml: xml.replace(b"VA-0042", b"VA-0099"))
    assert REFUSED in page.content.decode()
    assert "Signature validation failed" in _logged_reason(caplog)
    assert not _signed_in(client)
    assert not AuditEntry.objects.filter(action="signin").exists()


def test_a_response_posted_again_signs_no_one_in(
    affiliate: SmallInstitution, idp: RunningSAMLProvider
) -> None:
    client = Client(HTTP_HOST=HOST)
    posted = _response_from_provider(client, idp, "pd.mfa")
    assert _post_to_rounds(client, posted).redirect_chain[-1][0] == "/staff/"

    # Captured on its way (a shared computer's history, a proxy): the request it answered is used.
    thief = Client(HTTP_HOST=HOST)
    replayed = _post_to_rounds(thief, posted)
    assert replayed.status_code == 403
    assert REFUSED in replayed.content.decode()  # a sign-in failure, not "outside your role"
    assert not _signed_in(thief)
    again = _post_to_rounds(client, posted)
    assert again.status_code == 403
    assert AuditEntry.objects.filter(action="signin").count() == 1


def test_an_unknown_employee_gets_the_clear_page(
    affiliate: SmallInstitution, idp: RunningSAMLProvider
) -> None:
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, idp, "stranger")
    assert page.status_code == 403
    assert "We could not find you in Rounds" in page.content.decode()
    assert not _signed_in(client)
    assert AuditEntry.objects.filter(action="signin.unmatched").count() == 1


def test_the_provider_refuses_a_wrong_password_and_rounds_is_not_told(
    affiliate: SmallInstitution, idp: RunningSAMLProvider
) -> None:
    client = Client(HTTP_HOST=HOST)
    start = client.post("/accounts/saml/affiliate/login/")
    browser = requests.Session()
    _, hidden = _fields(browser.get(start["Location"], timeout=30).text)
    wrong = hidden | {"username": "pd.mfa", "password": "not-it"}
    answer = browser.post(f"{idp.url}/sso/login", data=wrong, timeout=30)
    assert "Wrong username or password." in answer.text
    assert "SAMLResponse" not in answer.text
