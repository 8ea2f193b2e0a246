"""Bad input never gives a server error: every URL pattern, every role, fuzzed queries and forms.

A small demo institution is built once for the module (every area's demo data: schedules, calls,
hours, mentoring, wellness, concerns, inclusion, languages) and crawled as every demo account, so
the fuzzing reaches real objects' pages and the fields of their real forms. Then, for each URL
pattern of the site (Django's resolver, the admin aside), hypothesis picks a person (each role of
the demo, one signed-in person with no role, and an anonymous visitor), one of that pattern's URLs
(crawled ones, and ones made up from odd path values), and sends a GET with fuzzed query
parameters and a POST with fuzzed form data: non-numeric ids, NUL bytes, huge numbers, edge dates
(0001-01-01, year 99999), very long text, files with 300-character names. Every answer must be
below 500. Each example runs in a transaction that is rolled back, so one example's deletions do
not starve the next.

ROUNDS_FUZZ_EXAMPLES (default 6) sets the examples per URL pattern. The run is derandomised so CI
sees the same inputs every time; ROUNDS_FUZZ_RANDOM=1 draws new ones (to hunt, not for CI).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rounds.core.demo import DEMO_USERS, demo_build
from rounds.core.management.commands.load_demo import area_demo_modules

EXAMPLES = int(os.environ.get("ROUNDS_FUZZ_EXAMPLES", "6"))
PEOPLE: list[str | None] = [*DEMO_USERS, "nobody", None]  # None: an anonymous visitor
PAGES_PER_PERSON = 120  # crawl bound: every pattern is reached well within it
URLS_PER_ROUTE = 3


# ---------------------------------------------------------------- the URL patterns


@dataclass(frozen=True)
class Route:
    route: str  # "schedules/versions/<int:pk>/", as resolve(...).route gives it
    converters: tuple[tuple[str, str], ...]  # (kwarg, converter name), in order


def _routes(resolver: URLResolver, prefix: str = "", conv: tuple[Any, ...] = ()) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        here = conv + tuple(_converters(entry))
        if isinstance(entry, URLResolver):
            if pattern.startswith("admin/"):
                continue  # Django's own admin, not Rounds' pages
            yield from _routes(entry, prefix + pattern, here)
        elif isinstance(entry, URLPattern):
            yield Route(prefix + pattern, here)


def _converters(entry: URLPattern | URLResolver) -> list[tuple[str, str]]:
    converters = getattr(entry.pattern, "converters", {})
    names = {"IntConverter": "int", "StringConverter": "str", "SlugConverter": "slug"}
    return [(k, names.get(type(c).__name__, "str")) for k, c in converters.items()]


ROUTES = sorted(set(_routes(get_resolver())), key=lambda r: r.route)


# ---------------------------------------------------------------- crawling real pages


@dataclass
class Form:
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values seen
    files: list[str] = field(default_factory=list)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, Form]] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(method=a.get("method", "get").lower())
            self.forms.append((a.get("action", ""), self._form))
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            name = a.get("name")
            if not name:
                return
            if a.get("type") == "file":
                self._form.files.append(name)
                return
            self._form.fields.setdefault(name, []).append(a.get("value", ""))
            self._select = name if tag == "select" else None
        elif tag == "option" and self._form is not None and self._select:
            self._form.fields[self._select].append(a.get("value", ""))
        for attr in ("hx-get", "hx-post"):
            if a.get(attr):
                self.links.append(a[attr])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


@dataclass
class Crawl:
    urls: dict[str, list[str]] = field(default_factory=dict)  # route -> real URLs
    forms: dict[str, Form] = field(default_factory=dict)  # route -> merged fields of its forms


def _route_of(path: str) -> str | None:
    try:
        return resolve(path).route
    except Resolver404:
        return None


def _crawl(client: Client, crawl: Crawl) -> None:
    queue = deque(_start_pages())
    seen: set[str] = set()
    while queue and len(seen) < PAGES_PER_PERSON:
        url = queue.popleft()
        route = _route_of(urlsplit(url).path)
        if url in seen or route is None or "logout" in url:
            continue
        known = crawl.urls.setdefault(route, [])
        if url not in known and len(known) >= URLS_PER_ROUTE:
            continue
        seen.add(url)
        if url not in known:
            known.append(url)
        response = client.get(url)
        assert response.status_code < 500, url
        if "html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode(errors="replace"))
        for action, form in page.forms:
            target = urljoin(url, action or url)
            target_route = _route_of(urlsplit(target).path)
            if target_route is None:
                continue
            if form.method == "post":
                known_targets = crawl.urls.setdefault(target_route, [])
                if target not in known_targets and len(known_targets) < URLS_PER_ROUTE:
                    known_targets.append(target)
            merged = crawl.forms.setdefault(target_route, Form(method=form.method))
            for name, values in form.fields.items():
                merged.fields.setdefault(name, []).extend(values[:20])
            merged.files.extend(f for f in form.files if f not in merged.files)
        for link in page.links:
            parts = urlsplit(urljoin(url, link))
            if parts.netloc in ("", "testserver"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))


def _start_pages() -> list[str]:
    pages = []
    for route in ROUTES:
        if not route.converters and "logout" not in route.route:
            pages.append("/" + route.route)
    return pages


@dataclass
class Site:
    users: dict[str, User]
    crawl: Crawl


@pytest.fixture(scope="module")
def site(django_db_setup: None, django_db_blocker: Any) -> Iterator[Site]:
    """The demo, built once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_build(seed=11, scale=0.05)
        for module in area_demo_modules():
            if hasattr(module, "demo_extend"):
                module.demo_extend(seed=11)
        User.objects.create_user("nobody", "nobody@example.org", "x")
        users = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
        crawl = Crawl()
        for person in PEOPLE:
            _crawl(_client(users, person), crawl)
        yield Site(users, crawl)
        transaction.set_rollback(True)


def _client(users: dict[str, User], person: str | None) -> Client:
    client = Client()
    if person is not None:
        client.force_login(users[person])
    return client


# ---------------------------------------------------------------- fuzzed values

EDGE_TEXT = [
    "", " ", "0", "-1", "1.5", "1e309", "NaN", "inf", "abc", "null", "[]", "{}",
    "\x00", "a\x00b", "12\x00", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    str(2**31), str(2**63), str(10**30), "9" * 400, "x" * 5000,
    "0001-01-01", "9999-12-31", "99999-01-01", "2026-02-30", "2026-13-01", "0000-00-00",
    "2026-07-01T25:61", "0001-01-01T00:00", "99999-12-31T23:59", "24:00", "-0001-01-01",
    "split:1:2", "split:x", "1:2:3", "../../etc/passwd", "<script>", "' OR 1=1 --",
    "=HYPERLINK(\"x\")", "on", "true", "false", "99999", "10000", "1899", "0000",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(EDGE_TEXT),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=30),
    st.dates().map(str),
)
GENERIC_FIELDS = [
    "pk", "id", "trainee", "block", "rotation", "revision", "day", "date", "start", "end",
    "year", "as_of", "page", "q", "program", "site", "kind", "status", "next", "person",
]  # fmt: skip


def _path_value(converter: str) -> st.SearchStrategy[str]:
    if converter == "int":
        return st.sampled_from(["0", "1", "2", str(2**31), str(2**63), str(10**30)])
    if converter == "slug":
        return st.sampled_from(["x", "no-such-slug", "a" * 300, "9" * 40])
    odd = ["0001-01-01", "99999-01-01", "2026-02-30", "abc", "9" * 40, "%00", "a" * 300]
    return st.sampled_from(odd) | st.text(alphabet="abcdef0123456789-", min_size=1, max_size=12)


def _made_up_url(route: Route) -> st.SearchStrategy[str]:
    if not route.converters:
        return st.just("/" + route.route)

    def fill(values: list[str]) -> str:
        path = route.route
        for (name, conv), value in zip(route.converters, values, strict=True):
            path = path.replace(f"<{conv}:{name}>", value).replace(f"<{name}>", value)
        return "/" + path

    return st.tuples(*[_path_value(c) for _, c in route.converters]).map(lambda v: fill(list(v)))


def _form_data(form: Form | None) -> st.SearchStrategy[dict[str, Any]]:
    names = [*(form.fields if form else []), *GENERIC_FIELDS]
    real = {n: [v for v in vs if v] for n, vs in (form.fields.items() if form else [])}

    def value(name: str) -> st.SearchStrategy[Any]:
        options = real.get(name) or []
        fuzzed = VALUES | st.lists(VALUES, min_size=2, max_size=3)
        return (st.sampled_from(options) | fuzzed) if options else fuzzed

    fields = st.fixed_dictionaries({}, optional={n: value(n) for n in names})
    if not form or not form.files:
        return fields
    files = st.fixed_dictionaries(
        {},
        optional={
            n: st.builds(
                SimpleUploadedFile,
                st.sampled_from(["x" * 300 + ".csv", "a.xlsx", "\x00.csv", "a.txt", ".csv"]),
                st.sampled_from([b"", b"a,b\n1,2\n", b"PK\x03\x04junk", b"\xff\xfe\x00", b"=1+1"]),
            )
            for n in form.files
        },
    )
    return st.tuples(fields, files).map(lambda pair: {**pair[0], **pair[1]})


def _query(form: Form | None) -> st.SearchStrategy[dict[str, Any]]:
    names = [*(form.fields if form and form.method == "get" else []), *GENERIC_FIELDS]
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=4)


# ---------------------------------------------------------------- the tests

EDGE_PATHS = {
    "int": ["0", str(2**63), str(10**30)],
    "slug": ["no-such-slug", "a" * 300],
    "str": ["0001-01-01", "99999-01-01", "2026-02-30", "abc", "a" * 300, "%00"],
}
EDGE_PEOPLE = ["gme", "pd.im", "resident", None]


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.converters], ids=[r.route for r in ROUTES if r.converters]
)
def test_odd_path_values_are_refused_not_crashed(site: Site, db: None, route: Route) -> None:
    """Every path parameter at its edges (year 1 and 99999, 2**63, 300 characters) for the roles
    that reach the most pages; the random visits below cover the rest."""
    real = site.crawl.urls.get(route.route, [])
    base = {name: 1 for name, _ in route.converters}
    if real:  # the other parameters of a real object's URL, so the odd one is what is tried
        base |= resolve(urlsplit(real[0]).path).kwargs
    for person in EDGE_PEOPLE:
        client = _client(site.users, person)
        for odd, conv in route.converters:
            for value in EDGE_PATHS[conv]:
                url = "/" + route.route
                for name, c in route.converters:
                    url = url.replace(f"<{c}:{name}>", value if name == odd else str(base[name]))
                with transaction.atomic():
                    assert client.get(url).status_code < 500, f"GET {url} as {person}"
                    assert client.post(url, {}).status_code < 500, f"POST {url} as {person}"
                    transaction.set_rollback(True)


@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTES, ids=[r.route or "/" for r in ROUTES])
def test_no_server_error(site: Site, db: None, route: Route) -> None:
    real = site.crawl.urls.get(route.route, [])
    url = st.sampled_from(real) | _made_up_url(route) if real else _made_up_url(route)
    form = site.crawl.forms.get(route.route)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=not os.environ.get("ROUNDS_FUZZ_RANDOM"),
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(person=st.sampled_from(PEOPLE), url=url, query=_query(form), data=_form_data(form))
    def one_visit(
        person: str | None, url: str, query: dict[str, Any], data: dict[str, Any]
    ) -> None:
        client = _client(site.users, person)
        with transaction.atomic():
            got = client.get(url, query)
            assert got.status_code < 500, f"GET {url} {query} as {person}"
            for upload in data.values():
                if isinstance(upload, SimpleUploadedFile):
                    upload.seek(0)
            posted = client.post(url, data)
            assert posted.status_code < 500, f"POST {url} {data} as {person}"
            transaction.set_rollback(True)

    one_visit()
