"""Sign-in pages as each role and a stranger find them: providers from the environment, local
passwords switched off, a second factor set up when the role needs one, no page that errs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from rounds.core.models import AuditEntry
from rounds.people.sso import providers_from_env, socialaccount_providers
from tests.people import PASSWORD, USERNAMES, SmallInstitution

LOGIN = "/accounts/login/"
HOSPITAL = {
    "ROUNDS_SSO_PROVIDERS": "hospital",
    "ROUNDS_SSO_HOSPITAL_PROTOCOL": "oidc",
    # Nothing listens on the discard port: the provider is down (and no traffic leaves here).
    "ROUNDS_SSO_HOSPITAL_ISSUER": "http://127.0.0.1:9/v2.0",
    "ROUNDS_SSO_HOSPITAL_CLIENT_ID": "rounds",
    "ROUNDS_SSO_HOSPITAL_CLIENT_SECRET": "s3cret",
}
AFFILIATE_SAML = {
    "ROUNDS_SSO_AFFILIATE_PROTOCOL": "saml",
    "ROUNDS_SSO_AFFILIATE_NAME": "Harbor VA",
    "ROUNDS_SSO_AFFILIATE_IDP_ENTITY_ID": "http://127.0.0.1:9/saml",
    "ROUNDS_SSO_AFFILIATE_IDP_SSO_URL": "http://127.0.0.1:9/saml/sso",
    "ROUNDS_SSO_AFFILIATE_IDP_CERT": "MIIC...",
    "ROUNDS_SSO_AFFILIATE_MATCH_FIELD": "employee_id",
    "ROUNDS_SSO_AFFILIATE_MATCH_CLAIM": "employeeNumber",
    "ROUNDS_SSO_AFFILIATE_STRONG_CONTEXTS": "https://refeds.org/profile/mfa",
}


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"login": username, "password": password}, follow=True)


# --- configuration ------------------------------------------------------------------------------


def test_two_providers_from_variables_become_two_allauth_apps() -> None:
    env = HOSPITAL | AFFILIATE_SAML | {"ROUNDS_SSO_PROVIDERS": "hospital, affiliate"}
    config = socialaccount_providers(providers_from_env(env))
    (oidc,) = config["openid_connect"]["APPS"]
    assert oidc["provider_id"] == "hospital" and oidc["name"] == "Hospital"
    assert oidc["settings"]["server_url"] == "http://127.0.0.1:9/v2.0"
    assert oidc["settings"]["rounds"]["match_field"] == "email"
    assert "mfa" in oidc["settings"]["rounds"]["strong_amr"]
    (saml,) = config["saml"]["APPS"]
    assert saml["client_id"] == "affiliate" and saml["name"] == "Harbor VA"
    assert saml["settings"]["attribute_mapping"]["employee_id"] == "employeeNumber"
    assert saml["settings"]["advanced"]["want_assertion_signed"] is True
    assert saml["settings"]["rounds"]["strong_contexts"] == ["https://refeds.org/profile/mfa"]


def test_a_file_names_the_providers_and_a_variable_overrides_it(tmp_path: Path) -> None:
    file = tmp_path / "sso.toml"
    file.write_text(
        '[providers.hospital]\nprotocol = "oidc"\nname = "Riverside Hospital"\n'
        'issuer = "https://idp.example"\nclient_id = "from-file"\nclient_secret = "x"\n'
    )
    env = {"ROUNDS_SSO_FILE": str(file), "ROUNDS_SSO_HOSPITAL_CLIENT_ID": "from-variable"}
    (provider,) = providers_from_env(env)
    assert provider.name == "Riverside Hospital"
    assert provider.keys["client_id"] == "from-variable"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (HOSPITAL | {"ROUNDS_SSO_HOSPITAL_ISSUER": ""}, "ROUNDS_SSO_HOSPITAL_ISSUER is missing"),
        (HOSPITAL | {"ROUNDS_SSO_HOSPITAL_PROTOCOL": "cas"}, "use oidc or saml"),
        (HOSPITAL | {"ROUNDS_SSO_HOSPITAL_MATCH_FIELD": "name"}, "use one of email, employee_id"),
        ({"ROUNDS_SSO_PROVIDERS": "Hospital One"}, "is not a provider name"),
        (
            {"ROUNDS_SSO_PROVIDERS": "affiliate"}
            | {k: v for k, v in AFFILIATE_SAML.items() if not k.endswith("_CERT")},
            "ROUNDS_SSO_AFFILIATE_IDP_CERT is missing",
        ),
        ({"ROUNDS_SSO_FILE": "/nonexistent/sso.toml"}, "no such file"),
    ],
)
def test_a_mistake_in_the_configuration_names_the_variable(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        providers_from_env(env)


def test_no_variables_no_providers() -> None:
    assert providers_from_env({}) == []
    config = socialaccount_providers([])
    assert config["openid_connect"]["APPS"] == config["saml"]["APPS"] == []


# --- local passwords switched off ---------------------------------------------------------------


def test_with_passwords_off_the_password_form_is_refused(
    small: SmallInstitution, settings: Any
) -> None:
    settings.ROUNDS_LOCAL_PASSWORDS = False
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(providers_from_env(HOSPITAL))
    client = Client()
    page = client.get(LOGIN).content.decode()
    assert 'name="password"' not in page and "Sign in with Hospital" in page
    refused = sign_in(client, "gme")
    assert "Passwords are switched off here" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AuditEntry.objects.filter(action="signin").exists()
    reset = client.get("/accounts/password_reset/")
    assert reset.status_code == 404 and "Passwords are switched off" in reset.content.decode()
    # The admin's own sign-in leads to the same page, not around it.
    assert client.get("/admin/login/")["Location"].startswith(LOGIN)


def test_with_passwords_on_the_same_person_signs_in(small: SmallInstitution) -> None:
    client = Client()
    sign_in(client, "gme")
    assert "_auth_user_id" in client.session


# --- a second factor for the roles that need one ------------------------------------------------


def test_a_coordinator_sets_up_an_authenticator_app_then_goes_on(
    small: SmallInstitution, settings: Any
) -> None:
    settings.ROUNDS_MFA_REQUIRED_ROLES = ["program_coordinator"]
    client = Client()
    landed = sign_in(client, "coord.im")
    assert landed.redirect_chain[-1][0] == "/accounts/2fa/"
    assert client.get("/staff/")["Location"] == "/accounts/2fa/"
    # allauth asks for the password again before adding an authenticator (a borrowed session
    # cannot add its own); then shows the secret to scan.
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    form = client.get("/accounts/2fa/totp/activate/")
    secret = form.context["form"].secret
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert "Incorrect code" in wrong.content.decode()
    assert client.get("/staff/").status_code == 302
    client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert client.get("/staff/").status_code == 200


def test_a_trainee_is_not_held_for_a_second_factor(small: SmallInstitution, settings: Any) -> None:
    settings.ROUNDS_MFA_REQUIRED_ROLES = ["program_coordinator", "gme_office"]
    client = Client()
    landed = sign_in(client, "resident")
    assert landed.redirect_chain[-1][0] == "/staff/me/"  # the trainee's landing page, no hold
    assert "Welcome, Ana" in landed.content.decode()


def test_a_person_with_no_role_lands_on_a_page_saying_so(small: SmallInstitution) -> None:
    client = Client()
    page = sign_in(client, "nobody")
    assert page.redirect_chain[-1][0] == "/accounts/no-role/"
    assert "You have no role in Rounds yet" in page.content.decode()


# --- every new page, every role -----------------------------------------------------------------

PAGES = [
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/no-role/",
    "/accounts/signup/",
    "/accounts/email/",
    "/accounts/3rdparty/",
    "/accounts/password/reset/",
    "/accounts/password/change/",
    "/accounts/password/set/",
    "/accounts/password_change/",
    "/accounts/reauthenticate/",
    "/accounts/2fa/",
    "/accounts/2fa/authenticate/",
    "/accounts/2fa/trust/",
    "/accounts/2fa/totp/activate/",
    "/accounts/2fa/totp/deactivate/",
    "/accounts/2fa/recovery-codes/",
    "/accounts/2fa/recovery-codes/generate/",
    "/accounts/2fa/recovery-codes/download/",
    "/accounts/2fa/webauthn/",
    "/accounts/2fa/webauthn/add/",
    "/accounts/oidc/hospital/login/",
    "/accounts/oidc/hospital/login/callback/",
    "/accounts/saml/affiliate/login/",
    "/accounts/saml/affiliate/metadata/",
    "/accounts/3rdparty/login/error/",
]


@pytest.mark.parametrize("username", [None, *USERNAMES])
def test_every_sign_in_page_answers_every_role_without_an_error(
    small: SmallInstitution, settings: Any, username: str | None
) -> None:
    env = HOSPITAL | AFFILIATE_SAML | {"ROUNDS_SSO_PROVIDERS": "hospital,affiliate"}
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(providers_from_env(env))
    # A browser always sends Host; allauth's SAML pages read it (the test client sends none).
    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    if username:
        client.force_login(small.users[username])
    for url in PAGES:
        for response in (client.get(url), client.post(url, {})):
            if response.status_code == 502:  # the hospital's provider is down in this test
                assert "could not reach" in response.content.decode(), url
            else:
                assert response.status_code < 500, (url, response.status_code)
    if username is None:
        for url in ["/accounts/no-role/", "/accounts/2fa/", "/accounts/2fa/totp/activate/"]:
            assert client.get(url)["Location"].startswith(LOGIN), url


def test_a_misspelt_role_in_the_required_list_stops_the_checks(settings: Any) -> None:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.ROUNDS_MFA_REQUIRED_ROLES = ["gme_office", "program_directors"]
    with pytest.raises(SystemCheckError, match="unknown roles: program_directors"):
        call_command("check")
