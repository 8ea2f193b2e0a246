"""Refuse a request that carries a NUL character, before any view sees it.

No text a person types contains NUL (U+0000), and PostgreSQL refuses to store or even compare it
("text fields cannot contain NUL"), so a NUL in a path, a query parameter, a form field or an
uploaded file's name would otherwise reach the database and end as a server error wherever a view
passes raw text on (a reason, a note, a token). Django's form fields refuse it already; this
covers every other path at once and says which field held it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

NUL = "\x00"


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_in(request)
        if where:
            message = (
                f"The {where} contains a NUL character, which Rounds does not accept. "
                "Remove it and send again."
            )
            page = render_to_string("400.html", {"message": message}, request=request)
            return HttpResponse(page, status=400)
        return self.get_response(request)


def nul_in(request: HttpRequest) -> str | None:
    """Where the request carries a NUL (`address`, `field "note"`), or None."""
    if NUL in request.path:
        return "address"
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in v for v in values):
            return f'query parameter "{name.replace(NUL, "")[:40]}"'
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name, values in request.POST.lists():
            if NUL in name or any(NUL in v for v in values):
                return f'form field "{name.replace(NUL, "")[:40]}"'
        for name, uploads in request.FILES.lists():
            if any(NUL in (upload.name or "") for upload in uploads):
                return f'name of the file in "{name[:40]}"'
    return None
