"""Start the test SAML identity provider in a subprocess and exchange metadata with Rounds."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rounds.people.sso import providers_from_env, socialaccount_providers

ROOT = Path(__file__).resolve().parents[2]
IDP_PASSWORD = "idp-password-for-tests-only"
MFA_CONTEXT = "https://refeds.org/profile/mfa"
PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
# pysaml2, like Shibboleth, names attributes by their LDAP OIDs (NameFormat uri).
EMPLOYEE_NUMBER = "urn:oid:2.16.840.1.113730.3.1.3"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"


@dataclass
class RunningSAMLProvider:
    url: str
    folder: Path

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata"

    def rounds_providers(self) -> dict[str, Any]:
        """SOCIALACCOUNT_PROVIDERS for Rounds: the affiliate, read from this provider's metadata
        and matched by employee number, its refeds MFA profile counting as a second factor."""
        env = {
            "ROUNDS_SSO_PROVIDERS": "affiliate",
            "ROUNDS_SSO_AFFILIATE_PROTOCOL": "saml",
            "ROUNDS_SSO_AFFILIATE_NAME": "Harbor VA",
            "ROUNDS_SSO_AFFILIATE_IDP_ENTITY_ID": self.entity_id,
            "ROUNDS_SSO_AFFILIATE_IDP_METADATA_URL": self.entity_id,
            "ROUNDS_SSO_AFFILIATE_MATCH_FIELD": "employee_id",
            "ROUNDS_SSO_AFFILIATE_MATCH_CLAIM": EMPLOYEE_NUMBER,
            "ROUNDS_SSO_AFFILIATE_EMAIL_ATTRIBUTE": MAIL,
            "ROUNDS_SSO_AFFILIATE_STRONG_CONTEXTS": MFA_CONTEXT,
        }
        return socialaccount_providers(providers_from_env(env))

    def register(self, sp_metadata: bytes) -> None:
        """Give the provider Rounds' metadata, as its administrator would upload it."""
        (self.folder / "sp" / "rounds.xml").write_bytes(sp_metadata)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def saml_identity_provider(
    folder: Path, people: dict[str, dict[str, Any]]
) -> Iterator[RunningSAMLProvider]:
    """The provider, knowing `people` ({username: {employee_id, email, context, ...}}, see
    serve.py), password IDP_PASSWORD for all. Rounds is registered with it by `register`."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    (folder / "people.json").write_text(
        json.dumps({name: {"password": IDP_PASSWORD} | p for name, p in people.items()})
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))} | {
        "IDP_DIR": str(folder),
        "IDP_PEOPLE": str(folder / "people.json"),
    }
    log = (folder / "idp.log").open("w")  # a file, not a pipe: nobody drains a pipe here
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.saml_idp.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(url, process, folder / "idp.log")
        yield RunningSAMLProvider(url=url, folder=folder)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test SAML identity provider stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/metadata", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the test SAML identity provider did not start within 120 s")
