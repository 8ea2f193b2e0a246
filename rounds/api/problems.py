"""Errors as RFC 9457 problem details (`application/problem+json`): `type`, `title`, `status`,
`detail`, and for invalid input `errors`, one per field. Pages and the API share the domain
errors; this module is the API's mapping of them."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from rounds.api.services import TokenError
from rounds.caselogs.services import CaseLogError
from rounds.conferences.services import ConferenceError
from rounds.moonlighting.services import MoonlightingError
from rounds.workhours.services import WorkHoursError

# The apps' refusals: a sentence the person can act on, and the field it is about (if any).
DomainError = WorkHoursError | TokenError | MoonlightingError | ConferenceError | CaseLogError

logger = logging.getLogger("rounds.api")
CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/problems/"

# status -> (type slug, title)
KINDS: dict[int, tuple[str, str]] = {
    400: ("invalid", "The request is not valid"),
    401: ("unauthenticated", "A valid API token is needed"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Cannot answer in the media type asked for"),
    409: ("conflict", "Conflicts with the current state"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("rate-limited", "Too many requests"),
    500: ("server-error", "Server error"),
}


def problem(
    status_code: int, detail: str, errors: list[dict[str, str]] | None = None, **extra: Any
) -> Response:
    slug, title = KINDS.get(status_code, ("error", "Error"))
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return Response(body, status=status_code, content_type=CONTENT_TYPE)


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error dict/list flattened to [{field, message}] with dotted paths."""
    if isinstance(detail, dict):
        found: list[dict[str, str]] = []
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else f"{prefix}{key}"
            found += field_errors(value, f"{name}." if name else "")
        return found
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": prefix.rstrip("."), "message": str(item)} for item in detail]
        found = []
        for index, item in enumerate(detail):
            found += field_errors(item, f"{prefix}{index}.")
        return found
    return [{"field": prefix.rstrip("."), "message": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """Every error an API view raises becomes a problem; nothing escapes as an HTML page."""
    set_rollback()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DomainError):
        field = getattr(exc, "field", None) or ""
        return problem(400, exc.message, [{"field": field, "message": exc.message}])
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        summary = "; ".join(f"{e['field'] or 'request'}: {e['message']}" for e in errors[:5])
        return problem(400, summary or "The request is not valid.", errors)
    if isinstance(exc, exceptions.APIException):
        response = problem(exc.status_code, _text(exc.detail))
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait) + 1)
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            response["WWW-Authenticate"] = auth_header
        return response
    logger.exception("API error", exc_info=exc)
    return problem(500, "Something went wrong on our side; it has been logged.")


def _text(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in detail.items())
    if isinstance(detail, list):
        return "; ".join(_text(v) for v in detail)
    return str(detail)
