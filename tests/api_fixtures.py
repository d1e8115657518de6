"""Apps for the HTTP API tests: each on its own on-disk store, closed (worker processes and all) after use.

The article is built once per session into a template store; an app gets a copy of it, which is much
quicker than building again. Import the fixtures into a test module with
`from api_fixtures import *  # noqa: F401,F403`.
"""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest

import api
from kg.publish import ensure_installed
from kg.store.oxigraph import OxigraphStore

TOKEN = "test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRITABLE = {"UPDATES_ENABLED": True, "UPDATE_TOKEN": TOKEN}
FORM = "application/x-www-form-urlencoded"
EX = "http://example.org/"


def settled(app, seconds: float = 120.0) -> None:
    """Wait until the app's whole-dataset counts (api.background_counts) are made, none left to make."""
    from api.background_counts import counts

    with app.app_context():
        assert counts().settled(seconds), f"the counts were still being made after {seconds:g}s"


@pytest.fixture(scope="session")
def article_store(tmp_path_factory):
    """An on-disk store holding the article, built once; apps get copies of it (see `make_app`)."""
    path = tmp_path_factory.mktemp("article") / "store"
    store = OxigraphStore(path)
    ensure_installed(store)
    store.close()
    return path


SEED = """
@prefix ex: <http://example.org/> .
ex:d ex:p "in the default graph" .
ex:g1 { ex:a ex:p 1 ; a ex:Thing . }
ex:g2 { ex:b ex:p 2 ; ex:q ex:a . }
"""


def build_app(path, config: dict | None = None, *, article=None, seed: str | None = None):
    """An app on a new on-disk store at `path`: a copy of `article` (a store directory) or empty,
    with `seed` (TriG) added."""
    if article is not None:
        shutil.copytree(article, path)
    if seed is not None:
        store = OxigraphStore(path)
        store.extend(ox.parse(seed.encode(), format=ox.RdfFormat.TRIG))
        store.close()
    settings = {"STORE": f"oxigraph:{path}", "INSTALL_ARTICLE": False, "QUERY_WORKERS": 1, "TESTING": True}
    return api.create_app({**settings, **(config or {})})


@pytest.fixture
def make_app(tmp_path, article_store):
    """A factory of apps on a fresh on-disk store: the article's copy, or empty with `article=False`."""
    made = []

    def make(config: dict | None = None, *, article: bool = True, seed: str | None = None):
        made.append(build_app(tmp_path / f"store{len(made)}", config, seed=seed,
                              article=article_store if article else None))
        return made[-1]

    yield make
    for app in made:
        app.extensions["sahel-kg"].close()


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, article_store):
    """One read-only app on the article and SEED for a module's tests that change nothing."""
    app = build_app(tmp_path_factory.mktemp("shared") / "store", article=article_store, seed=SEED)
    yield app
    app.extensions["sahel-kg"].close()


@pytest.fixture
def shared(shared_app):
    return shared_app.test_client()


@pytest.fixture
def app(make_app):
    """A read-only app on a copy of the article's store."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def writable_app(make_app):
    """An app with updates on (and the bearer token TOKEN) on a copy of the article's store."""
    return make_app(WRITABLE)


@pytest.fixture
def writer(writable_app):
    return writable_app.test_client()


@pytest.fixture
def empty_writer(make_app):
    """A client of an app with updates on over an empty store."""
    return make_app(WRITABLE, article=False).test_client()


class Recorder(BaseHTTPRequestHandler):
    """Answers every request with a little Turtle and records its path: a URL the service must never fetch."""

    def _answer(self):
        self.server.requests.append(self.path)
        body = b"<http://example.org/fetched> <http://example.org/p> <http://example.org/o> .\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args):
        """Quiet."""


@contextmanager
def serving(handler, **state):
    """A local HTTP server on 127.0.0.1 answering with `handler` (`state` set on the server); yields the server,
    whose origin is origin_of(server), until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for name, value in state.items():
        setattr(server, name, value)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def origin_of(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def recording_server():
    """A local HTTP server on 127.0.0.1; yields (base URL, list of the paths it was asked for)."""
    with serving(Recorder, requests=[]) as server:
        yield origin_of(server), server.requests


def problem(response, status: int) -> dict:
    """The problem document of an error response, after checking its status and shape."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["type"].startswith("http")
    assert "Traceback" not in response.get_data(as_text=True)
    return body
