"""What a browser lets other sites' pages read (CORS_ORIGINS), asked of Debian's chromium itself: the only
client that enforces CORS. Each other site is a small HTTP server on 127.0.0.1 (a page the browser context made
up would count as a public one, which Chromium keeps from the loopback address); their pages' fetches go to a
live `kg serve`."""

from __future__ import annotations

from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler

import pytest

from api_fixtures import origin_of, serving
from browser_session import browser  # noqa: F401 (fixture)
from live_server import kg_server

PAGE = b"<!doctype html><title>another site</title><p>a page of another site"
ASK = "/sparql?query=ASK%20%7B%7D"
# A form POST needs no preflight; a POST of the query itself (application/sparql-query) does: OPTIONS first.
READS = {
    "GET": "fetch(api + '" + ASK + "', {headers: {Accept: 'application/sparql-results+json'}})",
    "POST form": "fetch(api + '/sparql', {method: 'POST', body: new URLSearchParams({query: 'ASK {}'}), "
                 "headers: {Accept: 'application/sparql-results+json'}})",
    "POST query": "fetch(api + '/sparql', {method: 'POST', body: 'ASK {}', "
                  "headers: {'Content-Type': 'application/sparql-query', Accept: 'application/sparql-results+json'}})",
}


class _Page(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):  # quiet
        pass


@contextmanager
def another_site():
    """The origin (http://127.0.0.1:PORT) of a site serving PAGE, until the block ends."""
    with serving(_Page) as site:
        yield origin_of(site)


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Two listed origins, one not listed, and the API that lets the first two read."""
    with ExitStack() as stack:
        listed = [stack.enter_context(another_site()) for _ in range(2)]
        unlisted = stack.enter_context(another_site())
        api = stack.enter_context(kg_server(tmp_path_factory.mktemp("cors-server"), store="memory:",
                                            env={"SAHEL_KG_CORS_ORIGINS": ", ".join(listed)}))
        yield listed, unlisted, api


def read_from(browser, api: str, origin: str) -> dict[str, str]:
    """What each of READS gave a page at `origin`: the answer's boolean, or the browser's refusal."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(origin + "/page.html")
        return {name: page.evaluate("async (api) => { try { const answer = await " + read + "; "
                                    "return String((await answer.json()).boolean); } "
                                    "catch (error) { return error.name; } }", api)
                for name, read in READS.items()}
    finally:
        context.close()


def test_pages_of_each_listed_origin_read_answers_and_other_sites_pages_do_not(browser, sites):
    """CORS_ORIGINS took * or one origin: two sites' pages could not both be let in without letting in all."""
    listed, unlisted, api = sites
    for origin in listed:
        assert read_from(browser, api, origin) == {name: "true" for name in READS}, origin
    assert read_from(browser, api, unlisted) == {name: "TypeError" for name in READS}
