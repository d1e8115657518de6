"""The SERVICE answer cache is bounded in bytes as well as in answers, gives dropped space back to the disk,
and never keeps an answer it refuses: six big answers made a 362 MB file beside the store (helper-91)."""

from __future__ import annotations

import pytest

from kg import service_state
from kg.errors import PolicyError
from kg.service_state import ServiceState
from test_federation import endpoint, service_for  # noqa: F401  (fixtures)
from test_federation import article  # noqa: F401


def held(state: ServiceState) -> tuple[int, int]:
    with state._connection() as db:
        return db.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM answers").fetchone()


def test_the_oldest_answers_go_past_the_byte_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(service_state, "CACHE_BYTES", 10_000)
    state = ServiceState(tmp_path / "federation.sqlite")
    for n in range(8):
        state.keep(f"key{n}", "http://e.example/sparql", (bytes(3000), "application/sparql-results+json"), 300)
    assert held(state) == (3, 9000)
    assert state.answer("key7") is not None and state.answer("key0") is None  # the newest stay


def test_an_answer_past_the_answer_bound_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(service_state, "ANSWER_BYTES", 100)
    state = ServiceState(tmp_path / "federation.sqlite")
    state.keep("big", "http://e.example/sparql", (bytes(101), "application/sparql-results+json"), 300)
    assert held(state) == (0, 0)


def test_the_file_gives_the_space_of_dropped_answers_back(tmp_path):
    state = ServiceState(tmp_path / "federation.sqlite")
    for n in range(4):
        state.keep(f"key{n}", "http://e.example/sparql", (bytes(1 << 20), "application/sparql-results+json"), 1e-9)
    state.keep("last", "http://e.example/sparql", (b"{}", "application/sparql-results+json"), 300)  # drops the rest
    assert (tmp_path / "federation.sqlite").stat().st_size < 1 << 20


def test_an_answer_refused_for_its_rows_is_not_kept(article, endpoint, tmp_path):  # noqa: F811
    url, requests = endpoint("two-rows")
    state = tmp_path / "federation.sqlite"
    service = service_for(article, url, state_path=state, row_limit=1)
    for _ in range(2):
        with pytest.raises(PolicyError):
            service.query(f"SELECT * {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
    assert held(ServiceState(state)) == (0, 0) and len(requests) == 2


def test_a_cache_file_made_before_auto_vacuum_gets_it(tmp_path):
    """auto_vacuum takes effect in a new file only: a big file from before kept its size for good (helper-96)."""
    import sqlite3

    path = tmp_path / "federation.sqlite"
    old = sqlite3.connect(path)
    old.executescript(ServiceState.SCHEMA.replace("PRAGMA auto_vacuum = FULL;", ""))
    old.execute("INSERT INTO answers VALUES ('k', 'e', ?, 't', 0)", (bytes(4 << 20),))
    old.commit()
    old.execute("DELETE FROM answers")
    old.commit()
    old.close()
    assert path.stat().st_size > 4 << 20
    ServiceState(path).held("e")
    assert path.stat().st_size < 1 << 20
