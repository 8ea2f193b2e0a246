"""The OpenAPI schema says what every error looks like: a Problem (RFC 9457) for each error
status an operation can answer with, so clients and the schema fuzzer can rely on it."""

from __future__ import annotations

from typing import Any

from rounds.api.problems import CONTENT_TYPE

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "A URI reference naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "For invalid input: each field and what is wrong with it.",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
ERRORS = {
    "400": "The request is not valid: `errors` lists each field.",
    "401": "No token, or a token unknown, revoked or expired.",
    "403": "The token's scopes or its account's roles do not allow this.",
    "404": "No such record, or one the caller may not see.",
    "405": "Method not allowed.",
    "406": "Cannot answer in the media type asked for.",
    "415": "Unsupported media type.",
    "429": "Too many requests for this token (for a check-in: too many codes that did not "
    "work): wait as long as Retry-After says.",
    "500": "Server error.",
}


def problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add the Problem component and error responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code, {"description": description, "content": {CONTENT_TYPE: {"schema": ref}}}
                )
    return result
