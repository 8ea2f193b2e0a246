"""Single sign-on providers from the environment (or a TOML file it names), for django-allauth.

A hospital signs its people in through its identity provider; an affiliate may have its own. Each
provider is named in ROUNDS_SSO_PROVIDERS and configured by variables with its name in them:

    ROUNDS_SSO_PROVIDERS=hospital,affiliate
    ROUNDS_SSO_HOSPITAL_PROTOCOL=oidc
    ROUNDS_SSO_HOSPITAL_NAME=Riverside Hospital
    ROUNDS_SSO_HOSPITAL_ISSUER=https://login.microsoftonline.com/<tenant>/v2.0
    ROUNDS_SSO_HOSPITAL_CLIENT_ID=...        ROUNDS_SSO_HOSPITAL_CLIENT_SECRET=...
    ROUNDS_SSO_AFFILIATE_PROTOCOL=saml
    ROUNDS_SSO_AFFILIATE_IDP_ENTITY_ID=...   ROUNDS_SSO_AFFILIATE_IDP_SSO_URL=...
    ROUNDS_SSO_AFFILIATE_IDP_CERT=...        (or _IDP_METADATA_URL)

or ROUNDS_SSO_FILE=/etc/rounds/sso.toml with a [providers.NAME] table per provider holding the
same keys in lower case (`protocol = "oidc"`). docs/sign-in.md lists every key. A variable
overrides the file's key for the same provider.

This module only reads configuration (settings.py imports it); what happens at sign-in is in
rounds/people/signin.py. A mistake stops the server at start with the variable's name.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# OIDC `amr` values (RFC 8176) that mean more than a password was checked.
STRONG_AMR_DEFAULT = ("mfa", "otp", "hwk", "swk", "sms", "fpt", "face", "pin")
# Rounds fields a provider's claim can be matched against.
MATCH_FIELDS = ("email", "employee_id")
_NAME = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class Provider:
    """One identity provider, as configured."""

    id: str
    protocol: str  # "oidc" or "saml"
    name: str
    match_claim: str
    match_field: str
    keys: dict[str, str] = field(default_factory=dict)
    strong_amr: tuple[str, ...] = STRONG_AMR_DEFAULT
    strong_contexts: tuple[str, ...] = ()

    def rounds_settings(self) -> dict[str, Any]:
        """What signin.py reads back from the allauth app's settings at sign-in."""
        return {
            "match_claim": self.match_claim,
            "match_field": self.match_field,
            "strong_amr": list(self.strong_amr),
            "strong_contexts": list(self.strong_contexts),
        }


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _read_file(path: str) -> dict[str, dict[str, str]]:
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError as error:
        raise ImproperlyConfigured(f"ROUNDS_SSO_FILE={path}: no such file") from error
    except tomllib.TOMLDecodeError as error:
        raise ImproperlyConfigured(f"ROUNDS_SSO_FILE={path}: not valid TOML ({error})") from error
    providers = data.get("providers", {})
    if not isinstance(providers, dict):
        raise ImproperlyConfigured(f"ROUNDS_SSO_FILE={path}: [providers.NAME] tables expected")
    return {
        name: {str(k).lower(): _as_text(v) for k, v in table.items()}
        for name, table in providers.items()
    }


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _env_keys(name: str, environ: dict[str, str]) -> dict[str, str]:
    prefix = f"ROUNDS_SSO_{name.upper().replace('-', '_')}_"
    return {k[len(prefix) :].lower(): v for k, v in environ.items() if k.startswith(prefix)}


def _where(name: str, key: str) -> str:
    return f"ROUNDS_SSO_{name.upper().replace('-', '_')}_{key.upper()}"


def _need(name: str, keys: dict[str, str], key: str) -> str:
    value = keys.get(key, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{_where(name, key)} is missing (or `{key}` in [providers.{name}] of ROUNDS_SSO_FILE)"
        )
    return value


def _provider(name: str, keys: dict[str, str]) -> Provider:
    if not _NAME.match(name):
        raise ImproperlyConfigured(
            f"ROUNDS_SSO_PROVIDERS: {name!r} is not a provider name (lower-case letters, digits "
            "and dashes, starting with a letter)"
        )
    protocol = _need(name, keys, "protocol").lower()
    if protocol not in ("oidc", "saml"):
        raise ImproperlyConfigured(f"{_where(name, 'protocol')}={protocol}: use oidc or saml")
    match_field = keys.get("match_field", "email").strip().lower() or "email"
    if match_field not in MATCH_FIELDS:
        raise ImproperlyConfigured(
            f"{_where(name, 'match_field')}={match_field}: use one of {', '.join(MATCH_FIELDS)}"
        )
    if protocol == "oidc":
        for key in ("issuer", "client_id", "client_secret"):
            _need(name, keys, key)
    elif not keys.get("idp_metadata_url"):
        for key in ("idp_entity_id", "idp_sso_url"):
            _need(name, keys, key)
        if not (keys.get("idp_cert") or keys.get("idp_cert_file")):
            _need(name, keys, "idp_cert")
    return Provider(
        id=name,
        protocol=protocol,
        name=keys.get("name", "").strip() or name.replace("-", " ").title(),
        match_claim=keys.get("match_claim", "").strip() or match_field,
        match_field=match_field,
        keys=keys,
        strong_amr=_split(keys.get("strong_amr", "")) or STRONG_AMR_DEFAULT,
        strong_contexts=_split(keys.get("strong_contexts", "")),
    )


def providers_from_env(environ: dict[str, str] | None = None) -> list[Provider]:
    """Every configured provider, in the order ROUNDS_SSO_PROVIDERS (or the file) names them."""
    environ = dict(os.environ if environ is None else environ)
    from_file = _read_file(environ["ROUNDS_SSO_FILE"]) if environ.get("ROUNDS_SSO_FILE") else {}
    names = list(_split(environ.get("ROUNDS_SSO_PROVIDERS", ""))) or list(from_file)
    if len(set(names)) != len(names):
        raise ImproperlyConfigured("ROUNDS_SSO_PROVIDERS names a provider twice")
    return [_provider(n, from_file.get(n, {}) | _env_keys(n, environ)) for n in names]


def _cert(provider: Provider) -> str:
    if provider.keys.get("idp_cert_file"):
        path = provider.keys["idp_cert_file"]
        try:
            return Path(path).read_text()
        except OSError as error:
            where = _where(provider.id, "idp_cert_file")
            raise ImproperlyConfigured(f"{where}={path}: cannot read it ({error})") from error
    return provider.keys.get("idp_cert", "")


def _oidc_app(provider: Provider) -> dict[str, Any]:
    keys = provider.keys
    return {
        "provider_id": provider.id,
        "name": provider.name,
        "client_id": keys["client_id"],
        "secret": keys["client_secret"],
        "settings": {
            "server_url": keys["issuer"],
            "scope": list(_split(keys.get("scope", "")) or ("openid", "profile", "email")),
            "rounds": provider.rounds_settings(),
        },
    }


def _saml_app(provider: Provider) -> dict[str, Any]:
    keys = provider.keys
    if keys.get("idp_metadata_url"):
        idp = {"entity_id": keys.get("idp_entity_id", ""), "metadata_url": keys["idp_metadata_url"]}
    else:
        idp = {
            "entity_id": keys["idp_entity_id"],
            "sso_url": keys["idp_sso_url"],
            "x509cert": _cert(provider),
        }
    # "nameid" matches on the Subject's NameID (allauth's uid fallback); else on an attribute.
    mapping: dict[str, str] = {}
    if keys.get("uid_attribute"):
        mapping["uid"] = keys["uid_attribute"]
    if provider.match_claim != "nameid":
        mapping.setdefault("uid", provider.match_claim)
        mapping[provider.match_field] = provider.match_claim
    if provider.match_field != "email":
        mapping["email"] = keys.get("email_attribute", "email")
    return {
        "provider_id": provider.id,
        "name": provider.name,
        # allauth's SAML URLs carry this: /accounts/saml/<id>/acs/ and .../metadata/.
        "client_id": provider.id,
        "settings": {
            "attribute_mapping": mapping,
            "use_nameid_for_email": provider.match_claim == "nameid",
            "idp": idp,
            "sp": {"entity_id": keys["sp_entity_id"]} if keys.get("sp_entity_id") else {},
            "advanced": {
                # An assertion must be signed by the provider's key; never accept one unasked.
                "want_assertion_signed": True,
                "want_attribute_statement": False,
                "reject_idp_initiated_sso": True,
                "allow_single_label_domains": keys.get("allow_single_label_domains", "").lower()
                in ("1", "true", "yes", "on"),
            },
            "rounds": provider.rounds_settings(),
        },
    }


def socialaccount_providers(providers: list[Provider]) -> dict[str, Any]:
    """SOCIALACCOUNT_PROVIDERS for allauth: one app per configured provider."""
    oidc = [_oidc_app(p) for p in providers if p.protocol == "oidc"]
    saml = [_saml_app(p) for p in providers if p.protocol == "saml"]
    return {
        "openid_connect": {"APPS": oidc},
        # Rounds' SAML provider keeps the assertion's AuthnContextClassRef (signin.py). allauth
        # reads provider_class once, when it first lists providers: it is always set.
        "saml": {"APPS": saml, "provider_class": "rounds.people.signin.RoundsSAMLProvider"},
    }
