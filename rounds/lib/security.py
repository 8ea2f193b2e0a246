"""Security plumbing with no domain: the email backend production must name, and cache headers.

settings.py imports this module, so it reads settings only inside functions.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from rounds.lib.env import env_str

CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
# Backends that deliver nothing: in production a password-reset link would end in a log or a file.
_UNDELIVERED = {
    CONSOLE_EMAIL,
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}

# Pages anyone may read, the same for everyone: the public program finder and the help directory.
CACHEABLE_PAGES = {"public": None, "wellness": {"support"}}


def email_backend_from_env(*, debug: bool) -> str:
    """EMAIL_BACKEND from the environment; in production it must be set, and to a real one."""
    backend = env_str("EMAIL_BACKEND")
    if debug:
        return backend or CONSOLE_EMAIL
    if not backend:
        raise ImproperlyConfigured(
            "EMAIL_BACKEND must be set when DJANGO_DEBUG is off, e.g. "
            "EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST: "
            "otherwise password-reset links would be written to the server's log"
        )
    if backend in _UNDELIVERED:
        raise ImproperlyConfigured(
            f"EMAIL_BACKEND={backend} delivers no mail; with DJANGO_DEBUG off use a real one "
            "(e.g. django.core.mail.backends.smtp.EmailBackend)"
        )
    return backend


def is_cacheable_page(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None or match.namespace not in CACHEABLE_PAGES:
        return False
    names = CACHEABLE_PAGES[match.namespace]
    return names is None or match.url_name in names


class PersonalPagesNotStoredMiddleware:
    """`Cache-Control: no-store` on every page but the public ones.

    Deny by default: a new page is personal until it is added to CACHEABLE_PAGES. A public page
    served to someone signed in carries their name and sign-out form, so no shared cache may keep
    it. Static files never reach here (WhiteNoise answers them first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_cacheable_page(request):
            add_never_cache_headers(response)
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
