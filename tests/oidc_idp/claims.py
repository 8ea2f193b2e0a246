"""The claims the test provider asserts for each of its users, from the IDP_PEOPLE file:
{"username": {"password": ..., "email": ..., "employee_id": ..., "amr": ["pwd", "mfa"]}}."""

from __future__ import annotations

import json
import os
from typing import Any


def people() -> dict[str, dict[str, Any]]:
    with open(os.environ["IDP_PEOPLE"]) as file:
        return json.load(file)


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    person = people().get(user.username, {})
    claims["email"] = person.get("email", "")
    claims["email_verified"] = True
    claims["preferred_username"] = user.username
    return claims


def id_token(id_token: dict[str, Any], user: Any, **kwargs: Any) -> dict[str, Any]:
    person = people().get(user.username, {})
    id_token["email"] = person.get("email", "")
    if person.get("employee_id"):
        id_token["employee_id"] = person["employee_id"]
    # How the person authenticated at the provider (RFC 8176): "pwd" alone, or with "mfa"/"otp".
    id_token["amr"] = person.get("amr", ["pwd"])
    return id_token
