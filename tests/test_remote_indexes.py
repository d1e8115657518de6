"""The search index and the reconciliation catalogue over a remote store, whose version the server cannot see:
read again after a write through the server and once REMOTE_INDEX_SECONDS have passed, not for every request
(each read is a pass over the store's names)."""

from __future__ import annotations

import json

import pytest

import api
from api_fixtures import AUTH, WRITABLE
from kg.store.remote import RemoteStore
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
