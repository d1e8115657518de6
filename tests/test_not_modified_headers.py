"""A 304 carries what its 200 would for caches and browsers (RFC 9110 §15.4.5): Vary, Cache-Control, ETag,
and the same security headers; a 304 has no Content-Type, so the policy must not follow a default one."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403

KEPT = ("Vary", "Cache-Control", "ETag", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/.well-known/void", "/", "/id/jnim.ttl",
                                  "/id/jnim.html", "/dump.nq.gz", "/store?graph=http://example.org/g1",
                                  "/store"])
def test_a_304_carries_the_200s_vary_cache_control_etag_and_policy(shared_app, path):
    client = shared_app.test_client()
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304, path
    assert {name: again.headers.get(name) for name in KEPT} == {name: first.headers.get(name) for name in KEPT}


@pytest.mark.parametrize("path", ["/sparql", "/search?q=mali", "/problems/"])
def test_a_304_to_if_none_match_star_keeps_the_vary_of_an_untagged_answer(shared, path):
    """The service description's 304 said Vary: Accept-Encoding alone: the 200's Accept was replaced, so a cache
    could revalidate the Turtle and hand it to a browser that had asked for the page."""
    first = shared.get(path)
    assert first.status_code == 200 and "ETag" not in first.headers and "Accept" in first.vary
    again = shared.get(path, headers={"If-None-Match": "*"})
    assert again.status_code == 304
    assert sorted(again.vary) == sorted(first.vary)
