"""The API's semantics on every engine (issue 13): kg serve over the embedded store, oxigraph serve and
Virtuoso answers the same. The default graph is the merge, for queries and for an update's WHERE; the
protocol's dataset parameters hold; writes to the default graph go to the declared graph; graphs exist,
are listed and are written as the Graph Store protocol says; the engine's own graphs are never served;
its syntax errors are 400 with its words, a malformed answer 502 naming it."""

from __future__ import annotations

import gzip
import json
import re
import urllib.parse

import pyoxigraph as ox
import pytest

from live_engines import *  # noqa: F401,F403
from live_engines import TOKEN, http, query_url, select_json, send_update

from kg.store.dialects import DIALECTS, SPARQL11, VIRTUOSO
from kg.store.merge import CREATED_GRAPH, DEFAULT_GRAPH, MERGE_GRAPH

BASE = "https://sahel-kg.example.org/"
SK, SAHEL = BASE + "id/", BASE + "ontology#"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EX = "http://test.sahel-kg.example/engines/"
SYSTEM_GRAPHS = VIRTUOSO.system_graphs + ("http://localuriqaserver/sparql",)


def count(server: str, sparql: str, **params) -> int:
    (row,) = select_json(server, sparql, **params)["results"]["bindings"]
    return int(row["n"]["value"])


def graphs(server: str, sparql: str = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }") -> set[str]:
    return {row["g"]["value"] for row in select_json(server, sparql)["results"]["bindings"]}


def store_url(server: str, graph: str | None = None) -> str:
    return server + "/store?" + ("default" if graph is None else urllib.parse.urlencode({"graph": graph}))


def ok(response) -> int:
    status, _, body = response
    assert status < 300, body
    return status


# --- the default graph is the merge -------------------------------------------------------------

def test_the_default_graph_is_a_set_of_the_graphs_triples(server):
    assert count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == \
        count(server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    types = [row["t"]["value"] for row in select_json(server, f"SELECT ?t WHERE {{ <{SK}aes> a ?t }}")["results"]
             ["bindings"]]
    assert types.count(SAHEL + "Alliance") == 1 and len(types) == len(set(types))  # superclasses inferred, once each
    assert count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ <{SK}aes> a <{SAHEL}Alliance> }} }}") > 1


def test_an_updates_where_reads_the_merge(server, new_graph):
    g = new_graph()
    ok(send_update(server, f"INSERT {{ GRAPH <{g}> {{ <{SK}aes> <{EX}types> ?n }} }} WHERE "
                           f"{{ SELECT (COUNT(*) AS ?n) WHERE {{ <{SK}aes> a <{SAHEL}Alliance> }} }}"))
    assert count(server, f"SELECT ?n WHERE {{ GRAPH <{g}> {{ ?s ?p ?n }} }}") == 1


# --- the protocol's dataset ---------------------------------------------------------------------

def test_dataset_parameters_of_queries_and_updates(server, new_graph):
    claim = BASE + "claim/jnim-isgs-jihadist"
    inside = count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{claim}> {{ ?s ?p ?o }} }}")
    assert inside > 0
    assert count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": claim}) == inside
    assert count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                 **{"named-graph-uri": claim}) == inside
    target = new_graph()
    ok(send_update(server, f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
                   **{"using-graph-uri": claim}))
    assert count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}") == inside


def test_several_default_graphs_are_their_union_as_a_bag(server, new_graph):
    """Declared (README): SPARQL says their merge; Oxigraph and Virtuoso count a triple once per graph."""
    g1, g2 = new_graph(), new_graph()
    ok(send_update(server, f"INSERT DATA {{ GRAPH <{g1}> {{ <{EX}b> <{EX}p> 1 }} GRAPH <{g2}> {{ <{EX}b> <{EX}p> 1 }} }}"))
    dataset = {"default-graph-uri": [g1, g2]}
    assert count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{EX}b> <{EX}p> ?o }}", **dataset) == 2
    assert count(server, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ <{EX}b> <{EX}p> ?o }}", **dataset) == 1


# --- writes to the default graph ----------------------------------------------------------------

def test_writes_to_the_default_graph_go_to_the_declared_graph(server):
    triple = f"<{EX}d> <{EX}p> \"written to the default graph\""
    ok(send_update(server, f"INSERT DATA {{ {triple} }}"))
    try:
        assert DEFAULT_GRAPH in graphs(server)
        assert select_json(server, f"ASK {{ {triple} }}")["boolean"] is True
        status, _, body = http(store_url(server), headers={"Accept": "application/n-triples"})
        assert status == 200 and triple.encode() in body
        assert select_json(server, f"ASK {{ GRAPH <{DEFAULT_GRAPH}> {{ {triple} }} }}")["boolean"] is True
    finally:
        ok(send_update(server, f"DELETE DATA {{ {triple} }}"))
    assert select_json(server, f"ASK {{ {triple} }}")["boolean"] is False


# --- graphs: existence, enumeration, writes -----------------------------------------------------

def test_graph_existence_says_404_201_and_204(server, new_graph):
    g = new_graph()
    turtle = {**AUTH, "Content-Type": "text/turtle"}
    assert http(store_url(server, g))[0] == 404
    assert http(store_url(server, g), method="HEAD")[0] == 404
    assert http(store_url(server, g), method="DELETE", headers=AUTH)[0] == 404
    assert http(store_url(server, g), method="PUT", data=f"<{EX}a> <{EX}p> 1 .".encode(), headers=turtle)[0] == 201
    assert http(store_url(server, g), method="PUT", data=f"<{EX}a> <{EX}p> 2 .".encode(), headers=turtle)[0] == 204
    assert http(store_url(server, g), method="POST", data=f"<{EX}a> <{EX}p> 3 .".encode(), headers=turtle)[0] == 204
    other = new_graph()
    assert http(store_url(server, other), method="POST", data=f"<{EX}a> <{EX}p> 4 .".encode(),
                headers=turtle)[0] == 201
    assert http(store_url(server, g))[0] == 200
    assert http(store_url(server, g), method="DELETE", headers=AUTH)[0] == 204
    assert http(store_url(server, g))[0] == 404
    assert select_json(server, f"ASK {{ <{EX}a> <{EX}p> 2 }}")["boolean"] is False  # gone from the merge too
    assert select_json(server, f"ASK {{ <{EX}a> <{EX}p> 4 }}")["boolean"] is True


def test_a_graph_made_empty_is_there_for_the_graph_store(server, new_graph):
    """CREATE GRAPH, or a PUT of an empty body, makes a graph the Graph Store then finds, empty, until it is deleted:
    on Virtuoso too, which keeps no empty graph (the store notes it, Dialect.created_graph)."""
    made, put = new_graph(), new_graph()
    assert send_update(server, f"CREATE GRAPH <{made}>")[0] == 204
    assert http(store_url(server, put), method="PUT", data=b"", headers={**AUTH, "Content-Type": "text/turtle"})[0] == 201
    for g in (made, put):
        status, _, body = http(store_url(server, g), headers={"Accept": "application/n-triples"})
        assert (status, body.strip()) == (200, b"")
        assert http(store_url(server, g), method="HEAD")[0] == 200
        assert http(store_url(server, g), method="POST", data=b"", headers={**AUTH, "Content-Type": "text/turtle"})[0] == 204
        assert http(store_url(server, g), method="DELETE", headers=AUTH)[0] == 204
        assert http(store_url(server, g))[0] == 404
        assert http(store_url(server, g), method="DELETE", headers=AUTH)[0] == 404


def test_graphs_are_listed_and_never_the_stores_own(server, new_graph):
    g = new_graph()
    ok(http(store_url(server, g), method="PUT", data=f"<{EX}e> <{EX}p> 1 .".encode(),
            headers={**AUTH, "Content-Type": "text/turtle"}))
    for listed in (graphs(server), graphs(server, "SELECT ?g WHERE { GRAPH ?g {} }")):
        assert {g, BASE + "graph/entities", BASE + "claim/jnim-isgs-jihadist"} <= listed
        assert MERGE_GRAPH not in listed and not set(SYSTEM_GRAPHS) & listed
        assert not [name for name in listed if name.startswith("urn:uuid:")]


def test_blank_nodes_are_written_and_kept_joined(server, new_graph):
    g = new_graph()
    body = f"<{EX}s> <{EX}has> [ <{EX}p> 1 ; <{EX}q> ( 1 2 ) ] .".encode()
    assert http(store_url(server, g), method="PUT", data=body, headers={**AUTH, "Content-Type": "text/turtle"})[0] == 201
    assert select_json(server, f"ASK {{ GRAPH <{g}> {{ <{EX}s> <{EX}has> ?b . ?b <{EX}p> 1 ; <{EX}q>/<http://www.w3.org"
                               f"/1999/02/22-rdf-syntax-ns#rest>/<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> 2 "
                               f"}} }}")["boolean"] is True
    assert select_json(server, f"ASK {{ <{EX}s> <{EX}has> ?b . ?b <{EX}p> 1 }}")["boolean"] is True


def test_a_dataset_posted_to_the_store_lands_each_quad_in_its_graph(server, new_graph):
    one, two = new_graph(), new_graph()
    body = f'<{EX}s> <{EX}p> "one" <{one}> .\n_:b <{EX}p> "two" <{two}> .\n_:b <{EX}q> _:b <{two}> .\n'.encode()
    status, _, answer = http(server + "/store", method="POST", data=body,
                             headers={**AUTH, "Content-Type": "application/n-quads"})
    assert status == 204, answer
    assert count(server, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{one}> {{ ?s ?p ?o }} }}") == 1
    assert select_json(server, f'ASK {{ GRAPH <{two}> {{ ?b <{EX}p> "two" ; <{EX}q> ?b }} }}')["boolean"] is True


@pytest.mark.parametrize("term", ["<<( <http://x.example/a> <http://x.example/b> 1 )>>", '"hi"@ar--rtl'])
def test_a_graph_store_write_the_engine_cannot_read_is_refused_as_data_not_as_a_query(server, new_graph, term):
    """A triple term or a base direction PUT to Virtuoso (which has neither, declared) was 400 "Malformed query" at
    "line": 2, a line of the update the graph store made, in a request that held no query: it is the store refusing
    the data now."""
    g = new_graph()
    body = f"<http://x.example/s> <http://x.example/p> {term} .".encode()
    status, _, answer = http(store_url(server, g), method="PUT", data=body,
                             headers={**AUTH, "Content-Type": "text/turtle"})
    if DIALECTS.get(server.kind, SPARQL11).triple_terms:
        assert status == 201, answer
        return
    problem = json.loads(answer)
    assert (status, problem["title"]) == (400, "Request refused by the store") and "line" not in problem, problem
    assert "SP030" in problem["detail"] and "not a query of yours" in problem["detail"]


def test_the_engines_own_graphs_are_not_served(server):
    for system in SYSTEM_GRAPHS + (MERGE_GRAPH,):
        assert http(store_url(server, system))[0] == 404
        assert select_json(server, f"ASK {{ GRAPH <{system}> {{ ?s ?p ?o }} }}")["boolean"] is False
    # The merge's name is one of the project's graphs on every engine (kg.kept_graphs), as kg load --graph says
    status, _, body = send_update(server, f"INSERT DATA {{ GRAPH <{MERGE_GRAPH}> {{ <{EX}x> <{EX}p> 1 }} }}")
    assert status == 409 and json.loads(body)["title"] == "Project graph"


def test_the_engines_own_graphs_are_nowhere_whatever_dataset_names_them(server, new_graph):
    """FROM, FROM NAMED, default-graph-uri and named-graph-uri read Virtuoso's own graphs (2,479 triples of
    virtrdf#), the merge graph and the store's note of empty graphs, which the embedded store does not have."""
    assert send_update(server, f"CREATE GRAPH <{new_graph()}>")[0] == 204  # noted on Virtuoso
    for system in SYSTEM_GRAPHS + (MERGE_GRAPH, CREATED_GRAPH):
        assert count(server, f"SELECT (COUNT(*) AS ?n) FROM <{system}> WHERE {{ ?s ?p ?o }}") == 0, system
        assert count(server, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{system}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == 0
        assert count(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": system}) == 0
        assert count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                     **{"named-graph-uri": system}) == 0
    entities = BASE + "graph/entities"  # a project graph named beside one of them is still read
    assert count(server, f"SELECT (COUNT(*) AS ?n) FROM <{entities}> FROM <{MERGE_GRAPH}> WHERE {{ ?s ?p ?o }}") > 0


def test_a_double_keeps_its_datatype_in_graph_answers(server, new_graph):
    """Virtuoso's Turtle writes an xsd:double bare (2.0), which reads back as an xsd:decimal (helper-86)."""
    g = new_graph()
    ok(http(store_url(server, g), method="PUT", headers={**AUTH, "Content-Type": "application/n-triples"},
            data=f'<{EX}d> <{EX}p> "2.0"^^<http://www.w3.org/2001/XMLSchema#double> .'.encode()))
    double = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")
    status, _, body = http(store_url(server, g), headers={"Accept": "application/n-triples"})
    assert status == 200 and [t.object.datatype for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)] == [double]
    status, _, body = http(query_url(server, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"),
                           headers={"Accept": "text/turtle"})
    assert status == 200 and [t.object.datatype for t in ox.parse(body, format=ox.RdfFormat.TURTLE)] == [double]


@pytest.mark.parametrize("path", ["/dump.nq.gz", "/store"])
def test_the_dump_is_the_projects_graphs_each_quad_once(server, path):
    """/dump.nq.gz and GET /store hold the named graphs as stated: never the merge, nor the engine's own graphs."""
    status, _, body = http(server + path)
    assert status == 200
    quads = list(ox.parse(gzip.decompress(body) if path.endswith(".gz") else body, format=ox.RdfFormat.N_QUADS))
    assert not [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    dumped = {q.graph_name.value for q in quads}
    assert MERGE_GRAPH not in dumped and not set(SYSTEM_GRAPHS) & dumped and BASE + "graph/entities" in dumped
    assert len(quads) == count(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")


def test_a_trig_dump_is_written_with_the_projects_prefixes_on_every_engine(server):
    """From a remote store the TriG had no @prefix (332 KB against the embedded store's 197 KB), though the README
    says dumps abbreviate IRIs with the project's prefixes (helper-189)."""
    status, _, body = http(server + "/store", headers={"Accept": "application/trig"})
    assert status == 200 and b"@prefix sk: <https://sahel-kg.example.org/id/> ." in body
    assert b"sk:mali " in body and b"<https://sahel-kg.example.org/id/mali>" not in body
    assert len(list(ox.parse(body, format=ox.RdfFormat.TRIG))) == count(
        server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")


def test_the_void_description_counts_the_links_on_every_engine(server):
    """Its counts of links are sorted under a cap of 10^7 rows, past Virtuoso's sort limit: /.well-known/void was
    400 there (SR353), so a remote Virtuoso had no VoID description at all."""
    status, _, body = http(server + "/.well-known/void", headers={"Accept": "application/n-triples"})
    assert status == 200, body
    triples = {(t.subject.value.rsplit("#", 1)[-1], t.predicate.value): t.object.value
               for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
    links = count(server, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?e ?p ?t WHERE { "
                          "VALUES ?p { <http://www.w3.org/2004/02/skos/core#exactMatch> <http://www.w3.org/2002/07/owl#sameAs> "
                          "<http://www.w3.org/2004/02/skos/core#closeMatch> <http://www.w3.org/2000/01/rdf-schema#seeAlso> } "
                          f"?e ?p ?t FILTER (STRSTARTS(STR(?e), \"{SK}\") && STRSTARTS(STR(?t), \"https://sws.geonames.org/\")) }} }}")
    assert links > 0 and triples[("links-to-geonames", "http://rdfs.org/ns/void#triples")] == str(links)



def test_a_claim_pages_describe_link_runs_and_reaches_its_reading(server):
    """The page's DESCRIBE names the claim's fragment nodes (found by a page query each engine runs), and
    the engine's DESCRIBE of them gives the claim's annotation, target and quote."""
    claim = BASE + "claim/aes-members"
    status, _, page = http(server + "/claim/aes-members.html")
    assert status == 200
    query = urllib.parse.unquote(re.search(r'href="/sparql#query=([^"]+)"', page.decode()).group(1))
    assert all(f"<{claim}#{part}>" in query for part in ("annotation", "target", "quote", "position")), query
    status, _, body = http(query_url(server, query), headers={"Accept": "application/n-triples"})
    described = {(t.subject.value, t.predicate.value) for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
    assert status == 200 and (claim, "http://purl.org/dc/terms/isReferencedBy") in described
    assert (claim + "#quote", "http://www.w3.org/ns/oa#exact") in described

def test_a_search_hit_shows_the_same_name_and_snippet_on_every_engine(server, new_graph):
    """The index joined a thing's names and texts in the order the engine gave them (its query is sent without
    ORDER BY): a thing named in several languages was listed under another name on Virtuoso, and snippets
    (of texts in another order) differed; each column's values are in order now, as the paged reading has them."""
    g = new_graph()
    thing = EX + "quokka"
    ok(send_update(server, f"INSERT DATA {{ GRAPH <{g}> {{ <{thing}> <http://www.w3.org/2000/01/rdf-schema#label> "
                           '"Zyxquokka charter"@en, "Charte zyxquokka"@fr, "Mzyxquokka"@de ; '
                           '<http://www.w3.org/2004/02/skos/core#definition> "second zyxquokka text", '
                           '"first zyxquokka text", "third zyxquokka text" } }'))
    status, _, body = http(server + "/search?q=zyxquokka", headers={"Accept": "application/json"})
    assert status == 200, body
    (hit,) = json.loads(body)["results"]
    assert (hit["label"], hit["snippet"]) == (
        "Charte zyxquokka", "first [zyxquokka] text · second [zyxquokka] text · third [zyxquokka] text")


def test_the_timeline_says_ongoing_in_one_spelling_on_every_engine(server):
    """Virtuoso keeps "true"^^xsd:boolean as 1 (declared), and /views/timeline.json passed "ongoing": "1" on, which
    timeline.js, comparing with "true", drew as not ongoing; a page reads a boolean in its canonical form now."""
    status, _, body = http(server + "/views/timeline.json")
    assert status == 200, body
    ongoing = [row["ongoing"] for row in json.loads(body)["items"] if "ongoing" in row]
    assert ongoing and set(ongoing) == {"true"}


# --- errors: the engine's syntax errors, malformed answers --------------------------------------

def test_a_syntax_error_is_400_in_the_same_words_on_every_engine(server):
    """Checked with the embedded store's parser before any engine sees it (a remote engine's own words come only
    for standard text it refuses, as Virtuoso refuses triple terms: test_api_live.py)."""
    status, _, body = http(query_url(server, "SELECT * WHERE { ?s ?p ?o FILTER(?o) ?x }"))  # no slip kg finds
    problem = json.loads(body)
    assert (status, problem["title"], problem["line"]) == (400, "Malformed query", 1)
    # Oxigraph's list of what it expected, as a sentence (kg/parse_messages.py)
    assert "expected" in problem["detail"].lower() or "does not go on like this here" in problem["detail"], problem
    status, _, body = send_update(server, f"INSERT DATA {{ <{EX}a> <{EX}p> }}")
    assert (status, json.loads(body)["title"]) == (400, "Malformed update")


def test_a_function_the_store_lacks_is_refused_as_given_on_every_engine(server, new_graph):
    """A call of a function no engine knows is the request refused (400, the function named), by query and update:
    oxigraph serve and Virtuoso answer 500, which was a 502 "Store failure" with the IRI cut out as an address."""
    g, call = new_graph(), "BIND(<http://fn.example/f>(1) AS ?x)"
    for status, _, body in (http(query_url(server, f"SELECT * WHERE {{ {call} }}")),
                            send_update(server, f"INSERT {{ GRAPH <{g}> {{ <{EX}s> <{EX}p> ?x }} }} WHERE {{ {call} }}")):
        problem = json.loads(body)
        assert (status, problem["title"]) == (400, "Request refused by the store"), problem
        assert "http://fn.example/f" in problem["detail"], problem


def test_an_update_the_embedded_store_refuses_at_its_end_is_400_there_and_writes_nothing(server, new_graph):
    """Virtuoso's parser takes `FILTER(TRUE)`, which the embedded store's refuses at the text's end: it ran this
    update, deleting the graph's triples."""
    g = new_graph()
    ok(send_update(server, f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}a> <{EX}p> 1 }} }}"))
    last = f"WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} FILTER(TRUE) }}"
    status, _, body = send_update(server, f"DELETE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}\n{last}")
    assert status == 400, body
    problem = json.loads(body)
    assert (problem["title"], problem["line"], problem["column"]) == ("Malformed update", 2, last.index("TRUE") + 1)
    assert count(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}") == 1


# --- a term nobody has is warned of, with the known terms near it ---------------------------------

def test_an_unknown_term_is_warned_of_with_the_terms_near_it_on_every_engine(server):
    status, headers, _ = http(query_url(server, "SELECT ?x WHERE { ?x a sahel:State ; ?p sk:mail }"),
                              headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    assert headers.get_all("X-Query-Warning") == [
        f"unknown term <{SAHEL}State>: neither the ontology nor the data has it; did you mean <{SAHEL}SovereignState> "
        f"or <{SAHEL}NonStateArmedGroup>?",
        f"unknown term <{SK}mail>: neither the ontology nor the data has it; did you mean <{SK}mali>?"]
    status, _, body = http(server + "/id/mail", headers={"Accept": "application/json"})
    assert status == 404 and json.loads(body)["detail"].endswith(f"; did you mean <{SK}mali>?")


def test_a_graph_named_in_the_project_s_namespace_is_no_unknown_term_on_every_engine(server):
    """GRAPH sk:… { … } answered the graph's triples and warned that neither the ontology nor the data had it."""
    import uuid

    graph = f"{SK}graph-{uuid.uuid4().hex}"
    ok(send_update(server, f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}p> 1 }} }}"))
    try:
        status, headers, body = http(query_url(server, f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
                                     headers={"Accept": "application/sparql-results+json"})
        assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 1
        assert headers.get_all("X-Query-Warning") is None
    finally:
        ok(send_update(server, f"DROP SILENT GRAPH <{graph}>"))
    status, headers, _ = http(query_url(server, f"SELECT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
    assert status == 200 and headers.get_all("X-Query-Warning") == [
        f"unknown term <{graph}>: neither the ontology nor the data has it"]
