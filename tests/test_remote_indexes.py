"""The search index and the reconciliation catalogue over a remote store, whose version the server cannot see:
read again after a write through the server and once REMOTE_INDEX_SECONDS have passed, not for every request
(each read is a pass over the store's names)."""

from __future__ import annotations

import json
import time

import pytest

import api
from api import dataset_statistics
from api.rsgi import RECEIVED
from api_fixtures import AUTH, WRITABLE
from kg.store.remote import RemoteStore
from held_counts import hold_counts, void_asked
from long_work import SOON
from servers import OXIGRAPH_BIN, missing_service, oxigraph_server

LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


@pytest.fixture
def remote(tmp_path):
    """An `oxigraph serve` of its own (the test writes to it as another writer would): (query URL, a writer)."""
    if not OXIGRAPH_BIN.exists():
        missing_service(f"no oxigraph server binary at {OXIGRAPH_BIN}")
    with oxigraph_server(tmp_path / "engine") as url:
        writer = RemoteStore(url, update_url=url.rsplit("/", 1)[0] + "/update")
        yield url, writer
        writer.close()


def named(writer, thing: str, label: str) -> None:
    writer.update(f'INSERT DATA {{ GRAPH <http://example.org/g> {{ <https://sahel-kg.example.org/id/{thing}> {LABEL} "{label}" }} }}')


def found(client, word: str) -> tuple[bool, bool]:
    """Whether /search, and /reconcile, find `word`."""
    hits = client.get(f"/search?q={word}").get_json()["results"]
    batch = client.post("/reconcile", data={"queries": json.dumps({"q0": {"query": word}})}).get_json()
    return bool(hits), bool(batch["q0"]["result"])


def test_another_writers_change_is_seen_once_the_period_has_passed_not_at_every_request(remote):
    url, writer = remote
    named(writer, "a", "Zyxwvut")
    kept = api.create_app({"STORE": url, "INSTALL_ARTICLE": False, "TESTING": True, "REMOTE_INDEX_SECONDS": 3600,
                           "STORE_UPDATE_URL": writer.update_url, **WRITABLE})
    every = api.create_app({"STORE": url, "INSTALL_ARTICLE": False, "TESTING": True, "REMOTE_INDEX_SECONDS": 0})
    try:
        assert found(kept.test_client(), "Zyxwvut") == (True, True)
        named(writer, "b", "Qwertzu")  # by another writer: the server cannot tell
        assert found(kept.test_client(), "Qwertzu") == (False, False)  # read within the hour: not read again
        assert found(every.test_client(), "Qwertzu") == (True, True)  # 0: read for every request, as before
        written = kept.test_client().post("/sparql", headers=AUTH, content_type="application/sparql-update", data=(
            f'INSERT DATA {{ GRAPH <http://example.org/g> {{ <https://sahel-kg.example.org/id/c> {LABEL} "Asdfgh" }} }}'))
        assert written.status_code == 204
        assert found(kept.test_client(), "Qwertzu") == (True, True)  # a write through this server: read again
        assert found(kept.test_client(), "Asdfgh") == (True, True)
    finally:
        kept.extensions["sahel-kg"].close()
        every.extensions["sahel-kg"].close()


def test_counts_read_for_every_request_are_shared_by_the_requests_that_wait_for_them(remote, monkeypatch):
    """With REMOTE_INDEX_SECONDS 0 each request asked for counts of its own key: another request set aside the count
    a first one waited for, which then answered 503 'still being made' (under steady traffic, every one did). A
    request now joins the count under way, and its waiters all get it."""
    url, _ = remote
    every = api.create_app({"STORE": url, "INSTALL_ARTICLE": False, "TESTING": True, "REMOTE_INDEX_SECONDS": 0,
                            "QUERY_TIMEOUT": 120})
    # the statistics' first count, and the one VoID waits for last
    started, release = hold_counts(monkeypatch, dataset_statistics, turns=2)
    first, answers = void_asked(every)
    try:
        assert started[0].wait(SOON)
        release[0].set()
        assert started[1].wait(SOON)  # VoID now waits for this count
        # another request, its time limit already spent: it asks for the counts and goes (503)
        late = every.test_client().get("/sparql", headers={"Accept": "text/turtle"},
                                       environ_base={RECEIVED: time.monotonic() - 600})
        assert late.status_code == 503
    finally:
        for event in release:
            event.set()
        first.join(SOON)
        every.extensions["sahel-kg"].close()
    assert answers[0].status_code == 200 and "void#triples" in answers[0].get_data(as_text=True)
