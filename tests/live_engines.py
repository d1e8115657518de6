"""`kg serve` in front of every engine the API offers, for the live suites: the embedded store,
`oxigraph serve` and Virtuoso (the session's, from conftest), each with the article installed and
updates on. Import into a test module with `from live_engines import *  # noqa: F401,F403`.

The same tests run against each, with the same expected answers; a difference an engine cannot avoid
is declared in kg/store/dialects.py and the README's table of engines.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid

import pytest

from kg.publish import install
from kg.store.remote import RemoteStore
from live_server import kg_server
from raw_http import http, query_url
from servers import ENGINE_TIMEOUT

TOKEN = "live-test-token"
QUERY_TIMEOUT = float(ENGINE_TIMEOUT)  # kg serve's limit, and the engines' own (oxigraph serve --timeout-s)
ROW_LIMIT = 1000
ENGINES = ["embedded", "oxigraph", "virtuoso"]
SERVER_ENV = {"SAHEL_KG_UPDATE_TOKEN": TOKEN, "SAHEL_KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
              "SAHEL_KG_ROW_LIMIT": str(ROW_LIMIT)}

__all__ = ["ENGINES", "QUERY_TIMEOUT", "ROW_LIMIT", "TOKEN", "embedded_server", "endpoint", "engine_url",
           "http", "new_graph", "oxigraph_server", "query_url", "select_json", "send_update", "server",
           "server_log_on_failure", "virtuoso_server", "kg_serve_over"]


def update_url_of(engine: str) -> str:
    """oxigraph serve takes updates at /update; Virtuoso at its one /sparql."""
    return engine.rsplit("/", 1)[0] + "/update" if engine.endswith("/query") else engine


def kg_serve_over(workdir, engine: str, env: dict | None = None):
    """`kg serve` over a remote engine, with the article installed into the engine first."""
    with RemoteStore(engine, update_url=update_url_of(engine)) as store:
        install(store)  # replaces the project's graphs only; other tests' graphs stay
    environment = dict(SERVER_ENV, SAHEL_KG_STORE_UPDATE_URL=update_url_of(engine), **(env or {}))
    return kg_server(workdir, store=engine, env=environment, enable_updates=True)


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    """`kg serve` on the embedded on-disk default store ($SAHEL_KG_HOME/store), installed at start-up."""
    with kg_server(tmp_path_factory.mktemp("kg-serve-embedded"), env=SERVER_ENV, enable_updates=True) as url:
        yield url


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory, oxigraph_url):
    """`kg serve` whose store is the session's `oxigraph serve`."""
    with kg_serve_over(tmp_path_factory.mktemp("kg-serve-oxigraph"), oxigraph_url) as url:
        url.engine = oxigraph_url
        yield url


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory, virtuoso_url):
    """`kg serve` whose store is the session's Virtuoso."""
    with kg_serve_over(tmp_path_factory.mktemp("kg-serve-virtuoso"), virtuoso_url) as url:
        url.engine = virtuoso_url
        yield url


@pytest.fixture(scope="module", params=ENGINES)
def server(request):
    """The base URL of kg serve over each engine in turn; `.kind` says which."""
    url = request.getfixturevalue(f"{request.param}_server")
    url.kind = request.param
    return url


@pytest.fixture
def engine_url(server):
    """The engine's own URL (an EngineURL: pid, CPU) behind a remote server; None for the embedded store."""
    return getattr(server, "engine", None)


@pytest.fixture(autouse=True)
def server_log_on_failure(request):
    """Print what the server logged during the test; pytest shows it only when the test fails."""
    if "server" not in request.fixturenames:
        yield
        return
    url = request.getfixturevalue("server")
    start = url.log_size()
    yield
    print(f"--- kg serve log ({url}) during this test ---\n{url.log_text(start)}")


@pytest.fixture
def endpoint(server):
    return server + "/sparql"


@pytest.fixture
def new_graph(server):
    """A factory of graph IRIs no other test uses; dropped through the API afterwards."""
    made = []

    def make() -> str:
        made.append(f"http://test.sahel-kg.example/live/{uuid.uuid4().hex}")
        return made[-1]

    yield make
    for iri in made:
        send_update(server, f"DROP SILENT GRAPH <{iri}>")


def send_update(server: str, sparql: str, token: str | None = TOKEN, **params):
    headers = {"Content-Type": "application/sparql-update"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = server + "/sparql" + ("?" + urllib.parse.urlencode(params) if params else "")
    return http(url, method="POST", data=sparql.encode(), headers=headers)


def select_json(server: str, sparql: str, **params) -> dict:
    status, _, body = http(query_url(server, sparql, **params), headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return json.loads(body)
