"""Start the test identity provider in a subprocess and configure Rounds to use it (for tests)."""

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


@dataclass
class RunningProvider:
    url: str

    def rounds_providers(self) -> dict[str, Any]:
        """SOCIALACCOUNT_PROVIDERS for Rounds: the hospital (matched by email) and an affiliate
        (matched by employee id), both served by this provider, as variables would give them."""
        env = {
            "ROUNDS_SSO_PROVIDERS": "hospital,affiliate",
            "ROUNDS_SSO_HOSPITAL_PROTOCOL": "oidc",
            "ROUNDS_SSO_HOSPITAL_NAME": "Riverside Hospital",
            "ROUNDS_SSO_HOSPITAL_ISSUER": self.url,
            "ROUNDS_SSO_HOSPITAL_CLIENT_ID": "rounds-hospital",
            "ROUNDS_SSO_HOSPITAL_CLIENT_SECRET": "hospital-secret",
            "ROUNDS_SSO_AFFILIATE_PROTOCOL": "oidc",
            "ROUNDS_SSO_AFFILIATE_NAME": "Harbor VA",
            "ROUNDS_SSO_AFFILIATE_ISSUER": self.url,
            "ROUNDS_SSO_AFFILIATE_CLIENT_ID": "rounds-affiliate",
            "ROUNDS_SSO_AFFILIATE_CLIENT_SECRET": "affiliate-secret",
            "ROUNDS_SSO_AFFILIATE_MATCH_FIELD": "employee_id",
            "ROUNDS_SSO_AFFILIATE_MATCH_CLAIM": "employee_id",
        }
        return socialaccount_providers(providers_from_env(env))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def identity_provider(
    tmp: Path, rounds_url: str, people: dict[str, dict[str, Any]]
) -> Iterator[RunningProvider]:
    """The provider, knowing `people` ({username: {email, employee_id, amr}}), password
    IDP_PASSWORD for all; Rounds at `rounds_url` is its client, once per provider name."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    (tmp / "people.json").write_text(
        json.dumps({name: {"password": IDP_PASSWORD} | p for name, p in people.items()})
    )
    clients = [
        {
            "client_id": f"rounds-{name}",
            "secret": f"{name}-secret",
            "redirect_uris": [f"{rounds_url}/accounts/oidc/{name}/login/callback/"],
        }
        for name in ("hospital", "affiliate")
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))} | {
        "IDP_DB": str(tmp / "idp.sqlite3"),
        "IDP_PEOPLE": str(tmp / "people.json"),
        "IDP_CLIENTS": json.dumps(clients),
        "IDP_URL": url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_idp.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_up(url, process)
        yield RunningProvider(url=url)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_until_up(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"the test identity provider stopped:\n{output}")
        try:
            with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the test identity provider did not start within 120 s")
