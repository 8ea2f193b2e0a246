"""What every page sends: a Content-Security-Policy without inline script, and cache rules.

Pages are read as each role reads them: the work areas their navigation opens, and the pages
linked from there. Every one must carry no inline script, event handler or <style> element (the
policy would block them), and every page but the public ones must be marked `no-store`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

ROOT = Path(__file__).resolve().parent.parent
ROLES = ["gme", "pd.im", "coord.im", "resident", "fellow", "faculty", "wellness", "inclusion"]
PUBLIC_PAGES = [
    "/",
    "/programs/",
    "/programs/im/",
    "/sites/",
    "/sites/riverside/",
    "/wellness/support/",
]
# Links that are not pages to read: signing out, downloads and feeds.
SKIP = re.compile(r"^/(accounts/logout|static/|admin/)|\.(csv|xlsx|ics|json)$|/(export|feed|csv)")
PAGES_PER_ROLE = 30


class PageScripts(HTMLParser):
    """Everything in a page that a script-src 'self' / style-src 'self' policy would block
    (inline scripts, handlers, <style> elements and style attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.links: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            src = named.get("src") or ""
            if not src:
                self._in_inline_script = True
                self.blocked.append("an inline <script>")
            elif not src.startswith("/static/"):
                self.blocked.append(f"a script from {src}")
        if tag == "style":
            self.blocked.append("a <style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=...>")
            if name == "style":
                self.blocked.append(f"<{tag} style=...>")
            if name in ("href", "action", "formaction") and (value or "").startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=javascript:...>")
        if tag == "a" and named.get("href"):
            self.links.append(str(named["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def parse(html: str) -> PageScripts:
    page = PageScripts()
    page.feed(html)
    return page


def policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def read_pages(client: Client, start: list[str]) -> dict[str, Any]:
    """The start pages and the pages they link to, HTML only, up to PAGES_PER_ROLE.

    One page of each shape: a week of hours stands for every week.
    """
    seen: dict[str, Any] = {}
    shapes: set[str] = set()
    queue = list(start)
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.pop(0).split("#")[0]
        shape = re.sub(r"\d+", "#", url)
        if not url.startswith("/") or shape in shapes or SKIP.search(url):
            continue
        shapes.add(shape)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.insert(0, response["Location"])
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        seen[url] = response
        queue += parse(response.content.decode()).links
    return seen


def work_areas(client: Client) -> list[str]:
    nav = client.get("/staff/start/", follow=True).context["work_links"]
    return [link.url for link in nav]


@pytest.fixture
def pages_by_role(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> dict[str, dict[str, Any]]:
    schedules = build_schedules(small)
    extra = {
        "gme": [reverse("workhours:institution_print"), reverse("schedules:on_call")],
        "pd.im": [reverse("schedules:grid", args=[schedules.draft.pk])],
        "coord.im": [reverse("schedules:grid", args=[schedules.published.pk])],
    }
    result = {}
    for username in ROLES:
        client = client_as(username)
        result[username] = read_pages(client, extra.get(username, []) + work_areas(client))
    return result


def is_public(url: str) -> bool:
    return url in PUBLIC_PAGES or url.startswith(("/programs/", "/sites/"))


def test_every_page_each_role_reads_runs_no_inline_script_and_is_not_stored(
    pages_by_role: dict[str, dict[str, Any]],
) -> None:
    problems = [
        f"{username} {url}: {what}"
        for username, pages in pages_by_role.items()
        for url, response in pages.items()
        for what in parse(response.content.decode()).blocked
    ]
    assert problems == []
    assert sum(len(pages) for pages in pages_by_role.values()) > 15 * len(ROLES)
    # The pages whose handlers moved to site.js were among them, and load it.
    printable = pages_by_role["gme"][reverse("workhours:institution_print")].content.decode()
    assert "data-print" in printable and "rounds/site.js" in printable

    for pages in pages_by_role.values():
        for url, response in pages.items():
            directives = policy(response)
            assert directives["script-src"] == ["'self'"], url
            assert "'unsafe-inline'" not in directives["style-src"], url
            assert "'unsafe-inline'" not in directives.get("style-src-attr", []), url
            assert directives["frame-ancestors"] == ["'none'"], url
            if not is_public(url):
                assert "no-store" in response["Cache-Control"], url


def test_public_pages_are_cacheable_and_private_when_signed_in(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    for url in PUBLIC_PAGES:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert "no-store" not in response.get("Cache-Control", ""), url
        assert policy(response)["script-src"] == ["'self'"]
        signed_in = client_as("resident").get(url)
        assert "no-store" not in signed_in.get("Cache-Control", ""), url
        assert "private" in signed_in["Cache-Control"], url


def test_sign_in_and_reset_pages_are_not_stored(small: SmallInstitution) -> None:
    for url in ["/accounts/login/", "/accounts/password_reset/"]:
        assert "no-store" in Client().get(url)["Cache-Control"], url


def test_htmx_is_told_not_to_add_its_inline_style(
    small: SmallInstitution, client_as: Callable[[str], Client]
) -> None:
    schedules = build_schedules(small)
    page = client_as("pd.im").get(reverse("schedules:grid", args=[schedules.draft.pk]))
    html = page.content.decode()
    assert "htmx" in html
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false' in html


TEMPLATES = sorted((ROOT / "rounds").glob("**/templates/**/*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "rounds")))
def test_no_template_holds_an_inline_script(template: Path) -> None:
    # Pages no role reached above still come from these files.
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), "inline event handler"
    assert "<style" not in text, "<style> element"
    assert "javascript:" not in text
