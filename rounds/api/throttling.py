"""Rate limits per token, counted in the cache (shared by all web processes when the cache is
Redis; per process with the default local memory cache)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from rounds.api.models import ApiToken


class PerTokenThrottle(SimpleRateThrottle):
    scope = "api_token"

    def get_rate(self) -> str:
        # Read at each request (not at import), so settings and the token's own rate apply.
        return f"{settings.ROUNDS_API_RATE_PER_MINUTE}/min"

    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.rate_per_minute:
            self.num_requests, self.duration = token.rate_per_minute, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if isinstance(token, ApiToken):
            return f"throttle_api_token_{token.pk}"
        # Requests without a token (refused, or the schema): per address.
        return f"throttle_api_anon_{self.get_ident(request)}"
