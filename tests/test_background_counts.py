"""The home page at any size: its counts made in the background once per dataset version (api.background_counts),
said to be not made yet or not finished rather than failing the page; its lists bounded, saying how many more;
the query editor's completions bounded. At 1M statements the page answered 503, and kept answering it."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from api import dataset_statistics
from api.page_data import query_text
from api.rsgi import RECEIVED
from api_fixtures import AUTH, WRITABLE, article_store, make_app, settled  # noqa: F401 (fixtures)
from held_counts import hold_counts, void_asked
from long_work import CROSS_COUNT, SOON

BROWSER = {"Accept": "text/html"}
LISTED = 20  # entries a list of the home page shows (api.home.LISTED)
BASE = "https://sahel-kg.example.org/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def page(client, path: str = "/") -> str:
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def number(client, sparql: str) -> int:
    answer = client.post("/sparql", data={"query": sparql}, headers={"Accept": "application/sparql-results+json"})
    return int(answer.get_json()["results"]["bindings"][0]["n"]["value"])


def hold(monkeypatch, release: threading.Event) -> None:
    """The service description's statistics held until `release` is set (or SOON has passed: code that made them
    in the request goes on then, and the test fails on what the page says rather than hanging)."""
    original = dataset_statistics._count

    def held(*args):
        release.wait(SOON)
        return original(*args)

    monkeypatch.setattr(dataset_statistics, "_count", held)


def test_the_page_says_not_counted_yet_while_the_counts_are_made_and_shows_them_once_done(make_app, monkeypatch):
    app, release = make_app(), threading.Event()
    client = app.test_client()
    hold(monkeypatch, release)
    try:
        text = page(client)
        assert "Not counted yet" in text and "distinct triples" not in text
        # a description that has no time left to wait for them: 503, and asking again helps (they go on)
        late = client.get("/sparql", headers={"Accept": "text/turtle"}, environ_base={RECEIVED: time.monotonic() - 60})
        assert late.status_code == 503 and late.headers["Retry-After"] == "1"
        assert "still being made" in late.get_json()["detail"]
    finally:
        release.set()
    settled(app)
    text = page(client)
    triples = number(client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    assert f"<strong>{triples}</strong> distinct triples" in text and "Not counted yet" not in text


def test_counts_stopped_by_their_time_limit_leave_the_page_200_saying_they_were_not_finished(make_app, monkeypatch):
    monkeypatch.setitem(dataset_statistics.STATISTICS, "all-triples", CROSS_COUNT)  # minutes of work on any machine
    monkeypatch.setenv("SAHEL_KG_COUNT_TIMEOUT", "1")
    app = make_app({"QUERY_TIMEOUT": 3})
    client = app.test_client()
    assert client.get("/", headers=BROWSER).status_code == 200
    settled(app)
    text = page(client)
    assert "The counts were not finished: they did not finish within their time limit of 1s (COUNT_TIMEOUT)" in text
    described = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert described.status_code == 200
    assert "did not finish within their time limit of 1s" in described.get_data(as_text=True)
    assert "void#triples" not in described.get_data(as_text=True)


EXTRA = 25
SEED = "".join(f"<http://example.org/extra-{i}> {{ <http://example.org/s> <http://example.org/p> {i} }}\n"
               for i in range(EXTRA)) + "<http://example.org/states> {\n" + "".join(
    f'<{BASE}id/extra-state-{i}> {TYPE} <{BASE}ontology#SovereignState> ; {LABEL} "Extra state {i}"@en .\n'
    for i in range(EXTRA)) + "}\n"


def test_lists_cut_at_their_bound_say_how_many_more_and_their_queries_ask_for_no_more(make_app):
    app = make_app(seed=SEED)
    client, answered = app.test_client(), {}
    backend = app.extensions["sahel-kg"]
    query = backend.query

    def noted(request, *args, **named):
        answer = query(request, *args, **named)
        if request.format == "json":
            answered.setdefault(request.sparql, []).append(len(json.loads(answer.body)["results"]["bindings"]))
        return answer

    backend.query = noted
    page(client)
    settled(app)
    text = page(client)
    others = number(client, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } MINUS { ?g a sahel:Claim } }")
    states = number(client, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a sahel:SovereignState ; rdfs:label ?l "
                            "FILTER STRSTARTS(STR(?e), STR(sk:)) }")
    assert others > LISTED and states > LISTED
    assert f"LIMIT {LISTED + 1}" in query_text("graphs") and f"LIMIT {LISTED + 1}" in query_text("entities")
    graphs = text.split('id="graphs-heading"')[1].split("</section>")[0]
    assert graphs.count("<li><a href=") == LISTED and f"and {others - LISTED} more (" in graphs
    entities = text.split('id="entities-heading"')[1].split("</section>")[0]
    listed = re.search(r"<dt>sovereign state</dt><dd>(.*?)</dd>", entities).group(1)
    assert listed.count('<a href="/id/') == LISTED and f"and {states - LISTED} more (" in listed
    assert max(answered[query_text("graphs")]) == LISTED + 1  # one more than shown: whether there are more
    assert max(answered[query_text("entities")]) == LISTED + 1


def test_a_write_makes_fresh_counts_and_the_old_ones_are_shown_only_as_an_earlier_versions(make_app, monkeypatch):
    """The page said "Not counted yet" after every write until the new counts were made (some 10 s at 1M): the
    last counts are now shown meanwhile, said to be of an earlier version, and never as the version's own."""
    app = make_app(WRITABLE)
    client = app.test_client()
    page(client)
    settled(app)
    before = int(re.search(r"<strong>(\d+)</strong> distinct triples", page(client)).group(1))
    release = threading.Event()
    hold(monkeypatch, release)
    update = "INSERT DATA { GRAPH <http://example.org/new> { <http://example.org/a> <http://example.org/b> 1 } }"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
    try:
        response = client.get("/", headers=BROWSER)
        text = response.get_data(as_text=True)
        assert f"<strong>{before}</strong> distinct triples" in text and EARLIER in text
        assert "Not counted yet" not in text
    finally:
        release.set()
    settled(app)
    text = page(client)
    assert f"<strong>{before + 1}</strong> distinct triples" in text and EARLIER not in text
    # the page with the earlier counts is not the page with the version's own: a revalidation gets the new one
    assert client.get("/", headers={**BROWSER, "If-None-Match": response.headers["ETag"]}).status_code == 200


EARLIER = "These are the counts of an earlier version of the data"


@pytest.mark.parametrize("path", ["/sparql", "/.well-known/void"])
def test_the_descriptions_wait_for_the_counts_within_their_time_limit(make_app, path):
    """A description asked for first gives its counts: it waits for them (on the count's end, not for a time)."""
    client = make_app({"QUERY_TIMEOUT": 120}).test_client()
    described = client.get(path, headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert "void#triples" in described and "No counts" not in described and "No statistics" not in described


def test_the_counts_per_graph_are_not_cut_at_the_row_limit_of_answers(make_app):
    """ROW_LIMIT cut the statistics' counts per graph (10,000 of 24,873 graphs at 1M statements): the service
    description listed some of the graphs, and the home page said 'at least', blaming the store."""
    client = make_app({"ROW_LIMIT": 5, "QUERY_TIMEOUT": 120}).test_client()
    graphs = number(client, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    described = client.get("/sparql", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert graphs > 5 and described.count("sparql-service-description#NamedGraph") == graphs
    assert "Incomplete" not in described
    assert f"<strong>{graphs}</strong> named graphs" in page(client)


def test_the_service_description_lists_at_most_its_bound_of_named_graphs_and_says_how_many_there_are(make_app):
    """It listed every named graph with its counts: 24,873 at 1M statements, 6 MB built for every request."""
    from api.service_description import MOST_GRAPHS

    seed = "".join(f"<http://example.org/g{i}> {{ <http://example.org/s> <http://example.org/p> {i} }}\n"
                   for i in range(MOST_GRAPHS))
    client = make_app({"QUERY_TIMEOUT": 120}, seed=seed).test_client()
    graphs = number(client, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    described = client.get("/sparql", headers={"Accept": "application/n-triples"}).get_data(as_text=True)
    assert graphs > MOST_GRAPHS and described.count("sparql-service-description#NamedGraph") == MOST_GRAPHS
    assert f'"{graphs} named graphs: the first {MOST_GRAPHS} by IRI are listed here' in described
    assert f"<strong>{graphs}</strong> named graphs" in page(client)  # the home page counts them all


def test_a_page_that_said_not_counted_yet_is_not_revalidated_once_the_counts_are_made(make_app, monkeypatch):
    """Its validators came from the dataset version alone: a browser that had the page without counts was told
    304 (unchanged) for the whole version."""
    app, release = make_app(), threading.Event()
    client = app.test_client()
    hold(monkeypatch, release)
    try:
        first = client.get("/", headers=BROWSER)
        assert "Not counted yet" in first.get_data(as_text=True)
    finally:
        release.set()
    settled(app)
    again = client.get("/", headers={**BROWSER, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "distinct triples" in again.get_data(as_text=True)
    assert client.get("/", headers={**BROWSER, "If-None-Match": again.headers["ETag"]}).status_code == 304


def test_a_description_waiting_for_its_counts_gets_them_though_a_write_asks_for_newer_ones(make_app, monkeypatch):
    """VoID waited for the counts of the version it was asked at; a write, then a request asking for the new
    version's counts, set them aside: VoID answered 503 'still being made' at once, and the count was thrown away.
    A count that ends is now given to those waiting for it (or for an older one)."""
    from api import void

    app = make_app({**WRITABLE, "QUERY_TIMEOUT": 120})
    started, release = hold_counts(monkeypatch, void)  # VoID's own counts, the first time
    described, answers = void_asked(app)
    try:
        assert started[0].wait(SOON)  # the count VoID waits for
        update = "INSERT DATA { GRAPH <http://example.org/new> { <http://example.org/a> <http://example.org/b> 1 } }"
        assert app.test_client().post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
        late = app.test_client().get("/.well-known/void", headers={"Accept": "application/n-triples"},
                                     environ_base={RECEIVED: time.monotonic() - 600})  # asks for the new version's
        assert late.status_code == 503
    finally:
        release[0].set()
        described.join(SOON)
    assert answers[0].status_code == 200 and "void#triples" in answers[0].get_data(as_text=True)


def test_a_count_answers_values_are_read_by_name_or_in_the_answers_order_none_where_unbound():
    from api.background_counts import values
    from kg.answers import Answer

    body = json.dumps({"head": {"vars": ["g", "n"]}, "results": {"bindings": [
        {"n": {"type": "literal", "value": "3"}},
        {"g": {"type": "uri", "value": "http://e/g"}, "n": {"type": "literal", "value": "2"}}]}}).encode()
    answer = Answer(body=body, kind="json", count=2, truncated=False, limit=None)
    assert values(answer) == [(None, "3"), ("http://e/g", "2")]
    assert values(answer, "n") == [("3",), ("2",)]
