"""The whole API fuzzed from its own OpenAPI schema (schemathesis), with a token of every role:
no server error and no answer that breaks the schema, whoever asks and whatever they send.

Bounded for CI: a few examples per operation, each sent with every role's token, through the
WSGI application in-process (no socket), on the test database.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rounds.wsgi import application
from tests.api_setup import ApiWorld
from tests.api_training_setup import build_training_world
from tests.people import SmallInstitution

# One user per role (and "nobody", a signed-in account with no role).
ROLES = ("gme", "pd.im", "coord.im", "faculty", "wellness", "inclusion", "resident", "nobody")
EXAMPLES_PER_OPERATION = 10
# No server error, no answer outside the schema (status, media type, headers, body), and input
# the schema forbids is refused. Not "valid input is accepted": the schema cannot say that an
# end comes after its start, or that a trainee's hours may not overlap.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(autouse=True)
def connection_kept_open():  # type: ignore[no-untyped-def]
    """Requests run inside the test's transaction: keep Django from closing the connection at
    the end of each, as its own test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(small: SmallInstitution, settings) -> ApiWorld:  # type: ignore[no-untyped-def]
    settings.ROUNDS_API_RATE_PER_MINUTE = 100_000  # the fuzzer is not what the limit is for
    # With conferences, moonlighting and case logs too, so their endpoints have rows to show.
    return build_training_world(small, settings).api


def _schema_without_security() -> dict:
    """The schema the API serves, less its security declarations: each call below sends a real
    token itself, for every role, so the fuzzer must not also try leaving the token out (a
    missing token's 401 is tested in test_api_tokens.py). Generating it reads no table."""
    from drf_spectacular.generators import SchemaGenerator

    raw = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    raw.get("components", {}).pop("securitySchemes", None)
    for path_item in raw["paths"].values():
        for operation in path_item.values():
            operation.pop("security", None)
    return raw


schema = schemathesis.openapi.from_dict(_schema_without_security())
schema.app = application  # requests go to the WSGI application in-process


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_keeps_its_schema_for_every_role(case, world: ApiWorld) -> None:  # type: ignore[no-untyped-def]
    for role in ROLES:
        # Uncompressed answers: through the WSGI application nothing decodes the gzip that
        # GZipMiddleware would otherwise send (compression has its own test_compression.py).
        headers = {"Authorization": f"Bearer {world.tokens[role]}", "Accept-Encoding": "identity"}
        case.call_and_validate(headers=headers, checks=CHECKS)
