"""Readers never block readers in the full-text search: a search held inside SQLite (its progress handler kept
waiting, as a search of many common prefixes keeps it for minutes) delays no other search nor a rebuild; a search's
and a reconciliation's time limits count from the request's arrival; searches that find a rebuild under way wait for
it; the index lets go of its files on close."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import kg.search
import kg.sqlite_connections
from api.rsgi import RECEIVED
from api_fixtures import article_store, make_app  # noqa: F401 (fixtures)
from kg.search import SearchIndex
from kg.search_source import DOCUMENTS_QUERY

PATIENCE = 60  # seconds a test waits for what must happen: a failure's bound, not a speed it assumes


DOCUMENTS = DOCUMENTS_QUERY[:DOCUMENTS_QUERY.rindex("ORDER BY")]  # asked whole, where no row cap cuts it


def named(prefix: str, count: int):
    """A Select over things labelled "<prefix> N thing" and nothing else."""
    def select(sparql: str, row_limit: int):
        if sparql != DOCUMENTS:
            return []  # no claims
        return [(f"http://example.org/{prefix}{n}", "label", f"{prefix} {n} thing") for n in range(count)]
    return select


@pytest.fixture
def clock(monkeypatch):
    held = HeldClock(monkeypatch)
    yield held
    held.release()  # before the index closes: a connection closed under a statement would wait for it forever


class HeldClock:
    """kg.search's clock, which keeps the thread `held` waiting at its first reading within a search (that of the
    search's progress handler, inside SQLite, at its first step) until release() is called."""

    def __init__(self, monkeypatch):
        self.held: threading.Thread | None = None
        self.inside, self._released = threading.Event(), threading.Event()
        monkeypatch.setattr(kg.search, "time", SimpleNamespace(monotonic=self.monotonic))
        monkeypatch.setattr(kg.search, "PROGRESS_STEPS", 1)  # at once, however small the index

    def monotonic(self) -> float:
        if threading.current_thread() is self.held and not self._released.is_set():
            self.inside.set()
            self._released.wait()
        return time.monotonic()

    def hold(self, work) -> tuple[threading.Thread, dict]:
        """Run work() in a thread held inside its search; its outcome lands in the dict returned."""
        outcome: dict = {}

        def run():
            try:
                outcome["value"] = work()
            except BaseException as error:  # noqa: BLE001 (shown by the test that reads it)
                outcome["error"] = error

        self.held = threading.Thread(target=run, daemon=True)
        self.held.start()
        assert self.inside.wait(PATIENCE), outcome
        return self.held, outcome

    def release(self) -> None:
        self._released.set()


def finished(work, patience: float = PATIENCE):
    """work()'s value, run in a thread of its own; a failure if it is still running after `patience` seconds."""
    outcome: dict = {}
    thread = threading.Thread(target=lambda: outcome.update(value=work()), daemon=True)
    thread.start()
    thread.join(patience)
    assert not thread.is_alive(), "still waiting for a search held elsewhere"
    return outcome["value"]


@pytest.mark.parametrize("on_file", [False, True], ids=["temporary", "beside-the-store"])
def test_a_search_held_inside_sqlite_delays_no_other_search_nor_a_rebuild(tmp_path, clock, on_file):
    """One connection behind one lock served every search: a search running to its time limit (minutes, with a
    long QUERY_TIMEOUT) kept every other search, and the rebuild after a write, waiting that long."""
    index = SearchIndex(tmp_path / "store.search.sqlite3" if on_file else None)
    try:
        assert index.ensure("1", named("old", 40))
        held, outcome = clock.hold(lambda: index.search("thing", limit=100, deadline=time.monotonic() + 3600))
        assert [hit.iri for hit in finished(lambda: index.search("old 7"))][:1] == ["http://example.org/old7"]
        assert finished(lambda: index.ensure("2", named("new", 30)))  # a write committed beside the held reader
        assert {hit.iri for hit in finished(lambda: index.search("new", limit=100))} == \
            {f"http://example.org/new{n}" for n in range(30)}
        assert held.is_alive() and not outcome  # all the while, the first search was still inside SQLite
        clock.release()
        held.join(PATIENCE)
        # The held search read one index whole, the old or the new (as its snapshot began before or after
        # the rebuild's commit), never a part of either.
        assert {hit.iri for hit in outcome["value"]} in ({f"http://example.org/old{n}" for n in range(40)},
                                                          {f"http://example.org/new{n}" for n in range(30)})
    finally:
        clock.release()
        index.close()


def test_a_search_over_http_held_inside_sqlite_delays_no_other(make_app, clock):  # noqa: F811
    client = make_app({"QUERY_TIMEOUT": 300}).test_client()
    assert client.get("/search?q=ISGS").status_code == 200  # the index built
    held, outcome = clock.hold(lambda: client.get("/search?q=a b c d e f g h i j&limit=100"))
    answer = finished(lambda: client.get("/search?q=JNIM"))
    assert answer.status_code == 200 and answer.get_json()["results"][0]["label"] == "JNIM"
    assert held.is_alive() and not outcome
    clock.release()
    held.join(PATIENCE)
    assert outcome["value"].status_code == 200


@pytest.mark.parametrize("ask", [
    lambda client, arrived: client.get("/search?q=JNIM", environ_base=arrived),
    lambda client, arrived: client.post("/reconcile", data={"queries": '{"q0": {"query": "JNIM"}}'},
                                        environ_base=arrived),
], ids=["search", "reconcile"])
def test_a_search_counts_its_time_limit_from_the_request_arrival(make_app, ask):  # noqa: F811
    """The deadline of a search's (and a reconciliation batch's) matching was counted from when matching began:
    a request that had waited its whole time limit for a thread (or for the index) still got all of it again."""
    client = make_app({"QUERY_TIMEOUT": 30}).test_client()
    assert ask(client, {}).status_code == 200  # the index and the catalogue built, within the limit
    answer = ask(client, {RECEIVED: time.monotonic() - 60})  # as if it had waited 60 s for a request thread
    assert answer.status_code == 503, answer.get_data(as_text=True)


def _handles(path: Path) -> int:
    """How many of this process's file descriptors are open on `path` (or a file beside it: -wal, -shm)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith(str(path))
        except OSError:  # closed meanwhile
            pass
    return count


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
def test_a_search_finding_a_rebuild_under_way_waits_for_it_rather_than_read_the_store_again(tmp_path):
    """Searches arriving as the version moved each read the whole store (a remote one, page by page), queued
    on SQLite's write lock, then threw their reading away: one reads it, the others wait for its index."""
    index = SearchIndex(tmp_path / "store.search.sqlite3")
    reading, go_on, reads = threading.Event(), threading.Event(), []

    def select(sparql: str, row_limit: int):
        if sparql == DOCUMENTS:
            reads.append(threading.current_thread().name)
            if len(reads) == 1:  # the first rebuild's reading is held until the test lets it go on
                reading.set()
                assert go_on.wait(PATIENCE)
        return named("thing", 5)(sparql, row_limit)

    try:
        outcomes: dict = {}
        rebuilding = threading.Thread(target=lambda: outcomes.update(rebuilt=index.ensure("2", select)), daemon=True)
        rebuilding.start()
        assert reading.wait(PATIENCE)
        with pytest.raises(kg.search.QueryTimeout) as stopped:  # no time left to wait: no second reading either
            index.ensure("2", select, deadline=time.monotonic())
        assert stopped.value.waited and len(reads) == 1
        waiter = threading.Thread(target=lambda: outcomes.update(waited=index.ensure("2", select)), daemon=True)
        waiter.start()
        go_on.set()
        rebuilding.join(PATIENCE)
        waiter.join(PATIENCE)
        assert outcomes == {"rebuilt": True, "waited": False} and len(reads) == 1
        assert [hit.iri for hit in index.search("thing 3")][:1] == ["http://example.org/thing3"]
    finally:
        go_on.set()
        index.close()


def test_threads_coming_and_going_leave_no_connection_open(tmp_path):
    path = tmp_path / "store.search.sqlite3"
    index = SearchIndex(path)
    assert index.ensure("1", named("thing", 10))
    for _ in range(40):  # as request threads are made and ended
        finished(lambda: index.search("thing"))
    assert _handles(path) <= 3 * kg.sqlite_connections.Connections.KEEP  # each keeps the file, -wal and -shm
    index.close()
    assert _handles(path) == 0
    scratch = SearchIndex()
    folder = Path(scratch._connections._path).parent
    scratch.close()
    assert not folder.exists()  # the temporary index goes with it
