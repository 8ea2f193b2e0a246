"""Writes to API tokens: made and revoked with an audit row in the same transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rounds.api import scopes as scope_names
from rounds.api.models import ApiToken
from rounds.core.models import AuditEntry
from rounds.core.services import audit_record

TOKEN_PREFIX = "rnd_"


class TokenError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once; only its digest is stored


def digest_of(secret: str) -> str:
    """A plain SHA-256 is enough: tokens are 256 random bits, so there is nothing to guess and
    no need for a slow password hash (which would cost every request tens of milliseconds)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *,
    user: Any,
    name: str,
    scopes: list[str],
    kind: str = ApiToken.Kind.PERSONAL,
    expires_in_days: int | None = None,
    rate_per_minute: int | None = None,
    by: Any,
) -> NewToken:
    if not user.is_active:
        raise TokenError(f"{user.username} is not an active account.", "user")
    if kind not in ApiToken.Kind.values:
        raise TokenError(f"Unknown kind of token: {kind!r}.", "kind")
    name = name.strip() or "Personal token"
    try:
        scopes = scope_names.expand(scopes)
    except scope_names.UnknownScope as error:
        raise TokenError(str(error), "scopes") from None
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, kind=kind, name=name[:120], scopes=scopes, digest=digest_of(secret),
            prefix=secret[: len(TOKEN_PREFIX) + 6], rate_per_minute=rate_per_minute,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            expires_at=expires,
        )  # fmt: skip
        audit_record(
            by=by,
            action="api.token_create",
            instance=token,
            summary=f"API token {token} for {user.username}: {', '.join(scopes)}",
            changes={"user": user.username, "kind": kind, "scopes": scopes},
        )
    return NewToken(token, secret)


def token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        token.refresh_from_db()
        if updated:
            audit_record(
                by=by,
                action="api.token_revoke",
                instance=token,
                summary=f"API token {token} of {token.user.username} revoked",
                changes={},
            )
    return token


def token_used(token: ApiToken) -> None:
    """Count one use. One UPDATE with F(): concurrent requests never lose a count."""
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now(), use_count=F("use_count") + 1
    )


def api_write_audit(
    *, token: ApiToken, action: str, summary: str, changes: dict[str, Any]
) -> AuditEntry:
    """The audit row of one write through the API: which token, beside the service's own row."""
    return audit_record(
        by=token.user,
        action=f"api.{action}",
        instance=token,
        summary=f"{summary} (API token {token})",
        changes=changes,
    )
