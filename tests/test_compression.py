"""Pages travel gzipped to a browser that accepts it (GZipMiddleware, docs/performance.md):
the same page, smaller, with the CSRF token still different in every response."""

from __future__ import annotations

import gzip
import re

from django.test import Client
from django.urls import reverse

from tests.people import SmallInstitution
from tests.schedules_setup import build_schedules

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_a_coordinator_s_grid_arrives_gzipped_and_reads_the_same(
    small: SmallInstitution, client_as
) -> None:  # type: ignore[no-untyped-def]
    x = build_schedules(small)
    coord = client_as("coord.im")
    url = reverse("schedules:grid", args=[x.draft.pk])
    plain = coord.get(url)
    packed = coord.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content)
    assert len(packed.content) < len(page) / 3
    assert b"Ben Baker" in page and b"Every rule holds" in page
    # The CSRF token is masked afresh in every response, so compression cannot reveal it.
    tokens = [TOKEN.search(p) for p in (plain.content, page)]
    assert all(tokens) and tokens[0][1] != tokens[1][1]  # type: ignore[index]


def test_public_pages_from_the_cache_arrive_gzipped_too(small: SmallInstitution) -> None:
    visitor = Client()
    for _ in range(2):  # rendered, then served from the page cache
        response = visitor.get("/programs/", HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip"
        assert b"Internal Medicine" in gzip.decompress(response.content)
