"""Find by words: `kg search` and GET /search rank labels, aliases, descriptions and quotes, name the claims
and quotes of every hit, refuse empty searches, and follow every write (loads, updates, Graph Store)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from api_fixtures import *  # noqa: F401,F403
from api.rsgi import RECEIVED
from api_fixtures import AUTH, problem, settled
from build_fixtures import run_kg
from kg.errors import QueryTimeout
from kg.publish import install
from kg.query import QueryService
from kg.search import SearchError, SearchIndex, match_expression
from kg.search_source import service_select
from kg.store import open_store
from long_work import CROSS_COUNT, SOON, doubling

SK = "https://sahel-kg.example.org/id/"
CLAIM = "https://sahel-kg.example.org/claim/"


@pytest.fixture(scope="module")
def index():
    """The article's search index, in memory (tests/test_search_spelling.py takes it too)."""
    with open_store("memory:") as store:
        install(store)
        found = SearchIndex()
        assert found.ensure("1", service_select(QueryService(store)))
        yield found
        found.close()


def test_a_label_ranks_first_and_names_its_claims_and_quotes(index):
    hits = index.search("JNIM")
    assert hits[0].iri == SK + "jnim" and hits[0].label == "JNIM"
    claims = {found.claim: found.quote for found in hits[0].claims}
    assert claims[CLAIM + "jnim-isgs-jihadist"] == "jihadist groups, including JNIM and ISGS"
    assert CLAIM + "us-intelligence-sharing" in claims


def test_an_alias_finds_its_entity(index):
    assert index.search("Türkiye")[0].iri == SK + "turkey"
    assert {hit.iri for hit in index.search("Washington")[:2]} == {SK + "united-states", SK + "us-government"}


def test_words_in_a_quote_find_the_claim(index):
    hits = index.search("narrow channels")
    assert hits[0].iri == CLAIM + "official-narrow-channels"
    assert "[narrow]" in hits[0].snippet and "[channels]" in hits[0].snippet
    assert hits[0].claims[0].quote.startswith("“Maintaining these narrow channels")


def test_a_number_finds_it_written_with_its_thousands_parted(index):
    """"5000" found nothing, and suggested "000": the article writes "5,000", read as the words 5 and 000 (helper-204)."""
    assert {hit.iri for hit in index.search("5000")} >= {CLAIM + "joint-force-strength"}
    assert index.search("5000") and [hit.iri for hit in index.search("50000")] == []


def test_every_word_must_match_and_a_word_may_be_a_prefix(index):
    assert index.search("humanitar") and index.search("humanitarian Burkina")
    assert index.search("humanitarian zeppelin") == []


def test_hits_come_best_first(index):
    scores = [hit.score for hit in index.search("Sahel", limit=50)]
    assert scores == sorted(scores) and len(scores) > 10


def test_nothing_to_search_for_is_an_error():
    with pytest.raises(SearchError):
        match_expression(" -- ? ")
    assert match_expression('JNIM "or" x*') == '"JNIM"* AND "or"* AND "x"*'


def test_a_snippet_of_several_names_is_one_line(index):
    # A thing's other names are kept a line each, and a snippet of them held those newlines: the console
    # showed "[U].[S].\\n[US]\\n[United] [States] of America" and the JSON carried them too.
    snippet = next(hit.snippet for hit in index.search("U.S.") if hit.iri == SK + "united-states")
    assert "\n" not in snippet and "[US]" in snippet


def test_a_word_given_again_adds_nothing():
    # FTS5's work grew with the square of the repeats: "a " * 1500 kept a server thread (and the index's
    # lock, so every other search) for minutes.
    assert match_expression("a A a b a") == '"a"* AND "b"*'


def test_a_search_past_its_deadline_is_stopped(index):
    with pytest.raises(QueryTimeout):
        index.search("a", deadline=time.monotonic() - 1)
    assert index.search("a", deadline=time.monotonic() + 3600)  # and the index answers on


def test_the_index_is_rebuilt_only_when_the_version_moves():
    with open_store("memory:") as store:
        install(store)
        index = SearchIndex()
        select = service_select(QueryService(store))
        assert index.ensure("a", select) and not index.ensure("a", select) and index.ensure(None, select)
        index.close()


def test_a_store_that_cuts_nothing_is_read_in_one_query_each():
    """The index was read a page of 5,000 rows at a time, in order: each page had the engine make and sort the
    whole answer again, so at 1M statements a page took 33 s and the index was never made within a time limit."""
    with open_store("memory:") as store:
        install(store)
        asked, select = [], service_select(QueryService(store))
        index = SearchIndex()
        index.ensure(None, lambda sparql, row_limit: asked.append(sparql) or select(sparql, row_limit))
        assert len(asked) == 3 and not any("OFFSET" in sparql or "ORDER BY" in sparql for sparql in asked)
        assert index.search("JNIM")[0].iri == SK + "jnim"
        index.close()


# --- kg search -------------------------------------------------------------------------------------

def test_kg_search_prints_hits_with_their_claims():
    result = run_kg("search", "--store", "oxigraph:", "Trans-Saharan")  # the default store, installed on first use
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == \
        "1. Trans-Saharan Counterterrorism Partnership  <https://sahel-kg.example.org/id/tsctp>"
    assert f"- {CLAIM}tsctp-scaled-back: While official U.S. programs" in result.stdout
    assert (Path(os.environ["SAHEL_KG_HOME"]) / "store.search.sqlite3").is_file()


def test_kg_search_follows_a_load(tmp_path):
    store = "oxigraph:"  # the default store, installed on first use
    assert json.loads(run_kg("search", "--store", store, "--json", "Wagner").stdout)["results"] == []
    data = tmp_path / "more.ttl"
    data.write_text('<https://example.org/wagner> <http://www.w3.org/2000/01/rdf-schema#label> "Wagner Group" .\n',
                    encoding="utf-8")
    assert run_kg("load", "--store", store, data).exit_code == 0
    found = json.loads(run_kg("search", "--store", store, "--json", "Wagner").stdout)["results"]
    assert [hit["iri"] for hit in found] == ["https://example.org/wagner"]


def test_kg_search_without_words_is_a_usage_error(tmp_path):
    result = run_kg("search", "--store", "memory:", "?!")
    assert result.exit_code == 2 and "give at least one word" in result.stderr


# --- GET /search -----------------------------------------------------------------------------------

def test_search_over_http(client):
    response = client.get("/search?q=ISGS")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["query"] == "ISGS"
    first = body["results"][0]
    assert first["iri"] == SK + "isgs" and first["label"] == "ISGS"
    assert {"claim": CLAIM + "jnim-isgs-jihadist", "quote": "jihadist groups, including JNIM and ISGS"} in \
        first["claims"]


def test_a_search_has_the_time_limit_of_a_query(app):
    client = app.test_client()
    assert client.get("/search?q=a").status_code == 200  # the index is built within the usual limit
    app.config["QUERY_TIMEOUT"] = 1e-9
    assert problem(client.get("/search?q=a"), 503)["title"] == "Query timeout"


def test_the_words_searched_for_are_capped_as_a_reconciliation_query_is(client):
    """q had no length cap: 100,000 characters of words were each matched against every name."""
    long_words = " ".join(["Mali"] * 250)  # 1,249 characters
    assert problem(client.get("/search", query_string={"q": long_words}), 400)["detail"] == \
        "the words searched for have 1249 characters; the most is 1000"
    assert run_kg("search", "--store", "oxigraph:", long_words).exit_code != 0


def test_a_search_without_a_time_limit_runs(make_app):
    """QUERY_TIMEOUT None (no limit: refused only on a public server) gave every search a 500: the deadline
    was the clock plus None."""
    response = make_app({"QUERY_TIMEOUT": None}).test_client().get("/search?q=ISGS")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["results"][0]["iri"] == SK + "isgs"


def test_a_search_while_the_index_is_being_made_is_told_so_and_the_making_goes_on(make_app, monkeypatch):
    """The index was read from the store within the search's own time limit: at a million statements that took
    longer than the limit, so the search failed, the reading was thrown away, and the next search began it again.
    It is now made in the background, as the counts are, and a search waits for it until its time limit at most."""
    from api import search

    app = make_app({"QUERY_TIMEOUT": 120})
    started, release, made = threading.Event(), threading.Event(), search._rebuilt

    def held(*args):
        started.set()
        release.wait(SOON)
        return made(*args)

    monkeypatch.setattr(search, "_rebuilt", held)
    client = app.test_client()
    try:  # a search whose time limit is over when it comes
        late = client.get("/search?q=JNIM", environ_base={RECEIVED: time.monotonic() - 600})
        assert started.wait(SOON)
        body = problem(late, 503)
        assert body["title"] == "Too busy" and body["detail"].startswith("the search index for this version")
        assert late.headers["Retry-After"] == "1"
    finally:
        release.set()
    settled(app)
    assert client.get("/search?q=JNIM").get_json()["results"][0]["iri"] == SK + "jnim"



def search_after_the_index_failed(app, monkeypatch, sparql: str):
    """A search's answer once reading the index (here: one query, `sparql`) has failed for this version."""
    from api import search

    monkeypatch.setattr(search, "_rebuilt", lambda index, key, query: query(sparql))
    client = app.test_client()
    client.get("/search?q=JNIM")  # starts the reading (503 Too busy, or its failure, as soon as that comes)
    settled(app)
    return client.get("/search?q=JNIM")


def test_an_index_not_read_within_count_timeout_is_a_query_timeout_decided_by_the_failures_kind(make_app,
                                                                                                monkeypatch):
    """Whether the reading timed out was decided by "time limit" in the counts' reason, words for people."""
    from api.background_counts import TIMED_OUT, counts

    app = make_app({"COUNT_TIMEOUT": 1})
    body = problem(search_after_the_index_failed(app, monkeypatch, CROSS_COUNT), 503)
    assert body["title"] == "Query timeout" and "within COUNT_TIMEOUT (1s)" in body["detail"]
    with app.app_context():
        assert counts().outcome("search index", None).kind == TIMED_OUT


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the memory cap is RLIMIT_DATA (Linux)")
def test_an_index_that_failed_otherwise_is_store_unavailable(make_app, monkeypatch):
    from api.background_counts import OUT_OF_MEMORY, counts

    app = make_app({"COUNT_TIMEOUT": 600, "QUERY_MEMORY_LIMIT": 256})
    response = search_after_the_index_failed(app, monkeypatch, doubling(10))  # 2 GiB of string: past the cap
    body = problem(response, 503)
    assert body["title"] == "Store unavailable" and "Retry-After" not in response.headers
    with app.app_context():
        assert counts().outcome("search index", None).kind == OUT_OF_MEMORY

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_browser_gets_the_hits_as_a_page_naming_each_claim_and_quote(client):
    response = client.get("/search?q=ISGS", headers=BROWSER)
    assert response.status_code == 200 and response.mimetype == "text/html" and response.headers["Vary"] == "Accept, Accept-Encoding"
    text = response.get_data(as_text=True)
    assert '<a href="/id/isgs"><bdi dir="auto">ISGS</bdi></a>' in text and "<mark>ISGS</mark>" in text
    assert '<a href="/claim/jnim-isgs-jihadist">jnim-isgs-jihadist</a>' in text
    assert "jihadist groups, including JNIM and ISGS" in text
    assert 'value="ISGS"' in text  # the box keeps the words


def test_the_search_page_without_words_is_the_box_and_every_page_has_one(client):
    empty = client.get("/search", headers=BROWSER)
    assert empty.status_code == 200 and 'name="q"' in empty.get_data(as_text=True)
    for path in ("/", "/id/jnim.html", "/network"):
        assert 'role="search"' in client.get(path, headers=BROWSER).get_data(as_text=True)
    escaped = client.get("/search?q=%3Cscript%3E%20JNIM", headers=BROWSER).get_data(as_text=True)
    assert "<script> JNIM" not in escaped and "&lt;script&gt; JNIM" in escaped


def test_a_search_without_hits_says_nothing_matches(client):
    text = client.get("/search?q=zebra", headers=BROWSER).get_data(as_text=True)  # it said "0 things match …"
    assert '<p role="status">Nothing matches <q dir="auto">zebra</q>.</p>' in text and "0 things" not in text


@pytest.mark.parametrize("query", ["", "q=", "q=%3F%3F", "q=JNIM&limit=0", "q=JNIM&limit=x"])
def test_a_bad_search_is_a_problem(client, query):
    problem(client.get(f"/search?{query}"), 400)


def test_search_follows_updates_and_graph_store_writes(writer):
    assert writer.get("/search?q=Wagner").get_json()["results"] == []
    update = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/w> rdfs:label "Wagner Group" } }'
    assert writer.post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
    assert [hit["iri"] for hit in writer.get("/search?q=Wagner").get_json()["results"]] == ["http://example.org/w"]
    body = '<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "Africa Corps" .'
    response = writer.put("/store?graph=http://example.org/h", data=body, content_type="text/turtle", headers=AUTH)
    assert response.status_code in (200, 201, 204)
    assert [hit["iri"] for hit in writer.get("/search?q=Africa Corps").get_json()["results"]] == \
        ["http://example.org/a"]
    assert writer.delete("/store?graph=http://example.org/h", headers=AUTH).status_code in (200, 204)
    assert writer.get("/search?q=Africa Corps").get_json()["results"] == []


def test_a_search_index_that_cannot_be_written_is_kept_in_memory(tmp_path):
    """Beside a read-only store the index file cannot be made: kg search gave sqlite3's OperationalError."""
    from kg.search import SearchIndex

    index = SearchIndex(tmp_path / "no-such-folder" / "store.search.sqlite3")
    assert index.version() is None


def test_a_nul_in_a_text_never_cuts_its_snippet_and_every_character_stays_the_datas():
    """FTS5's snippet() stops at a NUL: "The junta\\0 in Bamako expelled …" gave "The junta[Bamako] expelled …",
    and "Niger\\0 after" gave "[Niger]"; the index keeps the data's own characters, so the names do too."""
    rows = [("http://x/a", "label", "Mali"),
            ("http://x/a", "text", "The junta\x00 in Bamako expelled the ambassador\x07 in January\x85 2025"),
            ("http://x/b", "label", "Niger\x00 after\x01\x1b[31m"),
            ("http://x/c", "alias", "\x00Tillab\u00e9ri\x00\x00")]
    claims = [("http://x/a", "http://x/claim", "a quote\x00 cut")]
    index = SearchIndex()
    index.ensure(None, lambda sparql, cap: rows if "?column" in sparql else claims if "?item ?p" in sparql else [])
    (hit,) = index.search("Bamako")
    assert hit.snippet == "The junta\x00 in [Bamako] expelled the ambassador\x07 in January\x85 2025"
    assert [found.quote for found in hit.claims] == ["a quote\x00 cut"]
    assert [(hit.label, hit.snippet) for hit in index.search("Niger")] == \
        [("Niger\x00 after\x01\x1b[31m", "[Niger]\x00 after\x01\x1b[31m")]
    assert [hit.snippet for hit in index.search("after")] == ["Niger\x00 [after]\x01\x1b[31m"]
    assert [hit.snippet for hit in index.search("tillaberi")] == ["\x00[Tillab\u00e9ri]\x00\x00"]
    index.close()


def test_kg_search_shows_a_snippet_past_a_nul_with_the_nul_escaped(tmp_path):
    data = tmp_path / "nul.nt"
    data.write_text('<http://example.org/n> <http://www.w3.org/2000/01/rdf-schema#comment> "Before\\u0000 Quxbarra '
                    'after" .\n', encoding="utf-8")
    store = f"oxigraph:{tmp_path / 'store'}"
    assert run_kg("load", "--store", store, data).exit_code == 0
    result = run_kg("search", "--store", store, "Quxbarra")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == "   Before\\x00 [Quxbarra] after"


def test_search_over_http_gives_the_text_past_a_nul_in_json_and_on_the_page(writer):
    body = r'<http://example.org/n> <http://www.w3.org/2000/01/rdf-schema#comment> "Before\u0000 Quxbarra after" .'
    response = writer.put("/store?graph=http://example.org/n", data=body, content_type="text/turtle", headers=AUTH)
    assert response.status_code in (200, 201, 204)
    (hit,) = writer.get("/search?q=Quxbarra").get_json()["results"]
    assert hit["snippet"] == "Before\x00 [Quxbarra] after"
    assert "<mark>Quxbarra</mark> after" in writer.get("/search?q=Quxbarra", headers=BROWSER).get_data(as_text=True)
    assert writer.delete("/store?graph=http://example.org/n", headers=AUTH).status_code in (200, 204)


def test_words_the_index_cannot_search_are_said_on_the_search_page(shared):
    """q=* gave a browser the 400 error page, without the search box to try again (helper-195)."""
    page = shared.get("/search?q=*", headers={"Accept": "text/html"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert '<p role="alert">' in text and 'id="search-words"' in text and 'value="*"' in text
    assert shared.get("/search?q=*", headers={"Accept": "application/json"}).mimetype == "application/problem+json"
