"""Dumps: /dump.trig.gz and /dump.nq.gz (streamed, ETag from the dataset version, 304), kg export, and
kg.dump.stream_dump: a dump read back is the same dataset."""

from __future__ import annotations

import gzip
import io
import os
import threading

import pyoxigraph as ox
import pytest

from api_fixtures import *  # noqa: F401,F403
from api.rsgi import BATCH_BYTES
from api_fixtures import AUTH, EX, SEED, WRITABLE
from build_fixtures import run_kg
from kg import dump as dump_module
from kg.dump import stream_dump
from kg.store import open_store
from kg.store.merge import DEFAULT_GRAPH
from kg.store.oxigraph import OxigraphStore
from live_server import kg_server
from raw_http import http
from store_helpers import dataset_quads

FORMATS = {"/dump.trig.gz": ox.RdfFormat.TRIG, "/dump.nq.gz": ox.RdfFormat.N_QUADS}


def quads_of(store: ox.Store) -> set:
    return set(store.quads_for_pattern(None, None, None, None))


def read_back(data: bytes, rdf_format) -> set:
    again = ox.Store()
    again.extend(ox.parse(gzip.decompress(data), format=rdf_format))
    return quads_of(again)


def stored_quads(app) -> set:
    """The store's dataset: its named graphs (the default graph holds their merge)."""
    path = app.extensions["sahel-kg"].path
    with OxigraphStore(path, read_only=True) as store:
        return dataset_quads(store)


@pytest.mark.parametrize("url", FORMATS)
def test_a_dump_read_back_is_the_same_dataset(shared_app, url):
    response = shared_app.test_client().get(url)
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert response.is_streamed
    got = read_back(response.get_data(), FORMATS[url])
    assert got == stored_quads(shared_app)
    assert ox.Quad(ox.NamedNode(EX + "d"), ox.NamedNode(EX + "p"), ox.Literal("in the default graph"),
                   ox.NamedNode(DEFAULT_GRAPH)) in got  # what was written to the default graph is dumped too
    assert len(got) > 2000  # the article's graphs and SEED


@pytest.mark.parametrize("url", FORMATS)
def test_the_etag_is_the_dataset_version_and_answers_304(shared_app, url):
    client = shared_app.test_client()
    first = client.get(url)
    version = first.headers["X-Dataset-Version"]
    assert first.headers["ETag"].startswith(f'"{version}-')
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()
    head = client.head(url)
    assert head.status_code == 200 and head.headers["ETag"] == first.headers["ETag"] and not head.get_data()


@pytest.mark.parametrize("url", FORMATS)
def test_head_of_a_dump_sends_no_length_it_cannot_know(shared_app, url):
    # the dump is streamed, its length unknown until it is made: RFC 9110 §8.6 forbids a HEAD to send a
    # Content-Length other than the GET body's (it said 0)
    head = shared_app.test_client().head(url)
    assert head.status_code == 200 and head.mimetype == "application/gzip"
    assert "Content-Length" not in head.headers


def test_a_write_moves_the_etag_and_the_dump_has_it(make_app):
    app = make_app(WRITABLE, seed=SEED)
    client = app.test_client()
    before = client.get("/dump.nq.gz")
    update = f"INSERT DATA {{ GRAPH <{EX}new> {{ <{EX}x> <{EX}p> \"after\" }} }}"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
    stale = client.get("/dump.nq.gz", headers={"If-None-Match": before.headers["ETag"]})
    assert stale.status_code == 200 and stale.headers["ETag"] != before.headers["ETag"]
    added = ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "p"), ox.Literal("after"), ox.NamedNode(EX + "new"))
    assert added in read_back(stale.get_data(), ox.RdfFormat.N_QUADS)
    assert added not in read_back(before.get_data(), ox.RdfFormat.N_QUADS)


def test_a_memory_store_dumps_too():
    import api
    app = api.create_app({"STORE": "memory:", "TESTING": True})
    try:
        response = app.test_client().get("/dump.trig.gz")
        assert response.status_code == 200
        assert "ETag" in response.headers
        assert len(read_back(response.get_data(), ox.RdfFormat.TRIG)) > 2000
    finally:
        app.extensions["sahel-kg"].close()


# --- the stream itself ---------------------------------------------------------------------------

def test_the_stream_comes_in_many_chunks_and_is_one_gzip_member(monkeypatch):
    monkeypatch.setattr(dump_module, "CHUNK_BYTES", 4096)
    with open_store("memory:") as store:
        store.extend(ox.parse(SEED.encode(), format=ox.RdfFormat.TRIG))
        from kg.publish import install
        install(store)
        plain = list(stream_dump(lambda: _Lent(store), "nquads", gzip=False))
        assert len(plain) > 5 and all(len(chunk) >= 4096 for chunk in plain[:-1])
        chunks = list(stream_dump(lambda: _Lent(store), "nquads"))
        text = gzip.decompress(b"".join(chunks))
        assert text == b"".join(plain)
        expected = io.BytesIO()
        store.dump(expected, format="nquads")
        assert sorted(text.splitlines()) == sorted(expected.getvalue().splitlines())
        assert b"".join(stream_dump(lambda: _Lent(store), "nquads")) == b"".join(chunks)  # same bytes


def test_a_reader_that_stops_early_stops_the_writer(monkeypatch):
    monkeypatch.setattr(dump_module, "CHUNK_BYTES", 1024)
    monkeypatch.setattr(dump_module, "QUEUE_CHUNKS", 1)
    closed = threading.Event()

    class Closing(_Lent):
        def __exit__(self, *exc_info):
            closed.set()

    with open_store("memory:") as store:
        from kg.publish import install
        install(store)
        chunks = stream_dump(lambda: Closing(store), "trig", gzip=False)
        assert next(chunks)
        chunks.close()  # as Werkzeug does when the client goes away
        assert closed.is_set()  # the writer gave up and let the store go before close() returned
        assert not [thread for thread in threading.enumerate() if thread.name == "dump-writer"]


def test_an_error_while_dumping_reaches_the_reader():
    class Broken:
        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            return None

        def dump(self, output, *, format):
            output.write(b"<a> <b> <c> .\n")
            raise OSError("disk went away")

    with pytest.raises(OSError, match="disk went away"):
        list(stream_dump(Broken, "nquads"))
    with pytest.raises(ValueError, match="TriG or N-Quads"):
        list(stream_dump(Broken, "turtle"))


class _Lent:
    def __init__(self, store):
        self.store = store

    def __enter__(self):
        return self.store

    def __exit__(self, *exc_info):
        return None


# --- kg export -------------------------------------------------------------------------------------

def test_kg_export_reads_back_as_the_store(tmp_path):
    spec = f"oxigraph:{tmp_path / 'store'}"
    extra = tmp_path / "extra.trig"
    extra.write_text(SEED, encoding="utf-8")
    assert run_kg("load", extra, "--store", spec).exit_code == 0
    out = tmp_path / "dump.nq.gz"
    assert run_kg("export", "-o", out, "--store", spec).exit_code == 0
    with OxigraphStore(tmp_path / "store", read_only=True) as store:
        assert read_back(out.read_bytes(), ox.RdfFormat.N_QUADS) == dataset_quads(store)


def test_dumps_asked_together_of_a_live_server_each_come_whole(tmp_path):
    """Six clients at once, each dump of many batches (api/rsgi.py's BATCH_BYTES): each once came cut, its
    later batches read on other request threads outside the request's context (stream_with_context failed)."""
    path = tmp_path / "store"
    with OxigraphStore(path) as store:  # random literals: a dump that gzip cannot shrink below a few batches
        store.extend(ox.Quad(ox.NamedNode(f"{EX}thing/{number}"), ox.NamedNode(f"{EX}noise"),
                             ox.Literal(os.urandom(48).hex()), ox.NamedNode(f"{EX}graph/noise"))
                     for number in range(8000))
        expected = store.count()
    with kg_server(tmp_path / "serve", store=f"oxigraph:{path}", threads=4, env={"SAHEL_KG_DUMPS_AT_ONCE": "6"}) as url:
        answers: list = [None] * 6

        def fetch(index: int) -> None:
            answers[index] = http(url + "/dump.nq.gz", timeout=120)

        threads = [threading.Thread(target=fetch, args=(index,)) for index in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for status, _, body in answers:
        assert status == 200 and len(body) > 3 * BATCH_BYTES
        assert len(read_back(body, ox.RdfFormat.N_QUADS)) >= expected


def test_a_dump_of_every_graph_is_one_snapshot():
    """A write moving a triple between graphs while a memory store's dump ran showed it twice or not at all (the graphs
    were listed, then each read at its own moment): here the write lands as the dump starts reading quads."""
    from kg.store import oxigraph_dump

    engine = ox.Store()
    token = f"<{EX}token> <{EX}p> \"moved\""
    engine.update(f"INSERT DATA {{ GRAPH <{EX}ga> {{ {token} }} GRAPH <{EX}other> {{ <{EX}x> <{EX}p> 1 }} }}")

    class MovedAsRead:
        """The engine, but a write moves the token from ga to a new graph gb as the first quads are asked for."""
        def __init__(self):
            self.moved = False

        def named_graphs(self):
            return engine.named_graphs()

        def quads_for_pattern(self, *pattern):
            if not self.moved:
                self.moved = True
                engine.update(f"DELETE DATA {{ GRAPH <{EX}ga> {{ {token} }} }} ; "
                              f"INSERT DATA {{ GRAPH <{EX}gb> {{ {token} }} }}")
            return engine.quads_for_pattern(*pattern)

    output = io.BytesIO()
    oxigraph_dump.dump(MovedAsRead(), output, format="nquads")
    dumped = [quad for quad in ox.parse(output.getvalue(), format=ox.RdfFormat.N_QUADS)
              if quad.subject == ox.NamedNode(EX + "token")]
    assert len(dumped) == 1


def test_dumps_past_dumps_at_once_are_503_until_one_ends(shared_app):
    """Sixteen dumps at once each held 100-150 MB and made a count on /sparql take seconds: two a process (the
    default), the rest told to come back; a dump read to its end or closed before lets the next one in."""
    client = shared_app.test_client()
    held = [client.get(url) for url in ("/store", "/dump.nq.gz")]  # streamed: each holds its slot, unread
    assert [response.status_code for response in held] == [200, 200]
    busy = client.get("/dump.trig.gz")
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "10" and "DUMPS_AT_ONCE" in busy.json["detail"]
    assert client.head("/store").status_code == 200 and client.get("/sparql?query=ASK%7B%7D").status_code == 200
    held[0].close()  # a client gone before the first byte
    again = client.get("/store")
    assert again.status_code == 200 and again.get_data()  # read to its end: its slot is free again
    held[1].get_data()
    for url in ("/dump.trig.gz", "/store"):
        response = client.get(url)
        assert response.status_code == 200
        response.close()  # the module's app is shared: no slot left held
