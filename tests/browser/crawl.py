"""Visit every page a signed-in person can reach by following links, once per kind of page.

From the landing page, follow same-site links breadth first; a link whose URL resolves to a
route already visited (another trainee's record, another month) is not visited again, so each
page of the role is seen once however large the institution. Downloads, sign-out, the admin and
links with a query string are skipped (the query only changes what a page lists), and so are the
API's machine-facing addresses: its schema and the third-party Swagger UI that documents it (the
GME office's token page is a Rounds page and is visited)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/static/", "/media/", "/api/docs/", "/api/schema/")
SKIP_SUFFIXES = (".ics", ".pdf", ".xlsx", ".csv", ".json", ".txt", ".png", ".svg", ".ico")


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)


def _links(page: Page, base: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme and not href.startswith(base):
            continue
        if parts.query or not parts.path.startswith("/"):
            continue
        path = parts.path
        if path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
            continue
        out.append(path)
    return out


def crawl(
    page: Page,
    base: str,
    start: str,
    limit: int = 80,
    visit: Callable[[Page], None] | None = None,
    slow: list[str] | None = None,
) -> Iterator[str]:
    """Yield each path visited (after `visit` ran on it); pages that did not load in time are
    added to `slow`."""
    slow = slow if slow is not None else []
    queue, seen_routes = [start], set()
    while queue and len(seen_routes) < limit:
        path = queue.pop(0)
        route = route_of(path)
        if route is None or route in seen_routes:
            continue
        seen_routes.add(route)
        try:
            response = page.goto(base + path)
        except PlaywrightTimeout:
            slow.append(path)
            continue
        if response is None or response.status >= 400:
            continue
        if visit is not None:
            visit(page)
        yield path
        queue += [p for p in _links(page, base) if route_of(p) not in seen_routes]
