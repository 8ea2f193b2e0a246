"""Run the test SAML identity provider: `python -m tests.saml_idp.serve PORT`.

Environment: IDP_DIR, a folder the provider writes its key, certificate and state to, and where it
reads the service providers' metadata from (IDP_DIR/sp/*.xml, read again at every sign-in, so the
test may register Rounds after the provider started); IDP_PEOPLE, a JSON file of its users:

    {"username": {"password": ..., "employee_id": ..., "email": ...,
                  "context": AuthnContextClassRef,       # how the user authenticated
                  "audience": entity id,                 # optional: assert it for someone else
                  "lifetime_minutes": -10}}              # optional: negative is already expired

The last two are how a test makes the provider produce a faulty assertion, still correctly signed.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, saml
from saml2.assertion import Policy
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

PERSISTENT = saml.NAMEID_FORMAT_PERSISTENT
Environ = dict[str, Any]


def make_key_and_cert(folder: Path) -> None:
    """A fresh signing key and self-signed certificate, valid a day, as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Harbor VA test IdP")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def idp_config(url: str, folder: Path) -> IdPConfig:
    sp_files = sorted(str(p) for p in (folder / "sp").glob("*.xml"))
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{url}/metadata",
            "service": {
                "idp": {
                    "name": "Harbor VA test IdP",
                    "endpoints": {
                        "single_sign_on_service": [(f"{url}/sso", BINDING_HTTP_REDIRECT)]
                    },
                    "name_id_format": [PERSISTENT],
                    "want_authn_requests_signed": False,
                    "policy": {"default": {"lifetime": {"minutes": 5}}},
                }
            },
            "key_file": str(folder / "key.pem"),
            "cert_file": str(folder / "cert.pem"),
            "xmlsec_binary": shutil.which("xmlsec1"),
            "metadata": {"local": sp_files} if sp_files else {},
            "delete_tmpfiles": True,
        }
    )
    return config


class FaultyPolicy(Policy):
    """The release policy, but asserting another audience or lifetime when a user is set so."""

    def __init__(self, person: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.person = person

    def get_lifetime(self, sp_entity_id: str) -> dict[str, int]:
        return {"minutes": int(self.person.get("lifetime_minutes", 5))}

    def conditions(self, sp_entity_id: str) -> Any:
        return super().conditions(self.person.get("audience", sp_entity_id))


def people() -> dict[str, dict[str, Any]]:
    return dict(json.loads(Path(os.environ["IDP_PEOPLE"]).read_text()))


LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbor VA sign-in</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Harbor VA sign-in</h1>{error}
<form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="{request}">
<input type="hidden" name="RelayState" value="{relay_state}">
<p><label>Username <input name="username" autocomplete="username"></label></p>
<p><label>Password <input name="password" type="password"></label></p>
<p><button type="submit">Sign in</button></p>
</form></body></html>"""


class IdentityProvider:
    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder

    def server(self) -> Server:
        return Server(config=idp_config(self.url, self.folder))

    def __call__(self, environ: Environ, start_response: Any) -> list[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/metadata":
            xml = entity_descriptor(idp_config(self.url, self.folder)).to_string()
            return _answer(start_response, "200 OK", xml, "text/xml")
        if path == "/sso" and method == "GET":
            query = {k: v[0] for k, v in parse_qs(environ["QUERY_STRING"]).items()}
            return self.login_form(start_response, query)
        if path == "/sso/login" and method == "POST":
            return self.sign_in(start_response, _form(environ))
        return _answer(start_response, "404 Not Found", b"not here", "text/plain")

    def login_form(
        self, start_response: Any, query: dict[str, str], error: str = ""
    ) -> list[bytes]:
        request = query.get("SAMLRequest", "")
        self.server().parse_authn_request(request, BINDING_HTTP_REDIRECT)  # refuses a bad one
        page = LOGIN_PAGE.format(
            error=f'<p role="alert">{html.escape(error)}</p>' if error else "",
            request=html.escape(request),
            relay_state=html.escape(query.get("RelayState", "")),
        )
        return _answer(start_response, "200 OK", page.encode(), "text/html; charset=utf-8")

    def sign_in(self, start_response: Any, form: dict[str, str]) -> list[bytes]:
        person = people().get(form.get("username", ""))
        if person is None or person["password"] != form.get("password"):
            return self.login_form(start_response, form, "Wrong username or password.")
        server = self.server()
        request = server.parse_authn_request(form["SAMLRequest"], BINDING_HTTP_REDIRECT).message
        # Where to answer, checked against the service provider's metadata, as a real one does.
        reply = server.response_args(request, [BINDING_HTTP_POST])
        reply.pop("binding")
        sp_entity_id = reply["sp_entity_id"]
        response = server.create_authn_response(
            identity={"employeeNumber": [person["employee_id"]], "mail": [person["email"]]},
            name_id=saml.NameID(
                format=PERSISTENT, text=person["employee_id"], sp_name_qualifier=sp_entity_id
            ),
            authn={"class_ref": person["context"], "authn_auth": f"{self.url}/metadata"},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIG_RSA_SHA256,  # python3-saml refuses SHA-1, pysaml2's default
            digest_alg=DIGEST_SHA256,
            release_policy=FaultyPolicy(person, mds=server.metadata),
            **reply,
        )
        post = server.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            reply["destination"],
            form.get("RelayState", ""),
            response=True,
        )
        return _answer(start_response, "200 OK", post["data"].encode(), "text/html; charset=utf-8")


def _form(environ: Environ) -> dict[str, str]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length).decode()
    return {k: v[0] for k, v in parse_qs(body).items()}


def _answer(start_response: Any, status: str, body: bytes | str, kind: str) -> list[bytes]:
    data = body.encode() if isinstance(body, str) else body
    start_response(status, [("Content-Type", kind), ("Content-Length", str(len(data)))])
    return [data]


class Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    port = int(sys.argv[1])
    folder = Path(os.environ["IDP_DIR"])
    (folder / "sp").mkdir(parents=True, exist_ok=True)
    make_key_and_cert(folder)
    app = IdentityProvider(f"http://127.0.0.1:{port}", folder)
    server = make_server("127.0.0.1", port, app, handler_class=Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
