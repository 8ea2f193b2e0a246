"""Sign-in through a SAML 2.0 provider with a real signed assertion.

No SAML identity provider is run here (pysaml2's needs the xmlsec1 program): the test plays the
provider's part with real libraries instead. It reads the AuthnRequest Rounds sends (python3-saml,
through allauth), answers it with a Response whose Assertion is signed by signxml with a key made
for the test, and posts it to Rounds' assertion consumer service as the browser would. Rounds
checks the signature, the audience, the times and the request it answers, as in production.
"""

from __future__ import annotations

import base64
import datetime as dt
import zlib
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from lxml import etree
from signxml import XMLSigner

from rounds.core.models import AuditEntry
from rounds.people.models import Person
from rounds.people.sso import providers_from_env, socialaccount_providers
from tests.people import SmallInstitution

IDP = "http://127.0.0.1:9/idp"  # never contacted: the browser is sent there, and this test is it
HOST = "127.0.0.1"
MFA_CONTEXT = "https://refeds.org/profile/mfa"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def _key_and_cert() -> tuple[Any, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Harbor VA test IdP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, cert.public_bytes(serialization.Encoding.PEM).decode()


KEY, CERT = _key_and_cert()


@pytest.fixture
def affiliate(small: SmallInstitution, settings: Any) -> SmallInstitution:
    env = {
        "ROUNDS_SSO_PROVIDERS": "affiliate",
        "ROUNDS_SSO_AFFILIATE_PROTOCOL": "saml",
        "ROUNDS_SSO_AFFILIATE_NAME": "Harbor VA",
        "ROUNDS_SSO_AFFILIATE_IDP_ENTITY_ID": IDP,
        "ROUNDS_SSO_AFFILIATE_IDP_SSO_URL": f"{IDP}/sso",
        "ROUNDS_SSO_AFFILIATE_IDP_CERT": CERT,
        "ROUNDS_SSO_AFFILIATE_MATCH_FIELD": "employee_id",
        "ROUNDS_SSO_AFFILIATE_MATCH_CLAIM": "employeeNumber",
        "ROUNDS_SSO_AFFILIATE_STRONG_CONTEXTS": MFA_CONTEXT,
    }
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers(providers_from_env(env))
    settings.ROUNDS_MFA_REQUIRED_ROLES = ["program_director", "gme_office"]
    Person.objects.filter(user=small.users["pd.im"]).update(employee_id="VA-0042")
    return small


def _authn_request(client: Client) -> dict[str, str]:
    """Start the sign-in; read the request Rounds sends the browser to the provider with."""
    response = client.post("/accounts/saml/affiliate/login/")
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{IDP}/sso"
    encoded = parse_qs(location.query)["SAMLRequest"][0]
    request = etree.fromstring(zlib.decompress(base64.b64decode(encoded), -15))
    return {"id": request.get("ID"), "acs": request.get("AssertionConsumerServiceURL")}


def _signed_response(request: dict[str, str], employee_id: str, context: str) -> str:
    now = dt.datetime.now(dt.UTC)
    stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    later, earlier = stamp(now + dt.timedelta(minutes=5)), stamp(now - dt.timedelta(minutes=1))
    audience = f"http://{HOST}/accounts/saml/affiliate/metadata/"
    assertion_id = f"_{uuid4().hex}"
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{uuid4().hex}" Version="2.0"
 IssueInstant="{stamp(now)}" Destination="{request["acs"]}" InResponseTo="{request["id"]}">
 <saml:Issuer>{IDP}</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 <saml:Assertion ID="{assertion_id}" Version="2.0" IssueInstant="{stamp(now)}">
  <saml:Issuer>{IDP}</saml:Issuer>
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"></ds:Signature>
  <saml:Subject>
   <saml:NameID Format="{PERSISTENT}">{employee_id}</saml:NameID>
   <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
    <saml:SubjectConfirmationData NotOnOrAfter="{later}" Recipient="{request["acs"]}"
     InResponseTo="{request["id"]}"/>
   </saml:SubjectConfirmation>
  </saml:Subject>
  <saml:Conditions NotBefore="{earlier}" NotOnOrAfter="{later}">
   <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
  </saml:Conditions>
  <saml:AuthnStatement AuthnInstant="{stamp(now)}" SessionIndex="_{uuid4().hex}">
   <saml:AuthnContext><saml:AuthnContextClassRef>{context}</saml:AuthnContextClassRef></saml:AuthnContext>
  </saml:AuthnStatement>
  <saml:AttributeStatement>
   <saml:Attribute Name="employeeNumber">
    <saml:AttributeValue>{employee_id}</saml:AttributeValue>
   </saml:Attribute>
   <saml:Attribute Name="email">
    <saml:AttributeValue>a@va.example</saml:AttributeValue>
   </saml:Attribute>
  </saml:AttributeStatement>
 </saml:Assertion>
</samlp:Response>"""
    root = etree.fromstring(xml.encode())
    assertion = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion")
    signed = XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
        assertion, key=KEY, cert=CERT, reference_uri=assertion_id
    )
    root.replace(assertion, signed)
    return base64.b64encode(etree.tostring(root)).decode()


def _sign_in(client: Client, employee_id: str, context: str, *, tamper: bool = False) -> Any:
    request = _authn_request(client)
    response = _signed_response(request, employee_id, context)
    if tamper:  # another employee number after signing: the signature no longer matches
        xml = base64.b64decode(response).replace(b">VA-0042<", b">VA-0099<")
        response = base64.b64encode(xml).decode()
    return client.post(request["acs"], {"SAMLResponse": response}, follow=True)


def test_a_signed_assertion_with_mfa_signs_the_director_in_without_a_second_prompt(
    affiliate: SmallInstitution,
) -> None:
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, "VA-0042", MFA_CONTEXT)
    assert page.redirect_chain[-1][0] == "/staff/"
    assert "Welcome, Pd.Im Tester" in page.content.decode()
    assert client.get("/staff/").status_code == 200
    assert AuditEntry.objects.filter(action="signin.linked", actor=affiliate.users["pd.im"])


def test_a_password_only_assertion_leaves_the_director_to_set_up_a_second_factor(
    affiliate: SmallInstitution,
) -> None:
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, "VA-0042", PASSWORD_CONTEXT)
    assert page.redirect_chain[-1][0] == "/accounts/2fa/"
    assert "needs a second factor" in page.content.decode()


def test_a_tampered_assertion_is_refused(affiliate: SmallInstitution) -> None:
    Person.objects.filter(user=affiliate.users["gme"]).update(employee_id="VA-0099")
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, "VA-0042", MFA_CONTEXT, tamper=True)
    assert "_auth_user_id" not in client.session
    assert "Welcome" not in page.content.decode()


def test_an_unknown_employee_gets_the_clear_page(affiliate: SmallInstitution) -> None:
    client = Client(HTTP_HOST=HOST)
    page = _sign_in(client, "VA-7777", MFA_CONTEXT)
    assert page.status_code == 403
    assert "We could not find you in Rounds" in page.content.decode()
    assert "_auth_user_id" not in client.session
