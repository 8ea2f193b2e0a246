"""Turn a save refused at the last moment into a page a person can act on, not a server error."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rounds.core.services import StaleRecord


class StaleRecordMiddleware:
    """A form that passed its checks can still lose the race to a save made at the same moment
    (core.services.form_save re-checks under a row lock); answer 409 with the reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StaleRecord):
            return None
        context = {"message": str(exception), "again": request.get_full_path()}
        return render(request, "409.html", context, status=409)
