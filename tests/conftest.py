"""Fixtures about servers and stores: real `oxigraph serve` and Virtuoso per session, a store per test."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from pathlib import Path

import pytest

import servers
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteStore

WIKIDATA_FIXTURE = Path(__file__).parent / "fixtures" / "wikidata-sahel-fixture.ttl"


def pytest_configure(config):
    """SIGTERM ends a run as Ctrl-C does, with every fixture torn down: the `kg serve` processes tests start
    lead sessions of their own (so that a test can stop one whole), where a SIGTERM sent to `make test`'s
    process group does not reach them."""
    signal.signal(signal.SIGTERM, _interrupted)


def _interrupted(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise KeyboardInterrupt


@pytest.fixture(autouse=True)
def private_store_home(tmp_path_factory, monkeypatch):
    """Every test gets its own SAHEL_KG_HOME and no SAHEL_KG_STORE, so none touches ~/.local/share."""
    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("SAHEL_KG_STORE", raising=False)


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory):
    """Query URL of an `oxigraph serve` (SAHEL_KG_OXIGRAPH_URL, else one started for the session)."""
    if os.environ.get("SAHEL_KG_OXIGRAPH_URL"):
        yield os.environ["SAHEL_KG_OXIGRAPH_URL"]
        return
    if not servers.OXIGRAPH_BIN.exists():
        servers.missing_service(f"no oxigraph server binary at {servers.OXIGRAPH_BIN}")
    with servers.oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory):
    """/sparql URL of a Virtuoso (SAHEL_KG_VIRTUOSO_URL, else one started for the session)."""
    if os.environ.get("SAHEL_KG_VIRTUOSO_URL"):
        yield os.environ["SAHEL_KG_VIRTUOSO_URL"]
        return
    with servers.virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
        yield url


@pytest.fixture(scope="session")
def wikidata_fixture(tmp_path_factory):
    """Query URL of an `oxigraph serve` holding tests/fixtures/wikidata-sahel-fixture.ttl (shaped like
    Wikidata, not its data) in its default graph: the stand-in for Wikidata's query service."""
    if not servers.OXIGRAPH_BIN.exists():
        servers.missing_service(f"no oxigraph server binary at {servers.OXIGRAPH_BIN}")
    workdir = tmp_path_factory.mktemp("wikidata-fixture")
    subprocess.run([str(servers.OXIGRAPH_BIN), "load", "--location", str(workdir / "data"),
                    "--file", str(WIKIDATA_FIXTURE)], check=True, capture_output=True, timeout=120)
    port = servers.free_port()
    command = [str(servers.OXIGRAPH_BIN), "serve", "--location", str(workdir / "data"), "--bind", f"127.0.0.1:{port}"]
    with servers.running(command, f"http://127.0.0.1:{port}/query", workdir) as url:
        yield url


BACKENDS = ["embedded", "memory", "oxigraph-serve", "virtuoso"]


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """Each backend in turn; remote ones are shared, so tests write only into graphs from `graph`."""
    backend = request.param
    if backend == "embedded":
        opened = OxigraphStore(tmp_path / "store")
    elif backend == "memory":
        opened = OxigraphStore()
    elif backend == "oxigraph-serve":
        url = request.getfixturevalue("oxigraph_url")
        opened = RemoteStore(url, update_url=url.rsplit("/", 1)[0] + "/update")
    else:
        opened = RemoteStore(request.getfixturevalue("virtuoso_url"))
    opened.backend = backend
    with opened:
        yield opened


@pytest.fixture
def graph(store):
    """A factory of graph IRIs no other test uses; the graphs are dropped afterwards."""
    made = []

    def new_graph() -> str:
        made.append(f"http://test.sahel-kg.example/{uuid.uuid4().hex}/")
        return made[-1]

    yield new_graph
    for iri in made:
        store.update(f"DROP SILENT GRAPH <{iri}>")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell a failed test (browser screenshots)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)
