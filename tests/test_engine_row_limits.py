"""Row limits on remote engines (helper-86): Virtuoso's sort limit under the row cap, answers and dumps the
engine cut at a row limit of its own, and syntax errors placed in the user's text past the LIMIT sent."""

from __future__ import annotations

import io

import pytest

import servers
from kg import search, search_source
from kg.errors import QuerySyntaxError, StoreError
from kg.query import QueryService
from kg.store import open_store
from kg.store.remote import RemoteStore
from kg.streaming import Cut, capped

EX = "http://test.sahel-kg.example/row-limits/"


def values(name: str, count: int) -> str:
    return f"VALUES ?{name} {{ {' '.join(str(n) for n in range(count))} }}"


def test_a_sorted_select_at_the_default_row_cap_is_answered_by_virtuoso(virtuoso_url):
    """The cap's one more row made LIMIT 10001, past Virtuoso's MaxSortedTopRows (10000 by default): every
    ORDER BY query, and the pages built on them, failed with 502 (SR353)."""
    service = QueryService(RemoteStore(virtuoso_url))
    small = service.query("SELECT ?x WHERE { VALUES ?x { 3 1 2 } } ORDER BY ?x", row_limit=10000)
    assert [row[0].value for row in small.rows] == ["1", "2", "3"] and not small.truncated
    big = service.query(f"SELECT ?x ?y WHERE {{ {values('x', 101)} {values('y', 100)} }} ORDER BY ?x ?y",
                        row_limit=10000)
    assert len(big.rows) == 10000 and big.truncated  # 10,100 rows: a full answer is taken as cut


def test_a_sorted_select_under_a_cap_past_the_engines_sort_limit_is_answered_by_virtuoso(virtuoso_url):
    """A cap above MaxSortedTopRows failed even at the cap itself (SR353): the VoID description, whose counts of
    links are sorted under a cap of 10^7 rows, was 400 on Virtuoso, and so was any sorted SELECT under ROW_LIMIT
    past 10000; such a SELECT is sent without a LIMIT of the store's, and read only up to the cap."""
    service = QueryService(RemoteStore(virtuoso_url))
    query = f"SELECT ?x ?y WHERE {{ {values('x', 101)} {values('y', 100)} }} ORDER BY DESC(?x) ?y"
    whole = service.query(query, row_limit=10**7)
    assert len(whole.rows) == 10100 and not whole.truncated
    assert [row[0].value for row in whole.rows[:2]] == ["100", "100"] and whole.rows[-1][0].value == "0"
    cut = service.query(query, row_limit=10050)
    assert len(cut.rows) == 10050 and cut.truncated
    assert service.query(f"{query} LIMIT 12", row_limit=10**7).rows[11][1].value == "11"


def test_an_aggregate_over_a_values_block_longer_than_the_cap_counts_every_row_on_virtuoso(virtuoso_url):
    """The cap's LIMIT, added to every SELECT, Virtuoso applies to the rows of a VALUES block before an aggregate
    without GROUP BY: COUNT(*) of 3000 values under a cap of 1000 was 1001, without a word. Such a SELECT has one
    row, so it is sent without the cap's LIMIT."""
    service = QueryService(RemoteStore(virtuoso_url))
    counted = service.query(f"SELECT (COUNT(*) AS ?n) (SUM(?x) AS ?sum) WHERE {{ {values('x', 3000)} }}",
                            row_limit=1000)
    assert [(n.value, total.value) for n, total in counted.rows] == [("3000", str(sum(range(3000))))]
    grouped = service.query(f"SELECT ?odd (COUNT(*) AS ?n) WHERE {{ {values('x', 3000)} BIND (?x > 1499 AS ?odd) }} "
                            "GROUP BY ?odd", row_limit=1)
    assert len(grouped.rows) == 1 and grouped.truncated  # a grouped answer is still cut at the cap

@pytest.fixture(scope="module")
def cutting_virtuoso(tmp_path_factory):
    """A Virtuoso of this module's own that cuts every answer at 100 rows, holding 150 quads in one graph."""
    with servers.virtuoso_server(tmp_path_factory.mktemp("cutting-virtuoso"), max_rows=100) as url:
        store = RemoteStore(url)
        store.update("INSERT DATA { GRAPH <%sg> { %s } }" % (EX, " ".join(
            f"<{EX}s{n}> <{EX}p> {n} ." for n in range(150))))
        yield url


def test_a_dump_the_engine_cut_fails_rather_than_ending_short(cutting_virtuoso):
    """Past ResultSetMaxRows a dump ended at the engine's cut, as if whole: kg export exited 0 with quads lost."""
    store = RemoteStore(cutting_virtuoso)
    for graph in (None, EX + "g"):
        with pytest.raises(StoreError, match="ResultSetMaxRows"):
            store.dump(io.BytesIO(), format="nquads" if graph is None else "ntriples", graph=graph)


def test_an_answer_the_engine_cut_is_said_to_be_cut_when_streamed_too(cutting_virtuoso):
    """The engine's cut (X-SPARQL-MaxRows) reached a collected answer only: streamed (as the API streams big
    answers, and the console every answer) it ended as if whole."""
    service = QueryService(RemoteStore(cutting_virtuoso))
    query = f"SELECT * WHERE {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }}"
    assert service.query(query, row_limit=1000).truncated
    rows, _ = service.rows(query, row_limit=1000)
    cut = Cut(source=rows)
    assert len(list(capped(rows, 1000, cut))) == 100 and cut.truncated


def test_the_search_index_of_an_engine_that_cuts_is_read_a_page_at_a_time(cutting_virtuoso, monkeypatch):
    """The index is read in one query where no row cap cuts it (paged in order, each page had the engine sort
    the whole answer again: 33 s a page at 1M statements); an engine that cuts it is then read a page at a time."""
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    store = RemoteStore(cutting_virtuoso)
    store.update("INSERT DATA { GRAPH <%slabelled> { %s } }" % (EX, " ".join(
        f'<{EX}thing{n}> <{label}> "thing {n}" .' for n in range(150))))
    monkeypatch.setattr(search_source, "PAGE", 40)  # under the engine's 100 rows
    index = search.SearchIndex()
    try:
        index.ensure(None, search_source.service_select(QueryService(store)))
        assert {hit.iri for hit in index.search("thing", limit=200)} == {f"{EX}thing{n}" for n in range(150)}
    finally:
        index.close()



def test_a_servers_search_index_of_an_engine_that_cuts_is_read_a_page_at_a_time(cutting_virtuoso, monkeypatch):
    """The server reads the index through its counts' runner (api.search), whose answers say the engine cut them."""
    import api

    label = "http://www.w3.org/2000/01/rdf-schema#label"
    RemoteStore(cutting_virtuoso).update("INSERT DATA { GRAPH <%sserved> { %s } }" % (EX, " ".join(
        f'<{EX}served{n}> <{label}> "served {n}" .' for n in range(150))))
    monkeypatch.setattr(search_source, "PAGE", 40)  # under the engine's 100 rows
    app = api.create_app({"STORE": cutting_virtuoso, "INSTALL_ARTICLE": False, "TESTING": True})
    try:
        assert app.test_client().get("/search?q=served").status_code == 200
        hits = app.extensions["sahel-kg"].search_index().search("served", limit=200)
        assert {hit.iri for hit in hits} == {f"{EX}served{n}" for n in range(150)}
    finally:
        app.extensions["sahel-kg"].close()

SLIPS = ["SELECT ?x\nWHERE {\n  ?x a <http://e/C> .\n  FILTER(?x = )\n}",
         "SELECT ?x WHERE { ?x ?p 'é\\q' }"]


@pytest.mark.parametrize("text", SLIPS)
def test_a_syntax_error_from_oxigraph_serve_is_placed_as_the_embedded_store_places_it(oxigraph_url, text):
    """oxigraph serve read the LIMIT the store adds, and placed the error past the user's text."""
    with pytest.raises(QuerySyntaxError) as embedded:
        QueryService(open_store("memory:")).query(text, row_limit=10)
    with pytest.raises(QuerySyntaxError) as remote:
        QueryService(RemoteStore(oxigraph_url)).query(text, row_limit=10)
    assert (remote.value.line, remote.value.column, remote.value.message) == \
        (embedded.value.line, embedded.value.column, embedded.value.message)


def test_a_syntax_error_from_virtuoso_stays_within_the_users_text(virtuoso_url):
    text = SLIPS[0]
    with pytest.raises(QuerySyntaxError) as remote:
        QueryService(RemoteStore(virtuoso_url)).query(text, row_limit=10)
    lines = text.split("\n")
    assert remote.value.line <= len(lines)
    assert remote.value.column is None or remote.value.column <= len(lines[remote.value.line - 1]) + 1
    if remote.value.column is None:  # said as a line alone, never "column None"
        assert str(remote.value).startswith(f"line {remote.value.line}: ")
