"""On /api/ addresses, the refusals that happen before any view (a NUL character anywhere, a
body that cannot be parsed) are problem details too, not the site's HTML error page. It runs
just before rounds.lib.middleware.RefuseNulMiddleware and asks the same question of it."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from rounds.api.problems import CONTENT_TYPE, KINDS
from rounds.lib.middleware import nul_in

PREFIX = "/api/"


def problem_response(status: int, detail: str) -> HttpResponse:
    slug, title = KINDS[status]
    body = {"type": f"{PREFIX}problems/{slug}", "title": title, "status": status, "detail": detail}
    return HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)


class ApiRefusalsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PREFIX):
            try:
                where = nul_in(request)
            except (MultiPartParserError, SuspiciousOperation) as error:
                return problem_response(400, f"The request body could not be read: {error}")
            if where:
                return problem_response(
                    400, f"The {where} contains a NUL character, which Rounds does not accept."
                )
        return self.get_response(request)
